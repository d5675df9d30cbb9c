"""The identity of a build: `build.id` is the SHA-256 of what went into it — the tool's version, the schema, each
dataset's revision and row counts, each publisher file's row counts and each model training list — never a clock
time, so two builds of the same input get the same id. Reports (the catalogue check) cite it; the home page shows
it; `build.inputs` holds the exact text hashed, so anyone can recompute the id."""

from __future__ import annotations

import hashlib
import json
import sqlite3

TABLE = """
create table build (
    id text not null,
    tool text not null,
    tool_version text not null,
    inputs text not null
)"""


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ai-music-datasets")
    except PackageNotFoundError:
        return "unknown"


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def build_inputs(conn: sqlite3.Connection) -> dict:
    schema = "\n".join(
        sql
        for (sql,) in conn.execute(
            "select sql from sqlite_master where sql is not null and name not like 'sqlite_%' order by type, name"
        )
    )
    inputs = {
        "tool": {"name": "ai-music-datasets", "version": tool_version()},
        "schema_sha256": hashlib.sha256(schema.encode("utf-8")).hexdigest(),
        "datasets": _rows(
            conn,
            "select slug, revision, rows_published, rows_read, rows_loaded, rows_rejected, "
            "distinct_source_ids from datasets order by slug",
        ),
        "source_files": _rows(
            conn, "select dataset, path, rows_read, rows_loaded, rows_rejected from source_files order by dataset, path"
        ),
    }
    if conn.execute("select 1 from sqlite_master where name = 'models'").fetchone():
        inputs["models"] = _rows(
            conn,
            "select slug, list_file, list_revision, rows_listed, rows_in_datasets, "
            "rows_rejected from models order by slug",
        )
    return inputs


def record(conn: sqlite3.Connection) -> str:
    """Add the one-row `build` table to a finished build; returns the build id."""
    inputs = json.dumps(build_inputs(conn), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    build_id = hashlib.sha256(inputs.encode("utf-8")).hexdigest()
    conn.execute(TABLE)
    conn.execute("insert into build values (?, ?, ?, ?)", (build_id, "ai-music-datasets", tool_version(), inputs))
    return build_id


def read(conn: sqlite3.Connection) -> dict | None:
    """{"id", "tool", "tool_version"} of the build, or None for a database built before builds had ids."""
    try:
        row = conn.execute("select id, tool, tool_version from build").fetchone()
    except sqlite3.OperationalError:
        return None
    return dict(zip(("id", "tool", "tool_version"), row)) if row else None
