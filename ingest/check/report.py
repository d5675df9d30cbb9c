"""The report: what was found for every row, with evidence a lawyer can cite back to the publisher (dataset,
revision, the publisher's file and row or line, the link to the original), in a canonical JSON with its SHA-256,
a flat CSV, and a summary.

The report body holds nothing that changes between runs: the same input checked against the same database (its
build id) gives the same bytes. The check date is an input of `report_json`, outside the hashed body.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import sqlite3

from .. import build_info
from ..records import ROLES
from .matching import (
    DURATION_PENALTY,
    DURATION_TOLERANCE_S,
    FUZZY_MAX,
    FUZZY_THRESHOLD,
    ID_BASES,
    MAX_MATCHES_PER_ROW,
    SCORE_ID,
    SCORE_NORMALIZED,
    VERSION_PENALTY,
    Match,
    Matching,
    dataset_rank,
)
from .reading import FIELDS, MS_THRESHOLD, Catalogue

CERTAIN_SCORE = 90  # a best match below this (or a fuzzy one) makes the row "uncertain": check it by eye
STATUSES = ("matched", "uncertain", "unmatched", "unreadable", "not checked")


def tool_version() -> str:
    return build_info.tool_version()


def dataset_info(conn: sqlite3.Connection) -> list[dict]:
    cursor = conn.execute("select * from datasets")
    names = [d[0] for d in cursor.description]
    wanted = (
        "slug",
        "name",
        "publisher",
        "source_url",
        "revision",
        "rows_published",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
    )
    rows = [{key: row[names.index(key)] for key in wanted if key in names} for row in cursor.fetchall()]
    return sorted(rows, key=lambda d: dataset_rank(d["slug"]))


def _track_details(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict]:
    """The listed tracks with where the publisher has them: file and row (parquet) or line (JSONL, CSV)."""
    details = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in conn.execute(
            "select t.id, t.dataset, t.source_id, t.title, t.artist_credit, t.album, "
            "t.duration_s, t.url, f.path, t.source_row from tracks t "
            "left join source_files f on f.id = t.source_file "
            f"where t.id in ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            track = dict(
                zip(
                    (
                        "track_id",
                        "dataset",
                        "source_id",
                        "title",
                        "artist_credit",
                        "album",
                        "duration_s",
                        "url",
                        "source_file",
                        "source_row",
                    ),
                    row,
                )
            )
            track["source_unit"] = "row" if (track["source_file"] or "").endswith(".parquet") else "line"
            details[row[0]] = track
    return details


def _credit(conn: sqlite3.Connection, track_id: int, artist_ids) -> str | None:
    """How the track credits the row's artist: the best role (primary, featured, writer) of the artists the
    match went through, so a track found through a featured guest is still reported under its primary artist."""
    if not artist_ids:
        return None
    ids = sorted(artist_ids)
    roles = {
        role
        for (role,) in conn.execute(
            f"select role from track_artists where track_id = ? and artist_id in ({', '.join('?' * len(ids))})",
            (track_id, *ids),
        )
    }
    return min(roles, key=lambda role: ROLES.index(role) if role in ROLES else len(ROLES), default=None)


def row_status(matches: list[Match]) -> str:
    if not matches:
        return "unmatched"
    best = matches[0]
    return "uncertain" if best.basis == "fuzzy" or best.score < CERTAIN_SCORE else "matched"


def build_report(conn: sqlite3.Connection, catalogue: Catalogue, matching: Matching, datasets: list[dict]) -> dict:
    """The report body: the catalogue's rows with their matches and evidence, the datasets, the database build
    and the method."""
    results, stopped, matcher = matching.results, matching.stopped, matching.matcher
    listed = sorted({m.track_id for matches in results.values() for m in matches[:MAX_MATCHES_PER_ROW]})
    details = _track_details(conn, listed)
    revisions = {d["slug"]: d.get("revision") for d in datasets}
    rows: list = []
    by_dataset = {d["slug"]: 0 for d in datasets}
    by_basis: dict[str, int] = {}
    for row in catalogue.rows:
        entry = {
            "line": row.line,
            "input": {name: row.values[name] for name in FIELDS if name in row.values},
            "duration_s": row.duration_s,
            "notes": row.notes,
        }
        if row.problem is not None:
            entry.update(status="unreadable", reason=row.problem, raw=row.raw)
        elif row.line not in results:
            entry.update(status="not checked", reason="the check stopped before this row")
        else:
            matches = results[row.line]
            slugs = sorted({m.dataset for m in matches}, key=dataset_rank)
            for slug in slugs:
                by_dataset[slug] = by_dataset.get(slug, 0) + 1
            if matches:
                best = "id" if matches[0].basis in ID_BASES else matches[0].basis
                by_basis[best] = by_basis.get(best, 0) + 1
            entry.update(
                status=row_status(matches),
                best_score=matches[0].score if matches else None,
                datasets=slugs,
                matches_total=len(matches),
                matches=[
                    {
                        **details[m.track_id],
                        "revision": revisions.get(m.dataset),
                        "basis": m.basis,
                        "score": m.score,
                        "note": m.note,
                        "credit": _credit(conn, m.track_id, m.artist_ids),
                    }
                    for m in matches[:MAX_MATCHES_PER_ROW]
                ],
            )
        rows.append(entry)
    notes = list(catalogue.notes)
    if not matcher.has_page_index and any(
        link.kind in ("genius_song", "fma_track") and not link.value.isdecimal()
        for row in catalogue.rows
        for link in row.links
    ):
        notes.append(
            "this database has no tracks_page_url index, so Genius and FMA page links were not looked up "
            "(rebuild it with python -m ingest build)"
        )
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in STATUSES}
    checked = counts["matched"] + counts["uncertain"] + counts["unmatched"]
    build = build_info.read(conn)
    return {
        "tool": {"name": "ai-music-datasets", "version": tool_version()},
        "database": {
            "build_id": build["id"] if build else None,
            "built_with": f"{build['tool']} {build['tool_version']}" if build else None,
        },
        "method": {
            "scores": {"id": SCORE_ID, "normalized": SCORE_NORMALIZED, "fuzzy_max": FUZZY_MAX},
            "fuzzy_threshold": FUZZY_THRESHOLD,
            "duration_tolerance_s": DURATION_TOLERANCE_S,
            "version_penalty": VERSION_PENALTY,
            "duration_penalty": DURATION_PENALTY,
            "max_matches_per_row": MAX_MATCHES_PER_ROW,
            "certain_score": CERTAIN_SCORE,
            "milliseconds_from": MS_THRESHOLD,
        },
        "datasets": datasets,
        "input": {
            "sha256": catalogue.sha256,
            "bytes": catalogue.size,
            "format": catalogue.format,
            "encoding": catalogue.encoding,
            "delimiter": catalogue.delimiter,
            "sheet": catalogue.sheet,
            "header_line": catalogue.header_line,
            "columns": catalogue.columns,
            "ignored_columns": catalogue.ignored_columns,
            "blank_lines": catalogue.blank_lines,
            "durations": dict(sorted(catalogue.durations.items())),
        },
        "notes": notes,
        "summary": {
            "rows": len(rows),
            "checked": checked,
            "found": counts["matched"] + counts["uncertain"],
            "matched": counts["matched"],
            "uncertain": counts["uncertain"],
            "unmatched": counts["unmatched"],
            "unreadable": counts["unreadable"],
            "not_checked": counts["not checked"],
            "by_dataset": by_dataset,
            "by_best_basis": by_basis,
            "complete": stopped is None,
            "stopped": None if stopped is None else f"{stopped}: {checked:,} of {len(rows):,} rows were checked",
        },
        "rows": rows,
    }


def report_sha256(body: dict) -> str:
    """SHA-256 of the report body in its canonical form: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_json(body: dict, checked_at: str | None = None) -> bytes:
    """The report as a JSON document: {"report": body, "sha256": report_sha256(body), "checked_at": …}. The check
    date (UTC) lies outside the hashed body, so the hash depends only on the input and the database."""
    document = {
        "report": body,
        "sha256": report_sha256(body),
        "sha256_of": 'json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")) in UTF-8',
    }
    if checked_at:
        document["checked_at"] = checked_at
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


INPUT_COLUMNS = tuple(FIELDS)
CSV_COLUMNS = (
    "line",
    "status",
    *INPUT_COLUMNS,
    "duration_s",
    "dataset",
    "dataset_revision",
    "basis",
    "score",
    "matched_title",
    "matched_artist_credit",
    "matched_album",
    "matched_duration_s",
    "matched_url",
    "source_id",
    "source_file",
    "source_unit",
    "source_row",
    "track_id",
    "credit",
    "match_note",
    "row_notes",
)


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab/CR) gets a `'`."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_rows(body: dict):
    """One flat row per match (one for a row without matches), in the order of the page."""
    for row in body["rows"]:
        base = {
            "line": row["line"],
            "status": row["status"],
            **row["input"],
            "duration_s": row.get("duration_s"),
            "row_notes": "; ".join(filter(None, [row.get("reason")] + row["notes"])),
        }
        if not row.get("matches"):
            yield base
        for match in row.get("matches", ()):
            yield {
                **base,
                "dataset": match["dataset"],
                "dataset_revision": match["revision"],
                "basis": match["basis"],
                "score": match["score"],
                "matched_title": match["title"],
                "matched_artist_credit": match["artist_credit"],
                "matched_album": match["album"],
                "matched_duration_s": match["duration_s"],
                "matched_url": match["url"],
                "source_id": match["source_id"],
                "source_file": match["source_file"],
                "source_unit": match["source_unit"],
                "source_row": match["source_row"],
                "track_id": match["track_id"],
                "credit": match["credit"],
                "match_note": match["note"],
            }


def report_csv(body: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for flat in report_rows(body):
        writer.writerow({key: spreadsheet_safe(value) for key, value in flat.items()})
    return out.getvalue()


def summary_lines(body: dict) -> list[str]:
    summary = body["summary"]
    names = {d["slug"]: d.get("name") or d["slug"] for d in body["datasets"]}
    lines = [
        f"{summary['found']:,} of {summary['rows']:,} of your tracks appear in at least one dataset"
        + (f" ({summary['uncertain']:,} uncertain: check them by eye)" if summary["uncertain"] else "")
    ]
    basis = summary["by_best_basis"]
    lines.append(
        f"  by id or link: {basis.get('id', 0):,}, by normalized artist and title: "
        f"{basis.get('normalized', 0):,}, fuzzy only: {basis.get('fuzzy', 0):,}"
    )
    lines += [f"  {names.get(slug, slug)}: {n:,}" for slug, n in summary["by_dataset"].items()]
    lines.append(f"not found: {summary['unmatched']:,}")
    if summary["unreadable"]:
        lines.append(
            f"could not be read ({summary['unreadable']:,}): line "
            + ", ".join(str(r["line"]) for r in body["rows"] if r["status"] == "unreadable")
        )
    if summary["stopped"]:
        lines.append(f"stopped: {summary['stopped']}")
    database = body.get("database") or {}
    lines.append(
        f"input: {body['input']['format']}, {body['input']['encoding']}; database build "
        f"{(database.get('build_id') or 'unknown')[:16]}; {body['tool']['name']} {body['tool']['version']}"
    )
    return lines + body["notes"]
