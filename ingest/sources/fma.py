"""Free Music Archive: the `fma_metadata/` directory of `fma_metadata.zip` (mdeff/fma, EPFL LTS2).

`tracks.csv` (106,574 rows, a two-level column header written by pandas) gives one row per track; it is read by
column *name*, never by position, because published copies differ in width. The raw files add what tracks.csv
dropped: the FMA page URLs (`raw_tracks.csv`, `raw_artists.csv`, `raw_albums.csv`), the licence URL and the
explicit flag; `genres.csv` turns genre ids into titles. List-valued cells are Python literals (single quotes,
`None`), so they are parsed with `ast.literal_eval`, never as JSON.
"""

from __future__ import annotations

import ast
import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from ..datasets import dataset
from ..records import Credit, Problem, SourceError, Track, not_utf8

DATASET = dataset("free-music-archive")

FILES = ("tracks.csv", "genres.csv", "raw_tracks.csv", "raw_artists.csv", "raw_albums.csv")
REQUIRED_TRACK_COLUMNS = (("track", "title"), ("artist", "name"))
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")

# Bios and track notes are HTML of any length.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def metadata_dir(directory: Path) -> Path:
    """Accept the fma_metadata directory itself or the folder the zip was unpacked into."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SourceError(directory, "not a directory; expected fma_metadata/ from fma_metadata.zip")
    if not (directory / "tracks.csv").exists() and (directory / "fma_metadata").is_dir():
        directory = directory / "fma_metadata"
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        raise SourceError(
            directory,
            f"missing {', '.join(missing)}; expected fma_metadata/ as distributed "
            f"in fma_metadata.zip ({', '.join(FILES)})",
        )
    return directory


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, fields) for each CSV record; records may span lines (HTML bios)."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise SourceError(path, f"cannot open ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        start = 1
        try:
            for fields in reader:
                yield start, fields
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise not_utf8(path) from None
        except csv.Error as error:
            raise SourceError(path, f"line {reader.line_num}: {error}") from None


def _dict_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    rows = _rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise SourceError(path, "empty file; expected a CSV header") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise SourceError(
            path, f"header lacks {', '.join(missing)}; found {', '.join(header[:12])}{'…' if len(header) > 12 else ''}"
        )
    for line, fields in rows:
        if len(fields) == len(header):
            yield line, dict(zip(header, fields))


def _literal(text: str):
    """A Python-literal cell (`[{'genre_id': '21'}]`, `['a', 'b']`, `[21, 38]`) → value, or None."""
    if not text or not text.strip():
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):  # TypeError: `{[]: 1}`
        return None


def _number(text: str | None, kind=int):
    """A number from a cell, or None; a whole number must fit SQLite's 64 bits (`1e400`, `nan` do not)."""
    if text is None or not text.strip():
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if kind is int:
        return int(number) if abs(number) < 2**63 else None
    return number


def read_genres(path: Path) -> dict[str, str]:
    return {row["genre_id"]: row["title"] for _, row in _dict_rows(path, ("genre_id", "title"))}


def read_raw_tracks(path: Path) -> dict[str, tuple]:
    """track_id → (track_url, licence_url, explicit, album_url, artist_url), the fields tracks.csv dropped."""
    out = {}
    for _, row in _dict_rows(path, ("track_id", "track_url")):
        out[row["track_id"].strip()] = (
            row.get("track_url") or None,
            row.get("license_url") or None,
            row.get("track_explicit") or None,
            row.get("album_url") or None,
            row.get("artist_url") or None,
        )
    return out


def read_raw_artists(path: Path) -> dict[str, str | None]:
    return {
        row["artist_id"].strip(): row.get("artist_url") or None
        for _, row in _dict_rows(path, ("artist_id", "artist_url"))
    }


def read_raw_albums(path: Path) -> dict[str, str | None]:
    return {
        row["album_id"].strip(): row.get("album_url") or None for _, row in _dict_rows(path, ("album_id", "album_url"))
    }


def _tracks_header(path: Path, rows: Iterator) -> tuple[dict[tuple[str, str], int], int]:
    """pandas writes a two-level header as three lines: level 1 (`,album,album,…`), level 2
    (`,comments,date_created,…`) and the index name (`track_id,,,…`)."""
    try:
        (_, level1), (_, level2) = next(rows), next(rows)
    except StopIteration:
        raise SourceError(
            path,
            "fewer than two header lines; expected pandas' two-level header "
            "(album/artist/set/track, then the column names)",
        ) from None
    if len(level1) != len(level2):
        raise SourceError(path, f"header lines 1 and 2 differ in width ({len(level1)} vs {len(level2)})")
    columns = {(group.strip(), name.strip()): index for index, (group, name) in enumerate(zip(level1, level2))}
    missing = [f"{group}.{name}" for group, name in REQUIRED_TRACK_COLUMNS if (group, name) not in columns]
    if missing:
        found = ", ".join(f"{g}.{n}" for g, n in list(columns)[1:10])
        raise SourceError(
            path,
            f"not FMA's tracks.csv: no {', '.join(missing)} column; expected a two-level "
            f"header (album/artist/set/track × column names); found {found}…",
        )
    return columns, len(level1)


def read(directory: Path) -> Iterator[Track | Problem]:
    directory = metadata_dir(directory)
    genres = read_genres(directory / "genres.csv")
    raw_tracks = read_raw_tracks(directory / "raw_tracks.csv")
    artist_urls = read_raw_artists(directory / "raw_artists.csv")
    album_urls = read_raw_albums(directory / "raw_albums.csv")

    path = directory / "tracks.csv"
    rows = _rows(path)
    columns, width = _tracks_header(path, rows)

    pending_index_line = True
    for line, fields in rows:
        if pending_index_line:
            pending_index_line = False
            if fields and fields[0].strip() == "track_id" and not any(f.strip() for f in fields[1:]):
                continue  # the index-name line; older pandas versions do not write it
        if len(fields) != width:
            yield Problem(
                DATASET.slug, "tracks.csv", line, f"expected {width} fields, found {len(fields)}", ",".join(fields)
            )
            continue

        def get(group: str, name: str, fields: list[str] = fields) -> str | None:
            index = columns.get((group, name))
            value = fields[index].strip() if index is not None else ""
            return value or None

        track_id = fields[0].strip()
        if not track_id.isdecimal():
            yield Problem(
                DATASET.slug,
                "tracks.csv",
                line,
                f"track_id {track_id!r} is not a number: the row cannot be cited",
                ",".join(fields),
            )
            continue
        track_url, licence_url, explicit, album_url, artist_url = raw_tracks.get(track_id, (None,) * 5)
        artist_id = get("artist", "id")
        album_id = get("album", "id")
        if artist_id and artist_id.endswith(".0"):
            artist_id = artist_id[:-2]
        if album_id and album_id.endswith(".0"):
            album_id = album_id[:-2]
        artist_name = get("artist", "name")
        credits = []
        if artist_name:
            credits.append(
                Credit(
                    artist_name,
                    "primary",
                    source_artist_id=artist_id,
                    url=artist_url or artist_urls.get(artist_id or ""),
                    location=get("artist", "location"),
                    latitude=_number(get("artist", "latitude"), float),
                    longitude=_number(get("artist", "longitude"), float),
                )
            )
        genre_ids = _literal(get("track", "genres") or "")
        genre_ids = genre_ids if isinstance(genre_ids, (list, tuple)) else []  # `5` or `'Rock'` is not a list
        genre_titles = [
            genres.get(str(genre_id), str(genre_id)) for genre_id in genre_ids if isinstance(genre_id, (int, str))
        ]
        genre_top = get("track", "genre_top")
        if not genre_titles and genre_top:
            genre_titles = [genre_top]
        released = get("album", "date_released")
        year = _YEAR.search(released) if released else None
        yield Track(
            dataset=DATASET.slug,
            file="tracks.csv",
            row=line,
            source_id=track_id,
            title=get("track", "title"),
            artist_credit=artist_name,
            credits=credits,
            album=get("album", "title"),
            album_id=album_id,
            album_url=album_url or album_urls.get(album_id or ""),
            duration_s=_number(get("track", "duration"), float),
            url=track_url,
            release_year=int(year.group(1)) if year else None,
            explicit={"Radio-Unsafe": True, "Radio-Safe": False}.get(explicit or ""),
            listens=_number(get("track", "listens")),
            genres=genre_titles,
            licence=get("track", "license"),
            licence_url=licence_url,
            language=get("track", "language_code"),
        )
