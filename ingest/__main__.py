"""The command line: `python -m ingest build | download | inspect | synth | check`.

python -m ingest build                       # the bundled samples → datasets.db
python -m ingest build --laion-disco DIR --sleeping-disco DIR --fma DIR --spotify-tracks PATH [--out PATH]
python -m ingest download [--dest data] [--only SLUG …] [--revision SLUG=COMMIT …]
python -m ingest inspect [--db datasets.db]    # rewrite inspect-data.json for a database
python -m ingest synth --scale 1.0 --out DIR [--seed N]   # full-size synthetic data, for benchmarks
python -m ingest check catalogue.csv|.xlsx [--db datasets.db] [--out report.csv|report.json]
    [--map artist=COL,title=COL] [--no-header] [--encoding cp1252] [--sheet NAME]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .datasets import DATASETS
from .records import SourceError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build",
        help="build datasets.db from the publishers' files",
        description="Build the SQLite database. With no source option it builds from the "
        "bundled samples; with any, it builds just those sources.",
    )
    build.add_argument("--out", type=Path, default=Path("datasets.db"), help="database to write (default: %(default)s)")
    for info in DATASETS:
        build.add_argument(f"--{info.option}", type=Path, metavar="PATH", help=info.option_help)
    build.add_argument(
        "--attribution",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="a model maker's list of the tracks it trained on, e.g. Stability AI's "
        "fma_dataset_attribution2.csv (repeatable)",
    )
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.add_argument(
        "--no-space-check",
        action="store_true",
        help="build even where the disk seems too small (the estimate is from the sources' sizes)",
    )

    download = commands.add_parser("download", help="fetch the real datasets (about 30 GB in all)")
    download.add_argument("--dest", type=Path, default=Path("data"), help="where to put them (default: %(default)s)")
    download.add_argument("--only", nargs="+", metavar="SLUG", help="just these datasets (slugs)")
    download.add_argument(
        "--revision",
        action="append",
        default=[],
        metavar="SLUG=REV",
        help="fetch a Hugging Face dataset at this revision instead of the default",
    )
    download.add_argument(
        "--no-attribution",
        action="store_true",
        help="do not fetch the model makers' training lists (Stable Audio Open's is gated)",
    )

    inspect = commands.add_parser(
        "inspect",
        help="write inspect-data.json for a database",
        description="Write the inspect-data.json that `datasette .` serves the database with "
        "(the build writes it too; use this when the server says the two do not match).",
    )
    inspect.add_argument("--db", type=Path, default=Path("datasets.db"), help="database (default: %(default)s)")

    synth = commands.add_parser(
        "synth",
        help="write synthetic datasets in the publishers' formats",
        description="Write the four datasets in their exact formats at the published row "
        "counts times --scale, deterministically for a --seed.",
    )
    synth.add_argument("--scale", type=float, default=1.0, help="fraction of the published row counts")
    synth.add_argument("--out", type=Path, required=True, help="directory to write into")
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument(
        "--lyrics-bytes",
        type=int,
        default=1500,
        help="filler text per Sleeping-DISCO line, as long as real lyrics (default: %(default)s)",
    )

    check = commands.add_parser(
        "check",
        help="check a catalogue (CSV, .xlsx, Artist - Title lines) against them",
        description="Match a catalogue of tracks (artist, title, …, or YouTube/Spotify ids "
        "and Genius/FMA links; a CSV in any common encoding, an .xlsx workbook or a list of "
        "Artist - Title lines) against the database. With --out, write the report as CSV or "
        "JSON (by the extension); without, print a summary (stderr) and the CSV report "
        "(stdout).",
    )
    check.add_argument("catalogue", type=Path, help="the file")
    check.add_argument("--db", type=Path, default=Path("datasets.db"), help="database (default: %(default)s)")
    check.add_argument("--out", type=Path, metavar="REPORT", help="write the report here: report.csv or report.json")
    check.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COL,…",
        help="which column holds what, when the header is not recognised: a header name or a column "
        "number, e.g. --map artist=Interpret,title=Werk or --map artist=1,title=2 (repeatable; fields: "
        "artist, featured, title, version, album, isrc, upc, catalog_number, duration, duration_ms, "
        "youtube, spotify, url)",
    )
    check.add_argument("--no-header", action="store_true", help="the first line is a track: number the columns")
    check.add_argument(
        "--encoding",
        metavar="NAME",
        help="read a CSV in this encoding instead of detecting it "
        "(utf-8, utf-16, cp1252, latin_1, mac_roman, cp1250, cp1251, cp932)",
    )
    check.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx workbook to read")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        return _build(args)
    if args.command == "download":
        return _download(args)
    if args.command == "synth":
        return _synth(args)
    if args.command == "check":
        return _check(args)
    if args.command == "inspect":
        return _inspect(args)
    raise AssertionError(args.command)


def _build(args) -> int:
    from .build import DiskFull, build, sample_attributions, sample_sources

    sources = {info.slug: getattr(args, info.option_dest) for info in DATASETS if getattr(args, info.option_dest)}
    attributions = args.attribution
    if not sources:
        sources = sample_sources()
        attributions = attributions or sample_attributions()
        options = "/".join(f"--{info.option}" for info in DATASETS)
        print(f"building from the bundled samples (pass {options} to build from real files)", file=sys.stderr)
    try:
        build(
            args.out,
            sources,
            attributions=attributions,
            progress=not args.quiet,
            log=lambda message: print(message, file=sys.stderr),
            space_check=not args.no_space_check,
        )
    except (SourceError, DiskFull) as error:
        print(f"error: {error}", file=sys.stderr)
        kept = f"the previous {args.out} is untouched" if args.out.exists() else f"{args.out} was not written"
        print(f"build stopped; {kept}", file=sys.stderr)
        return 1
    return 0


def _inspect(args) -> int:
    from .build import write_inspect_data

    if not args.db.is_file():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 1
    print(f"wrote {write_inspect_data(args.db)}", file=sys.stderr)
    return 0


def _download(args) -> int:
    from .download import ALL, DownloadError, download

    datasets = args.only or list(ALL)
    unknown = [slug for slug in datasets if slug not in ALL]
    if unknown:
        print(f"error: unknown dataset {', '.join(unknown)}; choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    revisions = {}
    for item in args.revision:
        slug, _, revision = item.partition("=")
        if not revision:
            print(f"error: --revision {item!r}: expected SLUG=REV", file=sys.stderr)
            return 2
        revisions[slug] = revision
    try:
        # the training lists name FMA tracks: fetch them with FMA unless told not to
        skip_lists = args.no_attribution or "free-music-archive" not in datasets
        command = download(args.dest, datasets, revisions, attributions=() if skip_lists else None)
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"\nnext, build the database from them:\n  {command}")
    return 0


def _synth(args) -> int:
    from .testdata.synth import synth

    paths = synth(
        args.out, args.scale, args.seed, args.lyrics_bytes, log=lambda message: print(message, file=sys.stderr)
    )
    options = " ".join(f"--{info.option} {paths[info.slug]}" for info in DATASETS)
    print(f"python -m ingest build {options}")
    return 0


def _check(args) -> int:
    import sqlite3
    from urllib.parse import quote

    from .check import CatalogueError, check_catalogue, read_catalogue, report_csv, report_json, summary_lines, utc_now

    if args.out and args.out.suffix.lower() not in (".csv", ".json"):
        print(f"error: --out {args.out}: name a .csv or a .json file", file=sys.stderr)
        return 2
    columns: dict[str, list[str]] = {}
    for item in args.map:
        for pair in item.split(","):
            field, _, column = pair.partition("=")
            if not column.strip():
                print(f"error: --map {item!r}: expected FIELD=COLUMN, e.g. artist=Interpret", file=sys.stderr)
                return 2
            columns.setdefault(field.strip().lower(), []).append(column.strip())
    if args.no_header and not columns:
        print(
            "error: --no-header: say which column holds what with --map, e.g. --map artist=1,title=2", file=sys.stderr
        )
        return 2
    if not args.db.is_file():
        print(f"error: no database at {args.db}: build it with python -m ingest build, or pass --db", file=sys.stderr)
        return 1
    try:
        catalogue = read_catalogue(
            args.catalogue.read_bytes(),
            columns=columns or None,
            header=not args.no_header,
            encoding=args.encoding,
            sheet=args.sheet,
        )
    except OSError as error:
        print(f"error: cannot read {args.catalogue}: {error.strerror}", file=sys.stderr)
        return 1
    except CatalogueError as error:
        print(f"error: {args.catalogue}: {error}", file=sys.stderr)
        if error.preview is not None:
            print("its columns:", file=sys.stderr)
            for number, name in enumerate(error.preview.header, 1):
                samples = [row[number - 1] for row in error.preview.rows if number - 1 < len(row)]
                print(f"  {number:>3}  {name!r:<30} {', '.join(map(repr, samples))[:80]}", file=sys.stderr)
            print("say which holds what with --map, e.g. --map artist=1,title=2", file=sys.stderr)
        return 1
    conn = sqlite3.connect(f"file:{quote(str(args.db.resolve()))}?mode=ro", uri=True)
    try:
        body = check_catalogue(conn, catalogue)
    except sqlite3.DatabaseError as error:
        print(f"error: {args.db} is not a database built by python -m ingest build ({error})", file=sys.stderr)
        return 1
    finally:
        conn.close()
    checked_at = utc_now()
    print("\n".join(summary_lines(body)), file=sys.stderr)
    print(f"checked at {checked_at}", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(report_csv(body))
        return 0
    report = (
        report_json(body, checked_at)
        if args.out.suffix.lower() == ".json"
        else ("\ufeff" + report_csv(body)).encode("utf-8")
    )  # the BOM tells Excel the CSV is UTF-8
    try:
        args.out.write_bytes(report)
    except OSError as error:
        print(f"error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
