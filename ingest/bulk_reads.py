"""Whole exports read on threads of their own, at a lower scheduling priority than pages.

A whole export of a common word is a million rows and ten seconds of CPU. On Datasette's SQL threads it makes
every page of a busy server wait behind it: under a crowd, exports (0.5 % of requests) took half the CPU and the
pages' queue grew with them. Here each chunk of an export runs on one of two threads whose niceness is raised
(Linux keeps a niceness per thread): when the cores are busy the pages go first and exports use what is left, and
on an idle server an export runs as fast as before. Each thread keeps its own connection to each database,
prepared as Datasette prepares its own (its SQL functions). Their time limit counts the CPU a query has used, not
the time it has waited for a core while pages went first.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

NICENESS = 10  # a thread at 10 gets about a tenth of what a busy thread at 0 gets
THREADS = 2
THREAD_NAME = "bulk-read"

_pool: ThreadPoolExecutor | None = None
_local = threading.local()


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
        # named, so that top -H and bench/load.py tell the exports' CPU from the pages'
        Path(f"/proc/self/task/{threading.get_native_id()}/comm").write_text(THREAD_NAME)
    except (AttributeError, OSError):
        pass  # where threads have no niceness of their own, exports keep the priority of pages


async def execute_fn(db, fn):
    """`fn(conn)` on a bulk-read thread, as Datasette's `db.execute_fn` runs it on an SQL thread."""
    global _pool
    if db.ds.executor is None:  # Datasette runs SQL on its event loop's thread (num_sql_threads 0): so do exports
        return await db.execute_fn(fn)
    if _pool is None:
        _pool = ThreadPoolExecutor(THREADS, thread_name_prefix=THREAD_NAME, initializer=_lower_priority)

    def in_thread():
        connections = getattr(_local, "connections", None)
        if connections is None:
            connections = _local.connections = weakref.WeakKeyDictionary()
        conn = connections.get(db)
        if conn is None:
            conn = connections[db] = db.connect()
            db.ds._prepare_connection(conn, db.name)
        return fn(conn)

    return await asyncio.get_running_loop().run_in_executor(_pool, in_thread)


@contextmanager
def time_limit(conn, ms: int) -> Iterator[None]:
    """Datasette's `sqlite_timelimit` (a query is interrupted after `ms`) in CPU time of the thread running it: a
    chunk of an export that waited for the cores while pages went first has not run long."""
    if ms <= 0:
        yield
        return
    deadline = time.thread_time() + ms / 1000
    conn.set_progress_handler(lambda: time.thread_time() >= deadline, 10_000)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 10_000)
