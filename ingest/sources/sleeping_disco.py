"""Sleeping-DISCO-9M: one JSON-lines file per letter (`a.jsonl` … `z.jsonl`, Hugging Face
`sleeping-ai/Sleeping-DISCO-9M`), or the Hub's parquet conversion of the same files.

Lyrics, Genius annotations and Q&A are dropped here, at read: they never reach a record, let alone the database.
A line that is not a JSON object is recorded as a problem (file, line, reason) and reading goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ..records import Credit, Problem, SourceError, Track
from . import DatasetInfo

DATASET = DatasetInfo(
    slug="sleeping-disco-9m",
    name="Sleeping-DISCO-9M",
    publisher="Sleeping AI (Ahmed, Radonjic, Rabby; arXiv 2506.14293)",
    licence="None declared on the Hugging Face page",
    terms="No licence is stated. Built from Genius song pages (lyrics, annotations) plus YouTube links; "
    "we store only the metadata and links, never the lyrics.",
    source_url="https://huggingface.co/datasets/sleeping-ai/Sleeping-DISCO-9M",
    rows_published=9_713_413,
    description="9.7 million Genius songs with artists, albums, tags and YouTube links to the recordings.",
)

# The card does not say which key holds the title; these are the names seen in code that reads it, in order.
TITLE_KEYS = ("title", "song_title", "full_title", "name")
# Copyrighted text bodies: never read into a record.
DROPPED_KEYS = frozenset({"lyrics", "genius_annotation", "qna", "annotations", "description"})
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def data_files(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise SourceError(directory, "not a directory; expected the Sleeping-DISCO-9M download (a.jsonl … z.jsonl)")
    files = sorted(directory.rglob("*.jsonl"))
    if not files:
        files = sorted(directory.rglob("*.parquet"))
    if not files:
        raise SourceError(directory, "no *.jsonl (or *.parquet) files found; expected a.jsonl … z.jsonl")
    return files


def read(directory: Path) -> Iterator[Track | Problem]:
    directory = Path(directory)
    for path in data_files(directory):
        label = path.relative_to(directory).as_posix()
        if path.suffix == ".parquet":
            yield from _read_parquet(path, label)
        else:
            yield from _read_jsonl(path, label)


def _read_jsonl(path: Path, label: str) -> Iterator[Track | Problem]:
    title_key_seen = False
    try:
        handle = path.open("rb")
    except OSError as error:
        raise SourceError(path, f"cannot open ({error.strerror})") from None
    with handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue  # blank lines (a trailing newline, say) are not rows
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Problem(DATASET.slug, label, line_number, f"not valid JSON: {error}",
                              line.rstrip(b"\r\n").decode("utf-8", "replace"))
                continue
            if not isinstance(record, dict):
                yield Problem(DATASET.slug, label, line_number,
                              f"expected a JSON object, found {type(record).__name__}",
                              line.rstrip(b"\r\n").decode("utf-8", "replace"))
                continue
            if not title_key_seen:
                if not any(key in record for key in TITLE_KEYS):
                    raise SourceError(path, f"line {line_number}: no title key; expected one of "
                                      f"{', '.join(TITLE_KEYS)}; found keys {', '.join(sorted(record))}")
                title_key_seen = True
            yield _track(label, line_number, record)


def _read_parquet(path: Path, label: str) -> Iterator[Track | Problem]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise SourceError(path, f"not a readable parquet file ({error})") from None
    names = parquet.schema_arrow.names
    if not any(key in names for key in TITLE_KEYS) or "song_id" not in names:
        raise SourceError(path, f"expected song_id and one of {', '.join(TITLE_KEYS)}; found {', '.join(names)}")
    columns = [name for name in names if name not in DROPPED_KEYS]  # lyrics are never even decoded
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=16_384, columns=columns):
            for record in batch.to_pylist():
                row += 1
                yield _track(label, row, record)
    except (pa.ArrowException, OSError) as error:
        raise SourceError(path, f"unreadable after row {row} ({error})") from None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _names(value) -> list[str]:
    """A list of names; a lone string is one name; anything else is no names."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [name.strip() for name in value if isinstance(name, str) and name.strip()]


def _track(label: str, line_number: int, record: dict) -> Track | Problem:
    song_id = record.get("song_id")
    if isinstance(song_id, float) and song_id.is_integer():
        song_id = int(song_id)
    song_id = _text(song_id) if not isinstance(song_id, bool) else None
    if not song_id:
        kept = {key: value for key, value in record.items() if key not in DROPPED_KEYS}
        return Problem(DATASET.slug, label, line_number, "no song_id (Genius song id): the row cannot be cited",
                       orjson.dumps(kept, default=str).decode()[:500])
    title = next((_text(record[key]) for key in TITLE_KEYS if _text(record.get(key))), None)
    primary = _text(record.get("primary_artist"))
    featured = _names(record.get("featured_artists"))
    writers = _names(record.get("lyricists"))
    artist_url = _text(record.get("artist_url"))
    credits = []
    if primary:
        credits.append(Credit(primary, "primary", source_artist_id=artist_url, url=artist_url))
    credits += [Credit(name, "featured") for name in featured]
    credits += [Credit(name, "writer") for name in writers]
    credit_text = primary
    if primary and featured:
        credit_text = f"{primary} feat. {', '.join(featured)}"
    date = _text(record.get("album_release_date"))
    year = _YEAR.search(date) if date else None
    links = record.get("youtube_links")
    if isinstance(links, str):
        links = [links]
    return Track(
        dataset=DATASET.slug, file=label, row=line_number, source_id=song_id,
        title=title, artist_credit=credit_text, credits=credits,
        album=_text(record.get("album_name")), album_url=_text(record.get("album_url")),
        url=_text(record.get("song_url")) or f"https://genius.com/songs/{song_id}",
        release_year=int(year.group(1)) if year else None,
        genres=_names(record.get("tags")),
        language=_text(record.get("language")),
        youtube_links=[link.strip() for link in links if isinstance(link, str) and link.strip()]
        if isinstance(links, list) else [],
    )
