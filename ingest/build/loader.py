"""The process that owns SQLite: it gives out ids in the order rows arrive and inserts them in bulk. Artist ids
follow the order names are first met, so the same input always gives the same database."""

from __future__ import annotations

import heapq
import itertools
import sqlite3
from collections import Counter
from dataclasses import astuple, dataclass, field
from operator import itemgetter

from ..datasets import first_track_id
from ..normalize import match_key
from ..records import ROLES
from .reader_process import DatasetStats
from .schema import TRACK_COLUMNS, TRACK_VALUE_COLUMNS, insert_sql

ROWS_PER_INSERT = 100  # rows per INSERT statement: many-row VALUES lists bind faster than executemany alone
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
        self._insert_tracks: dict[tuple[int, ...], tuple[str, str]] = {}  # by the columns a batch fills
        self._insert_credits = _statements(
            "track_artists", ("track_id", "position", "artist_id", "role_code", "artist_source_id")
        )
        self._insert_title_keys = _statements("keys.title_keys_load", ("artist_id", "title_key", "track_id"))

    def start(self, dataset: str) -> None:
        self.dataset = dataset
        self.first_track_id = self.next_track_id = first_track_id(dataset)
        self.counts = SourceCounts()
        # artist id → [tracks, then tracks per role in ROLES order] in this dataset
        self.per_artist: dict[int, list[int]] = {}
        self.source_artists: dict[str, int] = {}  # the dataset's own artist id → artist_sources.id
        self.stats = DatasetStats(Counter(), Counter(), 0)  # from the reader, at the dataset's end
        # per metric, the TOP_TRACKS largest (value, -track id) so far, largest first
        self.tops: dict[str, list[tuple[int, int]]] = {metric: [] for metric, _ in TOP_METRICS}
        self.licences: Counter = Counter()

    def finish_dataset(self) -> SourceCounts:
        self.conn.executemany(
            "insert into artist_datasets values (?, ?, ?, ?, ?, ?)",
            ((artist, self.dataset, *counts) for artist, counts in sorted(self.per_artist.items())),
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
        tracks: list[tuple] = []
        credits_rows: list[tuple] = []
        title_keys: list[tuple] = []
        links_rows, sources, problems = [], [], []
        per_artist, spellings, artist_tracks = self.per_artist, self.spellings, self.artist_tracks
        artist_by_key, artist_keys, source_artists = self.artist_by_key, self.artist_keys, self.source_artists
        add_track, add_credit, add_title_key = tracks.append, credits_rows.append, title_keys.append
        track_id = self.next_track_id
        file = file_id = None
        # a batch nearly always holds rows of one file: its id is looked up when the file changes, and rows are
        # counted per run of one file
        runs: list[tuple[str, int, int]] = []  # (file, rows read, rows rejected)
        read = rejected = 0
        never_filled: set[int] = set()  # a lone credit's: one artist needs no set to be counted once
        for path, row, values, credits, links, title_key, reason, raw in batch:
            if path != file:
                if file is not None:
                    runs.append((file, read, rejected))
                file, file_id, read, rejected = path, self._file_id(path), 0, 0
            read += 1
            if values is None:
                rejected += 1
                problems.append((dataset, file, row, reason, raw))
                continue
            add_track((track_id, *values, file_id, row))
            several = len(credits) > 1
            counted = set() if several else never_filled
            for position, (key, name, role, source_id, url, location, latitude, longitude) in enumerate(credits):
                artist = artist_by_key.get(key)
                if artist is None:
                    artist = artist_by_key[key] = len(artist_keys)
                    artist_keys.append(key)
                    artist_tracks.append(0)
                source = None
                if source_id:
                    source = source_artists.get(source_id)
                    if source is None:
                        source = source_artists[source_id] = self.next_source_artist
                        self.next_source_artist += 1
                        sources.append((source, artist, dataset, source_id, name, url))
                role_code = ROLE_CODES[role]
                add_credit((track_id, position, artist, role_code, source))
                stats = per_artist.get(artist)
                if stats is None:
                    stats = per_artist[artist] = [0] * (1 + len(ROLES))
                if not several or artist not in counted:
                    if several:
                        counted.add(artist)
                    if title_key:
                        add_title_key((artist, title_key, track_id))
                    artist_tracks[artist] += 1
                    stats[0] += 1
                    spelling = spellings.get(name)
                    if spelling is None:
                        spellings[name] = [artist, 1]
                    else:
                        spelling[1] += 1
                # credits come deduplicated by (artist, role): each counts a track once in its role
                stats[role_code + 1] += 1
                if latitude is not None and source_id and source_id.isdecimal():
                    self._fma_artist(int(source_id), artist, name, location, latitude, longitude, url)
            if links:
                for position, (video, link) in enumerate(links):
                    links_rows.append((track_id, position, video, link))
            track_id += 1
        if file is not None:
            runs.append((file, read, rejected))
        for path, read, rejected in runs:
            file_counts = counts.files[path]
            file_counts.read += read
            file_counts.loaded += read - rejected
            file_counts.rejected += rejected
        self.next_track_id = track_id
        counts.read += len(batch)
        counts.rejected += len(problems)
        counts.loaded += len(tracks)
        self._count_tracks(tracks)
        conn = self.conn
        if sources:
            conn.executemany("insert into artist_sources values (?, ?, ?, ?, ?, ?)", sources)
        self._insert_filled(tracks)
        self._insert(self._insert_credits, credits_rows)
        if links_rows:
            conn.executemany("insert into youtube_links values (?, ?, ?, ?)", links_rows)
        if problems:
            conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)", problems)
        self._insert(self._insert_title_keys, title_keys)

    def _count_tracks(self, tracks: list[tuple]) -> None:
        """Licence counts and the top tracks by each metric, a batch at a time (each in one C loop)."""
        self.licences.update(map(itemgetter(LICENCE_CODE + 1), tracks))  # + 1: the id comes first
        for metric, column in TOP_METRICS:
            top = self.tops[metric]
            column += 1
            # (value, -id): the largest values, the smallest id first among equal values
            found = [(row[column], -row[0]) for row in tracks if row[column] is not None]
            if not found:
                continue
            if len(top) >= TOP_TRACKS:
                least = top[-1]
                found = [item for item in found if item > least]
                if not found:
                    continue
            self.tops[metric] = heapq.nlargest(TOP_TRACKS, itertools.chain(top, found))

    def _insert_filled(self, tracks: list[tuple]) -> None:
        """Insert tracks naming only the columns that hold a value in some row of the batch: each dataset leaves
        half of them null (LAION has no licence, genres or popularity), and binding a None costs about what binding
        a value does. A column left out is stored as the same null (the table has no defaults): measured, a LAION
        track inserts in 1.0 us instead of 3.1."""
        if not tracks:
            return
        columns = list(zip(*tracks))
        filled = tuple(i for i, values in enumerate(columns) if values.count(None) != len(tracks))
        statements = self._insert_tracks.get(filled)
        if statements is None:
            statements = self._insert_tracks[filled] = _statements("tracks", tuple(TRACK_COLUMNS[i] for i in filled))
        if len(filled) < len(columns):
            tracks = list(zip(*(columns[i] for i in filled)))
        self._insert(statements, tracks)

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
