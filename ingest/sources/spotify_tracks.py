"""Spotify Tracks Dataset: `dataset.csv` (Hugging Face `maharshipandya/spotify-tracks-dataset`).

An unnamed pandas index column comes first; `artists` are joined with `;`. Re-saved copies in the wild drop or
double the index column and write `TRUE`/`FALSE`: all are accepted, columns are found by name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..datasets import dataset
from ..records import Credit, Problem, SourceError, Track, not_utf8

DATASET = dataset("spotify-tracks-dataset")

REQUIRED = ("track_id", "artists", "track_name")
_TRUE = {"true": True, "1": True, "false": False, "0": False}


def data_file(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / "dataset.csv"
    if not path.is_file():
        raise SourceError(path, "file not found; expected the Spotify Tracks Dataset's dataset.csv")
    return path


def read(path: Path) -> Iterator[Track | Problem]:
    path = data_file(path)
    label = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise SourceError(path, f"cannot open ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise SourceError(path, f"empty file; expected a header with {', '.join(REQUIRED)}")
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise SourceError(
                    path,
                    f"header lacks {', '.join(missing)}; expected "
                    f"[index,]track_id,artists,album_name,track_name,…; found {','.join(header[:8])}",
                )
            index = {name: position for position, name in enumerate(header) if name}
            line = reader.line_num
            for fields in reader:
                start, line = line + 1, reader.line_num
                yield _track(label, start, line, fields, header, index)
        except UnicodeDecodeError:
            raise not_utf8(path) from None
        except csv.Error as error:
            raise SourceError(path, f"line {reader.line_num}: {error}") from None


def _track(label, line, last_line, fields, header, index) -> Track | Problem:
    if len(fields) != len(header):
        # a quote left open runs on over the next lines: name them, they are in this problem's raw text
        span = (
            f" (it runs over lines {line}–{last_line}: a double quote left open joins lines into one row)"
            if last_line > line
            else ""
        )
        return Problem(
            DATASET.slug, label, line, f"expected {len(header)} fields, found {len(fields)}{span}", ",".join(fields)
        )

    def get(name):
        position = index.get(name)
        value = fields[position].strip() if position is not None else ""
        return value or None

    track_id = get("track_id")
    if not track_id:
        return Problem(
            DATASET.slug, label, line, "no track_id (Spotify track id): the row cannot be cited", ",".join(fields)
        )
    names = [name.strip() for name in (get("artists") or "").split(";") if name.strip()]
    duration_ms = _number(get("duration_ms"))
    return Track(
        dataset=DATASET.slug,
        file=label,
        row=line,
        source_id=track_id,
        title=get("track_name"),
        artist_credit=get("artists"),
        credits=[Credit(name) for name in names],
        album=get("album_name"),
        duration_s=round(duration_ms / 1000, 3) if duration_ms is not None else None,
        url=DATASET.original_url(track_id),
        explicit=_TRUE.get((get("explicit") or "").lower()),
        popularity=_int(get("popularity")),
        genres=[get("track_genre")] if get("track_genre") else [],
    )


def _number(text):
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _int(text):
    """A whole number SQLite can store (64 bits), or None: `1e400` or `nan` in a cell is not a popularity."""
    number = _number(text)
    return int(number) if number is not None and abs(number) < 2**63 else None
