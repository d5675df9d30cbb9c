"""Rows as CSV lines or JSON objects, written by SQLite: ten times faster than formatting them in Python, so a
whole export streams at 100,000+ rows a second (plugins/exports.py, the artist page's CSV)."""

from __future__ import annotations

import csv
import io

from .datasets import DATASETS

NOTHING_TO_QUOTE = """not glob('*[",' || char(10) || char(13) || ']*', {})"""


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


def csv_line(cells, written: dict[str, str] | None = None) -> str:
    """SQL for one CSV line (without its line break) of (name, SQL value) cells; `written` gives the SQL of cells
    already written for CSV, by their value's SQL (`tracks_csv_cells`). printf's %s writes null as nothing and a
    number as SQLite prints it, and builds the line in one go."""
    written = written or {}
    return (
        "printf('"
        + ",".join(["%s"] * len(cells))
        + "', "
        + ", ".join(written.get(sql) or csv_cell(sql) for _, sql in cells)
        + ")"
    )


def tracks_csv_cells(table: str) -> dict[str, str]:
    """The CSV cells of the tracks table's two generated columns (`table` is its name or alias in the query),
    cheaper than csv_cell's: SQLite computes a generated column again wherever it is named, and csv_cell names its
    value seven times (a fifth of a whole export's CPU). `dataset` is always a slug: written as it is. `url` is a
    link prefix or a site before a source id or a page path, or a whole page URL as published: written as it is
    where the id and the page URL hold nothing to quote and the page URL is a path or absent, else by csv_cell."""
    url = f"{table}.url"
    fast = (
        f"(case when {table}.page_url is null and {NOTHING_TO_QUOTE.format(f'{table}.source_id')} then {url} "
        f"when substr({table}.page_url, 1, 1) = '/' and {NOTHING_TO_QUOTE.format(f'{table}.page_url')} then {url} "
        f"else {csv_cell(url)} end)"
    )
    return {f"{table}.dataset": f"{table}.dataset", url: fast}


# what tracks_csv_cells relies on: a slug and every part a url is made with need no quoting and cannot start a formula
assert all(
    part.startswith(("https://", "?", "&")) and not any(ch in part for ch in '",\r\n')
    for info in DATASETS
    for part in (info.page_site, *(info.derived_url or "").split("{}"))
    if part
) and all(info.slug.replace("-", "").isalnum() and info.slug[0].isalpha() for info in DATASETS), (
    "a slug or a URL prefix would need quoting in a CSV: tracks_csv_cells no longer holds"
)


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
