"""CPU per row of each side of the build's load, each measured alone:

    python bench/load_sides.py laion-disco-12m DIR [--rows 150000] [--repeat 4]

- reader: the dataset's reader, `rows.prepare` and marshal's hand-off, as the reader process runs them;
- writer: reading the hand-off back and `Loader.write` into a fresh database in a temporary directory.

In the build the two run at once, one process each, and the slower sets the load's pace; the build's log gives each
load step's CPU seconds per process. Prints the least CPU time of `--repeat` runs (the machine's other work only
adds to a run), in µs a row.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import marshal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.build import connect_for_load  # noqa: E402
from ingest.build.loader import Loader  # noqa: E402
from ingest.build.reader_process import events  # noqa: E402
from ingest.sources import all_sources  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", choices=sorted(all_sources()))
    parser.add_argument("source", type=Path, help="the dataset's files, as `python -m ingest build` takes them")
    parser.add_argument("--rows", type=int, default=150_000, help="rows read from the start of the source")
    parser.add_argument("--repeat", type=int, default=4)
    args = parser.parse_args()
    reader = all_sources()[args.dataset]
    gc.disable()  # as in the build (build.without_cycle_collection)
    best_reader = best_writer = float("inf")
    rows = 0
    with tempfile.TemporaryDirectory() as work:
        for run in range(args.repeat):
            started = time.process_time()
            records = itertools.islice(reader.read(args.source), args.rows)
            batches = [
                marshal.dumps(payload) for event, payload in events([(args.dataset, records)]) if event == "rows"
            ]
            best_reader = min(best_reader, time.process_time() - started)
            conn = connect_for_load(Path(work) / f"{run}.db", Path(work) / f"{run}.keys")
            loader = Loader(conn)
            loader.start(args.dataset)
            conn.execute("begin")
            started = time.process_time()
            for batch in batches:
                loader.write(marshal.loads(batch))
            conn.execute("commit")
            best_writer = min(best_writer, time.process_time() - started)
            rows = loader.counts.read
            conn.close()
            (Path(work) / f"{run}.db").unlink()
    print(
        f"{args.dataset}: {rows:,} rows; reader {1e6 * best_reader / rows:.2f} µs a row, "
        f"writer {1e6 * best_writer / rows:.2f} µs a row (least of {args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
