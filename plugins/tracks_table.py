"""The tracks table explored as Datasette invites, at 22 million rows: table search, column filters, counts and
facets answer within the page budget (the SQL is in `ingest/table_filters.py`).

- `?_search=` and exact filters on title, artist_credit or album: the page's rows come from the full-text index,
  read in id order and stopped at the page's last row, in place of Datasette's clause that gathers every match.
- Counts: Datasette's `count(*)` is skipped (`_nocount`) and the page counts instead: exactly from `track_counts`
  (filters on its columns) or from the index (a search alone), else up to 10,000 within a time budget, else not
  at all, and says which.
- Facets on `track_counts` columns, and on `dataset` for a search, come from precomputed counts or the index;
  any other facet gets a time budget and Datasette's "These facets timed out" when it cannot make it.
- The table page's CSV link, and a JSON one, export every matching row (`plugins/exports.py`).
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet, ColumnFacet
from datasette.filters import FilterArguments
from datasette.plugins import pm
from datasette.utils import CustomJSONEncoder, await_me_maybe, escape_sqlite, path_with_added_args, \
    path_with_removed_args, urlsafe_components
from datasette.utils.asgi import Request

from ingest import DATABASE, track_counts
from ingest.table_filters import COUNT_LIMIT, AtLeast, plan, tracks_info

TABLE = "tracks"
COUNT_BUDGET_MS = 50  # for a count that is not precomputed
FIRST_COUNT = 1_000  # counted first, in 30% of that
FACET_BUDGET_MS = 60  # for a facet that is not precomputed


def _is_tracks(database, table) -> bool:
    return database == DATABASE and table == TABLE


def arg_pairs(args) -> list[tuple[str, str]]:
    return [(key, value) for key in args for value in args.getlist(key)]


def filtering(pairs) -> bool:
    """Whether a request's arguments filter the rows (so that Datasette would count them)."""
    for key, value in pairs:
        if not key.startswith("_") or "__" in key or key in ("_where", "_through"):
            return True
        if key.startswith("_search") and key != "_searchmode" and value:
            return True
    return False


# --- the request: no count(*) of Datasette's own on a filtered page ---------------------------------------------
@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_nocount(scope, receive, send):
            if scope["type"] == "http" and scope.get("method") == "GET":
                path = scope.get("path", "")
                table = datasette.urls.table(DATABASE, TABLE)
                if path in (table, table + ".json"):
                    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                    if filtering(pairs) and not any(key == "_nocount" for key, _ in pairs):
                        query = scope["query_string"] + (b"&" if scope["query_string"] else b"") + b"_nocount=1"
                        scope = dict(scope, query_string=query)
                        if path.endswith(".json"):
                            return await _json_with_count(app, datasette, scope, receive, send)
            await app(scope, receive, send)

        return add_nocount

    return wrap


async def _json_with_count(app, datasette, scope, receive, send):
    """The JSON page with our count in filtered_table_rows_count (exact), or filtered_table_rows_count_more_than
    (counting stopped there), and count_note when it says how or why not."""
    messages = []

    async def keep(message):
        messages.append(message)

    await app(scope, receive, keep)
    start, body = messages[0], b"".join(m.get("body", b"") for m in messages[1:])
    data = None
    if start.get("status") == 200:
        try:
            data = json.loads(body)
        except ValueError:
            pass
    if isinstance(data, dict) and data.get("filtered_table_rows_count", 0) is None:
        count, note = await count_rows(datasette, Request(scope, receive))
        data["filtered_table_rows_count"] = None if count is None or isinstance(count, AtLeast) else count
        if isinstance(count, AtLeast):
            data["filtered_table_rows_count_more_than"] = int(count)
        if note:
            data["count_note"] = note
        body = json.dumps(data, cls=CustomJSONEncoder).encode("utf-8")
        start = dict(start, headers=[(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                     + [(b"content-length", str(len(body)).encode())])
    await send(start)
    await send({"type": "http.response.body", "body": body})


# --- rows: the full-text index drives ---------------------------------------------------------------------------
def _page_size(request, datasette) -> int:
    size = request.args.get("_size") or (datasette.table_metadata(DATABASE, TABLE) or {}).get("size")
    if size == "max":
        return datasette.max_returned_rows
    try:
        return max(0, min(int(size), datasette.max_returned_rows)) if size else datasette.page_size
    except ValueError:
        return datasette.max_returned_rows


def _after(request) -> int | None:
    token = request.args.get("_next")
    if not token:
        return None
    try:
        return max(-2**62, min(int(urlsafe_components(token)[-1]), 2**62))
    except ValueError:
        return None


def _facet_types_handled(request) -> bool:
    classes = [c for classes in pm.hook.register_facet_classes() for c in classes]
    ours = TracksColumnFacet in classes and TracksArrayFacet in classes
    return ours and all(key in ("_facet", "_facet_array", "_facet_size") for key in request.args
                        if key.startswith("_facet"))


def _is_default_search(result) -> bool:
    return getattr(result, "__module__", "") == "datasette.filters" and \
        getattr(result, "__qualname__", "").startswith("search_filters.")


@hookimpl(wrapper=True)
def filters_from_request(request, database, table, datasette):
    results = yield
    if not _is_tracks(database, table):
        return results
    default = [result for result in results if _is_default_search(result)]
    if len(default) != 1:
        return results

    async def search():
        args = request.args
        info = await tracks_info(datasette.get_database(DATABASE))
        raw = (datasette.table_metadata(DATABASE, TABLE) or {}).get("searchmode") == "raw"
        p = plan(args, info.ranges, info.fts_ok, raw)
        # The window answers the page only: Datasette's count and facets over it would be wrong, so it is used
        # only where they are not run (ours replace them)
        uncounted = args.get("_nocount") or args.get("_shape") in ("array", "object")
        unsuggested = not datasette.setting("suggest_facets") or args.get("_nosuggest")
        if p.supported and p.fts and uncounted and unsuggested and _facet_types_handled(request):
            descending = args.get("_sort_desc") == "id"
            window = p.window_sql(_page_size(request, datasette) + 1, _after(request), descending)
            context = {"supports_search": True, "search": args.get("_search") or ""}
            descriptions = [f'search matches "{p.search}"'] if p.search else []
            return FilterArguments([f"id in ({window})"], p.all_params, descriptions, context)
        if "_search" in args and not p.search and p.supported:
            # a blank search (the filter form sends one) searches for nothing: Datasette would fail on it
            return FilterArguments([], {}, [], {"supports_search": True, "search": args.get("_search")})
        return await await_me_maybe(default[0])

    return [search if result is default[0] else result for result in results]


# --- counts -----------------------------------------------------------------------------------------------------
async def count_rows(datasette, request) -> tuple[int | None, str]:
    """The number of rows a request's filters match (exact, a lower bound: AtLeast, or None when it could not be
    counted in time) and a note saying how it was counted, or why not."""
    db = datasette.get_database(DATABASE)
    info = await tracks_info(db)
    raw = (datasette.table_metadata(DATABASE, TABLE) or {}).get("searchmode") == "raw"
    p = plan(request.args, info.ranges, info.fts_ok, raw)
    if p.counts_clauses is not None and info.has_counts:
        rows = await db.execute(f"select coalesce(sum(tracks), 0) from track_counts{p.counts_where()}",
                                p.counts_params)
        return rows.single_value(), ""
    if p.search_only and p.supported:
        # the index alone counts a search's matches; a search too common for the budget stops at COUNT_LIMIT
        try:
            return (await db.execute(p.fts_count_sql(), p.all_params,
                                     custom_time_limit=COUNT_BUDGET_MS)).single_value(), ""
        except QueryInterrupted:
            counted = (await db.execute(p.fts_count_sql(COUNT_LIMIT), p.all_params)).single_value()
            if counted <= COUNT_LIMIT:
                return counted, ""
            return AtLeast(COUNT_LIMIT), f"Counting stopped at {COUNT_LIMIT:,} rows."
    # up to 1,000 first (a few ms), then up to COUNT_LIMIT in the rest of the budget
    at_least = None
    for limit, budget in ((FIRST_COUNT, COUNT_BUDGET_MS * 3 // 10), (COUNT_LIMIT, COUNT_BUDGET_MS * 7 // 10)):
        try:
            counted = (await db.execute(p.bounded_count_sql(limit), p.all_params,
                                        custom_time_limit=budget)).single_value()
        except QueryInterrupted:
            break
        if counted <= limit:
            return counted, ""
        at_least = limit
    if at_least:
        return AtLeast(at_least), f"Counting stopped at {at_least:,} rows."
    if p.fts:
        return None, ("Not counted: more rows match the full-text index than can be checked in time. Narrow the "
                      "search (more words, a dataset) to have them counted.")
    total = f" ({info.rows:,} tracks)" if info.rows else ""
    return None, ("Not counted: no index answers this filter, so counting would read the whole table" + total
                  + ". Search (full-text, whole words) or an exact dataset, title, artist_credit or album filter "
                  "is counted quickly.")


def export_url(datasette, request, fmt: str) -> str:
    """Every row the page's filters match, streamed whole (plugins/exports.py)."""
    keep = [(key, value) for key, value in arg_pairs(request.args)
            if key not in ("_next", "_size", "_nocount", "_nofacet", "_nosuggest", "_stream", "_dl", "_shape", "_labels",
                           "_sort", "_sort_desc", "_facet_size", "_trace")
            and not key.startswith("_facet")]
    query = urlencode(keep + [("_labels", "on"), ("_stream", "on"), ("_dl", "on")])
    return datasette.urls.table(DATABASE, TABLE, format=fmt) + "?" + query


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "table" or not _is_tracks(database, table) or request is None:
        return {}

    async def counted():
        values = {"export_csv_url": export_url(datasette, request, "csv"),
                  "export_json_url": export_url(datasette, request, "json")}
        # Datasette's own CSV link gives the first 1,000 rows; this one gives them all
        values["url_csv"] = values["export_csv_url"]
        values["export_filtered"] = filtering(arg_pairs(request.args))
        if values["export_filtered"]:
            count, note = await count_rows(datasette, request)
            values.update(filtered_table_rows_count=count, count_note=note)
        return values

    return counted


# --- facets: precomputed where they can be ------------------------------------------------------------------------
def _value_rows(rows) -> list[dict]:
    return [{"value": row[0], "count": row[1]} for row in rows]


class _TracksFacet:
    """What the tracks facets share: the plan, and Datasette's facet result built from (value, count) rows."""

    async def _plan(self):
        info = await tracks_info(self.ds.get_database(self.database))
        raw = (self.ds.table_metadata(DATABASE, TABLE) or {}).get("searchmode") == "raw"
        return plan(self.request.args, info.ranges, info.fts_ok, raw), info

    async def facet_results(self):
        if not _is_tracks(self.database, self.table):
            return await super().facet_results()
        p, info = await self._plan()
        results, timed_out = [], []
        size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self.counts(p, info, column, size + 1)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            results.append(await self._result(column, source, rows, size, qs_pairs))
        return results, timed_out

    async def _result(self, column, source, rows, size, qs_pairs) -> dict:
        shown = rows[:size]
        expanded = await self.ds.expand_foreign_keys(self.database, self.table, column,
                                                     [row["value"] for row in shown]) if self.type == "column" else {}
        values = []
        for row in shown:
            key = f"{column}__{'exact' if self.type == 'column' else 'arraycontains'}" \
                if column.startswith("_") or self.type == "array" else column
            selected = (key, str(row["value"])) in qs_pairs
            toggle = path_with_removed_args(self.request, {key: str(row["value"])}) if selected \
                else path_with_added_args(self.request, {key: row["value"]})
            values.append({"value": row["value"], "label": expanded.get((column, row["value"]), row["value"]),
                           "count": row["count"], "toggle_url": self.ds.absolute_url(self.request,
                                                                                      self.ds.urls.path(toggle)),
                           "selected": selected})
        arg = "_facet" if self.type == "column" else f"_facet_{self.type}"
        return {"name": column, "type": self.type, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {arg: column})),
                "results": values, "truncated": len(rows) > size}

    async def _timed(self, sql, params) -> list[dict]:
        db = self.ds.get_database(self.database)
        return _value_rows((await db.execute(sql, params, custom_time_limit=FACET_BUDGET_MS)).rows)


class TracksColumnFacet(_TracksFacet, ColumnFacet):
    async def counts(self, p, info, column, limit) -> list[dict]:
        col = escape_sqlite(column)
        db = self.ds.get_database(self.database)
        if p.counts_clauses is not None and info.has_counts and column in _COUNTED:
            where = p.counts_where()
            rows = await db.execute(
                f"select {col}, sum(tracks) as n from track_counts{where}{' and' if where else ' where'} "
                f"{col} is not null group by {col} order by n desc, {col} limit {int(limit)}", p.counts_params)
            return _value_rows(rows.rows)
        if column == "dataset" and p.search_only and p.supported:
            # a search's matches per dataset: each dataset is one range of rowids in the index
            lo, hi = p.id_range or (0, 2**62)
            ranges = [(slug, max(lo, first), min(hi, last)) for slug, (first, last) in info.ranges.items()]
            ranges = [r for r in ranges if r[1] <= r[2]]
            counts = await asyncio.gather(*(db.execute(
                f"select count(*) from tracks_fts where tracks_fts match :tf_fts and rowid between {int(first)} "
                f"and {int(last)}", {"tf_fts": p.fts}, custom_time_limit=FACET_BUDGET_MS) for _, first, last in ranges))
            rows = [{"value": slug, "count": c.single_value()} for (slug, _, _), c in zip(ranges, counts)]
            return sorted((r for r in rows if r["count"]), key=lambda r: (-r["count"], r["value"]))[:limit]
        return await self._timed(
            f"select {col}, count(*) as n from ({p.rows_sql()}) where {col} is not null group by {col} "
            f"order by n desc, {col} limit {int(limit)}", p.all_params)


class TracksArrayFacet(_TracksFacet, ArrayFacet):
    async def counts(self, p, info, column, limit) -> list[dict]:
        col = escape_sqlite(column)
        args = self.request.args
        if column == "genres" and not filtering((k, v) for k, v in arg_pairs(args)
                                                if k not in ("dataset", "dataset__exact")):
            # the build counted each dataset's genres and tags, a row once per value as this facet does
            where = " where dataset = :dataset" if p.dataset else ""
            rows = await self.ds.get_database(self.database).execute(
                f"select genre, sum(tracks) as n from dataset_genres{where} group by genre "
                f"order by n desc, genre limit {int(limit)}", {"dataset": p.dataset} if p.dataset else {})
            return _value_rows(rows.rows)
        return await self._timed(
            f"with inner as ({p.rows_sql()}), items as (select distinct j.value, inner.id from inner, "
            f"json_each(inner.{col}) j) select value, count(*) as n from items group by value "
            f"order by n desc, value limit {int(limit)}", p.all_params)


# duplicate_of is counted there only as a flag
_COUNTED = set(track_counts.NAMES) - set(track_counts.FLAG_LOOKUPS)


@hookimpl(wrapper=True)
def register_facet_classes():
    classes = yield
    replaced = {ColumnFacet: TracksColumnFacet, ArrayFacet: TracksArrayFacet}
    return [[replaced.get(c, c) for c in group] for group in classes]
