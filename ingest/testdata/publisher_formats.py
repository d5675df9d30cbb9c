"""Writers for the four publishers' exact file formats, used to make the bundled samples and the full-size
synthetic datasets (and by tests that need a broken file). They own headers, column order, types and quoting;
what goes in the rows is the caller's business. All of them stream: rows are written as they come.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

# LAION-DISCO-12M, from the dataset card's dataset_info.
LAION_SCHEMA = pa.schema(
    [
        ("song_id", pa.string()),
        ("title", pa.string()),
        ("artist_names", pa.list_(pa.string())),
        ("artist_ids", pa.list_(pa.string())),
        ("album_name", pa.string()),
        ("album_id", pa.string()),
        ("isExplicit", pa.bool_()),
        ("views", pa.string()),
        ("duration", pa.int64()),
    ]
)
LAION_SHARDS = 5


def write_laion(directory: Path, rows: Iterable[dict], total_rows: int, *, batch_rows: int = 100_000) -> list[Path]:
    """Write `data/train-0000N-of-00005.parquet`, splitting `total_rows` rows evenly over the five shards."""
    data_dir = Path(directory) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    per_shard = max(1, math.ceil(total_rows / LAION_SHARDS))
    paths = [data_dir / f"train-{n:05d}-of-{LAION_SHARDS:05d}.parquet" for n in range(LAION_SHARDS)]
    shard, written, writer = 0, 0, None
    batch: list[dict] = []

    def flush():
        nonlocal batch
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=LAION_SCHEMA))
            batch = []

    try:
        writer = pq.ParquetWriter(paths[0], LAION_SCHEMA)
        for row in rows:
            if written == per_shard * (shard + 1) and shard < LAION_SHARDS - 1:
                flush()
                writer.close()
                shard += 1
                writer = pq.ParquetWriter(paths[shard], LAION_SCHEMA)
            batch.append(row)
            written += 1
            if len(batch) >= batch_rows:
                flush()
        flush()
        writer.close()
        # an empty shard is still a valid parquet file with the schema
        for path in paths[shard + 1 :]:
            pq.write_table(LAION_SCHEMA.empty_table(), path)
    finally:
        if writer is not None:
            writer.close()
    return paths


# Sleeping-DISCO-9M: key order as the publisher's processing scripts write it.
SLEEPING_KEYS = (
    "song_id",
    "title",
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
    "lyrics",
    "genius_annotation",
    "qna",
)


def sleeping_letter(primary_artist: str | None) -> str:
    first = (primary_artist or "").strip()[:1].lower()
    return first if "a" <= first <= "z" else "0"


def write_sleeping(directory: Path, rows: Iterable[tuple[str, dict | bytes]]) -> list[Path]:
    """Write one `<letter>.jsonl` per letter. Each row is (letter, object); an object given as bytes is written
    as it is (so a sample can carry a broken line)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    handles: dict = {}
    try:
        for letter, row in rows:
            handle = handles.get(letter)
            if handle is None:
                handle = handles[letter] = (directory / f"{letter}.jsonl").open("wb")
            if isinstance(row, bytes):
                handle.write(row.rstrip(b"\n") + b"\n")
            else:
                ordered = {key: row[key] for key in SLEEPING_KEYS if key in row}
                ordered.update({key: value for key, value in row.items() if key not in ordered})
                handle.write(orjson.dumps(ordered) + b"\n")
    finally:
        for handle in handles.values():
            handle.close()
    return sorted(directory / f"{letter}.jsonl" for letter in handles)


# Free Music Archive, fma_metadata/: headers verified on the real files (tracks.csv inferred from mdeff/fma).
FMA_TRACKS_COLUMNS = (
    [
        ("album", name)
        for name in (
            "comments",
            "date_created",
            "date_released",
            "engineer",
            "favorites",
            "id",
            "information",
            "listens",
            "producer",
            "tags",
            "title",
            "tracks",
            "type",
        )
    ]
    + [
        ("artist", name)
        for name in (
            "active_year_begin",
            "active_year_end",
            "associated_labels",
            "bio",
            "comments",
            "date_created",
            "favorites",
            "id",
            "latitude",
            "location",
            "longitude",
            "members",
            "name",
            "related_projects",
            "tags",
            "website",
            "wikipedia_page",
        )
    ]
    + [("set", "split"), ("set", "subset")]
    + [
        ("track", name)
        for name in (
            "bit_rate",
            "comments",
            "composer",
            "date_created",
            "date_recorded",
            "duration",
            "favorites",
            "genre_top",
            "genres",
            "genres_all",
            "information",
            "interest",
            "language_code",
            "license",
            "listens",
            "lyricist",
            "number",
            "publisher",
            "tags",
            "title",
        )
    ]
)
FMA_RAW_TRACKS = (
    "track_id,album_id,album_title,album_url,artist_id,artist_name,artist_url,artist_website,"
    "license_image_file,license_image_file_large,license_parent_id,license_title,license_url,tags,"
    "track_bit_rate,track_comments,track_composer,track_copyright_c,track_copyright_p,"
    "track_date_created,track_date_recorded,track_disc_number,track_duration,track_explicit,"
    "track_explicit_notes,track_favorites,track_file,track_genres,track_image_file,"
    "track_information,track_instrumental,track_interest,track_language_code,track_listens,"
    "track_lyricist,track_number,track_publisher,track_title,track_url"
).split(",")
FMA_RAW_ARTISTS = (
    "artist_id,artist_active_year_begin,artist_active_year_end,artist_associated_labels,artist_bio,"
    "artist_comments,artist_contact,artist_date_created,artist_donation_url,artist_favorites,"
    "artist_flattr_name,artist_handle,artist_image_file,artist_images,artist_latitude,"
    "artist_location,artist_longitude,artist_members,artist_name,artist_paypal_name,"
    "artist_related_projects,artist_url,artist_website,artist_wikipedia_page,tags"
).split(",")
FMA_RAW_ALBUMS = (
    "album_id,album_comments,album_date_created,album_date_released,album_engineer,album_favorites,"
    "album_handle,album_image_file,album_images,album_information,album_listens,album_producer,"
    "album_title,album_tracks,album_type,album_url,artist_name,artist_url,tags"
).split(",")
FMA_GENRES = ("genre_id", "#tracks", "parent", "title", "top_level")


class FmaWriter:
    """Write the five fma_metadata CSVs row by row: `track(...)` takes tracks.csv's columns as
    {(group, name): value} and raw_tracks.csv's as {column: value}."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict = {}
        self._writers: dict = {}
        tracks = self._open("tracks.csv")
        tracks.writerow([""] + [group for group, _ in FMA_TRACKS_COLUMNS])
        tracks.writerow([""] + [name for _, name in FMA_TRACKS_COLUMNS])
        tracks.writerow(["track_id"] + [""] * len(FMA_TRACKS_COLUMNS))
        self._open("raw_tracks.csv").writerow(FMA_RAW_TRACKS)
        self._open("raw_artists.csv").writerow(FMA_RAW_ARTISTS)
        self._open("raw_albums.csv").writerow(FMA_RAW_ALBUMS)
        self._open("genres.csv").writerow(FMA_GENRES)

    def _open(self, name: str):
        handle = self._files[name] = (self.directory / name).open("w", encoding="utf-8", newline="")
        writer = self._writers[name] = csv.writer(handle, lineterminator="\n")
        return writer

    def track(self, track_id, columns: dict[tuple[str, str], object], raw: dict[str, object]) -> None:
        self._writers["tracks.csv"].writerow([track_id] + [_cell(columns.get(c)) for c in FMA_TRACKS_COLUMNS])
        self._writers["raw_tracks.csv"].writerow([_cell(raw.get(c)) for c in FMA_RAW_TRACKS])

    def raw_line(self, name: str, line: str) -> None:
        """Write a line as it is (for samples that carry a malformed row)."""
        self._files[name].write(line.rstrip("\n") + "\n")

    def artist(self, raw: dict[str, object]) -> None:
        self._writers["raw_artists.csv"].writerow([_cell(raw.get(c)) for c in FMA_RAW_ARTISTS])

    def album(self, raw: dict[str, object]) -> None:
        self._writers["raw_albums.csv"].writerow([_cell(raw.get(c)) for c in FMA_RAW_ALBUMS])

    def genre(self, genre_id, tracks, parent, title, top_level) -> None:
        self._writers["genres.csv"].writerow([genre_id, tracks, parent, title, top_level])

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _cell(value) -> str:
    return "" if value is None else str(value)


# Spotify Tracks Dataset, dataset.csv: pandas' unnamed index column first.
SPOTIFY_COLUMNS = (
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
    "track_genre",
)


def write_spotify(path: Path, rows: Iterable[dict | str]) -> Path:
    """Write dataset.csv; a row given as a string is written as it is (for a malformed sample line)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([""] + list(SPOTIFY_COLUMNS))
        index = 0
        for row in rows:
            if isinstance(row, str):
                handle.write(row.rstrip("\n") + "\n")
            else:
                writer.writerow([index] + [_cell(row.get(column)) for column in SPOTIFY_COLUMNS])
            index += 1
    return path
