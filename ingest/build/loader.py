"""The process that owns SQLite: it gives out ids in the order rows arrive and inserts them in bulk. Artist ids
follow the order names are first met, so the same input always gives the same database."""

from __future__ import annotations

import heapq
import itertools
import sqlite3
from collections import Counter
from dataclasses import astuple, dataclass, field

from ..datasets import first_track_id
from ..normalize import match_key
from .reader_process import DatasetStats
from .schema import ROLES, TRACK_COLUMNS, TRACK_VALUE_COLUMNS, insert_sql

ROWS_PER_INSERT = 20  # rows per INSERT statement: many-row VALUES lists bind faster than executemany alone
TOP_METRICS = tuple((metric, TRACK_VALUE_COLUMNS.index(metric)) for metric in ("views", "popularity", "listens"))
LICENCE_CODE = TRACK_VALUE_COLUMNS.index("licence_code")
ROLE_CODES = {role: code for code, role in enumerate(ROLES)}
TOP_TRACKS = 1000


@dataclass
class FileCounts:
    read: int = 0
    loaded: int = 0
    rejected: int = 0


@dataclass
class SourceCounts:
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    files: dict[str, FileCounts] = field(default_factory=dict)


@dataclass
class FmaArtist:
    fma_artist_id: int
    artist_id: int
    name: str
    location: str | None
    latitude: float | None
    longitude: float | None
    url: str | None
    tracks: int = 1


def _statements(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    return insert_sql(table, columns, ROWS_PER_INSERT), insert_sql(table, columns)


class Loader:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.artist_by_key: dict[str, int] = {}
        self.artist_keys: list[str | None] = [None]  # artist id → key
        self.artist_tracks: list[int] = [0]  # artist id → tracks crediting them
        self.spellings: dict[str, list[int]] = {}  # credited spelling → [artist id, tracks]
        self.fma_artists: dict[int, FmaArtist] = {}
        self.file_ids: dict[tuple[str, str], int] = {}
        self.next_source_artist = 1
        self._insert_tracks = _statements("tracks", TRACK_COLUMNS)
        self._insert_credits = _statements(
            "track_artists", ("track_id", "position", "artist_id", "role_code", "artist_source_id")
        )
        self._insert_title_keys = _statements("temp.title_keys_load", ("artist_id", "title_key", "track_id"))

    def start(self, dataset: str) -> None:
        self.dataset = dataset
        self.first_track_id = self.next_track_id = first_track_id(dataset)
        self.counts = SourceCounts()
        self.per_artist: dict[int, list[int]] = {}  # artist id → [tracks, primary tracks] in this dataset
        self.source_artists: dict[str, int] = {}  # the dataset's own artist id → artist_sources.id
        self.stats = DatasetStats(Counter(), Counter(), 0)  # from the reader, at the dataset's end
        self.tops: dict[str, list[tuple[int, int]]] = {metric: [] for metric, _ in TOP_METRICS}
        self.licences: Counter = Counter()

    def finish_dataset(self) -> SourceCounts:
        self.conn.executemany(
            "insert into artist_datasets values (?, ?, ?, ?)",
            ((artist, self.dataset, n, primary) for artist, (n, primary) in sorted(self.per_artist.items())),
        )
        self.conn.executemany(
            "insert into dataset_licences values (?, ?, ?)",
            (
                (self.dataset, code, n)
                for code, n in sorted(self.licences.items(), key=lambda item: (item[0] is None, item[0]))
            ),
        )
        for metric, heap in self.tops.items():
            best = sorted(((value, -negative_id) for value, negative_id in heap), key=lambda v: (-v[0], v[1]))
            self.conn.executemany(
                "insert into top_tracks values (?, ?, ?, ?, ?)",
                ((self.dataset, metric, n, track, value) for n, (value, track) in enumerate(best, start=1)),
            )
        return self.counts

    def _file_id(self, path: str) -> int:
        ident = (self.dataset, path)
        file_id = self.file_ids.get(ident)
        if file_id is None:
            file_id = self.file_ids[ident] = len(self.file_ids) + 1
            self.counts.files[path] = FileCounts()
        return file_id

    def write(self, batch: list[tuple]) -> None:
        """Insert a batch of rows as rows.prepare() makes them."""
        dataset, counts = self.dataset, self.counts
        tracks, credits_rows, links_rows, sources, problems, title_keys = [], [], [], [], [], []
        per_artist, spellings, artist_tracks = self.per_artist, self.spellings, self.artist_tracks
        for file, row, values, credits, links, title_key, reason, raw in batch:
            file_id = self._file_id(file)
            file_counts = counts.files[file]
            file_counts.read += 1
            if values is None:
                file_counts.rejected += 1
                problems.append((dataset, file, row, reason, raw))
                continue
            file_counts.loaded += 1
            track_id = self.next_track_id
            self.next_track_id += 1
            tracks.append((track_id, *values, file_id, row))
            self.licences[values[LICENCE_CODE]] += 1
            for metric, column in TOP_METRICS:
                value = values[column]
                if value is not None:
                    heap = self.tops[metric]
                    if len(heap) < TOP_TRACKS:
                        heapq.heappush(heap, (value, -track_id))
                    elif (value, -track_id) > heap[0]:
                        heapq.heapreplace(heap, (value, -track_id))
            counted = set()
            for position, (key, name, role, source_id, url, location, latitude, longitude) in enumerate(credits):
                artist = self.artist_by_key.get(key)
                if artist is None:
                    artist = self.artist_by_key[key] = len(self.artist_keys)
                    self.artist_keys.append(key)
                    artist_tracks.append(0)
                source = None
                if source_id:
                    source = self.source_artists.get(source_id)
                    if source is None:
                        source = self.source_artists[source_id] = self.next_source_artist
                        self.next_source_artist += 1
                        sources.append((source, artist, dataset, source_id, name, url))
                credits_rows.append((track_id, position, artist, ROLE_CODES[role], source))
                stats = per_artist.get(artist)
                if stats is None:
                    stats = per_artist[artist] = [0, 0]
                if artist not in counted:
                    counted.add(artist)
                    if title_key:
                        title_keys.append((artist, title_key, track_id))
                    artist_tracks[artist] += 1
                    stats[0] += 1
                    spelling = spellings.get(name)
                    if spelling is None:
                        spellings[name] = [artist, 1]
                    else:
                        spelling[1] += 1
                if role == "primary":
                    stats[1] += 1
                if latitude is not None and source_id and source_id.isdecimal():
                    self._fma_artist(int(source_id), artist, name, location, latitude, longitude, url)
            for position, (video, link) in enumerate(links):
                links_rows.append((track_id, position, video, link))
        counts.read += len(batch)
        counts.rejected += len(problems)
        counts.loaded += len(tracks)
        conn = self.conn
        if sources:
            conn.executemany("insert into artist_sources values (?, ?, ?, ?, ?, ?)", sources)
        self._insert(self._insert_tracks, tracks)
        self._insert(self._insert_credits, credits_rows)
        if links_rows:
            conn.executemany("insert into youtube_links values (?, ?, ?, ?)", links_rows)
        if problems:
            conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)", problems)
        self._insert(self._insert_title_keys, title_keys)

    def _insert(self, statements: tuple[str, str], rows: list[tuple]) -> None:
        """Rows ROWS_PER_INSERT to a statement, the rest one by one."""
        many, one = statements
        whole = len(rows) - len(rows) % ROWS_PER_INSERT
        for start in range(0, whole, ROWS_PER_INSERT):
            self.conn.execute(many, list(itertools.chain.from_iterable(rows[start : start + ROWS_PER_INSERT])))
        if whole < len(rows):
            self.conn.executemany(one, rows[whole:])

    def _fma_artist(self, fma_id: int, artist: int, name, location, latitude, longitude, url) -> None:
        known = self.fma_artists.get(fma_id)
        if known is None:
            self.fma_artists[fma_id] = FmaArtist(fma_id, artist, name, location, latitude, longitude, url)
        else:
            known.tracks += 1

    def finish_artists(self) -> None:
        """Write artists with their most-credited spelling as the name, every spelling, and the FMA map table."""
        best: dict[int, tuple[int, str]] = {}
        for spelling, (artist, n) in self.spellings.items():
            current = best.get(artist)
            if current is None or n > current[0] or (n == current[0] and spelling < current[1]):
                best[artist] = (n, spelling)
        self.conn.executemany(
            "insert into artists (id, key, name, match_key, tracks) values (?, ?, ?, ?, ?)",
            (
                (artist, self.artist_keys[artist], name, match_key(name), self.artist_tracks[artist])
                for artist, (_, name) in sorted(best.items())
            ),
        )
        self.conn.executemany(
            "insert into artist_names values (?, ?, ?)",
            sorted((artist, spelling, n) for spelling, (artist, n) in self.spellings.items()),
        )
        self.conn.executemany(
            "insert into fma_artists values (?, ?, ?, ?, ?, ?, ?, ?)",
            (astuple(a) for _, a in sorted(self.fma_artists.items())),
        )
