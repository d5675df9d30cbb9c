"""The steps after the load, each timed in the log: indexes, model training lists, duplicates, summaries, track
counts, and, in a second process at the same time, title keys, shared recordings and the search indexes (derived.py);
then their tables copied in, statistics."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

from .. import track_counts
from ..normalize import artist_key, licence_code
from ..records import Problem
from ..sources import attribution
from ..summaries import write_shared_summaries, write_track_summaries
from .derived import DerivedTables, merge
from .schema import INDEXES


def step(conn: sqlite3.Connection, log, label: str, sql: str) -> None:
    t0 = time.monotonic()
    conn.executescript(sql)
    log(f"  {label}: {time.monotonic() - t0:.1f}s")


@contextlib.contextmanager
def timed_transaction(conn: sqlite3.Connection, log, label: str):
    """A step of Python and SQL in one transaction, timed in the log like `step`."""
    t0 = time.monotonic()
    conn.execute("begin")
    yield
    conn.execute("commit")
    log(f"  {label}: {time.monotonic() - t0:.1f}s")


def finish(conn: sqlite3.Connection, log, lists, keys: Path, derived: Path) -> None:
    """Everything after the load: indexes, the training lists, duplicates, summaries and track counts here while a
    second process makes the title keys, shared recordings and search indexes (derived.py), then the updates of
    `tracks` that waited for it, its tables copied in, and statistics. `keys` holds the load's title keys, and
    `derived` is the second process's file while it lasts."""
    # A sort building an index holds up to cache_size of rows in memory, on top of the loader's 700 MB: 192 MB
    # rather than the load's 512 keeps the build under 2 GB and costs the sorts little.
    conn.execute("pragma cache_size = -196608")
    database = next(row[2] for row in conn.execute("pragma database_list") if row[1] == "main")
    # until the second process is done, this one writes no page it reads (see derived.py): new pages only
    with DerivedTables(Path(database), keys, derived) as second:
        step(conn, log, "indexes", "begin;" + INDEXES + "commit;")
        with timed_transaction(conn, log, "attribution lists"):
            for path, info, records in lists:
                _load_attribution(conn, path, info, records)
        step(conn, log, "duplicates", MARKS_FOUND)
        with timed_transaction(conn, log, "summaries"):
            write_track_summaries(conn)  # the charts' and headline figures' tables (ingest/summaries.py)
        track_counts.build(conn, log, tracks=TRACKS_AS_MARKED)
        t0 = time.monotonic()
        done = second.wait()
        log(f"  waiting for the second process: {time.monotonic() - t0:.1f}s")
        for line in done:
            log(line)
        keys.unlink(missing_ok=True)  # read: its rows are in artist_title_keys now
        step(conn, log, "tracks marked", TRACKS_MARKED)
        t0 = time.monotonic()
        merge(conn, derived)
    log(f"  merge: {time.monotonic() - t0:.1f}s")
    with timed_transaction(conn, log, "shared summaries"):
        write_shared_summaries(conn)
    step(conn, log, "analyze", "pragma analysis_limit = 2000; analyze; pragma journal_mode = delete;")


# ids met more than once, every copy after the first of an id within its dataset, and the models trained on each
# track: found while the second process reads the database (temp tables only), marked in `tracks` and `datasets`
# after it (TRACKS_MARKED)
MARKS_FOUND = """
    -- ids met more than once anywhere: one pass over the source_id index, no sort
    create temp table repeated as select source_id from tracks group by source_id having count(*) > 1;
    -- every copy after the first of an id within its dataset, with that first. The source_id index alone
    -- answers it (it holds the track ids, and each dataset is one range of ids): no table page is read.
    create temp table copies (id integer primary key, dataset text, first_id integer);
    -- in id order: appended, where rows in the window's order would land all over the table (half the step's time)
    insert into copies
        select id, dataset, first_id from (
            select t.id, d.slug as dataset, min(t.id) over (partition by t.source_id, d.slug) as first_id
            from repeated r join tracks t on t.source_id = r.source_id
            join datasets d on t.id between d.first_track_id and d.last_track_id)
        where id <> first_id order by id;
    drop table repeated;
    -- the names of the models whose training lists hold each track
    create temp table trained (track_id integer primary key, models text);
    insert into trained select track_id, (select group_concat(name, '; ') from
            (select distinct m.name from training_use u join models m on m.slug = u.model
             where u.track_id = listed.track_id order by m.name))
        from (select distinct track_id from training_use where track_id is not null) listed order by track_id;
"""
# the tracks as TRACKS_MARKED will leave them, for what is counted before it can run (track_counts)
TRACKS_AS_MARKED = (
    "(select "
    + ", ".join(f"tracks.{name}" for name in track_counts.NAMES if name not in ("used_to_train", "duplicate_of"))
    + ", trained.models as used_to_train, copies.first_id as duplicate_of from tracks"
    " left join trained on trained.track_id = tracks.id left join copies on copies.id = tracks.id)"
)
# what waited for the second process to be done reading `tracks` and `datasets`: the training lists' models and the
# duplicates, marked in place
TRACKS_MARKED = """
    begin;
    -- a column added after the load costs nothing in the rows that never get a value
    alter table tracks add column used_to_train text;
    update tracks set used_to_train = (select models from trained where trained.track_id = tracks.id)
        where id in (select track_id from trained);
    -- driven by the copies, in id order: the table's pages are rewritten one after another, and only those
    update tracks set duplicate_of = (select first_id from copies where copies.id = tracks.id)
        where id in (select id from copies);
    update datasets set distinct_source_ids = rows_loaded
        - (select count(*) from copies where copies.dataset = datasets.slug);
    drop table copies;
    drop table trained;
    commit;
"""


def _load_attribution(conn, path: Path, info, records) -> None:
    """One model's list: each row matched to the dataset its ids refer to, or kept as a row of its own."""
    rows, problems, matched = [], [], 0
    for record in records:
        if isinstance(record, Problem):
            problems.append((record.dataset, record.file, record.row, record.reason, record.raw))
            continue
        track = conn.execute(
            "select id, licence_code from tracks where source_id = ? and dataset = ? order by id limit 1",
            [record.source_id, info.dataset],
        ).fetchone()
        stated = licence_code(record.licence) if record.licence else None
        if track:
            matched += 1
        dataset_code = track[1] if track else None
        rows.append(
            (
                info.slug,
                info.dataset if track else None,
                record.source_id,
                track[0] if track else None,
                record.title,
                record.author,
                artist_key(record.author) if record.author else None,
                record.licence,
                stated,
                record.url,
                dataset_code,
                None if not (stated and dataset_code) else int(stated != dataset_code),
                record.row,
            )
        )
    conn.execute(
        "insert into models values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            info.slug,
            info.name,
            info.maker,
            info.released,
            info.source_url,
            path.name,
            attribution.revision(path),
            info.licence_claims,
            len(records),
            matched,
            len(problems),
        ),
    )
    conn.executemany(
        "insert into training_use (model, dataset, source_id, track_id, title, author, author_key, "
        "licence, licence_code, url, dataset_licence_code, licence_disagrees, list_row) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("insert into problems (dataset, file, line, reason, raw) values (?, ?, ?, ?, ?)", problems)
