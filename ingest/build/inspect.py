"""`inspect-data.json`: what `datasette inspect` writes. With it beside the database, `datasette .` serves the file
immutable and never counts its 21 million rows at start-up or on a table page.

A new build writes the inspect data of its temporary file first, then moves the database and then the inspect data
into place: a crash between the two moves leaves a database whose size the inspect data does not give, which the
server refuses to serve (plugins/publication_files.py) until `python -m ingest inspect` or a new build writes it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from datasette.cli import inspect_

INSPECT_FILE = "inspect-data.json"


def inspect_entry(db: Path, served_as: Path) -> dict:
    """Datasette's inspect data for the database file `db` (hash, size, rows per table), for when it is `served_as`."""
    (entry,) = asyncio.run(inspect_([str(db)], sqlite_extensions=None)).values()
    # tables Datasette cannot count (the full-text index's shadow tables) are recorded as 0, not null
    entry["tables"] = {name: {"count": table["count"] or 0} for name, table in entry["tables"].items()}
    return entry | {"file": served_as.name}


def prepare_inspect_data(db: Path, served_as: Path) -> Path:
    """Write, beside `served_as`, the inspect-data.json it will need once `db` is moved to it, as a temporary file
    (returned) to move into place after the database. The entries of other databases there are kept."""
    db, served_as = Path(db), Path(served_as)
    path = served_as.parent / INSPECT_FILE
    data = {}
    if path.exists():
        try:
            data = {
                name: entry
                for name, entry in json.loads(path.read_text()).items()
                if (served_as.parent / entry.get("file", "")).exists() and name != served_as.stem
            }
        except ValueError:
            data = {}
    data[served_as.stem] = inspect_entry(db, served_as)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    return tmp


def write_inspect_data(db: Path) -> Path:
    """Write inspect-data.json for the database `db` where it is."""
    tmp = prepare_inspect_data(db, db)
    return tmp.replace(tmp.with_name(INSPECT_FILE))
