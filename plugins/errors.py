"""No error pages for ordinary mistakes, and CSV files that open in a spreadsheet.

- A malformed parameter (`?_sort=` a column that cannot be sorted, a `_through` that is not the JSON Datasette
  expects, a `_timelimit` that is not a number, a NUL in a column name) is the asker's mistake: it answers
  400 with a plain sentence, never Datasette's 500.
- The explorer is read-only: POST (or PUT, PATCH, DELETE) answers 405 with `Allow: GET, HEAD`, except where a
  form posts (`/check`, Datasette's own `/-/…` pages, and canned queries declared `write: true`). Without this,
  a POST to a table is a 500 ("You may only POST to a canned query") and to a saved query a crash
  ("'tuple' object has no attribute 'asgi_send'").
- HEAD works wherever GET does: a view that answers HEAD with 405 is asked again with GET, and the body dropped.
- Every CSV download starts with a UTF-8 byte order mark, so Excel opens accents and non-Latin scripts as they
  are, and comes as an attachment named after the table or query (Datasette otherwise shows it as text).
"""

from __future__ import annotations

import json
import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import Request, Response
from datasette.views.base import DatasetteError

BOM = "\ufeff".encode()
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# where a form posts: the catalogue check (plugins/catalogue_check.py) and Datasette's own pages (login, messages,
# permission debugging)
POST_PREFIXES = ("/check", "/-/")

THROUGH_HELP = (
    "_through must be JSON naming a table that links to this one, its column and a value, e.g. "
    '{"table": "track_artists", "column": "artist_id", "value": "1"}'
)


def ordinary_mistake(request: Request, exception: Exception) -> str | None:
    """The plain sentence for an exception caused by a malformed request, or None for a real fault."""
    message = str(exception)
    if isinstance(exception, DatasetteError) and exception.status == 500:
        if message.startswith("Cannot sort table by "):
            return (
                f"{message}: this table can be sorted only by the columns whose headings are links "
                f"(or by its primary key)."
            )
        if message.startswith("Cannot use _sort and _sort_desc"):
            return "Sort in one direction at a time: give _sort or _sort_desc, not both."
    if "_through" in request.args and isinstance(
        exception, (ValueError, KeyError, TypeError, sqlite3.Error, DatasetteError)
    ):
        return THROUGH_HELP
    if "_timelimit" in request.args and isinstance(exception, ValueError) and "int()" in message:
        return "_timelimit must be a whole number of milliseconds."
    if isinstance(exception, (ValueError, sqlite3.Error)) and "null character" in message:
        return "A parameter name or value holds a NUL character, which no column or value can contain."
    return None


async def error_response(datasette, request: Request, status: int, message: str, headers=None) -> Response:
    if request.path.endswith(".json"):
        return Response.json(
            {"ok": False, "error": message, "status": status, "title": None}, status=status, headers=headers
        )
    html = await datasette.render_template(
        ["error.html"], {"ok": False, "error": message, "status": status, "title": None}, request=request
    )
    return Response.html(html, status=status, headers=headers)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    message = ordinary_mistake(request, exception)
    if message is None:
        return None

    async def inner():
        return await error_response(datasette, request, 400, message)

    return inner


async def _post_allowed(datasette, scope) -> bool:
    path = scope["path"]
    if path.startswith(POST_PREFIXES):
        return True
    # a canned query declared `write: true` takes a POST: /<database>/<query>
    parts = path.strip("/").split("/")
    if len(parts) == 2:
        try:
            queries = await datasette.get_canned_queries(parts[0], scope.get("actor"))
        except KeyError:
            return False
        return bool((queries.get(parts[1]) or {}).get("write"))
    return False


def _is_csv(scope, headers: dict[bytes, bytes]) -> bool:
    content_type = headers.get(b"content-type", b"")
    return content_type.startswith(b"text/csv") or (
        scope["path"].endswith(".csv") and content_type.startswith(b"text/plain")
    )


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            method = scope["method"]
            if method in WRITE_METHODS and not await _post_allowed(datasette, scope):
                # this wrapper sits outside Datasette's CSRF middleware: the page needs no token
                request = Request(dict(scope, csrftoken=lambda: ""), receive)
                response = await error_response(
                    datasette,
                    request,
                    405,
                    f"This page cannot take a {method} request: it only shows data (GET).",
                    headers={"allow": "GET, HEAD"},
                )
                return await response.asgi_send(send)
            send = _csv_for_spreadsheets(scope, send)
            if method == "HEAD":
                return await _head(app, scope, receive, send)
            return await app(scope, receive, send)

        return wrapped

    return wrap


async def _head(app, scope, receive, send):
    """Answer HEAD; where the view refuses it (405), answer as GET would, without the body."""
    refused = False

    async def head_send(message):
        nonlocal refused
        if message["type"] == "http.response.start" and message["status"] == 405:
            refused = True
        if not refused:
            await send(message)

    await app(scope, receive, head_send)
    if not refused:
        return
    started = False

    async def get_send(message):
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
            await send(message)
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    await app(dict(scope, method="GET"), receive, get_send)
    if not started:  # pragma: no cover - every view starts a response
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _csv_for_spreadsheets(scope, send):
    """A send that gives a successful CSV response a UTF-8 BOM and an attachment filename."""
    state = {"csv": False, "first": True}

    async def csv_send(message):
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if message["status"] == 200 and _is_csv(scope, headers):
                state["csv"] = True
                items = [
                    (k, v)
                    for k, v in message.get("headers") or []
                    if k.lower() not in (b"content-length", b"content-type")
                ]
                items.append((b"content-type", b"text/csv; charset=utf-8"))
                if not any(k.lower() == b"content-disposition" for k, _ in items):
                    name = scope["path"].rsplit("/", 1)[-1] or "data.csv"
                    items.append(
                        (
                            b"content-disposition",
                            f'attachment; filename="{json.dumps(name)[1:-1]}"'.encode("latin-1", "replace"),
                        )
                    )
                length = headers.get(b"content-length")
                if length is not None and length.isdecimal():
                    # a body that already has its BOM keeps its length; checked on the first chunk
                    state["length"] = int(length)
                message = dict(message, headers=items)
                state["start"] = message
                return  # sent with the first chunk of the body, once we know whether it has a BOM
            return await send(message)
        if message["type"] == "http.response.body" and state["csv"] and state["first"]:
            body = message.get("body", b"")
            if not body and message.get("more_body"):
                return  # a stream's empty first chunk: its BOM, if any, comes with the next
            state["first"] = False
            start = state["start"]
            if not body.startswith(BOM):
                body = BOM + body
                if "length" in state:
                    start = dict(
                        start,
                        headers=start["headers"] + [(b"content-length", str(state["length"] + len(BOM)).encode())],
                    )
            elif "length" in state:
                start = dict(start, headers=start["headers"] + [(b"content-length", str(state["length"]).encode())])
            await send(start)
            return await send(dict(message, body=body))
        return await send(message)

    return csv_send
