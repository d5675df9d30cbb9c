"""The tracks table explored as Datasette invites, at 22 million rows: table search, exact text filters and
facets within the page budget (the SQL is in `ingest/table_filters.py`; counts in `plugins/table_counts.py`).

- `?_search=` and exact filters on title, artist_credit or album: the page's rows come from the full-text index,
  read in id order and stopped at the page's last row, in place of Datasette's clause that gathers every match.
- Filters on `track_counts` columns that the build counted no row for answer at once, instead of Datasette reading
  a whole dataset to find nothing.
- Facets on `track_counts` columns, on `dataset` for a search and on `genres` per dataset come from counts made
  at build time or from the index; any other facet gets 60 ms and Datasette's "These facets timed out" when
  that is not enough (at once, on the whole table of a million rows or more, where it never is).
"""

from __future__ import annotations

import asyncio
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet, ColumnFacet
from datasette.filters import FilterArguments
from datasette.plugins import pm
from datasette.utils import (
    await_me_maybe,
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    urlsafe_components,
)

from ingest import DATABASE, track_counts
from ingest.table_filters import COUNT_LIMIT, AtLeast, arg_pairs, filtering, plan, search_description, tracks_info

TABLE = "tracks"
FACET_BUDGET_MS = 60  # for a facet that is not precomputed
# a facet that is not precomputed, over a table this big with no filter, cannot end within the budget: it is said
# to have timed out at once, rather than after the page waited the budget for it
UNFILTERED_FACET_ROWS = 1_000_000


def _is_tracks(database, table) -> bool:
    return database == DATABASE and table == TABLE


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
        return max(-(2**62), min(int(urlsafe_components(token)[-1]), 2**62))
    except ValueError:
        return None


def _facet_types_handled(request) -> bool:
    classes = [c for classes in pm.hook.register_facet_classes() for c in classes]
    ours = TracksColumnFacet in classes and TracksArrayFacet in classes
    return ours and all(
        key in ("_facet", "_facet_array", "_facet_size") for key in request.args if key.startswith("_facet")
    )


def _is_default_search(result) -> bool:
    return getattr(result, "__module__", "") == "datasette.filters" and getattr(result, "__qualname__", "").startswith(
        "search_filters."
    )


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
            descriptions = [search_description(p.search)] if p.search else []
            return FilterArguments([f"id in ({window})"], p.all_params, descriptions, context)
        if "_search" in args and not p.search and p.supported:
            # a blank search (the filter form sends one) searches for nothing: Datasette would fail on it
            return FilterArguments([], {}, [], {"supports_search": True, "search": args.get("_search")})
        if p.supported and not p.fts and p.clauses and p.counts_clauses is not None and info.has_counts:
            # filters the build counted that match nothing (`?dataset=sleeping-disco-9m&explicit=1`: Genius
            # says nothing of explicitness) would have Datasette read the whole dataset to find no row
            counted = await datasette.get_database(DATABASE).execute(
                f"select exists (select 1 from track_counts{p.counts_where()})", p.counts_params
            )
            if not counted.single_value():
                return FilterArguments(["0"], {}, [], {})
        return await await_me_maybe(default[0])

    return [search if result is default[0] else result for result in results]


# --- facets: precomputed where they can be ------------------------------------------------------------------------
def _value_rows(rows) -> list[dict]:
    return [{"value": row[0], "count": row[1]} for row in rows]


class _TracksFacet:
    """What the tracks facets share: the plan, and Datasette's facet result built from (value, count) rows."""

    # set by the Datasette facet class this is mixed into
    ds: Any
    database: str
    table: str
    request: Any
    type: str

    async def _plan(self):
        info = await tracks_info(self.ds.get_database(self.database))
        raw = (self.ds.table_metadata(DATABASE, TABLE) or {}).get("searchmode") == "raw"
        return plan(self.request.args, info.ranges, info.fts_ok, raw), info

    async def facet_results(self):
        if not _is_tracks(self.database, self.table):
            return await super().facet_results()
        p, info = await self._plan()
        if not p.supported:  # filters only Datasette's own clauses handle: its own facet SQL is right
            return await super().facet_results()
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
        expanded = (
            await self.ds.expand_foreign_keys(self.database, self.table, column, [row["value"] for row in shown])
            if self.type == "column"
            else {}
        )
        values = []
        for row in shown:
            key = (
                f"{column}__{'exact' if self.type == 'column' else 'arraycontains'}"
                if column.startswith("_") or self.type == "array"
                else column
            )
            selected = (key, str(row["value"])) in qs_pairs
            toggle = (
                path_with_removed_args(self.request, {key: str(row["value"])})
                if selected
                else path_with_added_args(self.request, {key: row["value"]})
            )
            values.append(
                {
                    "value": row["value"],
                    "label": expanded.get((column, row["value"]), row["value"]),
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                }
                | ({"count_more_than": True} if isinstance(row["count"], AtLeast) else {})
            )
        arg = "_facet" if self.type == "column" else f"_facet_{self.type}"
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {arg: column})),
            "results": values,
            "truncated": len(rows) > size,
        }

    async def _timed(self, sql, params) -> list[dict]:
        db = self.ds.get_database(self.database)
        info = await tracks_info(db)
        if (info.rows or 0) > UNFILTERED_FACET_ROWS and not filtering(arg_pairs(self.request.args)):
            raise QueryInterrupted(None, sql, params)
        return _value_rows((await db.execute(sql, params, custom_time_limit=FACET_BUDGET_MS)).rows)


class TracksColumnFacet(_TracksFacet, ColumnFacet):
    async def counts(self, p, info, column, limit) -> list[dict]:
        col = escape_sqlite(column)
        db = self.ds.get_database(self.database)
        if p.counts_clauses is not None and info.has_counts and column in _COUNTED:
            where = p.counts_where()
            rows = await db.execute(
                f"select {col}, sum(tracks) as n from track_counts{where}{' and' if where else ' where'} "
                f"{col} is not null group by {col} order by n desc, {col} limit {int(limit)}",
                p.counts_params,
            )
            return _value_rows(rows.rows)
        if column == "dataset" and p.search_only and p.supported:
            # a search's matches per dataset: each dataset is one range of rowids in the index
            lo, hi = p.id_range or (0, 2**62)
            ranges = [(slug, max(lo, first), min(hi, last)) for slug, (first, last) in info.ranges.items()]
            ranges = [r for r in ranges if r[1] <= r[2]]
            counts = await asyncio.gather(*(self._matches(db, p.fts, first, last) for _, first, last in ranges))
            rows = [{"value": slug, "count": n} for (slug, _, _), n in zip(ranges, counts)]
            return sorted((r for r in rows if r["count"]), key=lambda r: (-r["count"], r["value"]))[:limit]
        return await self._timed(
            f"select {col}, count(*) as n from ({p.rows_sql()}) where {col} is not null group by {col} "
            f"order by n desc, {col} limit {int(limit)}",
            p.all_params,
        )

    async def _matches(self, db, fts: str, first: int, last: int) -> int:
        """A search's matches in one dataset's range of rowids: exact within the budget, else "more than 10,000"."""
        sql = f"select 1 from tracks_fts where tracks_fts match :fts and rowid between {int(first)} and {int(last)}"
        try:
            return (
                await db.execute(f"select count(*) from ({sql})", {"fts": fts}, custom_time_limit=FACET_BUDGET_MS)
            ).single_value()
        except QueryInterrupted:
            n = (await db.execute(f"select count(*) from ({sql} limit {COUNT_LIMIT + 1})", {"fts": fts})).single_value()
            return AtLeast(COUNT_LIMIT) if n > COUNT_LIMIT else n


class TracksArrayFacet(_TracksFacet, ArrayFacet):
    async def counts(self, p, info, column, limit) -> list[dict]:
        col = escape_sqlite(column)
        args = self.request.args
        if column == "genres" and not filtering(
            (k, v) for k, v in arg_pairs(args) if k not in ("dataset", "dataset__exact")
        ):
            # the build counted each dataset's genres and tags, a row once per value as this facet does
            where = " where dataset = :dataset" if p.dataset else ""
            rows = await self.ds.get_database(self.database).execute(
                f"select genre, sum(tracks) as n from dataset_genres{where} group by genre "
                f"order by n desc, genre limit {int(limit)}",
                {"dataset": p.dataset} if p.dataset else {},
            )
            return _value_rows(rows.rows)
        return await self._timed(
            f"with inner as ({p.rows_sql()}), items as (select distinct j.value, inner.id from inner, "
            f"json_each(inner.{col}) j) select value, count(*) as n from items group by value "
            f"order by n desc, value limit {int(limit)}",
            p.all_params,
        )


# duplicate_of is counted there only as a flag
_COUNTED = set(track_counts.NAMES) - set(track_counts.FLAG_LOOKUPS)


@hookimpl(wrapper=True)
def register_facet_classes():
    classes = yield
    replaced = {ColumnFacet: TracksColumnFacet, ArrayFacet: TracksArrayFacet}
    return [[replaced.get(c, c) for c in group] for group in classes]
