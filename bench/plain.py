"""A plain Datasette publication of the same files, for comparison: one table per dataset as sqlite-utils
would insert it (lists as JSON text, every column as published, Sleeping-DISCO without its lyrics), FTS on
title and artist, default settings."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import sqlite_utils

TABLES = {
    "laion_disco_12m": ("title", "artist_names"),
    "sleeping_disco_9m": ("title", "primary_artist"),
    "fma_raw_tracks": ("track_title", "artist_name"),
    "spotify_tracks_dataset": ("track_name", "artists"),
}
DROPPED = {"lyrics", "genius_annotation", "qna"}


def _laion(directory: Path):
    for path in sorted((directory / "data").glob("train-*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
            for row in batch.to_pylist():
                row["artist_names"] = orjson.dumps(row["artist_names"]).decode()
                row["artist_ids"] = orjson.dumps(row["artist_ids"]).decode()
                yield row


def _sleeping(directory: Path):
    for path in sorted(directory.glob("*.jsonl")):
        with path.open("rb") as handle:
            for line in handle:
                try:
                    row = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(row, dict):
                    yield {
                        k: (orjson.dumps(v).decode() if isinstance(v, (list, dict)) else v)
                        for k, v in row.items()
                        if k not in DROPPED
                    }


def _csv(path: Path):
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if "" in row:
                row["index"] = row.pop("")  # pandas' unnamed index column
            yield row


def build_plain(out: Path, sources: dict[str, Path], log=print) -> Path:
    out.unlink(missing_ok=True)
    db = sqlite_utils.Database(out)
    readers = {
        "laion_disco_12m": _laion(sources["laion-disco-12m"]),
        "sleeping_disco_9m": _sleeping(sources["sleeping-disco-9m"]),
        "fma_raw_tracks": _csv(sources["free-music-archive"] / "raw_tracks.csv"),
        "spotify_tracks_dataset": _csv(sources["spotify-tracks-dataset"]),
    }
    for table, rows in readers.items():
        log(f"plain: inserting {table} …")
        db.table(table).insert_all(rows, batch_size=20_000, alter=True)
        db.table(table).enable_fts(list(TABLES[table]), fts_version="FTS5")
    return out
