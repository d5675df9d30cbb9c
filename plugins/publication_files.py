"""Serve a database only with the inspect data that describes it.

`inspect-data.json` gives Datasette each table's row count (and makes the file immutable); a build moves the new
database and then its inspect data into place, so a crash between the two moves would leave a new database with the
old counts. Such a pair never reaches a reader: the server stops at start-up and says how to mend it.
"""

from __future__ import annotations

import os

import click
from datasette import hookimpl


@hookimpl
def startup(datasette):
    for name, entry in (datasette.inspect_data or {}).items():
        database = datasette.databases.get(name)
        if database is None or not database.path:
            continue
        size = os.stat(database.path).st_size
        if size != entry.get("size"):
            raise click.ClickException(
                f"{database.path} is {size:,} bytes but inspect-data.json describes a file of {entry.get('size'):,} "
                "bytes: they come from different builds (a build stopped between moving the two into place). "
                f"Run `python -m ingest inspect --db {database.path}` (or build again) before serving."
            )
