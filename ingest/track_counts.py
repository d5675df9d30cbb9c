"""`track_counts`: the tracks table counted by every combination of its low-cardinality columns.

Counting 22 million rows takes seconds; a sum over this table's few tens of thousands of rows takes a millisecond.
Its columns carry the names and types of the tracks columns they count, so a Datasette filter on those columns
(`?dataset=…&release_year__gte=2000`, `?licence_code__contains=NC`) is the same SQL on either table: the tracks
table's row counts and facets are answered here exactly (`plugins/tracks_table.py`).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

# (column, type) as in tracks; `duplicate_of` is kept only as null / not null (1): the one question a count answers
COLUMNS = (
    ("dataset", "text"),
    ("source_file", "integer"),
    ("release_year", "integer"),
    ("explicit", "integer"),
    ("popularity", "integer"),
    ("licence", "text"),
    ("licence_code", "text"),
    ("language", "text"),
    ("used_to_train", "text"),
    ("duplicate_of", "integer"),
)
NAMES = tuple(name for name, _ in COLUMNS)
# the filters that mean the same on track_counts as on tracks, for each column (all of them, but duplicate_of)
FLAG_LOOKUPS = {"duplicate_of": {"isnull", "notnull", "isblank", "notblank"}}

SCHEMA = (
    "create table track_counts (\n    "
    + ",\n    ".join(f"{name} {kind}" for name, kind in COLUMNS)
    + ",\n    tracks integer not null\n)"
)


def build(conn: sqlite3.Connection, log=print, tracks: str = "tracks") -> None:
    """One pass over `tracks` (the table, or a subquery with its columns), counted in Python (a SQL `group by`
    would sort all 22 million rows first)."""
    t0 = time.monotonic()
    select = ", ".join("duplicate_of is not null or null" if name == "duplicate_of" else name for name in NAMES)
    counts = Counter(conn.execute(f"select {select} from {tracks}"))
    conn.execute("begin")
    conn.execute(SCHEMA)
    conn.executemany(
        f"insert into track_counts values ({', '.join('?' * (len(NAMES) + 1))})",
        (key + (n,) for key, n in sorted(counts.items(), key=lambda item: repr(item[0]))),
    )
    conn.execute("create index track_counts_dataset on track_counts(dataset)")
    conn.execute("commit")
    log(f"  track counts: {time.monotonic() - t0:.1f}s ({len(counts):,} combinations)")
