"""Rows as CSV lines or JSON objects, written by SQLite: ten times faster than formatting them in Python, so a
whole export streams at 100,000+ rows a second (plugins/exports.py, the artist page's CSV)."""

from __future__ import annotations

import csv
import io


def csv_cell(value: str) -> str:
    """SQL for a value as Python's csv module writes it (quoted when it holds a quote, a comma or a line break),
    made spreadsheet-safe like every CSV here (ingest.check.spreadsheet_safe: text starting with = + - @, a tab or
    a CR gets a leading ')."""
    formula = f"unicode({value}) in (61, 43, 45, 64, 9, 13)"
    special = (
        f"""(instr({value}, '"') or instr({value}, ',') or instr({value}, char(10)) or instr({value}, char(13)))"""
    )
    safe = f"""iif({formula}, '''' || {value}, {value})"""
    return (
        f"(case when typeof({value}) <> 'text' then {value} "
        f"""when {special} then '"' || replace({safe}, '"', '""') || '"' """
        f"""when {formula} then '''' || {value} else {value} end)"""
    )


def csv_line(cells) -> str:
    """SQL for one CSV line (without its line break) of (name, SQL value) cells. printf's %s writes null as
    nothing and a number as SQLite prints it, and builds the line in one go."""
    return "printf('" + ",".join(["%s"] * len(cells)) + "', " + ", ".join(csv_cell(sql) for _, sql in cells) + ")"


def json_object(cells) -> str:
    """SQL for one JSON object of (name, SQL value) cells."""
    return "json_object(" + ", ".join("'" + name.replace("'", "''") + "', " + sql for name, sql in cells) + ")"


def csv_text(rows) -> str:
    """Rows written by Python's csv module (a header, the line saying an export stopped)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def stopped(exported: int, reason: str) -> str:
    """The last line of a CSV export that had to stop."""
    return csv_text([[f"Export stopped after {exported:,} rows: {reason}. This file is incomplete."]])
