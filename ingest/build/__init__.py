"""Build `datasets.db` from the readers' records. This package owns the schema.

    schema.py          tables, indexes, full-text indexes; the column lists inserts are made from
    rows.py            a record → row values (keys, credits, codes): the per-row work
    reader_process.py  the readers run in a process of their own, handing over batches of prepared rows
    loader.py          the process owning SQLite gives out ids and inserts in bulk
    finish.py          the steps after the load: indexes, training lists, duplicates, summaries, track counts, ANALYZE
    derived.py         meanwhile, in a second process: title keys, shared recordings, search indexes; copied in
    inspect.py         inspect-data.json, as `datasette inspect` writes it

The build writes a temporary file beside the target and renames it over the target only when every step has
finished, so a failed or killed build never touches the previous database. Records arrive in the readers' order,
so the same input always gives the same database.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .. import build_info
from ..datasets import DATASETS, SAMPLES, dataset
from ..records import Problem, SourceError, Track
from ..sources import attribution
from .finish import finish
from .inspect import INSPECT_FILE, prepare_inspect_data, write_inspect_data
from .loader import Loader, SourceCounts
from .reader_process import Event, events, prepared_batches
from .schema import SCHEMA, TITLE_KEYS_LOAD, private_file_pragmas
from .space import DiskFull, check_space, disk_full, is_disk_full, sorting_beside

__all__ = [
    "build",
    "build_from_records",
    "sample_sources",
    "sample_attributions",
    "write_inspect_data",
    "DiskFull",
    "SourceCounts",
    "SourceError",
]


def build(
    out: Path,
    sources: dict[str, Path],
    *,
    attributions: Iterable[Path] = (),
    revisions: dict[str, str] | None = None,
    progress: bool = True,
    log=print,
    space_check: bool = True,
) -> dict[str, SourceCounts]:
    """Build the database at `out` from the publishers' files at `sources` (slug → path) and model training lists.
    Returns the counts per source.

    Raises `SourceError` on a file-level fault and `DiskFull` when the disk lacks room (checked first, unless
    `space_check` is false); the previous `out` and its inspect data are then left exactly as they were.
    """
    unknown = set(sources) - {info.slug for info in DATASETS}
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if space_check:
        check_space(out, sources)
    found: dict[str, str | None] = {
        slug: (revisions or {}).get(slug) or read_revision(path) for slug, path in sources.items()
    }
    return _build(out, prepared_batches(sources), attributions, found, progress, log)


def build_from_records(
    out: Path,
    records: dict[str, Iterable[Track | Problem]],
    *,
    attributions: Iterable[Path] = (),
    revisions: dict[str, str] | None = None,
    log=lambda message: None,
) -> dict[str, SourceCounts]:
    """Build the database at `out` from records made in this process (slug → records, in registry order): the same
    schema, ids and finishing steps as `build`, for tests that need a database holding just a few tracks."""
    ordered = [(info.slug, records[info.slug]) for info in DATASETS if info.slug in records]
    return _build(out, events(ordered), attributions, dict(revisions or {}), False, log)


def _build(
    out: Path,
    batches: Iterator[Event],
    attributions: Iterable[Path],
    revisions: dict[str, str | None],
    progress: bool,
    log,
) -> dict[str, SourceCounts]:
    out = Path(out)
    # training lists are small: read them first, so a bad one stops the build before the long load
    lists = [(path, attribution.model_info(path), list(attribution.read(path))) for path in attributions]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    # the load's title keys, and the tables the build's second process makes (ingest/build/derived.py)
    keys, derived = out.with_name(out.name + ".tmp-keys"), out.with_name(out.name + ".tmp-derived")
    for path in (tmp, keys, derived):
        path.unlink(missing_ok=True)  # left by a build that was killed
    started = time.monotonic()
    conn = None
    try:
        with sorting_beside(out):
            conn = connect_for_load(tmp, keys)
            results = _load(conn, batches, revisions, progress, log)
            conn.execute("detach keys")
            finish(conn, log, lists, keys, derived)
            build_info.record(conn)  # the build id: a hash of what went in (ingest/build_info.py)
            conn.close()
        inspect = prepare_inspect_data(tmp, served_as=out)
    except BaseException as error:
        if conn is not None:
            conn.close()
        tmp.unlink(missing_ok=True)
        derived.unlink(missing_ok=True)
        (out.parent / (INSPECT_FILE + ".tmp")).unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full(out) from error
        raise
    finally:
        keys.unlink(missing_ok=True)
    # both files are complete before either moves (see inspect.py)
    os.replace(tmp, out)
    os.replace(inspect, out.parent / INSPECT_FILE)
    log(f"built {out} in {time.monotonic() - started:.1f}s ({out.stat().st_size / 1e6:,.1f} MB)")
    return results


def _load(
    conn: sqlite3.Connection, batches: Iterator[Event], revisions: dict[str, str | None], progress: bool, log
) -> dict[str, SourceCounts]:
    """Every dataset's rows, each dataset in one transaction, then the tables made from all of them."""
    with without_cycle_collection():
        return _load_all(conn, batches, revisions, progress, log)


@contextlib.contextmanager
def without_cycle_collection():
    """Python's cycle collector walks every container alive, over and over as the load's dictionaries of artists
    and spellings grow to millions: measured at 1.2 million rows, it cost a third of the reader's time and a fifth of
    the loader's, more with every row. The load makes no reference cycles, so it runs without it."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_all(
    conn: sqlite3.Connection, batches: Iterator[Event], revisions: dict[str, str | None], progress: bool, log
) -> dict[str, SourceCounts]:
    loader = Loader(conn)
    results: dict[str, SourceCounts] = {}
    bar: Any = None
    slug, t0, cpu = None, 0.0, 0.0
    for event, payload in batches:
        if event == "rows":
            loader.write(payload)
            bar.update(len(payload))
            continue
        if event == "stats":
            loader.stats = payload
            continue
        if slug is not None:  # "start" of the next dataset, or "done": this one is complete
            results[slug] = counts = loader.finish_dataset()
            conn.execute("commit")
            _record_dataset(conn, loader, slug, counts, revisions.get(slug))
            bar.close()
            elapsed = time.monotonic() - t0
            # CPU seconds of each process: their sum against twice the time says how well the two cores are used
            log(
                f"{slug}: read {counts.read:,} rows, loaded {counts.loaded:,}, rejected {counts.rejected:,} "
                f"in {elapsed:.1f}s ({counts.read / max(elapsed, 1e-9):,.0f} rows/s), CPU "
                f"{loader.stats.cpu_seconds:.1f}s reading, {time.process_time() - cpu:.1f}s writing"
            )
        if event == "start":
            slug, t0, cpu = payload, time.monotonic(), time.process_time()
            loader.start(slug)
            conn.execute("begin")
            bar = tqdm(
                desc=f"{slug:<24}", unit=" rows", unit_scale=True, mininterval=1.0, disable=None if progress else True
            )
    conn.execute("begin")
    conn.executemany(
        "insert into source_files values (?, ?, ?, ?, ?, ?)",
        (
            (file_id, slug, path, *astuple(results[slug].files[path]))
            for (slug, path), file_id in loader.file_ids.items()
        ),
    )
    loader.finish_artists()
    conn.execute("commit")
    return results


def _record_dataset(
    conn: sqlite3.Connection, loader: Loader, slug: str, counts: SourceCounts, revision: str | None
) -> None:
    """The dataset's row in `datasets` and its precomputed genre and year counts."""
    info = dataset(slug)
    genres, years, explicit = loader.stats.genres, loader.stats.years, loader.stats.explicit
    conn.execute(
        "insert into datasets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)",
        (
            info.slug,
            info.name,
            info.publisher,
            info.licence,
            info.terms,
            info.source_url,
            revision,
            info.rows_published,
            counts.read,
            counts.loaded,
            counts.rejected,
            explicit,
            loader.first_track_id if counts.loaded else None,
            loader.next_track_id - 1 if counts.loaded else None,
            info.description,
        ),
    )
    conn.executemany(
        "insert into dataset_genres values (?, ?, ?)", ((slug, genre, n) for genre, n in sorted(genres.items()))
    )
    conn.executemany(
        "insert into dataset_years values (?, ?, ?)", ((slug, year, n) for year, n in sorted(years.items()))
    )


def read_revision(path: Path) -> str | None:
    """The revision `python -m ingest download` recorded beside the files (`download.json`), if any."""
    path = Path(path)
    marker = (path if path.is_dir() else path.parent) / "download.json"
    try:
        return json.loads(marker.read_text())["revision"]
    except (OSError, ValueError, KeyError):
        return None


def connect_for_load(path: Path, keys: Path) -> sqlite3.Connection:
    """The new database at `path` with its schema, and the file of the load's title keys (`keys`) attached as `keys`
    (the loader writes there: see derived.py)."""
    conn = _connect(path)
    conn.executescript(SCHEMA)
    conn.execute("attach ? as keys", (str(keys),))
    conn.executescript(f"pragma keys.journal_mode = off; pragma keys.synchronous = off; {TITLE_KEYS_LOAD}")
    return conn


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(private_file_pragmas(cache_kib=524288))
    return conn


def sample_attributions() -> list[Path]:
    """The bundled sample training list, in Stability AI's format."""
    return [SAMPLES / "attribution" / "fma_dataset_attribution2.csv"]


def sample_sources() -> dict[str, Path]:
    """The bundled samples, one per dataset, in the publishers' exact formats."""
    return {info.slug: info.sample_path for info in DATASETS}
