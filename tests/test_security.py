"""Hostile requests: the database cannot be written or escaped through SQL, runaway SQL is stopped by the time
limit while the server keeps answering, garbage parameters are never a server error, HTML and links in the data or
the query string are never rendered as markup or script, CSV exports never start a cell with a formula, and no path
reaches a file outside the published directories.

One small database is built for the module, from inputs in the publishers' own formats whose artists, titles,
albums and links carry the payloads. It is served in-process (configured like `datasette .`, see conftest) and by
a real `datasette .` process in a configuration directory (like test_browser.py).
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import random
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlencode, urlsplit

import pytest
import pytest_asyncio
import yaml
from markupsafe import escape

from ingest.build import build
from ingest.check import spreadsheet_safe
from ingest.normalize import artist_key
from ingest.testdata.publisher_formats import write_sleeping, write_spotify

from .conftest import (
    ROOT,
    chromium_browser,
    configuration_directory,
    datasette_server,
    make_datasette,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD_ARTIST = f"{IMG} {SCRIPT}"
PAYLOAD_TITLE = f"{IMG} title"
PAYLOAD_KEY = artist_key(PAYLOAD_ARTIST)
SCRIPT_URL = "javascript:alert(1)"
FORMULA_ARTIST = '=HYPERLINK("http://evil","x")'
FORMULA_TRACKS = [("@SUM(1+1)", "-2+3"), ("+CMD|' /C calc'!A0", "=1+1")]  # (title, album)
FORMULA_KEY = artist_key(FORMULA_ARTIST)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SETTINGS = json.loads((ROOT / "settings.json").read_text())
SAVED_QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["datasets"]["queries"]


# --- the publication, in-process and as a real server ---------------------------------------------------------
class Publication(NamedTuple):
    directory: Path  # a `datasette .` configuration directory
    db: Path
    sha256: str  # of the database as built, before any request


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_hostile_inputs(root: Path) -> dict[str, Path]:
    """Spotify and Sleeping-DISCO files whose names, titles, albums and links are payloads, plus one plain track."""
    spotify = dict(popularity=50, duration_ms=200000, explicit="False", track_genre="pop")
    write_spotify(
        root / "spotify" / "dataset.csv",
        [
            spotify
            | dict(
                track_id="0000000000000000000001",
                artists=PAYLOAD_ARTIST,
                album_name=f"{SCRIPT} album",
                track_name=PAYLOAD_TITLE,
            ),
            *(
                spotify
                | dict(track_id=f"000000000000000000001{n}", artists=FORMULA_ARTIST, album_name=album, track_name=title)
                for n, (title, album) in enumerate(FORMULA_TRACKS)
            ),
            spotify
            | dict(track_id="0000000000000000000099", artists="Björk", album_name="Post", track_name="Army of Me"),
        ],
    )
    # Genius gives the song's and the artist's page as links: links the page must not make clickable
    write_sleeping(
        root / "sleeping",
        [
            (
                "0",
                {
                    "song_id": 1,
                    "title": PAYLOAD_TITLE,
                    "song_url": SCRIPT_URL,
                    "primary_artist": PAYLOAD_ARTIST,
                    "artist_url": SCRIPT_URL,
                    "featured_artists": [],
                    "youtube_links": [],
                    "lyrics": "la la la",
                },
            )
        ],
    )
    return {"spotify-tracks-dataset": root / "spotify" / "dataset.csv", "sleeping-disco-9m": root / "sleeping"}


@pytest.fixture(scope="module")
def publication(tmp_path_factory) -> Publication:
    directory = tmp_path_factory.mktemp("hostile-publication")
    db = directory / "datasets.db"
    build(db, write_hostile_inputs(tmp_path_factory.mktemp("hostile-inputs")), progress=False, log=lambda m: None)
    configuration_directory(directory)
    return Publication(directory, db, sha256(db))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """Where hostile SQL tries to write files: it must stay empty."""
    return tmp_path_factory.mktemp("scratch")


@pytest_asyncio.fixture
async def site(publication):
    datasette = make_datasette(publication.db)
    await datasette.invoke_startup()
    return datasette


@pytest.fixture(scope="module")
def server(publication):
    """`datasette .` in the publication's directory."""
    with datasette_server(publication.directory) as url:
        yield url


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def raw_get(server: str, path: str) -> tuple[int, bytes, str | None]:
    """GET `path` exactly as written: no client normalizes its `..` or decodes its `%2f`."""
    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("location")
    finally:
        connection.close()


# --- 1. the database is read-only -------------------------------------------------------------------------------
# Each statement, and why Datasette refuses it: the reason shows the statement really reached the guard (a typo
# would be refused as a syntax error and prove nothing).
REFUSED_SQL = [
    ("insert into datasets (slug) values ('x')", "Statement must be a SELECT"),
    ("update tracks set title = 'x'", "Statement must be a SELECT"),
    ("delete from tracks", "Statement must be a SELECT"),
    ("drop table tracks", "Statement must be a SELECT"),
    ("create table x (y)", "Statement must be a SELECT"),
    ("attach database '{scratch}/attached.db' as x", "Statement must be a SELECT"),
    ("pragma journal_mode=delete", "Statement must be a SELECT"),
    ("pragma writable_schema=1", "Statement must be a SELECT"),
    ("vacuum into '{scratch}/copy.db'", "Statement must be a SELECT"),
    ("-- select\ndrop table tracks", "Statement must be a SELECT"),
    ("select * from pragma_journal_mode('delete')", "disallowed PRAGMA"),
    # a WITH clause passes Datasette's SELECT check: only the read-only connection stops these
    ("with t as (select 1) update datasets set name = 'x'", "attempt to write a readonly database"),
    ("with t as (select 1) delete from tracks", "attempt to write a readonly database"),
    ("select 1; drop table tracks", "You can only execute one statement at a time"),
    ("select load_extension('{scratch}/evil.so')", "not authorized"),
    ("select writefile('{scratch}/written', 'x')", "no such function: writefile"),
    ("select readfile('/etc/passwd')", "no such function: readfile"),
]


def assert_untouched(publication: Publication, scratch: Path) -> None:
    assert sha256(publication.db) == publication.sha256, "the database file changed"
    assert not list(scratch.iterdir()), "SQL wrote a file"


@pytest.mark.asyncio
@pytest.mark.parametrize("sql, reason", REFUSED_SQL, ids=[sql.replace("\n", " ")[:48] for sql, _ in REFUSED_SQL])
async def test_sql_that_writes_or_leaves_the_database_is_refused(site, publication, scratch, sql, reason):
    response = await site.client.get("/datasets.json", params={"sql": sql.format(scratch=scratch)})
    assert response.status_code == 400 and reason in response.json()["error"], response.text
    assert_untouched(publication, scratch)


def saved_query_parameters(name: str) -> list[str]:
    return sorted(set(re.findall(r":(\w+)", SAVED_QUERIES[name]["sql"])))


INJECTIONS = ["' or 1=1 --", "x'); drop table tracks; --", "'; attach database '{scratch}/injected.db' as x; --"]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", [name for name in SAVED_QUERIES if saved_query_parameters(name)])
async def test_saved_query_parameters_are_values_never_sql(site, publication, scratch, name):
    for injection in INJECTIONS:
        params = {parameter: injection.format(scratch=scratch) for parameter in saved_query_parameters(name)}
        response = await site.client.get(f"/datasets/{name}.json", params=params | {"_shape": "array"})
        # bound as a value, `' or 1=1 --` matches nothing; spliced into the SQL it would match every row
        assert response.status_code == 200 and response.json() == [], (injection, response.text[:300])
    # a saved query's SQL cannot be replaced from the query string
    replaced = await site.client.get(f"/datasets/{name}.json", params={"sql": "select 'replaced' as x"})
    assert "replaced" not in replaced.text
    assert_untouched(publication, scratch)


def test_a_real_server_serves_the_file_immutable_and_refuses_every_write(server, publication, scratch):
    _, databases = fetch(server + "/-/databases.json")
    assert [d["is_mutable"] for d in json.loads(databases) if d["name"] == "datasets"] == [False]
    for sql, reason in REFUSED_SQL:
        status, body = fetch(server + "/datasets.json?" + urlencode({"sql": sql.format(scratch=scratch)}))
        assert status == 400 and reason in json.loads(body)["error"], (sql, body)
    # POST is no way in either: the saved queries are not writable (Datasette 0.65 answers a 500, and writes nothing)
    status, _ = fetch(server + "/datasets/artist_tracks", data=urlencode({"artist": INJECTIONS[1]}).encode())
    assert status >= 400
    status, _ = fetch(server + "/datasets", data=urlencode({"sql": "drop table tracks"}).encode())
    assert status >= 400
    assert_untouched(publication, scratch)


# --- 2. pathological SQL and garbage parameters ------------------------------------------------------------------
# counting to 10^12 takes hours; the time limit must stop it (the string checks the error page escapes the SQL)
RUNAWAY_SQL = (
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000000000000) "
    f"select count(*), '{SCRIPT}' from n"
)


@pytest.mark.slow
def test_a_runaway_query_is_stopped_by_the_time_limit(server):
    limit_s = SETTINGS["sql_time_limit_ms"] / 1000
    _, settings = fetch(server + "/-/settings.json")
    assert json.loads(settings)["sql_time_limit_ms"] == SETTINGS["sql_time_limit_ms"]
    started = time.monotonic()
    status, body = fetch(server + "/datasets?" + urlencode({"sql": RUNAWAY_SQL}))
    assert status == 400 and "SQL query took too long" in body
    assert limit_s * 0.9 < time.monotonic() - started < 10
    assert SCRIPT not in body and str(escape(SCRIPT)) in body
    assert fetch(server + "/search.json?q=bjork")[0] == 200


@pytest.mark.slow
def test_pages_answer_while_a_runaway_query_runs(publication):
    # What is tested is that the pages do not wait for the query, not how fast a busy machine answers them: this
    # server's time limit (8 s) leaves them room.
    with datasette_server(publication.directory, "--setting", "sql_time_limit_ms", "8000") as server:
        runaway = {}

        def run():
            runaway["status"], _ = fetch(server + "/datasets?" + urlencode({"sql": RUNAWAY_SQL}))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        time.sleep(0.5)
        for path in ("/", "/search?q=bjork", "/artist/bjork", "/datasets/tracks"):
            assert fetch(server + path)[0] == 200, path
        assert thread.is_alive(), "the other pages waited for the runaway query"
        thread.join(15)
        assert runaway["status"] == 400


# FTS syntax that is not valid: quotes, NEAR, prefix and column operators, 10,000 characters of it
FTS_GARBAGE = ("\"NEAR( * ^ AND OR NOT -x title:{ } ' \\ " * 400)[:10_000]
TOO_BIG = "99999999999999999999999"  # beyond SQLite's 64-bit integers
GARBAGE_REQUESTS = [
    "/datasets/tracks?_size=max",
    "/datasets/tracks.json?_size=max",
    "/datasets/tracks.csv?_size=max&_stream=on",
    f"/datasets/tracks.json?_size={TOO_BIG}",
    "/datasets/tracks?_size=-1",
    "/datasets/tracks?_size=abc",
    "/datasets/tracks?" + urlencode({"_search": FTS_GARBAGE}),
    "/datasets/tracks.json?" + urlencode({"_search": FTS_GARBAGE, "_searchmode": "raw"}),
    "/datasets/artists?" + urlencode({"_search": FTS_GARBAGE}),
    "/-/search?" + urlencode({"q": FTS_GARBAGE}),
    "/search?" + urlencode({"q": FTS_GARBAGE}),
    "/search.json?" + urlencode({"q": FTS_GARBAGE}),
    f"/search?q=love&page={TOO_BIG}",
    "/search?q=love&page=-1",
    "/search.json?q=love&page=nan",
    "/search?q=%00",
    "/search.json?q=%ff%fe%ed%a0%80",
    "/search?q=https://youtu.be/%00",
    "/search.json?q=https://genius.com/artists/%25",
    "/search?q=spotify:track:" + "a" * 5000,
    "/artist/" + "x" * 10_000,
    "/artist/%ff%fe",
    "/artist/%00.json",
    "/artist/%25",
    "/artist/bjork?dataset=%00",
    f"/artist/bjork?after={TOO_BIG}",
    f"/artist/bjork.json?after=-{TOO_BIG}",
    "/artist/bjork?after=1e999",
    "/artist/bjork.csv?" + urlencode({"dataset": FTS_GARBAGE}),
    "/check?" + urlencode({"format": FTS_GARBAGE}),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("path", GARBAGE_REQUESTS, ids=[path[:60] for path in GARBAGE_REQUESTS])
async def test_garbage_parameters_are_never_a_server_error(site, path):
    response = await site.client.get(path)
    assert response.status_code < 500, response.text[:500]


FORM = "application/x-www-form-urlencoded"
GARBAGE_UPLOADS = [
    (random.Random(0).randbytes(4000), "application/octet-stream"),
    (b"garbage", "multipart/form-data; boundary=xyz"),
    (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nartist,title\nA,B',
        "multipart/form-data; boundary=xyz",
    ),  # never closed
    (b"garbage", "multipart/form-data; boundary="),
    (b"garbage", "multipart/form-data"),
    (b"text=x", "\x00"),
    (b"=&&&=&text&text=%zz%ff&format=%ff", FORM),
    (b"text=artist,title%0A%00%00,%ff&format=json", FORM),
    (b"text=%EF%BB%BF%FF%FE", FORM),
    (b"text=" + b"%22" * 20_000, FORM),
    (b"text=artist,title%0A" + b"a," * 20_000, FORM),
    (b"text=artist,title,duration,isrc,youtube,spotify,url%0Ax,y,-1e999,%00,%ff,spotify:track:%ff,javascript:", FORM),
    (b"catalogue=" + b"A" * 1000 + b"&format=csv", FORM),
    (b"catalogue=eJzLSM3JyQcABiwCFQ%3D%3D&format=csv", FORM),  # base64 of zlib, but of the wrong data
]


@pytest.mark.asyncio
@pytest.mark.parametrize("body, content_type", GARBAGE_UPLOADS, ids=[f"upload{n}" for n in range(len(GARBAGE_UPLOADS))])
async def test_garbage_uploads_to_the_catalogue_check_are_never_a_server_error(site, body, content_type):
    response = await site.client.post("/check", content=body, headers={"content-type": content_type})
    assert response.status_code < 500, response.text[:500]


# --- 3. HTML and links from the data or the query string ---------------------------------------------------------
def assert_shown_as_text(html: str, shown: bool = True, page: str = "") -> None:
    """No payload is markup or a script link; `shown`: the page does show one, escaped (so the check is not
    passing because the data is missing)."""
    assert SCRIPT not in html and "<img src=x" not in html, page
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.IGNORECASE), page
    if shown:
        assert str(escape(SCRIPT)) in html or str(escape(IMG)) in html, page


def payload_track_ids(publication: Publication) -> list[int]:
    with sqlite3.connect(f"file:{publication.db}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("select id from tracks where title like '%<%' order by id")]


def xss_pages(publication: Publication) -> list[tuple[str, bool, int]]:
    """(path, whether it shows a payload, its HTTP status) for every kind of page."""
    pages = [
        ("/", False, 200),
        ("/search?" + urlencode({"q": IMG}), True, 200),  # in the query string and the results
        ("/search?q=onerror", True, 200),  # in the results only
        ("/-/search?" + urlencode({"q": PAYLOAD_ARTIST}), True, 200),
        (f"/artist/{PAYLOAD_KEY}", True, 200),
        # a dataset that does not exist: 400, saying so (the value shown escaped)
        (f"/artist/{PAYLOAD_KEY}?" + urlencode({"dataset": SCRIPT, "after": IMG}), True, 400),
        # not found: the key is repeated (the artist's own name would resolve to their page)
        (f"/artist/{quote(PAYLOAD_ARTIST + ' nobody', safe='')}", True, 404),
        ("/datasets", False, 200),
        ("/datasets/tracks", True, 200),
        ("/datasets/tracks?" + urlencode({"_search": IMG}), True, 200),
        ("/datasets/artists", True, 200),
        ("/datasets/artist_sources", True, 200),
        ("/datasets?" + urlencode({"sql": f"select '{SCRIPT}' as a, '{IMG}' as b"}), True, 200),
        *((f"/datasets/tracks/{track}", True, 200) for track in payload_track_ids(publication)),
        ("/check", False, 200),
    ]
    for name in SAVED_QUERIES:
        parameters = saved_query_parameters(name)
        pages.append((f"/datasets/{name}?" + urlencode({p: PAYLOAD_ARTIST for p in parameters}), bool(parameters), 200))
    return pages


@pytest.mark.asyncio
async def test_html_in_the_data_or_the_query_string_is_never_markup(site, publication):
    pages = xss_pages(publication)
    assert len(payload_track_ids(publication)) == 2
    for path, shown, status in pages:
        response = await site.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        assert_shown_as_text(response.text, shown, path)


@pytest.mark.asyncio
async def test_links_from_the_data_are_only_followed_when_they_are_web_links(site):
    html = (await site.client.get(f"/artist/{PAYLOAD_KEY}")).text
    # the Spotify track's link is built from its id and kept; Genius gave `javascript:` links, which are dropped
    assert 'href="https://open.spotify.com/track/0000000000000000000001"' in html
    assert SCRIPT_URL in html  # the publisher's value is still shown, as text
    assert_shown_as_text(html)


@pytest.mark.asyncio
async def test_the_catalogue_check_report_shows_html_as_text(site):
    catalogue = io.StringIO()
    csv.writer(catalogue).writerows(
        [("artist", "title", "album"), (PAYLOAD_ARTIST, PAYLOAD_TITLE, SCRIPT), (SCRIPT, IMG, SCRIPT_URL)]
    )
    report = await site.client.post("/check", data={"text": catalogue.getvalue()})
    assert report.status_code == 200 and '<ul class="m"><li>' in report.text
    assert_shown_as_text(report.text)
    # a text whose columns are not recognised comes back on the column-mapping step, as text
    unrecognised = await site.client.post("/check", data={"text": f"{SCRIPT}\n{IMG}"})
    assert unrecognised.status_code == 200 and "Which column holds what?" in unrecognised.text
    assert_shown_as_text(unrecognised.text)
    # and a file that cannot be read at all comes back in the form, as text
    unreadable = await site.client.post("/check", data={"text": f"artist,title\n{SCRIPT},x\n" + "a,b\n" * 10_001})
    assert unreadable.status_code == 413
    assert_shown_as_text(unreadable.text)


@pytest.mark.asyncio
async def test_json_answers_are_never_served_as_html(site):
    for path in (
        "/search.json?" + urlencode({"q": IMG}),
        f"/artist/{PAYLOAD_KEY}.json",
        f"/artist/{quote(SCRIPT, safe='')}.json",
        "/datasets/tracks.json",
    ):
        response = await site.client.get(path)
        assert response.headers["content-type"].startswith("application/json"), path


# --- 3b. the same pages in a real browser -------------------------------------------------------------------------
@pytest.fixture
def browser():
    """Per test: a running Playwright holds the event loop the asyncio tests need."""
    with chromium_browser() as chromium:
        yield chromium


def test_no_script_from_the_data_runs_in_a_browser(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append((page.url, dialog.message)), dialog.dismiss()))
    try:
        page.goto(server + "/search?" + urlencode({"q": IMG}), wait_until="load")  # load: after images' onerror
        assert page.inner_text("table.artists a") == PAYLOAD_ARTIST
        page.click("table.artists a")
        page.wait_for_url(f"**/artist/{PAYLOAD_KEY}")
        page.wait_for_load_state("load")
        assert page.inner_text("h1") == PAYLOAD_ARTIST
        assert page.locator("a[href^='javascript:' i]").count() == 0
        # the search-all page writes its results with innerHTML, from /search.json
        page.goto(server + "/-/search?" + urlencode({"q": PAYLOAD_ARTIST}), wait_until="load")
        page.wait_for_selector("#search-all-results h2")
        assert PAYLOAD_ARTIST in page.inner_text("#search-all-results")
        page.goto(server + "/datasets/tracks", wait_until="load")
        page.wait_for_timeout(200)  # a dialog from an image's onerror would have opened by now
    finally:
        context.close()
    assert not dialogs, f"a script from the data ran: {dialogs}"


# --- 4. formula injection in CSV exports ----------------------------------------------------------------------
def csv_cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def formula_cells(rows: list[dict]) -> list[str]:
    # the exports hold no negative numbers here, so a leading "-" is always text
    return [cell for row in rows for cell in row.values() if cell and cell[0] in FORMULA_START]


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_a_cell_starting_like_a_formula_gets_a_quote(prefix):
    assert spreadsheet_safe(prefix + "SUM(1+1)") == "'" + prefix + "SUM(1+1)"


def test_other_cells_are_left_as_they_are():
    assert [spreadsheet_safe(v) for v in ("a=b", " =1", "", None, -2, 1.5)] == ["a=b", " =1", "", None, -2, 1.5]


@pytest.mark.asyncio
async def test_the_artist_csv_never_starts_a_cell_with_a_formula(site):
    response = await site.client.get(f"/artist/{FORMULA_KEY}.csv")
    assert response.status_code == 200
    rows = csv_cells(response.text)
    assert not formula_cells(rows)
    # the values are all there, behind the quote
    assert sorted((r["title"], r["album"]) for r in rows) == sorted(("'" + t, "'" + a) for t, a in FORMULA_TRACKS)
    assert {r["artist_credit"] for r in rows} == {"'" + FORMULA_ARTIST}


@pytest.mark.asyncio
async def test_the_catalogue_check_csv_never_starts_a_cell_with_a_formula(site):
    catalogue = io.StringIO()
    csv.writer(catalogue).writerows(
        [("artist", "title", "album"), (FORMULA_ARTIST, *FORMULA_TRACKS[0]), ("@evil", "=cmd()", "+1")]
    )  # matched, and not
    response = await site.client.post("/check", data={"text": catalogue.getvalue(), "format": "csv"})
    assert response.status_code == 200
    rows = csv_cells(response.text)
    assert not formula_cells(rows)
    matched = next(r for r in rows if r["status"] == "matched")
    assert (matched["artist"], matched["matched_title"], matched["matched_album"]) == (
        "'" + FORMULA_ARTIST,
        "'" + FORMULA_TRACKS[0][0],
        "'" + FORMULA_TRACKS[0][1],
    )
    assert any(r["artist"] == "'@evil" and r["title"] == "'=cmd()" for r in rows)


# --- 5. paths outside the published directories ----------------------------------------------------------------
TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/....//....//etc/passwd",
    "/static/..\\..\\..\\etc\\passwd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/../settings.json",
    "/static/..%2fsettings.json",
    "/static/../datasets.db",
    "/static/..%2fdatasets.db",
    "/-/static/../../../../../../../../etc/passwd",
    "/-/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/-/static-plugins/datasette_cluster_map/../../../../../../../../../etc/passwd",
    "/-/static-plugins/datasette_cluster_map/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/artist/..%2f..%2fetc%2fpasswd",
    "/artist/..%2f..%2fetc%2fpasswd.csv",
    "/artist/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "//etc/passwd",
    "/../../../etc/passwd",
    "/datasets/..%2f..%2fetc%2fpasswd",
]


def test_the_static_files_are_served(server):
    status, body, _ = raw_get(server, "/static/explorer.css")
    assert status == 200 and body  # so the refusals below are not a broken mount


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_reaches_a_file_outside_the_published_directories(server, path):
    status, body, location = raw_get(server, path)
    if status in (301, 302) and location and location.startswith("/"):  # Datasette tidies some paths first
        status, body, location = raw_get(server, location)
    assert status in (400, 403, 404), (status, location)
    assert b"root:" not in body and b"sql_time_limit_ms" not in body and b"SQLite format" not in body
