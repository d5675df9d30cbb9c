"""LAION-DISCO-12M: parquet shards `data/train-0000N-of-00005.parquet` (Hugging Face `laion/LAION-DISCO-12M`).

Streams each shard in Arrow record batches; list columns are read as Arrow lists (pandas would hand back numpy
arrays, and a loader that checks `isinstance(x, list)` then silently drops every artist).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..datasets import dataset
from ..records import Credit, Problem, SourceError, Track

DATASET = dataset("laion-disco-12m")

# column → the Arrow types we accept for it
SCHEMA = {
    "song_id": "string",
    "title": "string",
    "artist_names": "list<string>",
    "artist_ids": "list<string>",
    "album_name": "string",
    "album_id": "string",
    "isExplicit": "bool",
    "views": "string",
    "duration": "integer",
}
REQUIRED = ("song_id", "title", "artist_names")
BATCH_ROWS = 65_536
_SHARD = re.compile(r"^train-(\d+)-of-(\d+)\.parquet$")

_VIEWS = re.compile(r"^\s*([\d][\d,]*(?:\.\d+)?)\s*([KMB])?\s*(?:plays?|views?)?\s*$", re.IGNORECASE)
_MULTIPLIER = {None: 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
CHANNEL_URL = "https://music.youtube.com/channel/"


@lru_cache(maxsize=1 << 16)  # a few thousand texts recur over millions of rows (`317K plays`)
def parse_views(text: str | None) -> int | None:
    """`945K plays` → 945000, `1.2M views` → 1200000, `3B plays` → 3000000000, `1 play` → 1; else None."""
    if not text:
        return None
    match = _VIEWS.match(text)
    if not match:
        return None
    number, suffix = match.groups()
    views = float(number.replace(",", "")) * _MULTIPLIER[suffix.upper() if suffix else None]
    return round(views) if views < 2**63 else None  # SQLite's integers are 64-bit; `1e400` is infinite


def shard_files(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise SourceError(
            directory,
            "not a directory; expected the LAION-DISCO-12M download (holding data/train-0000N-of-00005.parquet)",
        )
    files = sorted(directory.glob("train-*.parquet")) or sorted(directory.glob("data/train-*.parquet"))
    if not files:
        files = sorted(directory.glob("*.parquet")) or sorted(directory.glob("data/*.parquet"))
    if not files:
        raise SourceError(directory, "no parquet shards found; expected data/train-0000N-of-00005.parquet")
    # "train-00002-of-00005": the names say how many shards there are, so a missing one can be named
    numbered = [_SHARD.match(path.name) for path in files]
    if all(numbered):
        total = int(numbered[0].group(2))  # type: ignore[union-attr]
        present = {int(match.group(1)) for match in numbered}  # type: ignore[union-attr]
        missing = [f"train-{n:05d}-of-{total:05d}.parquet" for n in range(total) if n not in present]
        if missing:
            raise SourceError(files[0].parent, f"missing shard(s) {', '.join(missing)}")
    return files


def _type_ok(arrow_type: pa.DataType, expected: str) -> bool:
    if expected == "string":
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type)
    if expected == "list<string>":
        return (pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)) and (
            pa.types.is_string(arrow_type.value_type)
            or pa.types.is_large_string(arrow_type.value_type)
            or pa.types.is_null(arrow_type.value_type)
        )
    if expected == "bool":
        return pa.types.is_boolean(arrow_type) or pa.types.is_null(arrow_type)
    if expected == "integer":
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_null(arrow_type)
    raise AssertionError(expected)


def _open(path: Path, label: str) -> tuple[pq.ParquetFile, list[str]]:
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:  # a damaged footer: column names not UTF-8
        raise SourceError(label, f"not a readable parquet file ({error})") from None
    missing = [name for name in REQUIRED if name not in schema.names]
    if missing:
        raise SourceError(
            label,
            f"missing column(s) {', '.join(missing)}; expected LAION-DISCO-12M's "
            f"{', '.join(SCHEMA)}; found {', '.join(schema.names)}",
        )
    for name in schema.names:
        if name in SCHEMA and not _type_ok(schema.field(name).type, SCHEMA[name]):
            raise SourceError(label, f"column {name} is {schema.field(name).type}, expected {SCHEMA[name]}")
    return parquet, [name for name in SCHEMA if name in schema.names]


class NotUtf8(bytes):
    """A parquet string that is not UTF-8. pyarrow does not check strings as it reads parquet, and Python would
    fail on it: such a value is kept as bytes, and its row is rejected (it cannot be read as published)."""


def _binary(arrow_type: pa.DataType) -> pa.DataType:
    if pa.types.is_string(arrow_type):
        return pa.binary()
    if pa.types.is_large_string(arrow_type):
        return pa.large_binary()
    if pa.types.is_list(arrow_type):
        return pa.list_(_binary(arrow_type.value_type))
    if pa.types.is_large_list(arrow_type):
        return pa.large_list(_binary(arrow_type.value_type))
    return arrow_type


def _decode(value):
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return NotUtf8(value)
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def column_values(array: pa.Array) -> tuple[list, bool]:
    """An Arrow column as Python values, and whether any is damaged: a string that is not UTF-8 becomes `NotUtf8`
    instead of an exception."""
    try:
        return array.to_pylist(), False
    except UnicodeDecodeError:
        return [_decode(value) for value in array.cast(_binary(array.type)).to_pylist()], True


def columns_not_utf8(names, values) -> list[str]:
    """The columns whose value (or an item of whose list) is not UTF-8."""
    return [
        name
        for name, value in zip(names, values)
        if isinstance(value, NotUtf8) or (isinstance(value, list) and any(isinstance(item, NotUtf8) for item in value))
    ]


def read(directory: Path) -> Iterator[Track | Problem]:
    directory = Path(directory)
    for path in shard_files(directory):
        label = path.relative_to(directory).as_posix()
        parquet, columns = _open(path, str(path))
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
                data = {name: column_values(batch.column(name)) for name in columns}
                damaged = any(bad for _, bad in data.values())  # rare: check rows only then
                none = [None] * batch.num_rows
                for values in zip(*(data[name][0] if name in data else none for name in SCHEMA)):
                    row += 1
                    bad = damaged and columns_not_utf8(SCHEMA, values)
                    if bad:
                        yield Problem(
                            DATASET.slug,
                            label,
                            row,
                            f"{', '.join(bad)}: not valid UTF-8 (a parquet "
                            "string column must hold UTF-8; the shard may be damaged)",
                            repr(dict(zip(SCHEMA, values)))[:500],
                        )
                        continue
                    yield _track(label, row, *values)
        except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
            raise SourceError(path, f"unreadable after row {row} ({error})") from None


def _track(file, row, song_id, title, artist_names, artist_ids, album_name, album_id, explicit, views, duration):
    song_id = (song_id or "").strip()
    if not song_id:
        return Problem(
            DATASET.slug,
            file,
            row,
            "no song_id (YouTube video id): the row cannot be cited",
            repr({"title": title, "artist_names": artist_names})[:500],
        )
    names = [name for name in artist_names if name and name.strip()] if artist_names else []
    ids = artist_ids or ()
    # artist_ids is parallel to artist_names but may be empty or of another length: pair what pairs
    credits = []
    for i, name in enumerate(names):
        channel = ids[i] if i < len(ids) and ids[i] else None
        credits.append(Credit(name.strip(), "primary", channel, CHANNEL_URL + channel if channel else None))
    return Track(
        dataset=DATASET.slug,
        file=file,
        row=row,
        source_id=song_id,
        title=title,
        artist_credit=", ".join(names) or None,
        credits=credits,
        album=album_name,
        album_id=album_id,
        duration_s=float(duration) if duration is not None else None,
        url=DATASET.original_url(song_id),
        explicit=explicit,
        views=parse_views(views),
        views_text=views,
    )
