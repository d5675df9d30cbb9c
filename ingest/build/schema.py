"""The schema of `datasets.db`: tables and indexes, and the column lists inserts are made from (the search indexes
are `ingest/search_index.py`'s).

Users write SQL against these tables (the README documents them), so their names are stable.
"""

from __future__ import annotations

from ..datasets import dataset_sql, derived_url_sql, page_url_sql
from ..records import ROLES


def private_file_pragmas(cache_kib: int) -> str:
    """The pragmas of a file the build writes alone, before it is renamed into place (the database, the second
    process's file): durability buys nothing there, so no journal and no syncs. Sorts stay in one thread (SQLite's
    default): the build keeps both cores busy with two processes, and a sort split over two threads costs 10–20 %
    more CPU (measured on artist_title_keys: 55 CPU-s in one thread, 61–74 in two)."""
    return f"""
        pragma journal_mode = off;
        pragma synchronous = off;
        pragma locking_mode = exclusive;
        pragma cache_size = -{cache_kib};
    """


SCHEMA = (
    """
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
    -- computed from the id: each dataset's ids are a block of their own (ingest/datasets.py)
    dataset text generated always as (DATASET_SQL) virtual references datasets(slug),
    source_id text not null,
    title text,
    artist_credit text,
    album text,
    duration_s real,
    -- the original; made from the id for YouTube and Spotify, from page_url for Genius and FMA pages
    url text generated always as (coalesce(PAGE_URL_SQL, DERIVED_URL_SQL)) virtual,
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
    -- the page URL the publisher gave, where it cannot be made from the id (Genius, FMA); a Genius URL without its
    -- site (`/Adele-hello-lyrics`)
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
    -- tracks crediting the artist in each role (a track may credit one artist in two)
    primary_tracks integer not null,
    featured_tracks integer not null,
    writer_tracks integer not null,
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
    -- stored as a number (0 and 1 take no bytes in SQLite's records: 210 MB less over 30 million credits), read as
    -- its name
    role_code integer not null,
    role text generated always as (ROLE_SQL) virtual,
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
    .replace("PAGE_URL_SQL", page_url_sql())
    .replace("DATASET_SQL", dataset_sql())
    .replace(
        "ROLE_SQL",
        "case role_code " + " ".join(f"when {code} then '{role}'" for code, role in enumerate(ROLES)) + " end",
    )
)

# The title keys as the load meets them, in a file of their own beside the database (the build's `keys`): the process
# that sorts them into artist_title_keys reads that file while the build goes on writing the database.
TITLE_KEYS_LOAD = "create table keys.title_keys_load (artist_id integer, title_key text, track_id integer)"

# made where shared_recordings is filled (ingest/build/derived.py), and made the same in the database it is copied to
SHARED_RECORDINGS_ORDER = "create index shared_recordings_order on shared_recordings(datasets desc, tracks desc);"

INDEXES = """
-- by publisher id (links, duplicates); browsing one dataset needs no index: it is one range of track ids
create index tracks_source_id on tracks(source_id);
-- a pasted Genius or FMA page names a track by its URL (LAION and Spotify URLs are made from source_id)
create index tracks_page_url on tracks(page_url) where page_url is not null;
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
"""
INDEXES += SHARED_RECORDINGS_ORDER + "\n"

# A track's stored values as rows.prepare() makes them, in this order; the loader adds the id (which gives the
# dataset) and where it was read (source_file, source_row).
TRACK_VALUE_COLUMNS = (
    "source_id",
    "title",
    "artist_credit",
    "album",
    "duration_s",
    "page_url",
    "release_year",
    "explicit",
    "views",
    "views_text",
    "popularity",
    "listens",
    "genres",
    "licence",
    "licence_code",
    "licence_url",
    "language",
    "album_id",
    "album_url",
)
TRACK_COLUMNS = ("id", *TRACK_VALUE_COLUMNS, "source_file", "source_row")


def insert_sql(table: str, columns: tuple[str, ...], rows: int = 1) -> str:
    """`insert into table (columns) values (?, …), …` for `rows` rows: placeholders follow the column list."""
    row = "(" + ", ".join("?" * len(columns)) + ")"
    return f"insert into {table} ({', '.join(columns)}) values " + ", ".join([row] * rows)
