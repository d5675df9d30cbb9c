"""The finishing steps that read only what the load wrote and make tables of their own run in a second process, on
the other core, into a file of their own: the full-text and typo indexes (`search_index.build`), then
artist_title_keys and shared_recordings. Meanwhile the build's process makes the indexes, duplicates and summaries
in the database (finish.py); then it copies this process's tables in (`merge`).

Neither process writes a page the other reads while both run. This one opens the loaded database as immutable
(no locks: the build holds the file exclusively) inside one read transaction, which holds the file's first page
and so the schema as it was when the process started (and so do the folding processes it starts at once); the
build, until this process is done, only adds pages to the file (indexes, new tables, rows of tables this process
never reads) and leaves its updates of `tracks` and `datasets` until after. The title keys the load collected are
in a file of their own for the same reason (`keys`).

Copying a table into an empty one of the same definition (`insert into t select * from other.t`) is SQLite's
transfer: records appended in order, each index copied the same way, a fraction of the time it takes to build them.
FTS5 keeps an index in ordinary tables (`tracks_fts_data`, `_idx`, `_config`, …): copied whole, the index in the
database answers as the one built here.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sqlite3
import time
import traceback
from pathlib import Path
from typing import Final
from urllib.parse import quote

from .. import search_index
from ..child_process import exit_with_parent, get_while_alive
from ..sql_script import execute_each
from .schema import SHARED_RECORDINGS_ORDER, private_file_pragmas
from .space import is_disk_full

TITLE_KEYS = """
-- sorted once here: inserted in artist order during the load, this clustered table would be rebuilt page by page at
-- random
insert into artist_title_keys select artist_id, title_key, track_id from keys.title_keys_load
    order by artist_id, title_key, track_id;
-- the same artist and normalized title in more than one dataset
insert into shared_recordings
    select shared.artist_id, shared.title_key, tracks.title, shared.datasets, shared.dataset_list,
           shared.tracks, shared.first_track_id
    from (select k.artist_id, k.title_key, count(distinct d.slug) as datasets,
                 group_concat(distinct d.slug) as dataset_list, count(*) as tracks,
                 min(k.track_id) as first_track_id
          from artist_title_keys k join src.datasets d
            on k.track_id between d.first_track_id and d.last_track_id
          group by k.artist_id, k.title_key having count(distinct d.slug) > 1) as shared
    join src.tracks on tracks.id = shared.first_track_id;
"""
# spawned, not forked: a fork would start with the load's memory (the artist dictionaries) counted as its own
START_METHOD: Final = "spawn"
TABLES_FROM_LOAD = ("artist_title_keys", "shared_recordings")  # defined by the database's schema, filled here
NAME = "the build's second process (search indexes, title keys)"


class DerivedTables:
    """The second process, from its start to its end: `with DerivedTables(database, keys, out) as derived:` starts it
    and returns once it holds its view of the database (the build may then write); `derived.wait()` returns its log
    lines when its tables are in `out`, or raises with its error. Leaving the block stops it if it still runs and
    removes `out`."""

    def __init__(self, database: Path, keys: Path, out: Path) -> None:
        self.out = Path(out)
        self.out.unlink(missing_ok=True)  # left by a build that was killed
        context = multiprocessing.get_context(START_METHOD)
        self.queue = context.Queue()
        self.process = context.Process(
            # not a daemon: it starts processes of its own (search_index.FoldedAhead); it exits with the build all
            # the same (`exit_with_parent`, and `__exit__`)
            target=_run,
            args=(str(database), str(keys), str(self.out), self.queue, os.getpid()),
        )

    def __enter__(self) -> DerivedTables:
        self.process.start()
        try:
            self._get()  # "ready"
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.out.unlink(missing_ok=True)

    def wait(self) -> list[str]:
        return self._get()

    def _get(self):
        kind, payload = get_while_alive(self.queue, self.process, NAME)
        if kind == "disk full":
            raise OSError(28, f"No space left on device (in the build's second process: {payload})")
        if kind == "failed":
            raise RuntimeError(f"{NAME} failed:\n{payload}")
        return payload


def _run(database: str, keys: str, out: str, queue, parent: int) -> None:
    """In the second process: the search indexes and the tables of TABLES_FROM_LOAD, into `out`."""
    exit_with_parent(parent)
    try:
        conn = sqlite3.connect(f"file:{quote(out)}", uri=True, isolation_level=None)
        conn.executescript(private_file_pragmas(cache_kib=196608))
        conn.execute("attach ? as src", (f"file:{quote(database)}?immutable=1",))
        conn.execute("attach ? as keys", (f"file:{quote(keys)}?immutable=1",))
        conn.execute("begin")
        # the read transaction starts here and lasts to the commit: the schemas read now are the ones used
        for schema in ("src", "keys"):
            conn.execute(f"select count(*) from {schema}.sqlite_master").fetchone()
        messages: list[str] = []
        # the folding processes open the database now too, before the build writes again
        with search_index.folded_ahead(conn) as folded:
            queue.put(("ready", None))
            search_index.build(conn, messages.append, transaction=False, folded=folded)
        t0 = time.monotonic()
        for (sql,) in conn.execute(
            "select sql from src.sqlite_master where type = 'table' and name in (?, ?) order by rowid",
            TABLES_FROM_LOAD,
        ).fetchall():
            conn.execute(sql)
        execute_each(conn, TITLE_KEYS)
        conn.execute(SHARED_RECORDINGS_ORDER)
        messages.append(f"  title keys: {time.monotonic() - t0:.1f}s")
        own, folding = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        messages.append(
            f"  second process: CPU {own.ru_utime + own.ru_stime:.1f}s (its folding processes "
            f"{folding.ru_utime + folding.ru_stime:.1f}s), peak memory {own.ru_maxrss / 1024:,.0f} MB "
            f"(theirs {folding.ru_maxrss / 1024:,.0f} MB)"
        )
        conn.execute("commit")
        conn.close()
        queue.put(("done", messages))
    except BaseException as error:
        if is_disk_full(error):
            queue.put(("disk full", str(error)))
        else:
            queue.put(("failed", traceback.format_exc()))


def merge(conn: sqlite3.Connection, path: Path) -> None:
    """Copy every table and index of the file at `path` into the database, in one transaction: a table the database
    defines already (empty) or a virtual table's shadow table (holding what creating it wrote) is emptied and
    filled from the file; any other is created as the file defines it."""
    conn.execute("attach ? as derived", (str(path),))
    conn.execute("begin")
    for kind, name, sql in conn.execute(
        "select type, name, sql from derived.sqlite_master where name not like 'sqlite_%' order by rowid"
    ).fetchall():
        exists = conn.execute("select 1 from main.sqlite_master where name = ?", (name,)).fetchone()
        if kind == "index" or sql.lower().startswith("create virtual table"):
            if not exists:  # (an index the database defines already was copied with its table)
                conn.execute(sql)
            continue
        if exists:
            conn.execute(f"delete from main.[{name}]")
        else:
            conn.execute(sql)
        conn.execute(f"insert into main.[{name}] select * from derived.[{name}]")
    conn.execute("commit")
    conn.execute("detach derived")
