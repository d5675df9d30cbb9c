"""Summary tables for the charts and the landing page's headline figures, written at the end of the build.

Every chart of the overview dashboard (`metadata.yml`, `datasette-dashboards`) and every figure on the landing
page reads one of these small tables, so each answers in a few milliseconds however big the datasets are; the
heavy counting happens once, here. The dataset registry's short names and colours are copied in
(`dataset_styles`), so charts colour each dataset as every other page does.
"""

from __future__ import annotations

import sqlite3

from .datasets import BY_SLUG, DATASETS
from .records import ROLES
from .sql_script import execute_each

TOP_ARTISTS = 25  # per dataset
TOP_GENRES = 30  # per dataset
# the artist page counts an artist's tracks per release year and per role when asked; for an artist with more
# tracks than this, the counts are precomputed here
ARTIST_STATS_MIN = 1_000
# the publishers that give a track's language: Genius (Sleeping-DISCO `language`) and FMA (`language_code`);
# scanning only their id ranges spares a pass over LAION's 12 million rows
LANGUAGE_DATASETS = ("sleeping-disco-9m", "free-music-archive")
RESTRICTIVE = ("NC", "ND")

SCHEMA = """
create table dataset_styles (
    slug text primary key references datasets(slug),
    short_name text not null,
    colour text not null,
    position integer not null
);
create table overlap_combinations (
    dataset_list text primary key,
    label text not null,
    datasets integer not null,
    recordings integer not null,
    tracks integer not null
);
create table dataset_languages (
    dataset text not null references datasets(slug),
    language text not null,
    tracks integer not null,
    primary key (dataset, language)
) without rowid;
create table dataset_top_artists (
    dataset text not null references datasets(slug),
    position integer not null,
    artist_id integer not null references artists(id),
    name text not null,
    key text not null,
    tracks integer not null,
    primary key (dataset, position)
) without rowid;
create table dataset_top_genres (
    dataset text not null references datasets(slug),
    position integer not null,
    genre text not null,
    tracks integer not null,
    primary key (dataset, position)
) without rowid;
create table licence_terms (
    dataset text not null references datasets(slug),
    licence_code text,
    tracks integer not null,
    noncommercial integer not null,
    no_derivatives integer not null,
    restrictive integer not null
);
create table training_summary (
    model text not null references models(slug),
    model_name text not null,
    status text not null,
    position integer not null,
    tracks integer not null,
    primary key (model, status)
) without rowid;
create table artist_track_stats (
    artist_id integer not null references artists(id),
    kind text not null, -- 'year' or 'role'
    dataset text not null references datasets(slug),
    value not null, -- the release year or the role
    tracks integer not null,
    primary key (artist_id, kind, dataset, value)
) without rowid;
create table headline_figures (
    tracks integer not null,
    artists integer not null,
    shared_recordings integer not null,
    fma_tracks integer not null,
    fma_restrictive_tracks integer not null,
    training_listed integer not null,
    training_in_datasets integer not null
);
"""

# An artist's tracks per dataset and release year, and per dataset and role, for the artists that `{artists}`
# selects: the build precomputes the artists with more than ARTIST_STATS_MIN tracks; the artist page counts the
# others itself with the same SQL. The dataset comes from the track id's range, and only the datasets that give
# release years have their tracks looked up; the roles are counted already (artist_datasets).
ARTIST_YEARS_SQL = """
    select ta.artist_id, 'year' as kind, d.slug as dataset, t.release_year as value, count(distinct t.id) as tracks
    from ({artists}) chosen join track_artists ta on ta.artist_id = chosen.id
    join datasets d on ta.track_id between d.first_track_id and d.last_track_id
    join tracks t on t.id = ta.track_id
    where d.slug in (select dataset from dataset_years) and t.release_year is not null
    group by ta.artist_id, d.slug, t.release_year
"""
ARTIST_ROLES_SQL = "\n    union all\n".join(
    f"""
    select ad.artist_id, 'role', ad.dataset, '{role}', ad.{role}_tracks
    from ({{artists}}) chosen join artist_datasets ad on ad.artist_id = chosen.id where ad.{role}_tracks > 0"""
    for role in ROLES
)
ARTIST_STATS_SQL = ARTIST_YEARS_SQL + "    union all" + ARTIST_ROLES_SQL
BIG_ARTISTS = "select id from artists where tracks > :min"
# ARTIST_YEARS_SQL for the big artists at once: their credits are most of the tracks with a year, so one pass over
# those tracks in id order (and their credits, stored in the same order) beats looking each credit's track up
BIG_ARTIST_YEARS_SQL = f"""
    select ta.artist_id, 'year', d.slug, t.release_year, count(distinct t.id)
    from datasets d join tracks t on t.id between d.first_track_id and d.last_track_id
    join track_artists ta on ta.track_id = t.id
    where d.slug in (select dataset from dataset_years) and t.release_year is not null
      and ta.artist_id in ({BIG_ARTISTS})
    group by ta.artist_id, d.slug, t.release_year
"""

# what a model maker's list says about a track, against the dataset (training_use)
TRAINING_STATUSES = (
    ("licence agrees with the dataset", "track_id is not null and licence_disagrees = 0"),
    ("licence differs from the dataset", "track_id is not null and licence_disagrees = 1"),
    ("licence not comparable", "track_id is not null and licence_disagrees is null"),
    ("in none of the four datasets", "track_id is null"),
)


def restrictive_terms(licence_code: str | None) -> list[str]:
    """Which licence terms forbid commercial use (NC) or derivatives (ND): `CC BY-NC-ND` → ['NC', 'ND']."""
    return [term for term in RESTRICTIVE if licence_code and term in licence_code.split(" ")[-1].split("-")]


def combination_label(dataset_list: str) -> str:
    return " + ".join(BY_SLUG[slug].short_name if slug in BY_SLUG else slug for slug in dataset_list.split(","))


def write_track_summaries(conn: sqlite3.Connection) -> None:
    """Create the summary tables and fill those that do not read shared_recordings (in the caller's transaction):
    the build fills them while another process makes shared_recordings (ingest/build/finish.py), then calls
    `write_shared_summaries`."""
    execute_each(conn, SCHEMA)
    conn.executemany(
        "insert into dataset_styles values (?, ?, ?, ?)",
        [(info.slug, info.short_name, info.colour, n) for n, info in enumerate(DATASETS, start=1)],
    )
    for slug in LANGUAGE_DATASETS:
        conn.execute(
            "insert into dataset_languages select :slug, language, count(*) from tracks "
            "where id between (select first_track_id from datasets where slug = :slug) "
            "and (select last_track_id from datasets where slug = :slug) and language is not null "
            "group by language",
            {"slug": slug},
        )
    for (slug,) in conn.execute("select slug from datasets order by first_track_id").fetchall():
        conn.execute(
            "insert into dataset_top_artists select :slug, row_number() over (order by ad.tracks desc, a.id), "
            "a.id, a.name, a.key, ad.tracks from (select artist_id, tracks from artist_datasets "
            "where dataset = :slug order by tracks desc limit :n) ad join artists a on a.id = ad.artist_id",
            {"slug": slug, "n": TOP_ARTISTS},
        )
        conn.execute(
            "insert into dataset_top_genres select :slug, row_number() over (order by tracks desc, genre), genre, "
            "tracks from (select genre, tracks from dataset_genres where dataset = :slug "
            "order by tracks desc, genre limit :n)",
            {"slug": slug, "n": TOP_GENRES},
        )
    licences = conn.execute("select dataset, licence_code, tracks from dataset_licences").fetchall()
    conn.executemany(
        "insert into licence_terms values (?, ?, ?, ?, ?, ?)",
        [
            (dataset, code, n, int("NC" in terms), int("ND" in terms), int(bool(terms)))
            for dataset, code, n in licences
            for terms in [restrictive_terms(code)]
        ],
    )
    for position, (status, condition) in enumerate(TRAINING_STATUSES, start=1):
        conn.execute(
            f"insert into training_summary select m.slug, m.name, ?, ?, count(u.id) from models m "
            f"left join training_use u on u.model = m.slug and {condition} group by m.slug",
            [status, position],
        )
    for sql in (BIG_ARTIST_YEARS_SQL, ARTIST_ROLES_SQL.format(artists=BIG_ARTISTS)):
        conn.execute("insert into artist_track_stats " + sql, {"min": ARTIST_STATS_MIN})


def write_shared_summaries(conn: sqlite3.Connection) -> None:
    """The tables read from shared_recordings, and the headline figures (which read one of them)."""
    combinations = conn.execute(
        "select dataset_list, max(datasets), count(*), sum(tracks) from shared_recordings group by dataset_list"
    ).fetchall()
    conn.executemany(
        "insert into overlap_combinations values (?, ?, ?, ?, ?)",
        [
            (dataset_list, combination_label(dataset_list), n, recordings, tracks)
            for dataset_list, n, recordings, tracks in combinations
        ],
    )
    conn.execute("""
        insert into headline_figures select
            (select coalesce(sum(rows_loaded), 0) from datasets),
            (select count(*) from artists),
            (select coalesce(sum(recordings), 0) from overlap_combinations),
            (select coalesce(sum(tracks), 0) from licence_terms where dataset = 'free-music-archive'),
            (select coalesce(sum(tracks), 0) from licence_terms where dataset = 'free-music-archive' and restrictive),
            (select count(*) from training_use),
            (select count(distinct track_id) from training_use where track_id is not null)
    """)
