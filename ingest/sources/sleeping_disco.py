"""Sleeping-DISCO-9M: one JSON-lines file per letter (`a.jsonl` … `z.jsonl`, Hugging Face
`sleeping-ai/Sleeping-DISCO-9M`), or the Hub's parquet conversion of the same files.

Lyrics, Genius annotations and Q&A are dropped here, at read: they never reach a record, let alone the database.
A line that is not a JSON object is recorded as a problem (file, line, reason) and reading goes on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ..datasets import dataset
from ..records import RAW_LIMIT, Credit, Problem, SourceError, Track
from .laion_disco import column_values, columns_not_utf8  # parquet strings that are not UTF-8

DATASET = dataset("sleeping-disco-9m")

# The card does not say which key holds the title; these are the names seen in code that reads it, in order.
TITLE_KEYS = ("title", "song_title", "full_title", "name")
# Copyrighted text bodies: never read into a record.
DROPPED_KEYS = frozenset({"lyrics", "genius_annotation", "qna", "annotations", "description"})
# The metadata keys: all a record reads, and all a problem keeps of a row (any other key may hold lyrics).
KEPT_KEYS = frozenset(
    {
        "song_id",
        *TITLE_KEYS,
        "song_url",
        "primary_artist",
        "artist_url",
        "featured_artists",
        "lyricists",
        "tags",
        "album_name",
        "album_url",
        "album_release_date",
        "language",
        "youtube_links",
    }
)
# Objects read before a file none of whose objects has a title key is refused (its title key has another name).
TITLE_WINDOW = 100
# bytes read at a time: 18 GB of lines, most of them lyrics, in 8 KB reads would be 2.3 million system calls
READ_BUFFER = 1 << 20
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
    # Records are held back until an object shows a title key, so that a file whose title key has another name
    # stops the build (naming the keys found) instead of loading every row without its title.
    pending: list[Track | Problem] | None = []
    first_object = None  # (line, keys) of the first JSON object
    rows = 0
    try:
        handle = path.open("rb", buffering=READ_BUFFER)
    except OSError as error:
        raise SourceError(path, f"cannot open ({error.strerror})") from None
    with handle:
        for line_number, line in enumerate(handle, start=1):
            if line_number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if not line or line.isspace():  # (not line.strip(): that copies every line)
                continue  # blank lines (a trailing newline, say) are not rows
            rows += 1
            item: Track | Problem
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                item = Problem(DATASET.slug, label, line_number, f"not valid JSON: {error}", _excerpt(line))
            else:
                if not isinstance(record, dict):
                    item = Problem(
                        DATASET.slug,
                        label,
                        line_number,
                        f"expected a JSON object, found {type(record).__name__}",
                        _excerpt(line),
                    )
                else:
                    first_object = first_object or (line_number, sorted(record))
                    if pending is not None and any(key in record for key in TITLE_KEYS):
                        yield from pending
                        pending = None
                    item = _track(label, line_number, record)
            if pending is None:
                yield item
                continue
            pending.append(item)
            if len(pending) >= TITLE_WINDOW:
                _check_title_key(path, first_object, len(pending))
                yield from pending
                pending = None
        if not rows:
            raise SourceError(path, "empty file; expected one JSON object per line")
        if pending:
            _check_title_key(path, first_object, len(pending))
            yield from pending


def _check_title_key(path: Path, first_object, lines: int) -> None:
    if first_object is not None:
        line, keys = first_object
        raise SourceError(
            path,
            f"no title key in any object of the first {lines} row(s) (the first object is "
            f"line {line}); expected one of {', '.join(TITLE_KEYS)}; found keys {', '.join(keys)[:300]}",
        )


_PIECES = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|[^"]+')  # a JSON string (maybe cut short), or what lies between


def _excerpt(line: bytes) -> str | None:
    """What a problem keeps of a line that is not a usable object: its well-formed JSON beginning, up to the
    first key that is not a metadata key. Lyrics, annotations and Q&A follow the metadata, so a line cut short,
    two lines run together or a misspelt key never carry them into the database. A line that does not begin as
    an object or an array (it may be the tail of a line broken inside the lyrics) is kept only if it is a number,
    true, false or null."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    try:
        value, end = orjson.loads(text), len(text)
    except orjson.JSONDecodeError as error:
        value, end = error, error.pos
    if not text.lstrip().startswith(("{", "[")):
        return text.strip() if value is None or isinstance(value, (bool, int, float)) else None
    text = text[: min(end, 2 * RAW_LIMIT)]
    pieces = [(match.start(), match.group()) for match in _PIECES.finditer(text)]
    for (start, piece), (_, after) in zip(pieces, pieces[1:]):
        if piece.startswith('"') and after.lstrip().startswith(":"):
            try:
                key = orjson.loads(piece)
            except orjson.JSONDecodeError:
                key = piece
            if key not in KEPT_KEYS:
                return text[:start]
    return text


def _kept(record: dict) -> str:
    """A row's metadata, for a problem's raw text."""
    return orjson.dumps({key: value for key, value in record.items() if key in KEPT_KEYS}, default=str).decode()


def _read_parquet(path: Path, label: str) -> Iterator[Track | Problem]:
    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
        raise SourceError(path, f"not a readable parquet file ({error})") from None
    if not any(key in names for key in TITLE_KEYS) or "song_id" not in names:
        raise SourceError(path, f"expected song_id and one of {', '.join(TITLE_KEYS)}; found {', '.join(names)}")
    columns = [name for name in names if name in KEPT_KEYS]  # lyrics are never even decoded
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=16_384, columns=columns):
            data = [column_values(batch.column(name)) for name in columns]
            damaged = any(bad for _, bad in data)
            for values in zip(*(values for values, _ in data)):
                row += 1
                record = dict(zip(columns, values))
                bad = damaged and columns_not_utf8(columns, values)
                if bad:
                    yield Problem(
                        DATASET.slug,
                        label,
                        row,
                        f"{', '.join(bad)}: not valid UTF-8 (a parquet string "
                        "column must hold UTF-8; the file may be damaged)",
                        _kept(record),
                    )
                    continue
                yield _track(label, row, record)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
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
    if not value:
        return []  # most songs have no featured artists or writers
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [name.strip() for name in value if isinstance(name, str) and name.strip()]


def _track(label: str, line_number: int, record: dict) -> Track | Problem:
    get = record.get
    song_id = get("song_id")
    if isinstance(song_id, float) and song_id == song_id:  # NaN is pandas' null
        # 12.0 is 12 (a parquet file written through pandas makes floats of ids); 1.5 or 1e30 is no Genius id
        if not song_id.is_integer() or abs(song_id) > 2**53:
            return Problem(
                DATASET.slug,
                label,
                line_number,
                f"song_id {song_id!r} is not a Genius song id (not a "
                "whole number, or too large for a float to hold exactly): the row cannot be cited",
                _kept(record),
            )
        song_id = int(song_id)
    song_id = _text(song_id) if not isinstance(song_id, (bool, float)) else None
    if not song_id:
        return Problem(
            DATASET.slug, label, line_number, "no song_id (Genius song id): the row cannot be cited", _kept(record)
        )
    title = None
    for key in TITLE_KEYS:  # the first that holds text
        title = _text(get(key))
        if title:
            break
    primary = _text(get("primary_artist"))
    featured = _names(get("featured_artists"))
    writers = _names(get("lyricists"))
    artist_url = _text(get("artist_url"))
    credits = []
    if primary:
        credits.append(Credit(primary, "primary", artist_url, artist_url))
    if featured:
        credits += [Credit(name, "featured") for name in featured]
    if writers:
        credits += [Credit(name, "writer") for name in writers]
    credit_text = primary
    if primary and featured:
        credit_text = f"{primary} feat. {', '.join(featured)}"
    date = _text(get("album_release_date"))
    year = _YEAR.search(date) if date else None
    links = get("youtube_links")
    if isinstance(links, str):
        links = [links]
    return Track(
        dataset=DATASET.slug,
        file=label,
        row=line_number,
        source_id=song_id,
        title=title,
        artist_credit=credit_text,
        credits=credits,
        album=_text(get("album_name")),
        album_url=_text(get("album_url")),
        url=_text(get("song_url")) or DATASET.original_url(song_id),
        release_year=int(year.group(1)) if year else None,
        genres=_names(get("tags")),
        language=_text(get("language")),
        youtube_links=[link.strip() for link in links if isinstance(link, str) and link.strip()]
        if isinstance(links, list)
        else [],
    )
