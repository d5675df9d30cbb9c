"""The catalogue check at /check: upload a CSV of your tracks (or paste it) and get a report of which appear in
the datasets, with CSV and JSON downloads. The matching is `ingest/check.py`; this module reads the request,
enforces the limits and renders the pages.

- Datasette 0.65 has no multipart parser, so uploads are parsed with python-multipart.
- CSRF is skipped for /check (`skip_csrf`): the check only reads, and asgi-csrf 0.11 answers 500 to a browser's
  multipart POST that carries its cookie (simonw/asgi-csrf#38).
- The report page carries its input (zlib + base64) in a hidden field; the download buttons post it back, and the
  last few reports are kept, so a download gives exactly the rows of the page without checking again.
"""

from __future__ import annotations

import base64
import binascii
import os
import time
import zlib
from collections import OrderedDict
from urllib.parse import unquote_to_bytes

from datasette import hookimpl
from datasette.utils.asgi import Response
from python_multipart import FormParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from ingest import DATABASE
from ingest.check import (ALIASES, DURATION_TOLERANCE_S, FUZZY_MAX, FUZZY_THRESHOLD, MAX_MATCHES_PER_ROW,
                          SCORE_ID, SCORE_NORMALIZED, CatalogueError, check_catalogue, read_catalogue, report_csv,
                          report_json, report_sha256, summary_lines)

PATH = "/check"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the CSV itself
MAX_BODY_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024  # room for the form around it (and base64 on download)
MAX_ROWS = 10_000
TIME_BUDGET_S = 60
MAX_RUNNING = 1  # checks at once: each holds one of Datasette's SQL threads for up to TIME_BUDGET_S
KEEP_REPORTS = 4

_running = 0
_reports: OrderedDict[tuple, dict] = OrderedDict()  # (input sha256, database path, mtime, size) → report body


class TooLarge(Exception):
    pass


@hookimpl
def register_routes(datasette):
    return [(rf"^{PATH}$", check_view)]


@hookimpl
def skip_csrf(datasette, scope):
    return scope.get("path") == datasette.urls.path(PATH)


async def _read_body(request, limit: int) -> bytes:
    """The request body, refusing (TooLarge) as soon as it passes `limit` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLarge
    body = bytearray()
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if len(body) > limit:
            raise TooLarge
        if not message.get("more_body"):
            break
    return bytes(body)


def _form(content_type: str, body: bytes) -> dict[str, bytes]:
    """Form fields (and uploaded files) by name, as bytes."""
    ctype, params = parse_options_header(content_type.encode("latin-1"))
    fields: dict[str, bytes] = {}
    if ctype == b"application/x-www-form-urlencoded":  # the download buttons, or a script
        for pair in body.split(b"&"):
            key, _, value = (part.replace(b"+", b" ") for part in pair.partition(b"="))
            if key:
                fields[unquote_to_bytes(key).decode("utf-8", "replace")] = unquote_to_bytes(value)
        return fields
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise ValueError("send the form as multipart/form-data or application/x-www-form-urlencoded")

    def on_field(f):
        fields[f.field_name.decode()] = f.value or b""

    def on_file(f):
        f.file_object.seek(0)
        fields[f.field_name.decode()] = f.file_object.read()

    try:
        parser = FormParser(ctype.decode(), on_field, on_file, boundary=params[b"boundary"])
        parser.write(body)
        parser.finalize()
    except FormParserError as error:
        raise ValueError(f"the upload is not a well-formed multipart form ({error})") from None
    return fields


def pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(text: bytes) -> bytes:
    """The input a report page carried, refusing anything that inflates past the upload limit."""
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode(text, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError("the report's input field is damaged: upload the file again") from None
    if len(data) > MAX_UPLOAD_BYTES or inflater.unconsumed_tail:
        raise TooLarge
    return data


async def _page(datasette, request, *, error: str | None = None, text: str = "", status: int = 200) -> Response:
    html = await datasette.render_template("check.html", {
        "error": error, "text": text, "aliases": ALIASES, "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_rows": MAX_ROWS, "time_budget_s": TIME_BUDGET_S, "fuzzy_threshold": FUZZY_THRESHOLD,
        "fuzzy_max": FUZZY_MAX, "score_id": SCORE_ID, "score_normalized": SCORE_NORMALIZED,
        "duration_tolerance_s": DURATION_TOLERANCE_S, "max_matches_per_row": MAX_MATCHES_PER_ROW,
    }, request=request)
    return Response.html(html, status=status)


def _too_large_message() -> str:
    return (f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the most the web check takes. "
            "Split the catalogue, or check it with the command line (python -m ingest check), which has no limit.")


async def check_view(datasette, request):
    if request.method == "GET":
        return await _page(datasette, request)
    if request.method != "POST":
        return Response.text("Use GET for the form, POST to check a catalogue.", status=405,
                             headers={"allow": "GET, POST"})
    try:
        fields = _form(request.headers.get("content-type", ""), await _read_body(request, MAX_BODY_BYTES))
        # an uploaded file, else pasted text, else the input a report page posts back for a download
        data = fields.get("file") or (fields["text"] if fields.get("text", b"").strip() else b"")
        if not data and fields.get("catalogue"):
            data = unpack(fields["catalogue"])
    except TooLarge:
        return await _page(datasette, request, error=_too_large_message(), status=413)
    except ValueError as error:
        return await _page(datasette, request, error=str(error), status=400)
    if not data:
        return await _page(datasette, request, error="Choose a CSV file, or paste the CSV into the box.", status=400)
    if len(data) > MAX_UPLOAD_BYTES:
        return await _page(datasette, request, error=_too_large_message(), status=413)
    output = fields.get("format", b"html").decode("ascii", "replace")
    if output not in ("html", "csv", "json"):
        return Response.text(f"format {output!r}: choose html, csv or json", status=400)
    try:
        catalogue = read_catalogue(data, max_rows=MAX_ROWS)
    except CatalogueError as error:
        pasted = fields.get("text", b"").decode("utf-8", "replace") if len(fields.get("text", b"")) < 100_000 else ""
        return await _page(datasette, request, error=str(error), text=pasted, status=413 if error.too_large else 400)

    try:
        database = datasette.get_database(DATABASE)
    except KeyError:
        return Response.text(f"No {DATABASE} database is being served: build it with python -m ingest build.",
                             status=503)
    key = (catalogue.sha256, database.path, *_file_version(database.path))
    started = time.monotonic()
    body = _reports.get(key)
    if body is None:
        global _running
        if _running >= MAX_RUNNING:
            return Response.text("Another catalogue check is running; try again in a minute.", status=503,
                                 headers={"retry-after": "60"})
        _running += 1
        try:
            body = await database.execute_fn(
                lambda conn: check_catalogue(conn, catalogue, time_budget_s=TIME_BUDGET_S))
        finally:
            _running -= 1
        _reports[key] = body
        while len(_reports) > KEEP_REPORTS:
            _reports.popitem(last=False)
    _reports.move_to_end(key)

    sha256 = report_sha256(body)
    name = f"catalogue-check-{catalogue.sha256[:12]}"
    if output == "csv":
        return Response(("\ufeff" + report_csv(body)).encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.csv"',
                                 "x-report-sha256": sha256})
    if output == "json":
        return Response(report_json(body), content_type="application/json; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.json"'})
    html = await datasette.render_template("check_report.html", {
        "report": body, "summary": body["summary"], "summary_lines": summary_lines(body), "sha256": sha256,
        "catalogue": pack(data), "elapsed": time.monotonic() - started,
        "dataset_names": {d["slug"]: d.get("name") or d["slug"] for d in body["datasets"]},
    }, request=request)
    return Response.html(html)


def _file_version(path: str | None) -> tuple:
    try:
        stat = os.stat(path)
    except (TypeError, OSError):
        return (None, None)
    return (stat.st_mtime_ns, stat.st_size)
