"""Row counts of filtered pages on the big tables, within the page budget.

Datasette counts a filtered table page with `select count(*)` under the 3 s SQL time limit: on the 22-million-row
tracks table that alone took 3 s for a column filter. On a big table's filtered page (HTML or JSON) Datasette's
count is skipped (`_nocount`, taken out of the page's links again) and the page counts instead, and says how:
- tracks: exactly from `track_counts` when every filter is on its columns; a search alone from the full-text index,
  up to 10,000 and past that exactly for a single word (from the index's word counts; `ingest/table_filters.py`);
- otherwise up to 1,000, then up to 10,000 within a 50 ms budget ("more than 1,000 rows"), or not at all, with a
  note saying why. The JSON page carries the count in `filtered_table_rows_count` (exact) or
  `filtered_table_rows_count_more_than`, and `count_note`.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import Filters
from datasette.utils import CustomJSONEncoder, escape_sqlite, tilde_decode
from datasette.utils.asgi import Request

from ingest import DATABASE
from ingest.table_filters import (
    COUNT_LIMIT,
    AtLeast,
    arg_pairs,
    filter_pairs,
    filtering,
    plan,
    search_description,
    single_term,
    table_clauses,
    table_request,
    tracks_info,
)

BIG_TABLE = 200_000  # rows: a table smaller than this is counted by Datasette as ever
COUNT_BUDGET_MS = 50  # for a count that is not precomputed
FIRST_COUNT = 1_000  # counted first, in 30% of the budget
COUNT_TASK = "table_counts.counting"  # the count started with the request, in its ASGI scope
# Datasette's own count is skipped by adding this to the request. Datasette copies the request's arguments into
# the links it builds (next page, facets, sort, the filter form): taken out of the page again, and out of a request
# that still carries it, so that the next page is counted too and no link shows it.
SKIP = ("_nocount", "counted-here")
_SKIP_IN_PAGE = re.compile(
    rb'<input type="hidden" name="_nocount" value="counted-here">|'
    rb"(?:&amp;|&|%26)_nocount(?:=|%3D)counted-here(?![\w-])|"
    rb"(?<=\?)_nocount=counted-here(?:&amp;|&)?"
)


def rows_in(datasette, table: str) -> int | None:
    return (((datasette.inspect_data or {}).get(DATABASE) or {}).get("tables", {}).get(table) or {}).get("count")


def counted_here(datasette, table: str, pairs) -> bool:
    """Whether this plugin counts a page of this table with these arguments."""
    rows = rows_in(datasette, table)
    if rows is None or (rows < BIG_TABLE and table != "tracks") or not filtering(pairs):
        return False
    keys = {key for key, _ in pairs}
    return not (keys & {"_nocount", "_through", "_fts_table", "_fts_pk"} or any(k.startswith("_search_") for k in keys))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def count_here(scope, receive, send):
            rest = table_request(scope, datasette.urls.database(DATABASE))
            if rest and not rest.endswith(".csv"):
                table = tilde_decode(rest[: -len(".json")] if rest.endswith(".json") else rest)
                query = scope.get("query_string", b"")
                pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                if SKIP in pairs:  # a link from one of these pages
                    pairs = [pair for pair in pairs if pair != SKIP]
                    query = urlencode(pairs, encoding="latin-1").encode("latin-1")
                    scope = dict(scope, query_string=query)
                if counted_here(datasette, table, pairs):
                    scope = dict(scope, query_string=query + (b"&" if query else b"") + urlencode([SKIP]).encode())
                    # counted on a SQL thread while Datasette reads the page's rows on another
                    counting = asyncio.ensure_future(count_rows(datasette, Request(scope, receive), table))
                    scope[COUNT_TASK] = counting
                    try:
                        return await _page_with_count(app, counting, scope, receive, send, rest.endswith(".json"))
                    finally:
                        if not counting.done():
                            counting.cancel()
                        elif not counting.cancelled():
                            counting.exception()  # a count that failed failed with its page: seen there
            await app(scope, receive, send)

        return count_here

    return wrap


async def _page_with_count(app, counting, scope, receive, send, is_json: bool):
    """The page without the argument that skipped Datasette's count; the JSON page with the count made here."""
    messages = []

    async def keep(message):
        messages.append(message)

    await app(scope, receive, keep)
    start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
    body = _SKIP_IN_PAGE.sub(b"", body)
    data = None
    if is_json and start.get("status") == 200:
        try:
            data = json.loads(body)
        except ValueError:
            pass
    if isinstance(data, dict) and data.get("filtered_table_rows_count", 0) is None:
        count, note = await _result(counting)
        data["filtered_table_rows_count"] = None if count is None or isinstance(count, AtLeast) else count
        if isinstance(count, AtLeast):
            data["filtered_table_rows_count_more_than"] = int(count)
        if note:
            data["count_note"] = note
        body = json.dumps(data, cls=CustomJSONEncoder).encode("utf-8")
    start = dict(
        start,
        headers=[(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        + [(b"content-length", str(len(body)).encode())],
    )
    await send(start)
    await send({"type": "http.response.body", "body": body})


async def _result(counting) -> tuple[int | None, str]:
    try:
        return await counting
    except sqlite3.Error:  # the page's own query fails the same way, and says why
        return None, ""


async def count_rows(datasette, request, table: str) -> tuple[int | None, str]:
    """The number of rows a table page's filters match (exact, a lower bound: AtLeast, or None when it could not
    be counted in time) and a note saying how it was counted, or why not."""
    db = datasette.get_database(DATABASE)
    metadata = datasette.table_metadata(DATABASE, table) or {}
    raw = metadata.get("searchmode") == "raw"
    fts, p = False, None
    if table == "tracks":
        info = await tracks_info(db)
        p = plan(request.args, info.ranges, info.fts_ok, raw)
    if p and p.supported:
        if p.counts_clauses is not None and info.has_counts:
            return (
                await db.execute(
                    f"select coalesce(sum(tracks), 0) from track_counts{p.counts_where()}", p.counts_params
                )
            ).single_value(), ""
        if p.search_only:
            # the index counts a search's matches up to COUNT_LIMIT; past that, one word over every dataset is
            # counted exactly by the typo index's word counts, and anything else says where counting stopped
            counted = (await db.execute(p.fts_count_sql(COUNT_LIMIT), p.all_params)).single_value()
            if counted <= COUNT_LIMIT:
                return counted, ""
            term = single_term(p.fts) if not p.id_range else None
            if term:
                exact = (await db.execute("select track_docs from search_terms where term = ?", [term])).first()
                if exact:
                    return exact[0], ""
            return AtLeast(COUNT_LIMIT), f"Counting stopped at {COUNT_LIMIT:,} rows."
        rows_sql, params, fts = p.rows_sql("1"), p.all_params, bool(p.fts)
    else:
        filters = table_clauses(table, request.args, metadata.get("fts_table") or await db.fts_table(table), raw)
        if filters is None:
            return None, ""
        clauses, params = filters
        where = (" where " + " and ".join(f"({c})" for c in clauses)) if clauses else ""
        rows_sql = f"select 1 from {escape_sqlite(table)}{where}"
    # up to 1,000 first (a few ms), then up to COUNT_LIMIT in the rest of the budget
    at_least = None
    for limit, budget in ((FIRST_COUNT, COUNT_BUDGET_MS * 3 // 10), (COUNT_LIMIT, COUNT_BUDGET_MS * 7 // 10)):
        try:
            counted = (
                await db.execute(
                    f"select count(*) from ({rows_sql} limit {limit + 1})", params, custom_time_limit=budget
                )
            ).single_value()
        except QueryInterrupted:
            break
        if counted <= limit:
            return counted, ""
        at_least = limit
    if at_least:
        return AtLeast(at_least), f"Counting stopped at {at_least:,} rows."
    if fts:
        return None, (
            "Not counted: more rows match the full-text index than can be checked in time. Narrow the "
            "search (more words, a dataset) to have them counted."
        )
    total = f" of {rows_in(datasette, table):,} rows" if rows_in(datasette, table) else ""
    return None, (
        f"Not counted: counting would read more of the table{total} than a page can wait for (no index "
        "answers this filter)."
        + (
            " Search (full-text, whole words) or an exact dataset, title, "
            "artist_credit or album filter is counted quickly."
            if table == "tracks"
            else ""
        )
    )


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    if (
        view_name != "table"
        or database != DATABASE
        or not table
        or request is None
        or not counted_here(datasette, table, [p for p in arg_pairs(request.args) if p != SKIP])
    ):
        return {}

    async def counted():
        counting = request.scope.get(COUNT_TASK)
        count, note = await _result(counting if counting is not None else count_rows(datasette, request, table))
        values = {"filtered_table_rows_count": count, "count_note": note}
        if count is None and table != "tracks":
            # no template of ours shows the note on other tables' pages: the heading carries it
            values["human_description_en"] = f"{_described(request)} (not counted in time)".strip()
        return values

    return counted


def _described(request) -> str:
    """The heading's description of the filters, as Datasette words it."""
    search = request.args.get("_search")
    extra = [search_description(search)] if search and search.strip() else []
    return Filters(filter_pairs(request.args)).human_description_en(extra=extra)
