"""Build `datasets.db` from the readers' records. This module owns the schema.

The build writes a temporary file beside the target and renames it over the target only when every step has
finished, so a failed or killed build never touches the previous database.

Two processes share the work: a reader process runs the dataset readers and turns each record into ready-made
row values (`prepare`: artist keys, featured credits, licence codes, video ids); the main process gives out ids and
inserts in bulk. Records arrive in the readers' order, so the same input always gives the same database. Indexes,
full-text search, precomputed counts and `ANALYZE` come after the load.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import multiprocessing
import os
import queue as queues
import sqlite3
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from tqdm import tqdm

from .sources import attribution
from .datasets import DATASETS, derived_url_sql
from .links import youtube_video_id
from .normalize import artist_key, fold, licence_code, match_key, split_featured, title_key
from .records import Credit, Problem, SourceError, Track
from .sources import all_sources

SCHEMA = """
create table datasets (
    slug text primary key,
    name text not null,
    publisher text,
    licence text,
    terms text,
    source_url text,
    revision text,
    rows_published integer,
    rows_read integer,
    rows_loaded integer,
    rows_rejected integer,
    distinct_source_ids integer,
    explicit_tracks integer,
    first_track_id integer,
    last_track_id integer,
    description text
);
create table source_files (
    id integer primary key,
    dataset text not null references datasets(slug),
    path text not null,
    rows_read integer,
    rows_loaded integer,
    rows_rejected integer
);
create table tracks (
    id integer primary key,
    dataset text not null references datasets(slug),
    source_id text not null,
    title text,
    artist_credit text,
    album text,
    duration_s real,
    -- the original; made from the id for YouTube and Spotify, stored (page_url) for Genius and FMA pages
    url text generated always as (coalesce(page_url, DERIVED_URL_SQL)) virtual,
    release_year integer,
    explicit integer,
    views integer,
    views_text text,
    popularity integer,
    listens integer,
    genres text,
    licence text,
    licence_code text,
    licence_url text,
    language text,
    album_id text,
    album_url text,
    page_url text,
    duplicate_of integer,
    source_file integer references source_files(id),
    source_row integer
);
create table artists (
    id integer primary key,
    key text not null,
    name text not null,
    match_key text not null,
    tracks integer not null default 0
);
create table artist_names (
    artist_id integer not null references artists(id),
    name text not null,
    tracks integer not null
);
create table artist_datasets (
    artist_id integer not null references artists(id),
    dataset text not null references datasets(slug),
    tracks integer not null,
    primary_tracks integer not null,
    primary key (artist_id, dataset)
) without rowid;
create table artist_sources (
    id integer primary key,
    artist_id integer not null references artists(id),
    dataset text not null references datasets(slug),
    source_artist_id text not null,
    name text not null,
    url text
);
create table track_artists (
    track_id integer not null references tracks(id),
    position integer not null,
    artist_id integer not null references artists(id),
    role text not null,
    artist_source_id integer references artist_sources(id),
    primary key (track_id, position)
) without rowid;
create table fma_artists (
    fma_artist_id integer primary key,
    artist_id integer references artists(id),
    name text,
    location text,
    latitude real,
    longitude real,
    url text,
    tracks integer
);
create table youtube_links (
    track_id integer not null references tracks(id),
    position integer not null,
    video_id text,
    url text,
    primary key (track_id, position)
) without rowid;
create table dataset_genres (
    dataset text not null references datasets(slug),
    genre text not null,
    tracks integer not null,
    primary key (dataset, genre)
) without rowid;
create table dataset_years (
    dataset text not null references datasets(slug),
    release_year integer not null,
    tracks integer not null,
    primary key (dataset, release_year)
) without rowid;
create table top_tracks (
    dataset text not null references datasets(slug),
    metric text not null,
    position integer not null,
    track_id integer not null references tracks(id),
    value integer not null,
    primary key (dataset, metric, position)
) without rowid;
create table artist_title_keys (
    artist_id integer not null references artists(id),
    title_key text not null,
    track_id integer not null references tracks(id),
    primary key (artist_id, title_key, track_id)
) without rowid;
create table shared_recordings (
    artist_id integer not null references artists(id),
    title_key text not null,
    title text,
    datasets integer not null,
    dataset_list text not null,
    tracks integer not null,
    first_track_id integer not null references tracks(id),
    primary key (artist_id, title_key)
) without rowid;
create temp table title_keys_load (artist_id integer, title_key text, track_id integer);
create table dataset_licences (
    dataset text not null references datasets(slug),
    licence_code text,
    tracks integer not null
);
create table models (
    slug text primary key,
    name text not null,
    maker text,
    released text,
    list_source_url text,
    list_file text,
    list_revision text,
    licence_claims text,
    rows_listed integer,
    rows_in_datasets integer,
    rows_rejected integer
);
create table training_use (
    id integer primary key,
    model text not null references models(slug),
    dataset text references datasets(slug),
    source_id text not null,
    track_id integer references tracks(id),
    title text,
    author text,
    author_key text,
    licence text,
    licence_code text,
    url text,
    dataset_licence_code text,
    licence_disagrees integer,
    list_row integer
);
create table problems (
    id integer primary key,
    dataset text not null references datasets(slug),
    file text not null,
    line integer,
    reason text not null,
    raw text
);
""".replace("DERIVED_URL_SQL", derived_url_sql())

INDEXES = """
-- by publisher id (links, duplicates); browsing one dataset needs no index: it is one range of track ids
create index tracks_source_id on tracks(source_id);
-- a pasted Genius or FMA page names a track by its URL (LAION and Spotify URLs are made from source_id)
create index tracks_page_url on tracks(url) where dataset in ('sleeping-disco-9m', 'free-music-archive');
create unique index artists_key on artists(key);
create index artists_match_key on artists(match_key);
create index artist_names_artist on artist_names(artist_id);
create index artist_sources_artist on artist_sources(artist_id);
create index artist_sources_source on artist_sources(dataset, source_artist_id);
create index track_artists_artist_track on track_artists(artist_id, track_id);
create index artist_datasets_top on artist_datasets(dataset, tracks desc);
create index youtube_links_video on youtube_links(video_id);
create index problems_dataset on problems(dataset);
create index training_use_track on training_use(track_id);
create index training_use_model on training_use(model, dataset);
create index training_use_author on training_use(author_key);
create index shared_recordings_order on shared_recordings(datasets desc, tracks desc);
"""

# Datasette only detects an FTS table declared with content="table" in double quotes.
FTS = """
create virtual table tracks_fts using fts5(
    title, artist_credit, album,
    content="tracks", content_rowid="id", tokenize="unicode61 remove_diacritics 2", columnsize=0
);
insert into tracks_fts(tracks_fts) values ('rebuild');
-- rank = bm25 weighting a match in the title above one in the artist credit, above one in the album
insert into tracks_fts(tracks_fts, rank) values ('rank', 'bm25(3.0, 2.0, 1.0)');
create virtual table artists_fts using fts5(
    name, content="artists", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
insert into artists_fts(artists_fts) values ('rebuild');
"""

TRACK_COLUMNS = ("id, dataset, source_id, title, artist_credit, album, duration_s, page_url, release_year, explicit, "
                 "views, views_text, popularity, listens, genres, licence, licence_code, licence_url, language, "
                 "album_id, album_url, source_file, source_row")
BATCH = 4_000
ROWS_PER_INSERT = 20  # rows per INSERT statement: many-row VALUES lists bind faster than executemany alone


# --- the reader process: records → row values -------------------------------------------------------------------
# Made from the id by the generated column tracks.url, so not stored.
DERIVED_URLS = {info.slug: info.derived_url for info in DATASETS if info.derived_url}
TOP_METRICS = (("views", 8), ("popularity", 10), ("listens", 11))  # positions in prepare()'s values
TOP_TRACKS = 1000


def prepare(record: Track | Problem, keys: dict[str, str]) -> tuple:
    """A record as row values: (file, row, track values | None, credits, links | problem, title key).

    Credits come out deduplicated by (artist key, role), with featured artists from the title added;
    `keys` caches artist keys by spelling (the same names recur millions of times).
    """
    if isinstance(record, Problem):
        return record.file, record.row, None, record.reason, record.raw, ""
    credits = record.credits
    title = record.title
    if title and ("feat" in title or "Feat" in title or "ft." in title or "FEAT" in title or "Ft." in title):
        featured = split_featured(title)[1]
        if featured:
            folded = {fold(name) for name in featured}
            credits = [Credit(c.name, "featured", c.source_artist_id, c.url, c.location, c.latitude, c.longitude)
                       if c.role == "primary" and fold(c.name) in folded else c for c in credits]
            credited = {fold(c.name) for c in credits}
            credits += [Credit(name, "featured") for name in featured if fold(name) not in credited]
    out = []
    seen = set()
    for credit in credits:
        name = credit.name
        key = keys.get(name)
        if key is None:
            if len(keys) > 2_000_000:
                keys.clear()
            key = keys[name] = artist_key(name)
        if (key, credit.role) in seen:
            continue
        seen.add((key, credit.role))
        out.append((key, name, credit.role, credit.source_artist_id, credit.url, credit.location, credit.latitude,
                    credit.longitude))
    links = tuple((video, None if video else link) for link in record.youtube_links
                  for video in (youtube_video_id(link),))
    url = record.url
    if url and record.dataset in DERIVED_URLS and url == DERIVED_URLS[record.dataset].format(record.source_id):
        url = None
    values = (
        record.source_id, title, record.artist_credit, record.album, record.duration_s, url,
        record.release_year, None if record.explicit is None else int(record.explicit), record.views,
        record.views_text, record.popularity, record.listens,
        orjson.dumps(record.genres).decode() if record.genres else None,
        record.licence,
        licence_code(record.licence, record.licence_url) if record.licence or record.licence_url else None,
        record.licence_url, record.language, record.album_id, record.album_url,
    )
    return record.file, record.row, values, out, links, title_key(title)[0] if title else ""


def _reader_process(sources: dict[str, Path], queue, parent: int) -> None:
    """Runs in the reader process: every source in turn, as batches of prepared rows.

    A build killed with SIGKILL cannot stop this process, so it watches for itself: within a second of the main
    process going, it exits, whatever it is doing (reading, waiting on a full queue, or flushing the queue into
    a pipe nobody reads as it ends).
    """
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
    readers = all_sources()
    keys: dict[str, str] = {}

    def put(item):
        while True:
            try:
                return queue.put(item, timeout=1)
            except queues.Full:
                if os.getppid() != parent:
                    os._exit(1)

    try:
        for slug, module in readers.items():
            if slug not in sources:
                continue
            put(("start", slug))
            batch = []
            genres, years, explicit = Counter(), Counter(), 0
            for record in module.read(sources[slug]):
                batch.append(prepare(record, keys))
                if len(batch) >= BATCH:
                    put(("rows", batch))
                    batch = []
                if isinstance(record, Track):
                    genres.update(set(record.genres))
                    if record.release_year is not None:
                        years[record.release_year] += 1
                    explicit += record.explicit is True
            put(("rows", batch))
            put(("stats", (genres, years, explicit)))
        put(("done", None))
    except SourceError as error:
        put(("source_error", (error.path, error.message)))
    except BaseException:  # a bug: hand the traceback to the main process rather than hang it
        put(("crash", traceback.format_exc()))


def prepared_batches(sources: dict[str, Path]):
    """(event, payload) pairs from a reader process: ("start", slug), ("rows", batch), … ("done", None)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=16)
    process = context.Process(target=_reader_process, args=(sources, queue, os.getpid()), daemon=True)
    process.start()
    try:
        while True:
            try:
                event, payload = queue.get(timeout=5)
            except queues.Empty:  # make sure the reader is still alive
                if not process.is_alive():
                    raise RuntimeError(f"the reader process died (exit code {process.exitcode})") from None
                continue
            if event == "source_error":
                raise SourceError(*payload)
            if event == "crash":
                raise RuntimeError(f"the reader process failed:\n{payload}")
            yield event, payload
            if event == "done":
                break
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


# --- the main process: ids and inserts --------------------------------------------------------------------------
@dataclass
class SourceCounts:
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    files: dict[str, list[int]] = field(default_factory=dict)  # file → [read, loaded, rejected]


class Loader:
    """Gives out ids in the order rows arrive and writes them. Artist ids follow the order names are first met."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.next_track_id = 1
        self.artist_by_key: dict[str, int] = {}
        self.artist_keys: list[str | None] = [None]  # artist id → key
        self.artist_tracks: list[int] = [0]  # artist id → tracks crediting them
        self.spellings: dict[str, list[int]] = {}  # credited spelling → [artist id, tracks]
        self.fma_artists: dict[int, list] = {}
        self.file_ids: dict[tuple[str, str], int] = {}
        self.next_source_artist = 1
        self._insert_many = (f"insert into tracks ({TRACK_COLUMNS}) values "
                             + ", ".join(["(" + ", ".join("?" * 23) + ")"] * ROWS_PER_INSERT))
        self._insert_one = f"insert into tracks ({TRACK_COLUMNS}) values (" + ", ".join("?" * 23) + ")"

    def start(self, dataset: str) -> None:
        self.dataset = dataset
        self.counts = SourceCounts()
        self.per_artist: dict[int, list[int]] = {}  # artist id → [tracks, primary tracks] in this dataset
        self.source_artists: dict[str, int] = {}  # the dataset's own artist id → artist_sources.id
        self.stats = (Counter(), Counter(), 0)  # genres, release years, explicit tracks (from the reader)
        self.tops: dict[str, list[tuple[int, int]]] = {metric: [] for metric, _ in TOP_METRICS}
        self.licences: Counter = Counter()

    def finish_dataset(self) -> SourceCounts:
        self.conn.executemany(
            "insert into artist_datasets values (?, ?, ?, ?)",
            ((artist, self.dataset, n, primary) for artist, (n, primary) in sorted(self.per_artist.items())))
        self.conn.executemany("insert into dataset_licences values (?, ?, ?)",
                              ((self.dataset, code, n) for code, n in sorted(self.licences.items(),
                                                                            key=lambda item: (item[0] is None, item[0]))))
        for metric, heap in self.tops.items():
            best = sorted(((value, -negative_id) for value, negative_id in heap), key=lambda v: (-v[0], v[1]))
            self.conn.executemany("insert into top_tracks values (?, ?, ?, ?, ?)",
                                  ((self.dataset, metric, n, track, value) for n, (value, track) in
                                   enumerate(best, start=1)))
        return self.counts

    def _file_id(self, path: str) -> int:
        ident = (self.dataset, path)
        file_id = self.file_ids.get(ident)
        if file_id is None:
            file_id = self.file_ids[ident] = len(self.file_ids) + 1
            self.counts.files[path] = [0, 0, 0]
        return file_id

    def write(self, batch: list[tuple]) -> None:
        dataset, counts = self.dataset, self.counts
        tracks, credits_rows, links_rows, sources, problems, title_keys = [], [], [], [], [], []
        per_artist, spellings, artist_tracks = self.per_artist, self.spellings, self.artist_tracks
        for file, row, values, credits, links, title_match in batch:
            file_id = self._file_id(file)
            file_counts = counts.files[file]
            file_counts[0] += 1
            if values is None:  # a problem: (file, row, None, reason, raw, "")
                file_counts[2] += 1
                problems.append((dataset, file, row, credits, links))
                continue
            file_counts[1] += 1
            track_id = self.next_track_id
            self.next_track_id += 1
            tracks.append((track_id, dataset, *values, file_id, row))
            self.licences[values[14]] += 1  # licence_code
            for metric, position in TOP_METRICS:
                value = values[position]
                if value is not None:
                    heap = self.tops[metric]
                    if len(heap) < TOP_TRACKS:
                        heapq.heappush(heap, (value, -track_id))
                    elif (value, -track_id) > heap[0]:
                        heapq.heapreplace(heap, (value, -track_id))
            counted = set()
            for position, (key, name, role, source_id, url, location, lat, lon) in enumerate(credits):
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
                credits_rows.append((track_id, position, artist, role, source))
                stats = per_artist.get(artist)
                if stats is None:
                    stats = per_artist[artist] = [0, 0]
                if artist not in counted:
                    counted.add(artist)
                    if title_match:
                        title_keys.append((artist, title_match, track_id))
                    artist_tracks[artist] += 1
                    stats[0] += 1
                    spelling = spellings.get(name)
                    if spelling is None:
                        spellings[name] = [artist, 1]
                    else:
                        spelling[1] += 1
                if role == "primary":
                    stats[1] += 1
                if lat is not None and source_id and source_id.isdigit():
                    self._fma_artist(int(source_id), artist, name, location, lat, lon, url)
            for position, (video, url) in enumerate(links):
                links_rows.append((track_id, position, video, url))
        counts.read += len(batch)
        counts.rejected += len(problems)
        counts.loaded += len(tracks)
        conn = self.conn
        if sources:
            conn.executemany("insert into artist_sources values (?, ?, ?, ?, ?, ?)", sources)
        whole = len(tracks) - len(tracks) % ROWS_PER_INSERT
        for start in range(0, whole, ROWS_PER_INSERT):
            conn.execute(self._insert_many, list(itertools.chain.from_iterable(tracks[start:start + ROWS_PER_INSERT])))
        if whole < len(tracks):
            conn.executemany(self._insert_one, tracks[whole:])
        if credits_rows:
            conn.executemany("insert into track_artists values (?, ?, ?, ?, ?)", credits_rows)
        if links_rows:
            conn.executemany("insert into youtube_links values (?, ?, ?, ?)", links_rows)
        if problems:
            conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)",
                             problems)
        if title_keys:
            conn.executemany("insert into temp.title_keys_load values (?, ?, ?)", title_keys)

    def _fma_artist(self, fma_id, artist, name, location, lat, lon, url) -> None:
        row = self.fma_artists.get(fma_id)
        if row is None:
            self.fma_artists[fma_id] = [fma_id, artist, name, location, lat, lon, url, 1]
        else:
            row[7] += 1

    def finish_artists(self) -> None:
        """Write artists with their most-credited spelling as the name, every spelling, and the FMA map table."""
        best: dict[int, tuple[int, str]] = {}
        for spelling, (artist, n) in self.spellings.items():
            current = best.get(artist)
            if current is None or n > current[0] or (n == current[0] and spelling < current[1]):
                best[artist] = (n, spelling)
        self.conn.executemany(
            "insert into artists (id, key, name, match_key, tracks) values (?, ?, ?, ?, ?)",
            ((artist, self.artist_keys[artist], name, match_key(name), self.artist_tracks[artist])
             for artist, (_, name) in sorted(best.items())))
        self.conn.executemany("insert into artist_names values (?, ?, ?)",
                              sorted((artist, spelling, n) for spelling, (artist, n) in self.spellings.items()))
        self.conn.executemany("insert into fma_artists values (?, ?, ?, ?, ?, ?, ?, ?)",
                              sorted(self.fma_artists.values()))


def read_revision(path: Path) -> str | None:
    """The revision `python -m ingest download` recorded beside the files (`download.json`), if any."""
    path = Path(path)
    marker = (path if path.is_dir() else path.parent) / "download.json"
    try:
        return json.loads(marker.read_text())["revision"]
    except (OSError, ValueError, KeyError):
        return None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    # The file is private until renamed into place, so durability during the load buys nothing.
    conn.executescript("""
        pragma journal_mode = off;
        pragma synchronous = off;
        pragma locking_mode = exclusive;
        pragma cache_size = -524288;
        pragma threads = 2;
    """)
    return conn


def build(out: Path, sources: dict[str, Path], *, attributions: list[Path] = (),
          revisions: dict[str, str] | None = None, progress: bool = True, log=print) -> dict[str, SourceCounts]:
    """Build the database at `out` from `sources` (slug → path) and model attribution lists. Returns the counts
    per source.

    Raises `SourceError` on a file-level fault; the previous `out` is then left exactly as it was.
    """
    out = Path(out)
    readers = all_sources()
    unknown = set(sources) - set(readers)
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    # attribution lists are small: read them first, so a bad one stops the build before the long load
    lists = [(path, attribution.model_info(path), list(attribution.read(path))) for path in attributions]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)  # left by a build that was killed
    started = time.monotonic()
    conn = _connect(tmp)
    results: dict[str, SourceCounts] = {}
    try:
        conn.executescript(SCHEMA)
        loader = Loader(conn)
        bar, slug, t0 = None, None, 0.0

        def end_dataset():
            info = readers[slug].DATASET
            counts = results[slug] = loader.finish_dataset()
            conn.execute("commit")
            revision = (revisions or {}).get(slug) or read_revision(sources[slug])
            genres, years, explicit = loader.stats
            first_id = loader.next_track_id - counts.loaded
            conn.execute(
                "insert into datasets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)",
                (info.slug, info.name, info.publisher, info.licence, info.terms, info.source_url, revision,
                 info.rows_published, counts.read, counts.loaded, counts.rejected, explicit,
                 first_id if counts.loaded else None, loader.next_track_id - 1 if counts.loaded else None,
                 info.description))
            conn.executemany("insert into dataset_genres values (?, ?, ?)",
                             ((slug, genre, n) for genre, n in sorted(genres.items())))
            conn.executemany("insert into dataset_years values (?, ?, ?)",
                             ((slug, year, n) for year, n in sorted(years.items())))
            bar.close()
            elapsed = time.monotonic() - t0
            log(f"{slug}: read {counts.read:,} rows, loaded {counts.loaded:,}, rejected {counts.rejected:,} "
                f"in {elapsed:.1f}s ({counts.read / max(elapsed, 1e-9):,.0f} rows/s)")

        for event, payload in prepared_batches(sources):
            if event == "rows":
                loader.write(payload)
                bar.update(len(payload))
                continue
            if event == "stats":
                loader.stats = payload
                continue
            if slug is not None:
                end_dataset()
            if event == "start":
                slug, t0 = payload, time.monotonic()
                loader.start(slug)
                conn.execute("begin")
                bar = tqdm(desc=f"{slug:<24}", unit=" rows", unit_scale=True, mininterval=1.0,
                           disable=None if progress else True)
        conn.execute("begin")
        conn.executemany(
            "insert into source_files values (?, ?, ?, ?, ?, ?)",
            ((file_id, dataset, path, *results[dataset].files[path])
             for (dataset, path), file_id in loader.file_ids.items()))
        loader.finish_artists()
        conn.execute("commit")
        del loader
        _finish(conn, log, lists)
        conn.close()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    write_inspect_data(out)
    log(f"built {out} in {time.monotonic() - started:.1f}s ({out.stat().st_size / 1e6:,.1f} MB)")
    return results


def _step(conn: sqlite3.Connection, log, label: str, sql: str) -> None:
    t0 = time.monotonic()
    conn.executescript(sql)
    log(f"  {label}: {time.monotonic() - t0:.1f}s")


def _finish(conn: sqlite3.Connection, log, lists) -> None:
    # Each sorter thread building an index holds up to cache_size of rows in memory (3 × 512 MB at full scale,
    # on top of the loader's 700 MB): a smaller cache keeps the build under 2 GB and costs the sorts little.
    conn.execute("pragma cache_size = -196608")
    _step(conn, log, "indexes", "begin;" + INDEXES + "commit;")
    t0 = time.monotonic()
    conn.execute("begin")
    for path, info, records in lists:
        _load_attribution(conn, path, info, records)
    # a column added after the load costs nothing in the rows that never get a value
    conn.execute("alter table tracks add column used_to_train text")
    conn.execute("update tracks set used_to_train = (select group_concat(name, '; ') from "
                 "(select distinct m.name from training_use u join models m on m.slug = u.model "
                 "where u.track_id = tracks.id order by m.name)) "
                 "where id in (select track_id from training_use where track_id is not null)")
    conn.execute("commit")
    log(f"  attribution lists: {time.monotonic() - t0:.1f}s")
    _step(conn, log, "duplicates", """
        begin;
        -- ids met more than once anywhere (one pass over the source_id index, no sort), then per dataset
        create temp table repeated as select source_id from tracks group by source_id having count(*) > 1;
        create temp table firsts as
            select source_id, dataset, min(id) as first_id, count(*) as copies from tracks
            where source_id in (select source_id from repeated)
            group by source_id, dataset having count(*) > 1;
        update tracks set duplicate_of = firsts.first_id from firsts
            where tracks.source_id = firsts.source_id and tracks.dataset = firsts.dataset
              and tracks.id <> firsts.first_id;
        update datasets set distinct_source_ids = rows_loaded
            - (select coalesce(sum(copies - 1), 0) from firsts where firsts.dataset = datasets.slug);
        drop table repeated;
        drop table firsts;
        commit;
    """)
    _step(conn, log, "title keys", """
        begin;
        -- sorted once here: inserted in artist order during the load, this clustered table would be rebuilt
        -- page by page at random
        insert into artist_title_keys select artist_id, title_key, track_id from temp.title_keys_load
            order by artist_id, title_key, track_id;
        drop table temp.title_keys_load;
        -- the same artist and normalized title in more than one dataset
        insert into shared_recordings
            select shared.artist_id, shared.title_key, tracks.title, shared.datasets, shared.dataset_list,
                   shared.tracks, shared.first_track_id
            from (select k.artist_id, k.title_key, count(distinct d.slug) as datasets,
                         group_concat(distinct d.slug) as dataset_list, count(*) as tracks,
                         min(k.track_id) as first_track_id
                  from artist_title_keys k join datasets d
                    on k.track_id between d.first_track_id and d.last_track_id
                  group by k.artist_id, k.title_key having count(distinct d.slug) > 1) as shared
            join tracks on tracks.id = shared.first_track_id;
        commit;
    """)
    _step(conn, log, "full-text search", "begin;" + FTS + "commit;")
    _step(conn, log, "analyze", "pragma analysis_limit = 2000; analyze; pragma journal_mode = delete;")


def _load_attribution(conn, path: Path, info, records) -> None:
    """One model's list: each row matched to the dataset its ids refer to, or kept as a row of its own."""
    rows, problems, matched = [], [], 0
    for record in records:
        if isinstance(record, Problem):
            problems.append((record.dataset, record.file, record.row, record.reason, record.raw))
            continue
        track = conn.execute("select id, licence_code from tracks where source_id = ? and dataset = ? "
                             "order by id limit 1", [record.source_id, info.dataset]).fetchone()
        stated = licence_code(record.licence) if record.licence else None
        if track:
            matched += 1
        dataset_code = track[1] if track else None
        rows.append((info.slug, info.dataset if track else None, record.source_id, track[0] if track else None,
                     record.title, record.author, artist_key(record.author) if record.author else None,
                     record.licence, stated, record.url, dataset_code,
                     None if not (stated and dataset_code) else int(stated != dataset_code), record.row))
    conn.execute("insert into models values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (info.slug, info.name, info.maker, info.released, info.source_url, path.name,
                  attribution.revision(path), info.licence_claims, len(records), matched, len(problems)))
    conn.executemany("insert into training_use (model, dataset, source_id, track_id, title, author, author_key, "
                     "licence, licence_code, url, dataset_licence_code, licence_disagrees, list_row) "
                     "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)", problems)


def write_inspect_data(db: Path) -> Path:
    """Write `inspect-data.json` beside the database, as `datasette inspect` would: with it, `datasette .`
    serves the file immutable and never counts its 21 million rows at start-up or on a table page."""
    db = Path(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")]
        counts = {}
        for name in tables:
            try:
                counts[name] = {"count": conn.execute(f'select count(*) from "{name}"').fetchone()[0]}
            except sqlite3.OperationalError:
                counts[name] = {"count": 0}
    finally:
        conn.close()
    digest = hashlib.sha256()
    with db.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    path = db.parent / "inspect-data.json"
    data = {}
    if path.exists():
        try:
            data = {name: entry for name, entry in json.loads(path.read_text()).items()
                    if (db.parent / entry.get("file", "")).exists() and name != db.stem}
        except ValueError:
            data = {}
    data[db.stem] = {"hash": digest.hexdigest(), "size": db.stat().st_size, "file": db.name, "tables": counts}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
    return path


def sample_attributions() -> list[Path]:
    """The bundled sample attribution list, in Stability AI's format."""
    return [Path(__file__).parent / "samples" / "attribution" / "fma_dataset_attribution2.csv"]


def sample_sources() -> dict[str, Path]:
    """The bundled samples, one per dataset, in the publishers' exact formats."""
    return {info.slug: info.sample_path for info in DATASETS}
