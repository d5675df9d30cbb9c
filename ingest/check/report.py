"""The report: what was found for every row, in a canonical JSON (with its SHA-256), a flat CSV and a summary."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3

from .matching import (DURATION_PENALTY, DURATION_TOLERANCE_S, FUZZY_MAX, FUZZY_THRESHOLD, ID_BASES,
                       MAX_MATCHES_PER_ROW, ROLES, SCORE_ID, SCORE_NORMALIZED, VERSION_PENALTY, Matching,
                       dataset_rank)
from .reading import FIELDS, Catalogue

def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("ai-music-datasets")
    except PackageNotFoundError:
        return "unknown"


def dataset_info(conn: sqlite3.Connection) -> list[dict]:
    cursor = conn.execute("select * from datasets")
    names = [d[0] for d in cursor.description]
    wanted = ("slug", "name", "publisher", "revision", "rows_published", "rows_read", "rows_loaded", "rows_rejected")
    rows = [{key: row[names.index(key)] for key in wanted if key in names} for row in cursor.fetchall()]
    return sorted(rows, key=lambda d: dataset_rank(d["slug"]))


def _track_details(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict]:
    details = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in conn.execute("select id, dataset, source_id, title, artist_credit, album, duration_s, url "
                                f"from tracks where id in ({', '.join('?' * len(chunk))})", chunk):
            details[row[0]] = dict(zip(("track_id", "dataset", "source_id", "title", "artist_credit", "album",
                                        "duration_s", "url"), row))
    return details


def _credit(conn: sqlite3.Connection, track_id: int, artist_id: int | None) -> str | None:
    """How the artist a name match went through is credited on the track: primary, featured or writer."""
    if artist_id is None:
        return None
    roles = {role for (role,) in conn.execute("select role from track_artists where track_id = ? and artist_id = ?",
                                              (track_id, artist_id))}
    return min(roles, key=lambda role: ROLES.index(role) if role in ROLES else len(ROLES), default=None)


def build_report(conn: sqlite3.Connection, catalogue: Catalogue, matching: Matching, datasets: list[dict]) -> dict:
    """The report body: the catalogue's rows with their matches, the datasets and the method."""
    results, stopped, matcher = matching.results, matching.stopped, matching.matcher
    listed = sorted({m.track_id for matches in results.values() for m in matches[:MAX_MATCHES_PER_ROW]})
    details = _track_details(conn, listed)
    rows, by_dataset, by_basis = [], {d["slug"]: 0 for d in datasets}, {}
    for row in catalogue.rows:
        entry = {"line": row.line, "input": {name: row.values[name] for name in FIELDS if name in row.values},
                 "notes": row.notes}
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
            entry.update(status="matched" if matches else "unmatched", datasets=slugs, matches_total=len(matches),
                         matches=[{**details[m.track_id], "basis": m.basis, "score": m.score, "note": m.note,
                                   "credit": _credit(conn, m.track_id, m.artist_id)}
                                  for m in matches[:MAX_MATCHES_PER_ROW]])
        rows.append(entry)
    notes = list(catalogue.notes)
    if not matcher.has_page_index and any(link.kind in ("genius_song", "fma_track") and not link.value.isdigit()
                                          for row in catalogue.rows for link in row.links):
        notes.append("this database has no tracks_page_url index, so Genius and FMA page links were not looked up "
                     "(rebuild it with python -m ingest build)")
    checked = sum(1 for row in rows if row["status"] in ("matched", "unmatched"))
    return {
        "tool": {"name": "ai-music-datasets", "version": tool_version()},
        "method": {
            "scores": {"id": SCORE_ID, "normalized": SCORE_NORMALIZED, "fuzzy_max": FUZZY_MAX},
            "fuzzy_threshold": FUZZY_THRESHOLD, "duration_tolerance_s": DURATION_TOLERANCE_S,
            "version_penalty": VERSION_PENALTY, "duration_penalty": DURATION_PENALTY,
            "max_matches_per_row": MAX_MATCHES_PER_ROW,
        },
        "datasets": datasets,
        "input": {"sha256": catalogue.sha256, "bytes": catalogue.size, "encoding": catalogue.encoding,
                  "delimiter": catalogue.delimiter, "columns": catalogue.columns,
                  "ignored_columns": catalogue.ignored_columns, "blank_lines": catalogue.blank_lines},
        "notes": notes,
        "summary": {
            "rows": len(rows), "checked": checked,
            "matched": sum(1 for row in rows if row["status"] == "matched"),
            "unmatched": sum(1 for row in rows if row["status"] == "unmatched"),
            "unreadable": sum(1 for row in rows if row["status"] == "unreadable"),
            "not_checked": sum(1 for row in rows if row["status"] == "not checked"),
            "by_dataset": by_dataset, "by_best_basis": by_basis,
            "complete": stopped is None,
            "stopped": None if stopped is None else f"{stopped}: {checked:,} of {len(rows):,} rows were checked",
        },
        "rows": rows,
    }


def report_sha256(body: dict) -> str:
    """SHA-256 of the report body in its canonical form: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_json(body: dict) -> bytes:
    """The report as a JSON document: {"report": body, "sha256": report_sha256(body)}."""
    document = {"report": body, "sha256": report_sha256(body),
                "sha256_of": 'json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")) in UTF-8'}
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CSV_COLUMNS = ("line", "status", "artist", "title", "album", "isrc", "duration", "youtube", "spotify", "url",
               "dataset", "basis", "score", "matched_title", "matched_artist_credit", "matched_album",
               "matched_duration_s", "matched_url", "source_id", "track_id", "credit", "match_note", "row_notes")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab/CR) gets a `'`."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_rows(body: dict):
    """One flat row per match (one for a row without matches), in the order of the page."""
    for row in body["rows"]:
        base = {"line": row["line"], "status": row["status"], **row["input"],
                "row_notes": "; ".join(filter(None, [row.get("reason")] + row["notes"]))}
        if not row.get("matches"):
            yield base
        for match in row.get("matches", ()):
            yield {**base, "dataset": match["dataset"], "basis": match["basis"], "score": match["score"],
                   "matched_title": match["title"], "matched_artist_credit": match["artist_credit"],
                   "matched_album": match["album"], "matched_duration_s": match["duration_s"],
                   "matched_url": match["url"], "source_id": match["source_id"], "track_id": match["track_id"],
                   "credit": match["credit"], "match_note": match["note"]}


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
    lines = [f"{summary['matched']:,} of {summary['rows']:,} of your tracks appear in at least one dataset"]
    basis = summary["by_best_basis"]
    lines.append(f"  by id or link: {basis.get('id', 0):,}, by normalized artist and title: "
                 f"{basis.get('normalized', 0):,}, fuzzy only: {basis.get('fuzzy', 0):,}")
    lines += [f"  {names.get(slug, slug)}: {n:,}" for slug, n in summary["by_dataset"].items()]
    if summary["unreadable"]:
        lines.append(f"could not be read ({summary['unreadable']:,}): line "
                     + ", ".join(str(r["line"]) for r in body["rows"] if r["status"] == "unreadable"))
    if summary["stopped"]:
        lines.append(f"stopped: {summary['stopped']}")
    return lines + body["notes"]
