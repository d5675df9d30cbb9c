"""How long the catalogue check takes on a large build, and what it finds in the files labels really have. Run by
hand, never by the tests (they run it tiny, to keep it working):

    python bench/check_bench.py /tmp/synth01.db [--rows 10000] [--messy 500] [--seed 1] [--save DIR]

1. A 10,000-row catalogue sampled from the database, as a label would write it: ids and links (20 %), exact
   artist + title (35 %), lightly altered ones (25 %: accents dropped, case changed, a version tag or a featured
   artist added, "The" dropped, one letter of the title or artist changed) and invented tracks that are not there
   (20 %). It is checked twice, as the command line does (the second run is warm: the database in the page
   cache), and the time and what was found per kind of row are printed.
2. The messy forms, one file each (`--messy` rows, a tenth of them invented): credits of several artists joined
   by `;`, `/` or `,`; a delivery sheet's headers with the version in its own column; Excel's Windows CSV
   (cp1252); UTF-16 without a byte-order mark; an .xlsx workbook with Excel time durations; durations in
   milliseconds (a column just named "Duration") and in ISO 8601; a headerless paste of `Artist - Title` lines.
   For each: recall (the row finds the track it was made from, and reads its duration right where it has one)
   and false positives on the invented rows.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import random
import resource
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from unidecode import unidecode

from ingest.check import check_catalogue, read_catalogue
from ingest.normalize import split_title, title_key

SYLLABLES = ["ka", "lo", "mi", "zu", "rex", "vo", "tan", "quil", "bra", "osh", "fey", "dun", "pli", "wy", "zor"]


def _invented(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title() for _ in range(words))


def _typo(rng: random.Random, text: str) -> str:
    """One letter dropped or two swapped, in a word of five letters or more (if there is one)."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1 :] if rng.random() < 0.5 else word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _alter(rng: random.Random, artist: str, title: str) -> tuple[str, str, str]:
    how = rng.choice(["accents", "case", "version", "featured", "the", "title typo", "artist typo"])
    if how == "accents":
        artist, title = unidecode(artist), unidecode(title)
    elif how == "case":
        artist, title = artist.upper(), title.lower()
    elif how == "version":
        title += rng.choice([" (Remastered 2011)", " (Official Video)", " [Lyrics]", " (Radio Edit)"])
    elif how == "featured":
        artist += " feat. " + _invented(rng, 2)
    elif how == "the":
        artist = artist[4:] if artist.lower().startswith("the ") else "The " + artist
    elif how == "title typo":
        title = _typo(rng, title)
    else:
        artist = _typo(rng, artist)
    return artist, title, how


def _id_cells(rng: random.Random, dataset: str, source_id: str, url: str | None) -> dict:
    if dataset == "laion-disco-12m":
        return {
            "youtube": rng.choice(
                [source_id, f"https://www.youtube.com/watch?v={source_id}", f"https://youtu.be/{source_id}"]
            )
        }
    if dataset == "spotify-tracks-dataset":
        return {
            "spotify": rng.choice(
                [source_id, f"spotify:track:{source_id}", f"https://open.spotify.com/track/{source_id}"]
            )
        }
    if dataset == "sleeping-disco-9m":
        return {"url": url if url and rng.random() < 0.5 else f"https://genius.com/songs/{source_id}"}
    return {"url": url or ""}


def _id_blocks(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """Each dataset's range of track ids (a block of its own)."""
    return [
        (first, last)
        for first, last in conn.execute(
            "select first_track_id, last_track_id from datasets where first_track_id is not null"
        )
    ]


def _track(conn: sqlite3.Connection, rng: random.Random, blocks: list[tuple[int, int]], artists: int = 1):
    """A random track (each of the build's tracks as likely) with a title and at least `artists` primary artists:
    (id, dataset, source_id, url, title, duration, [artist names in credit order]), or None."""
    first, last = rng.choices(blocks, [last - first + 1 for first, last in blocks])[0]
    track = conn.execute(
        "select id, dataset, source_id, url, title, duration_s from tracks where id = ? and title is not null",
        (rng.randint(first, last),),
    ).fetchone()
    if track is None:
        return None
    names = [
        name
        for (name,) in conn.execute(
            "select a.name from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = ? "
            "and ta.role = 'primary' order by ta.position",
            (track[0],),
        )
    ]
    if len(names) < artists:
        return None
    return (*track, names)


def make_catalogue(conn: sqlite3.Connection, rows: int, seed: int) -> tuple[bytes, list[str]]:
    """A semicolon-separated catalogue and, per row, the kind of row it is."""
    rng = random.Random(seed)
    blocks = _id_blocks(conn)
    out = io.StringIO()
    writer = csv.DictWriter(out, ["artist", "title", "duration", "youtube", "spotify", "url"], delimiter=";")
    writer.writeheader()
    kinds: list[str] = []
    while len(kinds) < rows:
        kind = rng.choices(["id", "exact", "altered", "absent"], [20, 35, 25, 20])[0]
        if kind == "absent":
            writer.writerow({"artist": _invented(rng, rng.randint(1, 2)), "title": _invented(rng, rng.randint(1, 3))})
            kinds.append("absent")
            continue
        track = _track(conn, rng, blocks)
        if track is None:
            continue
        _, dataset, source_id, url, title, duration, names = track
        artist = names[0]
        cells = {}
        if kind == "id":
            cells = _id_cells(rng, dataset, source_id, url)
        elif kind == "exact":
            cells = {"artist": artist, "title": title}
        else:
            artist, title, how = _alter(rng, artist, title)
            cells = {"artist": artist, "title": title}
            kind = f"altered: {how}"
        if duration and "artist" in cells and rng.random() < 0.3:
            cells["duration"] = f"{int(duration) // 60}:{int(duration) % 60:02d}"
        writer.writerow(cells)
        kinds.append(kind)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), kinds


# --- the messy forms ------------------------------------------------------------------------------------------------
def _csv(header: list[str], rows: list[list], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tracks"
    sheet.append(["Catalogue export", "label: Bench Records"])  # a title block above the header
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MESSY = (
    "credits ;",
    "credits /",
    "credits ,",
    "delivery headers",
    "cp1252",
    "utf-16 no BOM",
    "xlsx",
    "ms durations",
    "ISO durations",
    "headerless paste",
)


def make_messy(conn: sqlite3.Connection, form: str, rows: int, seed: int) -> tuple[bytes, list[tuple | None]]:
    """A catalogue file in one messy form; per row, the track it was made from (None for an invented row)."""
    rng = random.Random(f"{seed}-{form}")
    blocks = _id_blocks(conn)
    tries = 0

    def draw() -> tuple:
        """A track that suits the form, and the credit to write for it."""
        nonlocal tries
        while True:
            tries += 1
            track = _track(conn, rng, blocks, artists=2 if form.startswith("credits") else 1)
            if track is None:
                continue
            names = track[6]
            credit = (
                {"credits ;": ";", "credits /": " / ", "credits ,": ", "}[form].join(names)
                if form.startswith("credits")
                else names[0]
            )
            if form == "cp1252":  # an Excel user's file: names that Windows-1252 can hold, accents welcome
                try:
                    (credit + track[4]).encode("cp1252")
                except UnicodeEncodeError:
                    continue
                if (credit + track[4]).isascii() and rng.random() < 0.7 and tries < rows * 50:
                    continue
            if form == "headerless paste" and (" - " in credit or " – " in credit):
                continue  # the paste cannot say where such an artist ends
            if form in ("ms durations", "ISO durations", "xlsx") and not track[5]:
                continue
            return track, credit

    wanted = [None if rng.random() < 0.1 else draw() for _ in range(rows)]  # None: an invented row
    invented = [(_invented(rng, rng.randint(1, 2)), _invented(rng, rng.randint(1, 3))) for _ in wanted]
    rows_out: list = []
    expected: list = []
    for entry, (fake_artist, fake_title) in zip(wanted, invented):
        if entry is None:
            rows_out.append((fake_artist, fake_title, None))
            expected.append(None)
        else:
            track, credit = entry
            rows_out.append((credit, track[4], track[5]))
            expected.append(track)
    if form in ("credits ;", "credits /", "credits ,"):
        return _csv(["Artist", "Title"], [[a, t] for a, t, _ in rows_out]).encode("utf-8"), expected
    if form == "delivery headers":
        table = []
        for artist, title, duration in rows_out:
            core, featured, versions = split_title(title)
            version = versions[-1] if versions and not featured and title.endswith((")", "]")) else ""
            name = title if not version else title[: title.rstrip(")]").rfind(version) - 1].rstrip(" ([-–—")
            table.append(
                [artist, name or title, version, _mmss(duration) if duration else "", "0602547000000", "BENCH-001"]
            )
        return _csv(
            ["Track Artist", "Track Name", "Mix/Version", "Duration (mm:ss)", "UPC", "Catalog Number"], table, ";"
        ).encode("utf-8"), expected
    if form == "cp1252":
        text = _csv(["Artist", "Title", "Length"], [[a, t, _mmss(d) if d else ""] for a, t, d in rows_out], ";")
        return text.encode("cp1252"), expected
    if form == "utf-16 no BOM":
        return _csv(["Display Artist", "Song Name"], [[a, t] for a, t, _ in rows_out], "\t").encode(
            "utf-16-le"
        ), expected
    if form == "xlsx":  # half the durations typed as m:ss, which Excel keeps as hours and minutes

        def excel(d):
            if d and d < 24 * 60 and rng.random() < 0.5:
                return datetime.time(int(d) // 60, int(d) % 60)
            return datetime.timedelta(seconds=round(d)) if d else None

        return _xlsx(
            ["Primary Artists", "Track Title", "Duration"], [[a, t, excel(d)] for a, t, d in rows_out]
        ), expected
    if form == "ms durations":
        return _csv(
            ["Artist", "Title", "Duration"], [[a, t, str(round(d * 1000)) if d else ""] for a, t, d in rows_out]
        ).encode("utf-8"), expected
    if form == "ISO durations":
        iso = lambda d: f"PT{int(d) // 60}M{int(d) % 60}S"  # noqa: E731
        return _csv(["Artist", "Title", "Duration"], [[a, t, iso(d) if d else ""] for a, t, d in rows_out]).encode(
            "utf-8"
        ), expected
    if form == "headerless paste":
        return "".join(f"{a} - {t}\n" for a, t, _ in rows_out).encode("utf-8"), expected
    raise ValueError(form)


def found_it(row: dict, track: tuple) -> bool:
    """Whether a report row found the track it was made from (one of its copies, when more than the listed 20
    match), and read its duration right where the file gave one."""
    track_id, title, duration = track[0], track[4], track[5]
    listed = row.get("matches") or []
    hit = any(m["track_id"] == track_id for m in listed) or (
        row.get("matches_total", 0) > len(listed)
        and any(title_key(m["title"] or "")[0] == title_key(title)[0] for m in listed)
    )
    if hit and row.get("duration_s") is not None and duration:
        hit = abs(row["duration_s"] - duration) <= 1
    return hit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--messy", type=int, default=500, help="rows per messy form (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, help="also write the catalogues into this directory")
    args = parser.parse_args()

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    (tracks,) = conn.execute("select count(*) from tracks").fetchone()
    t0 = time.monotonic()
    data, kinds = make_catalogue(conn, args.rows, args.seed)
    print(
        f"database: {args.db} ({tracks:,} tracks); catalogue: {len(kinds):,} rows, {len(data) / 1e6:.1f} MB, "
        f"made in {time.monotonic() - t0:.1f} s"
    )
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "catalogue.csv").write_bytes(data)

    times = []
    for run in ("first", "warm"):
        t0 = time.monotonic()
        catalogue = read_catalogue(data)
        t1 = time.monotonic()
        body = check_catalogue(conn, catalogue)
        t2 = time.monotonic()
        times.append(t2 - t1)
        print(
            f"{run} run: read {t1 - t0:.2f} s, checked in {t2 - t1:.1f} s ({len(kinds) / (t2 - t1):,.0f} rows/s); "
            f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
        )
    summary = body["summary"]
    print(
        f"{summary['found']:,} of {summary['rows']:,} rows found ({summary['uncertain']:,} uncertain); by best "
        f"basis: {summary['by_best_basis']}; by dataset: {summary['by_dataset']}"
    )

    outcome: dict[str, Counter] = {}
    for kind, row in zip(kinds, body["rows"]):
        best = row["matches"][0]["basis"] if row.get("matches") else row["status"]
        outcome.setdefault(kind.split(":")[0], Counter())[best] += 1
        if ":" in kind:
            outcome.setdefault(kind, Counter())[best] += 1
    print(f"\n{'kind of row':<28}{'rows':>7}  best basis found")
    for kind in sorted(outcome):
        counts = outcome[kind]
        print(f"{kind:<28}{sum(counts.values()):>7}  " + ", ".join(f"{b} {n}" for b, n in counts.most_common()))

    if args.messy:
        print(
            f"\n{'messy form':<20}{'rows':>6}{'found':>7}{'recall':>9}{'absent':>8}{'false +':>9}{'time':>8}  read as"
        )
        false_positives = absent_total = 0
        for form in MESSY:
            messy, expected = make_messy(conn, form, args.messy, args.seed)
            if args.save:
                suffix = {"xlsx": ".xlsx", "headerless paste": ".txt"}.get(form, ".csv")
                name = form.replace(" ", "-").replace(";", "semicolon").replace("/", "slash").replace(",", "comma")
                (args.save / f"messy-{name}{suffix}").write_bytes(messy)
            t0 = time.monotonic()
            catalogue = read_catalogue(messy)
            report = check_catalogue(conn, catalogue)
            elapsed = time.monotonic() - t0
            present = [(row, track) for row, track in zip(report["rows"], expected) if track is not None]
            absent = [row for row, track in zip(report["rows"], expected) if track is None]
            hits = sum(found_it(row, track) for row, track in present)
            wrong = sum(1 for row in absent if row.get("matches"))
            false_positives += wrong
            absent_total += len(absent)
            read_as = f"{catalogue.format}, {catalogue.encoding}, columns {', '.join(catalogue.columns)}"
            if catalogue.durations:
                read_as += f"; durations {dict(catalogue.durations)}"
            print(
                f"{form:<20}{len(present):>6}{hits:>7}{hits / max(len(present), 1):>9.1%}{len(absent):>8}"
                f"{wrong:>9}{elapsed:>7.1f}s  {read_as}"
            )
        print(f"false positives on invented rows: {false_positives} of {absent_total}")
    print(f"\n10,000-row-class timing: {times[-1]:.1f} s warm, {times[0]:.1f} s first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
