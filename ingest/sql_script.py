"""A script of SQL statements run inside the caller's transaction."""

from __future__ import annotations

import sqlite3


def execute_each(conn: sqlite3.Connection, script: str) -> None:
    """Each statement of `script` (ended by `;` at the end of a line), in the caller's transaction: the build
    makes tables inside transactions it commits later, and `Connection.executescript` would commit them first."""
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)
