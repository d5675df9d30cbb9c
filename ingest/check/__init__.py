"""The catalogue check: a label's list of its tracks (a CSV in any common encoding, an .xlsx workbook, a delivery
sheet, a pasted list of `Artist - Title` lines) → which of them appear in the datasets, every match labelled with
its basis and a score and citing the publisher's file and row, in a report that can be cited (same input + same
database build → same bytes, SHA-256).

- `reading.py`: the file → `Catalogue` (rows, the columns recognised or mapped by hand, durations, encodings);
- `matching.py`: rows → matches (ids and links through `ingest/lookup.py`, then names);
- `report.py`: matches → the report (JSON with its SHA-256, CSV, a summary).

Used by the command line (`python -m ingest check`) and the web page (`plugins/catalogue_check.py`); nothing here
knows about Datasette. All name normalization comes from `normalize.py`, the code the build uses for its keys.

Bases of a match, best first:

- an id or link (score 100, certain): a YouTube video id (LAION's `source_id`, or a Sleeping-DISCO song's YouTube
  link), a Spotify track id, a Genius song URL or `genius.com/songs/<id>`, an FMA track URL;
- `normalized` (95): the same artist and title once both are normalized (`match_key`, `title_key`): case, accents,
  scripts, `feat.` credits, `&`/`and`, a leading "The", punctuation and version tags such as `(Remastered 2011)`
  do not count. 5 less when the tags name another recording (live, remix, acoustic …), 10 less when both sides
  have a duration and they differ by more than 10 s;
- `fuzzy` (85–94): artist and title both at least `FUZZY_THRESHOLD` similar (rapidfuzz), numbers in the title
  identical, and durations within 10 s when both are known. Tried only when no `normalized` match was found.
"""

import sqlite3

from .matching import (
    DURATION_TOLERANCE_S,
    FUZZY_MAX,
    FUZZY_THRESHOLD,
    MAX_MATCHES_PER_ROW,
    SCORE_ID,
    SCORE_NORMALIZED,
    match_catalogue,
)
from .reading import (
    ALIASES,
    ENCODINGS,
    FIELDS,
    Catalogue,
    CatalogueError,
    CatalogueRow,
    Preview,
    parse_duration,
    read_catalogue,
    template_csv,
)
from .report import (
    build_report,
    dataset_info,
    report_csv,
    report_json,
    report_rows,
    report_sha256,
    spreadsheet_safe,
    summary_lines,
    utc_now,
)

__all__ = [
    "ALIASES",
    "ENCODINGS",
    "FIELDS",
    "Catalogue",
    "CatalogueError",
    "CatalogueRow",
    "DURATION_TOLERANCE_S",
    "FUZZY_MAX",
    "FUZZY_THRESHOLD",
    "MAX_MATCHES_PER_ROW",
    "Preview",
    "SCORE_ID",
    "SCORE_NORMALIZED",
    "check_catalogue",
    "parse_duration",
    "read_catalogue",
    "report_csv",
    "report_json",
    "report_rows",
    "report_sha256",
    "spreadsheet_safe",
    "summary_lines",
    "template_csv",
    "utc_now",
]


def check_catalogue(
    conn: sqlite3.Connection, catalogue: Catalogue, *, time_budget_s: float | None = None, progress=None
) -> dict:
    """Check every readable row of `catalogue` against the database; returns the report body (see `report_json`).
    With a time budget the check stops when it runs out and the report says how many rows were checked;
    `progress(done, total)` hears how far it is."""
    datasets = dataset_info(conn)
    matching = match_catalogue(conn, catalogue, time_budget_s=time_budget_s, progress=progress)
    return build_report(conn, catalogue, matching, datasets)
