"""Room on the disk. Before it writes, a build estimates the space it needs from the sources' sizes and stops with
a clear message when the output's disk lacks it; if the disk fills anyway, it stops with one line naming the cause.
Either way the temporary file goes and the previous database stays as it was (the build's caller sees to that)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq

# datasets.db holds about 390 bytes per track at full size (8.68 GB for 22.25 million tracks); the rest is room for
# the index sorts, which SQLite writes beside the database (see sorting_beside).
BYTES_PER_ROW = 600
SAMPLE_BYTES = 1 << 20  # of a text file, to learn its bytes per line


class DiskFull(Exception):
    """The output's disk cannot hold the build: one line for the user."""


def estimated_rows(path: Path) -> int:
    """Rows in a source file or directory: exact for parquet (its footer says), from the bytes per line of the first
    megabyte for text files (JSONL, CSV)."""
    path = Path(path)
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    rows = 0
    for file in files:
        if file.suffix == ".parquet":
            try:
                rows += pq.ParquetFile(file).metadata.num_rows
            except Exception:  # a damaged shard: the reader names it; count it by its size
                rows += file.stat().st_size // 100
        elif file.suffix in (".jsonl", ".csv", ".json"):
            with file.open("rb") as handle:
                head = handle.read(SAMPLE_BYTES)
            rows += file.stat().st_size * max(1, head.count(b"\n")) // max(1, len(head))
    return rows


def required_bytes(sources: dict[str, Path]) -> int:
    return sum(estimated_rows(path) for path in sources.values()) * BYTES_PER_ROW


def check_space(out: Path, sources: dict[str, Path]) -> None:
    """Raise DiskFull when the disk holding `out` has less room than the build is estimated to need."""
    needed = required_bytes(sources)
    free = shutil.disk_usage(out.parent).free
    if free < needed:
        raise DiskFull(
            f"not enough disk space for the build: it needs about {megabytes(needed)} in {out.parent} "
            f"(estimated from the sources' sizes) and {megabytes(free)} are free; free some space or "
            "build elsewhere with --out"
        )


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(error)
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def disk_full(out: Path) -> DiskFull:
    return DiskFull(
        f"the disk holding {out.parent} filled up during the build ({megabytes(shutil.disk_usage(out.parent).free)} "
        "free now); free some space or build elsewhere with --out"
    )


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@contextlib.contextmanager
def sorting_beside(out: Path):
    """SQLite's temporary files (index sorts) go beside the database, on the disk the space check looked at, rather
    than to /var/tmp or /tmp, which may be small or another disk."""
    before = os.environ.get("SQLITE_TMPDIR")
    os.environ["SQLITE_TMPDIR"] = str(out.parent)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SQLITE_TMPDIR"]
        else:
            os.environ["SQLITE_TMPDIR"] = before
