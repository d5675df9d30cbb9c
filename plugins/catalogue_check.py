"""The catalogue check at /check: upload the catalogue file a label already has (CSV in any common encoding, an
.xlsx workbook, a delivery sheet, or a pasted list of `Artist - Title` lines) and get a report to read, filter,
print and cite, with CSV and JSON downloads. The reading and matching are `ingest/check/`; this module reads the
request, queues the checks and renders the pages.

- Datasette 0.65 has no multipart parser, so uploads are parsed with python-multipart.
- CSRF is skipped for /check (`skip_csrf`): the check only reads, and asgi-csrf 0.11 answers 500 to a browser's
  multipart POST that carries its cookie (simonw/asgi-csrf#38).
- Every page after the upload carries the upload (zlib + base64) in a hidden field: the column-mapping step, the
  download buttons and a "try again" all post it back, so the file is never uploaded twice and never lost; the
  last few reports are kept, so a download gives exactly the rows of the page without checking again.
- No `from __future__ import annotations` here: Datasette loads plugins outside sys.modules, where dataclasses
  cannot resolve string annotations.
- One check runs at a time (each holds one of Datasette's SQL threads); the others wait in a bounded queue. A
  report page is streamed: while the check waits or runs, the page says how long the wait is and how far the
  check has got, then the report follows in the same response (no polling, so it works behind any proxy and
  with any number of replicas).
"""

import asyncio
import base64
import binascii
import json
import os
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils.asgi import AsgiStream, Response
from python_multipart import FormParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from ingest import DATABASE
from ingest.check import (
    ALIASES,
    DURATION_TOLERANCE_S,
    ENCODINGS,
    FIELDS,
    FUZZY_MAX,
    FUZZY_THRESHOLD,
    MAX_MATCHES_PER_ROW,
    SCORE_ID,
    SCORE_NORMALIZED,
    CatalogueError,
    check_catalogue,
    read_catalogue,
    report_csv,
    report_json,
    report_sha256,
    template_csv,
    utc_now,
)
from ingest.check.reading import preview as preview_columns
from ingest.check.report import CERTAIN_SCORE

PATH = "/check"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the file itself
MAX_BODY_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024  # room for the form around it (and base64 on download)
MAX_ROWS = 10_000
TIME_BUDGET_S = 60
MAX_RUNNING = 1  # checks at once: each holds one of Datasette's SQL threads for up to TIME_BUDGET_S
MAX_WAITING = 6  # checks queued behind them; more are turned away (with the upload kept on the page)
MAX_WAIT_S = 300  # nor is a check queued that would wait longer than this
ROWS_PER_S = 500.0  # a first guess at the check's speed, until checks have been timed (about 1,000 at full size)
POLL_S = 0.25
KEEP_REPORTS = 4
HTML_MATCHES = 5  # matches listed per row on the page: the best of each dataset first; the downloads have them all
ROWS_PER_CHUNK = 500  # rows rendered and sent at a time
PAGE_ROWS = 1_000  # rows per page of a report: 10,000 rows on one page take seconds to filter or lay out
SHOWS = {
    "all": "Every row",
    "matched": "Matched rows",
    "uncertain": "Uncertain rows",
    "unmatched": "Rows not found",
    "unreadable": "Unreadable rows",
    "not-checked": "Rows not checked",
}
ORDERS = {"line": "as in your file", "best": "best score first", "worst": "lowest score first"}

FIELD_LABELS = {
    "artist": "Artist",
    "featured": "Featured artist(s)",
    "title": "Title",
    "version": "Version / mix",
    "album": "Album",
    "isrc": "ISRC",
    "upc": "UPC / EAN",
    "catalog_number": "Catalogue number",
    "duration": "Duration",
    "duration_ms": "Duration in milliseconds",
    "youtube": "YouTube id or link",
    "spotify": "Spotify id, link or URI",
    "url": "Genius or FMA link",
}
SHORT_NAMES = {
    "laion-disco-12m": "LAION",
    "sleeping-disco-9m": "Sleeping-DISCO",
    "free-music-archive": "FMA",
    "spotify-tracks-dataset": "Spotify",
}
STATUS_LABELS = {
    "matched": "matched",
    "uncertain": "uncertain",
    "unmatched": "not found",
    "unreadable": "unreadable",
    "not checked": "not checked",
}
OPTION_FIELDS = ("encoding", "sheet", "header", "filename")

# (input, how it was read, database) → (report body, checked at, its SHA-256)
_reports: OrderedDict[tuple, tuple[dict, str, str]] = OrderedDict()


class TooLarge(Exception):
    pass


# --- the queue ----------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Ticket:
    rows: int
    started: float | None = None
    done: int = 0
    total: int = 0

    def progress(self, done: int, total: int) -> None:  # called from the SQL thread
        self.done, self.total = done, total

    def remaining_s(self, rate: float) -> float:
        left = self.rows * (1 - (self.done / self.total if self.total else 0))
        return left / rate


class CheckQueue:
    """Checks in the order they came: the first MAX_RUNNING run, the rest wait (polling, so nothing here is bound
    to an event loop)."""

    def __init__(self):
        self.tickets: list[Ticket] = []
        self.rate = ROWS_PER_S

    def waiting(self) -> int:
        return max(0, len(self.tickets) - MAX_RUNNING)

    def wait_s(self, ticket: Ticket | None = None) -> float:
        """How long a check would wait (`ticket`: one already queued): the work of the checks ahead of it, spread
        over the MAX_RUNNING places."""
        ahead = self.tickets if ticket is None else self.tickets[: self.tickets.index(ticket)]
        if len(ahead) < MAX_RUNNING:
            return 0.0
        return sum(t.remaining_s(self.rate) for t in ahead) / MAX_RUNNING

    def admit(self, rows: int) -> Ticket | None:
        if len(self.tickets) >= MAX_RUNNING and (self.waiting() >= MAX_WAITING or self.wait_s() > MAX_WAIT_S):
            return None  # it would have to wait, and the queue is full
        ticket = Ticket(rows)
        self.tickets.append(ticket)
        return ticket

    def may_start(self, ticket: Ticket) -> bool:
        return self.tickets.index(ticket) < MAX_RUNNING

    def leave(self, ticket: Ticket) -> None:
        if ticket in self.tickets:
            self.tickets.remove(ticket)
        if ticket.started and ticket.rows >= 100:  # time the real work, for the next estimates
            elapsed = max(time.monotonic() - ticket.started, 1e-3)
            self.rate = 0.7 * self.rate + 0.3 * (ticket.rows / elapsed)


queue = CheckQueue()


async def run_check(database, catalogue, ticket: Ticket, on_wait=None, on_progress=None) -> dict:
    """Wait for the ticket's turn, then check; `on_wait(ahead, seconds)` and `on_progress(done, total)` hear
    about it every POLL_S."""
    try:
        while not queue.may_start(ticket):
            if on_wait:
                await on_wait(queue.tickets.index(ticket) - MAX_RUNNING + 1, queue.wait_s(ticket))
            await asyncio.sleep(POLL_S)
        ticket.started = time.monotonic()
        task = asyncio.ensure_future(
            database.execute_fn(
                lambda conn: check_catalogue(conn, catalogue, time_budget_s=TIME_BUDGET_S, progress=ticket.progress)
            )
        )
        while not task.done():
            await asyncio.wait([task], timeout=POLL_S)
            if on_progress and not task.done():
                await on_progress(ticket.done, ticket.total)
        return task.result()
    finally:
        queue.leave(ticket)


# --- the request --------------------------------------------------------------------------------------------------
@hookimpl
def register_routes(datasette):
    return [(rf"^{PATH}$", check_view), (rf"^{PATH}/template\.csv$", template_view)]


@hookimpl
def skip_csrf(datasette, scope):
    return scope.get("path") == datasette.urls.path(PATH)


async def template_view(datasette, request):
    return Response(
        template_csv(),
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="catalogue-template.csv"'},
    )


async def _read_body(request, limit: int) -> bytes:
    """The request body, refusing (TooLarge) as soon as it passes `limit` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdecimal() and int(length) > limit:
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
    """Form fields (and uploaded files) by name, as bytes; an uploaded file's name as `<field>.name`."""
    ctype, params = parse_options_header(content_type.encode("latin-1"))
    fields: dict[str, bytes] = {}
    if ctype == b"application/x-www-form-urlencoded":  # the report's buttons, the mapping step, or a script
        # the standard library's parser, through Latin-1 so that each value keeps its bytes (a report is not text)
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
            fields[key.encode("latin-1").decode("utf-8", "replace")] = value.encode("latin-1")
        return fields
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise ValueError("send the form as multipart/form-data or application/x-www-form-urlencoded")

    def on_field(f):
        fields[f.field_name.decode()] = f.value or b""

    def on_file(f):
        f.file_object.seek(0)
        fields[f.field_name.decode()] = f.file_object.read()
        if f.file_name:
            fields[f.field_name.decode() + ".name"] = f.file_name

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
    """The input a page carried, refusing anything that inflates past the upload limit."""
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode(text, validate=True), MAX_UPLOAD_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise ValueError("the page's copy of your file is damaged: upload the file again") from None
    if len(data) > MAX_UPLOAD_BYTES or inflater.unconsumed_tail:
        raise TooLarge
    return data


@dataclass
class Options:
    """How to read the file: chosen on the mapping step, carried by every later form."""

    encoding: str = ""
    sheet: str = ""
    header: bool = True
    filename: str = ""
    columns: dict | None = None  # field → [column numbers]: chosen by hand, nothing else recognised

    @classmethod
    def from_form(cls, fields: dict[str, bytes]) -> "Options":
        text = {
            key: value.decode("utf-8", "replace").strip()
            for key, value in fields.items()
            if key in OPTION_FIELDS or key.startswith("map_") or key == "file.name"
        }
        columns: dict[str, list[int]] = {}
        for key, value in sorted(text.items(), key=lambda item: item[0]):
            if key.startswith("map_") and key[4:].isdecimal() and value:
                if value not in FIELDS:
                    raise ValueError(f"{value!r} is not a column the check reads")
                columns.setdefault(value, []).append(int(key[4:]) + 1)
        for refs in columns.values():
            refs.sort()
        mapped = any(key.startswith("map_") for key in text)
        return cls(
            encoding=text.get("encoding", ""),
            sheet=text.get("sheet", ""),
            header=text.get("header", "yes") != "no",
            filename=(text.get("file.name") or text.get("filename", ""))[:200],
            columns=columns if mapped else None,
        )

    def read_kwargs(self) -> dict:
        return {
            "encoding": self.encoding or None,
            "sheet": self.sheet or None,
            "header": self.header,
            "columns": self.columns,
            "recognise": self.columns is None,
        }

    def hidden(self) -> list[tuple[str, str]]:
        """The options as hidden form fields, for every form that posts the upload back."""
        fields = [
            ("encoding", self.encoding),
            ("sheet", self.sheet),
            ("header", "yes" if self.header else "no"),
            ("filename", self.filename),
        ]
        for name, refs in (self.columns or {}).items():
            fields += [(f"map_{ref - 1}", name) for ref in refs]
        return [(key, value) for key, value in fields if value]

    def key(self) -> str:
        return json.dumps([self.encoding, self.sheet, self.header, self.columns], sort_keys=True)


async def _form_page(
    datasette, request, *, error: str | None = None, text: str = "", status: int = 200, retry: dict | None = None
) -> Response:
    html = await datasette.render_template(
        "check.html",
        {
            "error": error,
            "text": text,
            "aliases": {name: [alias for tier in tiers for alias in tier] for name, tiers in ALIASES.items()},
            "field_labels": FIELD_LABELS,
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
            "time_budget_s": TIME_BUDGET_S,
            "fuzzy_threshold": FUZZY_THRESHOLD,
            "fuzzy_max": FUZZY_MAX,
            "score_id": SCORE_ID,
            "score_normalized": SCORE_NORMALIZED,
            "certain_score": CERTAIN_SCORE,
            "duration_tolerance_s": DURATION_TOLERANCE_S,
            "max_matches_per_row": MAX_MATCHES_PER_ROW,
            "retry": retry,
            "max_waiting": MAX_WAITING,
        },
        request=request,
    )
    return Response.html(html, status=status, headers={"retry-after": str(retry["after"])} if retry else None)


async def _map_page(
    datasette, request, data: bytes, options: Options, preview, message: str | None = None, status: int = 200
) -> Response:
    columns = []
    for index, name in enumerate(preview.header):
        samples = [row[index] for row in preview.rows if index < len(row) and row[index].strip()]
        chosen = [field for field, refs in (options.columns or {}).items() if index + 1 in refs]
        columns.append(
            {
                "name": name or f"column {index + 1}",
                "samples": samples,
                "field": chosen[0] if chosen else preview.recognised.get(index, ""),
            }
        )
    html = await datasette.render_template(
        "check_map.html",
        {
            "message": message,
            "columns": columns,
            "fields": list(FIELD_LABELS.items()),
            "preview": preview,
            "encodings": ENCODINGS,
            "options": options,
            "catalogue": pack(data),
            "unit": "row" if preview.format == "xlsx" else "line",
        },
        request=request,
    )
    return Response.html(html, status=status)


def _too_large_message() -> str:
    return (
        f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the most the web check takes. "
        "Split the catalogue, or check it with the command line (python -m ingest check), which has no limit."
    )


async def check_view(datasette, request):
    if request.method == "GET":
        return await _form_page(datasette, request)
    if request.method != "POST":
        return Response.text(
            "Use GET for the form, POST to check a catalogue.", status=405, headers={"allow": "GET, POST"}
        )
    try:
        fields = _form(request.headers.get("content-type", ""), await _read_body(request, MAX_BODY_BYTES))
        # an uploaded file, else pasted text, else the upload a page carried back
        data = fields.get("file") or (fields["text"] if fields.get("text", b"").strip() else b"")
        if not data and fields.get("catalogue"):
            data = unpack(fields["catalogue"])
        options = Options.from_form(fields)
    except TooLarge:
        return await _form_page(datasette, request, error=_too_large_message(), status=413)
    except ValueError as error:
        return await _form_page(datasette, request, error=str(error), status=400)
    if not data:
        return await _form_page(datasette, request, error="Choose a file, or paste your list into the box.", status=400)
    if len(data) > MAX_UPLOAD_BYTES:
        return await _form_page(datasette, request, error=_too_large_message(), status=413)
    output = fields.get("format", b"html").decode("ascii", "replace")
    if output not in ("html", "csv", "json"):
        return Response.text(f"format {output!r}: choose html, csv or json", status=400)
    view = View.from_form(fields)
    pasted = fields.get("text", b"").decode("utf-8", "replace") if 0 < len(fields.get("text", b"")) < 100_000 else ""

    try:
        if fields.get("step") == b"map":  # the columns, to choose by hand
            found = preview_columns(
                data, encoding=options.encoding or None, sheet=options.sheet or None, header=options.header
            )
            if found is not None:
                return await _map_page(datasette, request, data, options, found)
        catalogue = read_catalogue(data, max_rows=MAX_ROWS, **options.read_kwargs())
    except CatalogueError as error:
        if error.preview is not None:
            return await _map_page(datasette, request, data, options, error.preview, message=str(error))
        return await _form_page(
            datasette, request, error=str(error), text=pasted, status=413 if error.too_large else 400
        )

    try:
        database = datasette.get_database(DATABASE)
    except KeyError:
        return Response.text(
            f"No {DATABASE} database is being served: build it with python -m ingest build.", status=503
        )
    key = (catalogue.sha256, options.key(), database.path, *_file_version(database.path))
    cached = _reports.get(key)
    if cached is not None:
        _reports.move_to_end(key)
        if output != "html":
            return _download(output, *cached, catalogue)
        return _html(datasette, request, catalogue, data, options, view, cached=cached)

    ticket = queue.admit(len(catalogue.rows))
    if ticket is None:  # turned away: the page keeps the upload, to send again with one click
        wait = max(30, int(queue.wait_s()) + 1)
        return await _form_page(
            datasette,
            request,
            status=503,
            text=pasted,
            error=f"{queue.waiting()} catalogue checks are waiting already, about {_duration(wait)} of work. "
            "Your file is kept on this page: send it again in a moment.",
            retry={"catalogue": pack(data), "options": options.hidden(), "after": wait},
        )

    def remember(body: dict) -> tuple[dict, str, str]:
        _reports[key] = report = (body, utc_now(), report_sha256(body))
        while len(_reports) > KEEP_REPORTS:
            _reports.popitem(last=False)
        return report

    if output != "html":  # a download: wait in the queue without a page to show progress on
        body = await run_check(database, catalogue, ticket)
        return _download(output, *remember(body), catalogue)
    return _html(datasette, request, catalogue, data, options, view, run=(database, ticket, remember))


def _html(datasette, request, catalogue, data, options, view, *, cached=None, run=None) -> AsgiStream:
    """The report page, streamed: its start at once; while the check waits or runs, a line a second saying how
    long the wait is or how far the check has got (only the last shows); then the summary, and the rows a chunk
    at a time, so that the browser shows the summary of a 10,000-row report while the rows arrive."""
    return AsgiStream(
        lambda writer: _stream(datasette, request, writer, catalogue, data, options, view, cached, run),
        content_type="text/html; charset=utf-8",
    )


async def _stream(datasette, request, writer, catalogue, data, options, view, cached, run):
    started = time.monotonic()
    page = await datasette.render_template(
        "check_report.html",
        {"report": None, "checking": cached is None, "rows": len(catalogue.rows), "filename": options.filename},
        request=request,
    )
    head, _, rest = page.partition("<!-- progress -->")
    between, _, tail = rest.partition("<!-- report -->")
    await writer.write(head)
    last = [0.0]

    async def step(text: str, value: float | None = None) -> None:
        if time.monotonic() - last[0] < 1.0:
            return
        last[0] = time.monotonic()
        bar = f' <progress max="100" value="{value:.0f}"></progress>' if value is not None else ""
        await writer.write(f'<p class="check-step">{text}{bar}</p>\n')

    async def on_wait(ahead: int, seconds: float) -> None:
        await step(f"Waiting for {ahead} check{'s' if ahead > 1 else ''} ahead of yours: about {_duration(seconds)}…")

    async def on_progress(done: int, total: int) -> None:
        share = done / total if total else 0
        stage = "Looking up your artists" if done < total / 2 else "Comparing your titles"
        await step(f"{stage}: {share:.0%} done, {time.monotonic() - started:.0f} s so far…", 100 * share)

    if cached is not None:
        body, checked_at, sha256 = cached
    else:
        database, ticket, remember = run
        try:
            body = await run_check(database, catalogue, ticket, on_wait, on_progress)
        except Exception as error:  # the page has started: say so on it
            await writer.write(
                f'{between}<p class="message-error" role="alert">The check failed '
                f"({type(error).__name__}). Please try again, or use the command line.</p>{tail}"
            )
            raise
        body, checked_at, sha256 = remember(body)
    # a kept report (another filter, order or page) was not checked now: no time to show
    elapsed = time.monotonic() - started if cached is None else None
    context = _report_context(body, checked_at, sha256, data, options, catalogue, elapsed, view)
    report = await datasette.render_template("_check_report_body.html", context, request=request)
    before_rows, _, after_rows = report.partition("<!-- rows -->")
    await writer.write(between + "<style>#check-progress { display: none; }</style>\n" + before_rows)
    rows_template = datasette.jinja_env.get_template("_check_rows.html")
    track_url = datasette.urls.table(DATABASE, "tracks")
    rows = context["page_rows"]
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        await writer.write(
            await rows_template.render_async(
                rows=[_row_view(row, context["dataset_names"]) for row in rows[start : start + ROWS_PER_CHUNK]],
                short_names=SHORT_NAMES,
                track_url=track_url,
            )
        )
    await writer.write(after_rows + tail)


def _download(output, body, checked_at, sha256, catalogue) -> Response:
    name = f"catalogue-check-{catalogue.sha256[:12]}"
    if output == "csv":
        return Response(
            ("\ufeff" + report_csv(body)).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="{name}.csv"',
                "x-report-sha256": sha256,
                "x-checked-at": checked_at,
            },
        )
    return Response(
        report_json(body, checked_at),
        content_type="application/json; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.json"'},
    )


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 90 else f"{seconds // 60} min {seconds % 60:02d} s"


def _shown(matches: list[dict]) -> list[dict]:
    """The matches a page lists for a row: the best in each dataset, then the next best, up to HTML_MATCHES."""
    firsts, seen = [], set()
    for match in matches:
        if match["dataset"] not in seen:
            seen.add(match["dataset"])
            firsts.append(match)
    rest = [match for match in matches if match not in firsts]
    return (firsts + rest)[:HTML_MATCHES]


@dataclass
class View:
    """Which rows of a report a page shows: a kind (`show`), an order, and a page (or "all")."""

    show: str = "all"
    order: str = "line"
    page: int | str = 1  # a number, or "all"

    @classmethod
    def from_form(cls, fields: dict[str, bytes]) -> "View":
        text = {
            key: fields[key].decode("ascii", "replace")
            for key in ("show", "current_show", "order", "current_order", "page")
            if key in fields
        }
        show = text.get("show") or text.get("current_show") or "all"
        order = text.get("order") or text.get("current_order") or "line"
        typed = text.get("page", "1")
        page = "all" if typed == "all" else max(1, int(typed)) if typed.isdecimal() else 1
        return cls(show if show in SHOWS else "all", order if order in ORDERS else "line", page)

    def rows(self, rows: list[dict]) -> list[dict]:
        """The rows of this kind, in this order (all pages)."""
        if self.show != "all":
            rows = [row for row in rows if row["status"].replace(" ", "-") == self.show]
        if self.order == "best":
            rows = sorted(rows, key=lambda row: (-(row.get("best_score") or 0), row["line"]))
        elif self.order == "worst":
            rows = sorted(rows, key=lambda row: (row.get("best_score") or 0, row["line"]))
        return rows


def _pages(count: int, current: int) -> list:
    """Page numbers for a pager: the first, the last, and the two either side of the current (None for a gap)."""
    last = max(1, -(-count // PAGE_ROWS))
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list = []
    for number in wanted:
        if pages and number - pages[-1] > 1:
            pages.append(None)
        pages.append(number)
    return pages


def _row_view(row: dict, names: dict[str, str]) -> dict:
    shown = _shown(row.get("matches") or [])
    return {
        **row,
        "label": STATUS_LABELS[row["status"]],
        "shown": shown,
        "more": row.get("matches_total", 0) - len(shown),
        "found_in": " · ".join(SHORT_NAMES.get(slug, names.get(slug, slug)) for slug in row.get("datasets", ())),
    }


def _report_context(
    body: dict,
    checked_at: str,
    sha256: str,
    data: bytes,
    options: Options,
    catalogue,
    elapsed: float | None,
    view: View | None = None,
) -> dict:
    view = view or View()
    summary = body["summary"]
    names = {d["slug"]: d.get("name") or d["slug"] for d in body["datasets"]}
    matching = view.rows(body["rows"])
    pages = _pages(len(matching), view.page if isinstance(view.page, int) else 1)
    page = view.page if not isinstance(view.page, int) or view.page <= pages[-1] else pages[-1]
    first = (page - 1) * PAGE_ROWS if isinstance(page, int) else 0
    page_rows = matching[first : first + PAGE_ROWS] if isinstance(page, int) else matching
    filters = [
        ("all", "all", summary["rows"]),
        ("matched", "matched", summary["matched"]),
        ("uncertain", "uncertain", summary["uncertain"]),
        ("unmatched", "not found", summary["unmatched"]),
        ("unreadable", "unreadable", summary["unreadable"]),
    ]
    if summary["not_checked"]:
        filters.append(("not-checked", "not checked", summary["not_checked"]))
    return {
        "report": body,
        "summary": body["summary"],
        "page_rows": page_rows,
        "matching": len(matching),
        "first_shown": first + 1,
        "last_shown": first + len(page_rows),
        "pages": pages,
        "page": page,
        "page_size": PAGE_ROWS,
        "show": view.show,
        "order": view.order,
        "showing": SHOWS[view.show],
        "orders": list(ORDERS.items()),
        "order_label": ORDERS[view.order],
        "filters": filters,
        "sha256": sha256,
        "catalogue": pack(data),
        "options": options.hidden(),
        "filename": options.filename,
        "elapsed": elapsed,
        "dataset_names": names,
        "checked_at": checked_at,
        "checked_at_text": checked_at.replace("T", " ").replace("Z", ""),
        "field_labels": FIELD_LABELS,
        "unit": "row" if catalogue.format == "xlsx" else "line",
        "can_map": catalogue.format != "paste",
        "notes": [note for note in body["notes"] if not note.startswith("columns not used")],  # shown with columns
    }


def _file_version(path: str | None) -> tuple:
    try:
        stat = os.stat(path or "")
    except (TypeError, OSError):
        return (None, None)
    return (stat.st_mtime_ns, stat.st_size)
