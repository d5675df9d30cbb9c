"""Build `datasets.db` from the readers' records. This module owns the schema.

The build writes a temporary file beside the target and renames it over the target only when every step has
finished, so a failed or killed build never touches the previous database. Loading is bulk (large transactions,
no indexes); indexes, full-text search, precomputed counts and `ANALYZE` come after.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from tqdm import tqdm

from .links import youtube_video_id
from .normalize import artist_key, fold, licence_code, split_featured
from .records import Credit, Problem, Track
from .sources import DatasetInfo, all_sources

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
    url text,
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
    duplicate_of integer,
    source_file integer references source_files(id),
    source_row integer
);
create table artists (
    id integer primary key,
    key text not null,
    name text not null,
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
    artist_id integer not null references artists(id),
    role text not null,
    position integer not null,
    artist_source_id integer references artist_sources(id)
);
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
    video_id text,
    url text
);
create table problems (
    id integer primary key,
    dataset text not null references datasets(slug),
    file text not null,
    line integer,
    reason text not null,
    raw text
);
"""

INDEXES = """
create index tracks_dataset_source_id on tracks(dataset, source_id);
create unique index artists_key on artists(key);
create index artist_names_artist on artist_names(artist_id);
create index artist_sources_artist on artist_sources(artist_id);
create index artist_sources_source on artist_sources(dataset, source_artist_id);
create index track_artists_artist_track on track_artists(artist_id, track_id);
create index track_artists_track on track_artists(track_id);
create index youtube_links_video on youtube_links(video_id);
create index youtube_links_track on youtube_links(track_id);
create index problems_dataset on problems(dataset);
"""

# Datasette only detects an FTS table declared with content="table" in double quotes.
FTS = """
create virtual table tracks_fts using fts5(
    title, artist_credit, album,
    content="tracks", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
insert into tracks_fts(tracks_fts) values ('rebuild');
create virtual table artists_fts using fts5(
    name, content="artists", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
insert into artists_fts(artists_fts) values ('rebuild');
"""

BATCH = 5_000


@dataclass
class SourceCounts:
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    files: dict[str, list[int]] = field(default_factory=dict)  # file → [read, loaded, rejected]


class Loader:
    """Turns records into rows. Holds the artist dictionaries for the whole build (ids are given in the order
    names are first met, so the same input always gives the same database)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.next_track_id = 1
        self.artist_by_key: dict[str, int] = {}
        self.artist_by_spelling: dict[str, int] = {}  # exact credited spelling → artist id (also skips re-folding)
        self.spelling_tracks: dict[str, int] = {}
        self.artist_tracks: list[int] = [0]  # artist id → tracks crediting them (index 0 unused)
        self.source_artists: dict[tuple[str, str], int] = {}
        self.fma_artists: dict[int, list] = {}
        self.file_ids: dict[tuple[str, str], int] = {}

    # -- artists ---------------------------------------------------------------------------------------------
    def artist_id(self, spelling: str) -> int:
        artist = self.artist_by_spelling.get(spelling)
        if artist is None:
            key = artist_key(spelling)
            artist = self.artist_by_key.get(key)
            if artist is None:
                artist = len(self.artist_tracks)
                self.artist_by_key[key] = artist
                self.artist_tracks.append(0)
            self.artist_by_spelling[spelling] = artist
            self.spelling_tracks[spelling] = 0
        return artist

    def source_artist(self, dataset: str, artist: int, credit: Credit, new_rows: list) -> int | None:
        if not credit.source_artist_id:
            return None
        ident = (dataset, credit.source_artist_id)
        source = self.source_artists.get(ident)
        if source is None:
            source = len(self.source_artists) + 1
            self.source_artists[ident] = source
            new_rows.append((source, artist, dataset, credit.source_artist_id, credit.name, credit.url))
        return source

    # -- loading ---------------------------------------------------------------------------------------------
    def load(self, info: DatasetInfo, records: Iterable[Track | Problem], progress: tqdm | None) -> SourceCounts:
        counts = SourceCounts()
        per_artist: dict[int, list[int]] = {}  # artist id → [tracks, primary tracks] in this dataset
        batch: list[Track | Problem] = []
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                self._write(info.slug, batch, counts, per_artist)
                if progress is not None:
                    progress.update(len(batch))
                batch = []
        self._write(info.slug, batch, counts, per_artist)
        if progress is not None:
            progress.update(len(batch))
        self.conn.executemany(
            "insert into artist_datasets values (?, ?, ?, ?)",
            ((artist, info.slug, n, primary) for artist, (n, primary) in sorted(per_artist.items())),
        )
        return counts

    def _file_id(self, dataset: str, path: str, counts: SourceCounts) -> int:
        ident = (dataset, path)
        if ident not in self.file_ids:
            self.file_ids[ident] = len(self.file_ids) + 1
            counts.files[path] = [0, 0, 0]
        return self.file_ids[ident]

    def _write(self, dataset: str, batch: list, counts: SourceCounts, per_artist: dict) -> None:
        tracks, links, credit_rows, sources, problems = [], [], [], [], []
        for record in batch:
            file_id = self._file_id(dataset, record.file, counts)
            file_counts = counts.files[record.file]
            file_counts[0] += 1
            counts.read += 1
            if isinstance(record, Problem):
                counts.rejected += 1
                file_counts[2] += 1
                problems.append((dataset, record.file, record.row, record.reason, record.raw))
                continue
            counts.loaded += 1
            file_counts[1] += 1
            track_id = self.next_track_id
            self.next_track_id += 1
            tracks.append((
                track_id, dataset, record.source_id, record.title, record.artist_credit, record.album,
                record.duration_s, record.url, record.release_year,
                None if record.explicit is None else int(record.explicit),
                record.views, record.views_text, record.popularity, record.listens,
                orjson.dumps(record.genres).decode() if record.genres else None,
                record.licence, licence_code(record.licence, record.licence_url), record.licence_url,
                record.language, record.album_id, record.album_url, file_id, record.row,
            ))
            for link in record.youtube_links:
                video = youtube_video_id(link)
                links.append((track_id, video, None if video else link))
            self._credit(dataset, track_id, record, credit_rows, sources, per_artist)
        conn = self.conn
        if sources:
            conn.executemany("insert into artist_sources values (?, ?, ?, ?, ?, ?)", sources)
        if tracks:
            conn.executemany(
                "insert into tracks (id, dataset, source_id, title, artist_credit, album, duration_s, url, "
                "release_year, explicit, views, views_text, popularity, listens, genres, licence, licence_code, "
                "licence_url, language, album_id, album_url, source_file, source_row) "
                "values (" + ", ".join("?" * 23) + ")", tracks)
        if credit_rows:
            conn.executemany("insert into track_artists values (?, ?, ?, ?, ?)", credit_rows)
        if links:
            conn.executemany("insert into youtube_links values (?, ?, ?)", links)
        if problems:
            conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)",
                             problems)

    def _credit(self, dataset, track_id, record: Track, rows: list, sources: list, per_artist: dict) -> None:
        credits = list(record.credits)
        # "Song (feat. X)": X is featured, whether or not the dataset also lists X among the artists.
        if record.title and ("feat" in record.title.lower() or "ft." in record.title.lower()):
            featured = split_featured(record.title)[1]
            folded = {fold(name) for name in featured}
            for credit in credits:
                if credit.role == "primary" and fold(credit.name) in folded:
                    credit.role = "featured"
            credited = {fold(credit.name) for credit in credits}
            credits += [Credit(name, "featured") for name in featured if fold(name) not in credited]
        seen: set[tuple[int, str]] = set()
        counted: set[int] = set()
        for position, credit in enumerate(credits):
            artist = self.artist_id(credit.name)
            if (artist, credit.role) in seen:
                continue
            seen.add((artist, credit.role))
            source = self.source_artist(dataset, artist, credit, sources)
            rows.append((track_id, artist, credit.role, position, source))
            stats = per_artist.setdefault(artist, [0, 0])
            if artist not in counted:
                counted.add(artist)
                self.artist_tracks[artist] += 1
                self.spelling_tracks[credit.name] += 1
                stats[0] += 1
            if credit.role == "primary":
                stats[1] += 1
            if credit.latitude is not None and credit.source_artist_id and credit.source_artist_id.isdigit():
                self._fma_artist(artist, credit)

    def _fma_artist(self, artist: int, credit: Credit) -> None:
        fma_id = int(credit.source_artist_id)
        row = self.fma_artists.get(fma_id)
        if row is None:
            self.fma_artists[fma_id] = [fma_id, artist, credit.name, credit.location, credit.latitude,
                                        credit.longitude, credit.url, 1]
        else:
            row[7] += 1

    def finish_artists(self) -> None:
        """Write artists with their most-credited spelling as the name, every spelling, and the FMA map table."""
        best: dict[int, tuple[int, str]] = {}
        names = []
        for spelling, artist in self.artist_by_spelling.items():
            n = self.spelling_tracks[spelling]
            names.append((artist, spelling, n))
            current = best.get(artist)
            if current is None or n > current[0]:
                best[artist] = (n, spelling)
        key_of = {artist: key for key, artist in self.artist_by_key.items()}
        self.conn.executemany(
            "insert into artists (id, key, name, tracks) values (?, ?, ?, ?)",
            ((artist, key_of[artist], best[artist][1], self.artist_tracks[artist]) for artist in sorted(best)),
        )
        self.conn.executemany("insert into artist_names values (?, ?, ?)", sorted(names))
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
        pragma temp_store = file;
        pragma cache_size = -262144;
    """)
    return conn


def build(out: Path, sources: dict[str, Path], *, revisions: dict[str, str] | None = None,
          progress: bool = True, log=print) -> dict[str, SourceCounts]:
    """Build the database at `out` from `sources` (slug → path). Returns the counts per source.

    Raises `SourceError` on a file-level fault; the previous `out` is then left exactly as it was.
    """
    out = Path(out)
    readers = all_sources()
    unknown = set(sources) - set(readers)
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    started = time.monotonic()
    conn = _connect(tmp)
    try:
        conn.executescript(SCHEMA)
        loader = Loader(conn)
        results: dict[str, SourceCounts] = {}
        for slug, module in readers.items():
            if slug not in sources:
                continue
            info: DatasetInfo = module.DATASET
            t0 = time.monotonic()
            bar = tqdm(desc=f"{slug:<24}", unit=" rows", unit_scale=True, disable=None if progress else True,
                       mininterval=1.0, smoothing=0.1)
            conn.execute("begin")
            counts = loader.load(info, module.read(sources[slug]), bar)
            conn.execute("commit")
            bar.close()
            revision = (revisions or {}).get(slug) or read_revision(sources[slug])
            conn.execute(
                "insert into datasets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?)",
                (info.slug, info.name, info.publisher, info.licence, info.terms, info.source_url, revision,
                 info.rows_published, counts.read, counts.loaded, counts.rejected, info.description),
            )
            results[slug] = counts
            elapsed = time.monotonic() - t0
            log(f"{slug}: read {counts.read:,} rows, loaded {counts.loaded:,}, rejected {counts.rejected:,} "
                f"in {elapsed:.1f}s ({counts.read / max(elapsed, 1e-9):,.0f} rows/s)")
        conn.execute("begin")
        conn.executemany(
            "insert into source_files values (?, ?, ?, ?, ?, ?)",
            ((file_id, dataset, path, *results[dataset].files[path])
             for (dataset, path), file_id in loader.file_ids.items()),
        )
        loader.finish_artists()
        conn.execute("commit")
        _finish(conn, log)
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


def _finish(conn: sqlite3.Connection, log) -> None:
    _step(conn, log, "indexes", INDEXES)
    _step(conn, log, "duplicates", """
        begin;
        update tracks set duplicate_of = first.id
        from (select dataset, source_id, min(id) as id from tracks
              group by dataset, source_id having count(*) > 1) as first
        where tracks.dataset = first.dataset and tracks.source_id = first.source_id and tracks.id <> first.id;
        update datasets set distinct_source_ids =
            (select count(distinct source_id) from tracks where tracks.dataset = datasets.slug);
        commit;
    """)
    _step(conn, log, "full-text search", "begin;" + FTS + "commit;")
    _step(conn, log, "analyze", "analyze; pragma journal_mode = delete;")


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


def sample_sources() -> dict[str, Path]:
    """The bundled samples, one per dataset, in the publishers' exact formats."""
    root = Path(__file__).parent / "samples"
    return {
        "laion-disco-12m": root / "laion-disco-12m",
        "sleeping-disco-9m": root / "sleeping-disco-9m",
        "free-music-archive": root / "fma_metadata",
        "spotify-tracks-dataset": root / "spotify-tracks-dataset" / "dataset.csv",
    }
