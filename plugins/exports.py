"""Whole exports: `/datasets/<table>.csv?…&_stream=on` and `.json?…&_stream=on` stream every row that the table
page's filters match, however many, in primary-key order and with constant memory.

Datasette's own stream re-runs the page query for each 1,000 rows (for a search that means gathering every
full-text match again, each time) and ends at `max_csv_mb` with status 200. Here each chunk is read by keyset from
where the last one stopped: a search from the full-text index in rowid order, anything else by windows of the
primary key, so no query reads more than a chunk's worth, and SQLite writes each row's CSV line or JSON object
itself (`ingest/export_lines.py`), on threads that yield to the pages' (`ingest/bulk_reads.py`).

Nothing limits the size of an export. One that has to stop (the database refused a query) ends with a line saying
so after the rows it has: in a CSV a last row "Export stopped after N rows: …", in JSON `"complete": false` and
`"stopped"`. A complete JSON export says `"complete": true` and how many rows it holds.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlencode

import orjson
from datasette import hookimpl
from datasette.utils import escape_sqlite, tilde_decode
from datasette.utils.asgi import AsgiStream, Request, Response

from ingest import DATABASE, bulk_reads
from ingest.export_lines import csv_line, csv_text, json_object, stopped, tracks_csv_cells
from ingest.table_filters import arg_pairs, filtering, plan, table_clauses, table_request, tracks_info

CHUNK = 5_000  # rows per query
SMALL_TABLE = 100_000  # rows: exported in one query
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


class ExportError(Exception):
    pass


def _truthy(value) -> bool:
    return bool(value) and value not in ("0", "off", "false")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def exports(scope, receive, send):
            rest = table_request(scope, datasette.urls.database(DATABASE))
            if rest and rest.rsplit(".", 1)[-1] in FORMATS:
                request = Request(scope, receive)
                if _truthy(request.args.get("_stream")):
                    table, fmt = rest.rsplit(".", 1)
                    response = await export(datasette, request, tilde_decode(table), fmt)
                    if response is not None:
                        return await response.asgi_send(send)
            await app(scope, receive, send)

        return exports

    return wrap


async def export(datasette, request, table: str, fmt: str):
    """The streamed export, or None where Datasette should answer (not a table, or filters only it knows)."""
    db = datasette.get_database(DATABASE)
    if not await db.table_exists(table) or not await datasette.permission_allowed(
        None, "view-table", resource=(DATABASE, table), default=True
    ):
        return None
    if request.args.get("_next"):
        return await _refusal(
            datasette, request, fmt, "_next is not allowed with _stream: an export starts at the first row."
        )
    if "_where" in request.args and not await datasette.permission_allowed(
        None, "execute-sql", resource=DATABASE, default=True
    ):
        return await _refusal(datasette, request, fmt, "_where= is not allowed.", 403)
    pks = await db.primary_keys(table)
    try:
        columns = await _columns(db, table, request, pks)
        if not await _in_key_order(request, pks):
            return None  # sorted by another column: Datasette streams that order itself
    except ExportError as error:
        return await _refusal(datasette, request, fmt, str(error))
    cells, joins = await _cells(db, table, columns, request)
    if fmt == "csv":
        row_sql = csv_line(cells, tracks_csv_cells(escape_sqlite(table)) if table == "tracks" else None)
    else:
        row_sql = json_object(cells)
    separator = "\r\n" if fmt == "csv" else ",\n"
    source = await (_tracks_source if table == "tracks" else _table_source)(
        datasette, db, table, request, pks, row_sql, joins
    )
    if source is None:
        return None
    header, footer = (_csv_frame if fmt == "csv" else _json_frame)(table, [name for name, _ in cells], request)

    def read(conn, state):
        """One chunk on a bulk-read thread, as text: (text, rows, next state, done)."""
        with bulk_reads.time_limit(conn, datasette.sql_time_limit_ms):
            return source(conn, state, separator)

    # the first chunk before the response starts: a filter SQLite refuses is a 400, not a broken download
    try:
        first = await bulk_reads.execute_fn(db, lambda conn: read(conn, None))
    except Exception as error:  # noqa: BLE001 - whatever SQLite refuses comes from the request
        return await _refusal(datasette, request, fmt, f"This export cannot run: {error}.")

    async def stream(response):
        disconnected = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(request.receive, disconnected))
        exported, stopped = 0, None
        try:
            await response.write(header)
            text, n, state, done = first
            while True:
                if n:
                    if fmt == "csv":
                        await response.write(text + "\r\n")
                    else:
                        await response.write((separator if exported else "") + text)
                exported += n
                if done or disconnected.is_set():
                    break
                try:
                    text, n, state, done = await bulk_reads.execute_fn(db, lambda conn, state=state: read(conn, state))
                except Exception as error:  # noqa: BLE001 - said in the file, never dropped silently
                    stopped = f"the database stopped the export ({error})"
                    break
            await response.write(footer(exported, stopped))
        finally:
            watcher.cancel()

    headers: dict[str, str] = {}
    if fmt == "csv" or _truthy(request.args.get("_dl")):  # a CSV is always a download, as everywhere here
        headers["content-disposition"] = f"attachment; filename*=UTF-8''{quote(table)}.{fmt}"
    return AsgiStream(stream, headers=headers, content_type=FORMATS[fmt])


def export_url(datasette, request, table: str, fmt: str) -> str:
    """Every row the table page's filters match, streamed whole."""
    keep = [
        (key, value)
        for key, value in arg_pairs(request.args)
        if key
        not in (
            "_next",
            "_size",
            "_nocount",
            "_nofacet",
            "_nosuggest",
            "_stream",
            "_dl",
            "_shape",
            "_labels",
            "_sort",
            "_sort_desc",
            "_trace",
        )
        and not key.startswith("_facet")
    ]
    return (
        datasette.urls.table(DATABASE, table, format=fmt)
        + "?"
        + urlencode(keep + [("_labels", "on"), ("_stream", "on"), ("_dl", "on")])
    )


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    """The table page's CSV link (Datasette's gives the first 1,000 rows) exports every matching row; the tracks
    page also links the JSON export (templates/_table-datasets-tracks.html)."""
    if view_name != "table" or database != DATABASE or not table or request is None:  # (a saved query: no table)
        return {}
    csv_url = export_url(datasette, request, table, "csv")
    return {
        "url_csv": csv_url,
        "export_csv_url": csv_url,
        "export_json_url": export_url(datasette, request, table, "json"),
        "export_filtered": filtering(arg_pairs(request.args)),
    }


async def _refusal(datasette, request, fmt: str, message: str, status: int = 400) -> Response:
    """An export that cannot start, said as every error on the site is: JSON for JSON, the error page otherwise."""
    if fmt == "json":
        return Response.json({"ok": False, "error": message, "status": status, "title": None}, status=status)
    # this runs before Datasette's CSRF middleware, which gives templates their token: the page posts nothing
    request = Request(dict(request.scope, csrftoken=lambda: ""), request.receive)
    html = await datasette.render_template(
        ["error.html"], {"ok": False, "error": message, "status": status, "title": None}, request=request
    )
    return Response.html(html, status=status)


async def _watch_disconnect(receive, event: asyncio.Event) -> None:
    # after a client leaves, writes are dropped silently: stop reading the database for nobody
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            event.set()
            return


# --- what to read -----------------------------------------------------------------------------------------------
async def _columns(db, table: str, request, pks: list[str]) -> list[str]:
    """The table's columns as Datasette's table page gives them (`_col`, `_nocol`), rowid first for a rowid table."""
    columns = await db.table_columns(table)
    chosen = request.args.getlist("_col")
    dropped = request.args.getlist("_nocol")
    unknown = [c for c in chosen + dropped if c not in columns]
    if unknown:
        raise ExportError(f"no such column: {', '.join(unknown)}")
    if chosen:
        columns = [c for c in columns if c in pks] + [c for c in dict.fromkeys(chosen) if c not in pks]
    columns = [c for c in columns if c not in dropped or c in pks]
    return (["rowid"] if not pks else []) + columns


async def _in_key_order(request, pks: list[str]) -> bool:
    """Whether the export is asked for in primary-key order (no _sort, or _sort on the key). Any other sort,
    or one Datasette refuses, is Datasette's to stream or to refuse."""
    sort, descending = request.args.get("_sort"), request.args.get("_sort_desc")
    return not descending and (not sort or pks == [sort])


async def _cells(db, table: str, columns: list[str], request) -> tuple[list[tuple[str, str]], str]:
    """(name, SQL) of each exported value, and the joins they need: with `_labels=on`, a `<column>_label` beside
    each foreign key whose table has a label column, as Datasette's CSV gives them."""
    name = escape_sqlite(table)
    labels = {}
    if _truthy(request.args.get("_labels")):
        for fk in await db.foreign_keys_for_table(table):
            label = await db.label_column_for_table(fk["other_table"])
            if label and fk["column"] in columns:
                labels[fk["column"]] = (fk["other_table"], fk["other_column"], label)
    cells: list[tuple[str, str]] = []
    joins: list[str] = []
    for column in columns:
        cells.append((column, f"{name}.{escape_sqlite(column)}"))
        if column in labels:
            other, other_column, label = labels[column]
            alias = f"_label{len(joins)}"
            joins.append(
                f" left join {escape_sqlite(other)} as {alias} on {alias}.{escape_sqlite(other_column)} "
                f"= {name}.{escape_sqlite(column)}"
            )
            cells.append((f"{column}_label", f"{alias}.{escape_sqlite(label)}"))
    return cells, "".join(joins)


async def _tracks_source(datasette, db, table, request, pks, row_sql, joins):
    info = await tracks_info(db)
    raw = (datasette.table_metadata(DATABASE, table) or {}).get("searchmode") == "raw"
    p = plan(request.args, info.ranges, info.fts_ok, raw)
    if not p.supported:
        return None
    params = p.all_params
    if p.fts:
        # the index's next CHUNK matches, each joined to its track, kept when the other filters hold
        keep = " and ".join(f"({c})" for c in p.clauses) or "1"

        def chunks(conn, after, separator):
            sql = (
                "select max(_rid), count(*), count(case when keep then 1 end), "
                "group_concat(case when keep then line end, :_separator) "
                f"from (select _m._rid as _rid, {keep} as keep, {row_sql} as line "
                f"from {p.fts_source(after, CHUNK)}{joins} order by _m._rid)"
            )
            last, read, kept, text = conn.execute(sql, params | {"_separator": separator}).fetchone()
            return text or "", kept, (last if read else after), read < CHUNK

        return chunks
    # each dataset is one block of ids (ingest/datasets.py, ID_BLOCK), with gaps between the blocks: windows of
    # CHUNK ids over the filtered dataset's range, or over each dataset's in turn (no query reads more than CHUNK
    # rows, and none the gaps)
    ranges = [p.id_range] if p.id_range else sorted(info.ranges.values()) or [(1, 0)]
    where = p.where(["tracks.id > :_after", "tracks.id <= :_until"], ranged=False)
    return _windows(
        f"select {row_sql} as line from tracks{joins}{where} order by tracks.id", params, ranges, CHUNK, adapt=False
    )


async def _table_source(datasette, db, table, request, pks, row_sql, joins):
    """Any other table: Datasette's column filters, `_where` and `_search`, read by windows of its integer key."""
    metadata = datasette.table_metadata(DATABASE, table) or {}
    filters = table_clauses(
        table, request.args, metadata.get("fts_table") or await db.fts_table(table), metadata.get("searchmode") == "raw"
    )
    if filters is None:
        return None
    clauses, params = filters
    name = escape_sqlite(table)
    order = ", ".join(f"{name}.{escape_sqlite(c)}" for c in pks) or f"{name}.rowid"
    key = f"{name}.{escape_sqlite(pks[0])}" if pks else f"{name}.rowid"
    low, high, kind = (await db.execute(f"select min({key}), max({key}), typeof(min({key})) from {name}")).first()
    count = ((datasette.inspect_data or {}).get(DATABASE, {}).get("tables", {}).get(table) or {}).get("count")
    if count is None:
        count = (await db.execute(f"select count(*) from {name}")).single_value()
    if count <= SMALL_TABLE:
        sql = _joined(f"select {row_sql} as line from {name}{joins}{_where(clauses)} order by {order}")
        return lambda conn, state, separator: (
            *conn.execute(sql, params | {"_separator": separator}).fetchone(),
            None,
            True,
        )
    if kind != "integer":
        return None  # a big table without an integer key to read it by: Datasette streams it
    sql = (
        f"select {row_sql} as line from {name}{joins}{_where(clauses + [f'{key} > :_after', f'{key} <= :_until'])} "
        f"order by {order}"
    )
    return _windows(sql, params, [(low, high)], max(1, CHUNK * (high - low + 1) // max(count, 1)), adapt=True)


def _where(clauses: list[str]) -> str:
    return (" where " + " and ".join(f"({c})" for c in clauses)) if clauses else ""


def _joined(sql: str) -> str:
    """(text, rows) of a query's `line`s, joined by SQLite: one string a chunk crosses into Python, where a row a
    time would take the GIL from the pages' thread 5,000 times a chunk (and costs more CPU)."""
    return f"select coalesce(group_concat(line, :_separator), ''), count(*) from ({sql})"


def _windows(sql: str, params: dict, ranges: list[tuple[int, int]], step: int, adapt: bool):
    """Chunks of key ranges: (first - 1, first - 1 + step], … up to each range's last key. With `adapt`, the step
    follows the rows the last window held (keys are not always dense: ids in blocks, several rows per track), so
    that a window holds about CHUNK rows."""
    joined = _joined(sql)

    def chunks(conn, state, separator):
        index, after, width = state or (0, ranges[0][0] - 1, step)
        first, last = ranges[index]
        until = min(after + width, last)
        text, n = conn.execute(joined, params | {"_after": after, "_until": until, "_separator": separator}).fetchone()
        if adapt:
            width = max(1, min(width * 8, width * CHUNK // max(n, 1)))
        if until < last:
            return text, n, (index, until, width), False
        if index + 1 < len(ranges):
            return text, n, (index + 1, ranges[index + 1][0] - 1, width), False
        return text, n, None, True

    return chunks


# --- formats: the header and the end; SQLite writes the rows (ingest/export_lines.py) ----------------------------
def _csv_frame(table, names, request):
    def footer(exported: int, why: str | None) -> str:
        return stopped(exported, why) if why else ""

    # the byte order mark tells Excel the file is UTF-8, as on every CSV here (plugins/errors.py)
    return "\ufeff" + ("" if request.args.get("_header") == "off" else csv_text([names])), footer


def _json_frame(table, names, request):
    """One JSON object: the rows as objects, then how many there are and whether the export is complete."""

    def footer(exported: int, why: str | None) -> str:
        return (
            "\n], " + orjson.dumps({"rows_exported": exported, "complete": not why, "stopped": why}).decode()[1:] + "\n"
        )

    start = orjson.dumps({"database": DATABASE, "table": table, "columns": names}).decode()[:-1]
    return start + ', "rows": [\n', footer
