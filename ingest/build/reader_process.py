"""The reader process: it runs the dataset readers and hands batches of prepared rows to the process that owns
SQLite, so parsing and normalizing (one core) overlap with inserting (the other)."""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import queue as queues
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ..child_process import exit_with_parent, get_while_alive
from ..records import Problem, SourceError, Track
from ..sources import all_sources
from .rows import prepare

BATCH = 4_000  # prepared rows per hand-off
# A batch crosses as marshal's bytes: plain tuples of str, int, float and None are all it holds, and marshal
# writes and reads them twice as fast as pickle, in the reader's own thread rather than the queue's.
# (kind, payload): ("start", slug), ("rows", [prepared row, …]), ("stats", DatasetStats), ("done", None)
Event = tuple[str, Any]


class DatasetStats(NamedTuple):
    """What the reader counts as it goes, for the precomputed tables."""

    genres: Counter
    years: Counter
    explicit: int
    cpu_seconds: float = 0.0  # the reader's CPU time for the dataset (reading, preparing, handing over)


def events(datasets: Iterable[tuple[str, Iterable[Track | Problem]]]) -> Iterator[Event]:
    """Records → the build's events: ("start", slug), ("rows", [prepared row, …]) …, ("stats", DatasetStats) per
    dataset, then ("done", None)."""
    keys: dict[str, str] = {}
    for slug, records in datasets:
        cpu = time.process_time()
        yield "start", slug
        batch = []
        genres: Counter[str] = Counter()
        years: Counter[int] = Counter()
        explicit = 0
        for record in records:
            batch.append(prepare(record, keys))
            if len(batch) >= BATCH:
                yield "rows", batch
                batch = []
            if isinstance(record, Track):
                if record.genres:
                    genres.update(set(record.genres))
                if record.release_year is not None:
                    years[record.release_year] += 1
                explicit += record.explicit is True
        yield "rows", batch
        yield "stats", DatasetStats(genres, years, explicit, time.process_time() - cpu)
    yield "done", None


def _run(sources: dict[str, Path], queue, parent: int) -> None:
    """Runs in the reader process: every source in turn, exiting with the build (`exit_with_parent`)."""
    exit_with_parent(parent)
    gc.disable()  # see build.without_cycle_collection: this process lives for the load alone

    def put(item):
        while True:
            try:
                return queue.put(item, timeout=1)
            except queues.Full:
                if os.getppid() != parent:
                    os._exit(1)

    try:
        readers = all_sources()
        for event, payload in events(
            (slug, module.read(sources[slug])) for slug, module in readers.items() if slug in sources
        ):
            if event == "rows":
                try:
                    event, payload = "marshalled", marshal.dumps(payload)
                except ValueError:  # a value of another type: pickle takes it
                    pass
            put((event, payload))
    except SourceError as error:
        put(("source_error", (error.path, error.message)))
    except BaseException:  # a bug: hand the traceback to the main process rather than hang it
        put(("crash", traceback.format_exc()))


def prepared_batches(sources: dict[str, Path]) -> Iterator[Event]:
    """The events of `events()` for the publishers' files at `sources`, read in a process of their own."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=16)
    process = context.Process(target=_run, args=(sources, queue, os.getpid()), daemon=True)
    process.start()
    try:
        while True:
            event, payload = get_while_alive(queue, process, "the reader process")
            if event == "source_error":
                raise SourceError(*payload)
            if event == "crash":
                raise RuntimeError(f"the reader process failed:\n{payload}")
            if event == "marshalled":
                event, payload = "rows", marshal.loads(payload)
            yield event, payload
            if event == "done":
                break
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
