"""Whole exports (plugins/exports.py): every row a table page's filters match, as CSV or JSON, never cut short
without saying so."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import sys
import threading
import time
from html import unescape
from urllib.parse import urlencode

import pytest
from datasette import hookimpl
from datasette.plugins import pm

from ingest import bulk_reads
from ingest.check import spreadsheet_safe

# (table, filters, the matching rows' keys in SQL, in the export's order)
EXPORTS = [
    ("tracks", {}, "select id from tracks order by id"),
    ("tracks", {"_search": "love"}, "select rowid from tracks_fts where tracks_fts match '\"love\"' order by rowid"),
    (
        "tracks",
        {"_search": "love", "dataset": "laion-disco-12m"},
        "select id from tracks where id in (select rowid "
        "from tracks_fts where tracks_fts match '\"love\"') and dataset = 'laion-disco-12m' order by id",
    ),
    (
        "tracks",
        {"_search": "love", "explicit": "0", "_where": "duration_s > 180"},
        "select id from tracks where id in "
        "(select rowid from tracks_fts where tracks_fts match '\"love\"') and explicit = 0 and duration_s > 180 "
        "order by id",
    ),
    (
        "tracks",
        {"_search": "blue OR rain", "_searchmode": "raw"},
        "select rowid from tracks_fts where tracks_fts match 'blue OR rain' order by rowid",
    ),
    (
        "tracks",
        {"artist_credit": "Ólafur Vindur"},
        "select id from tracks where artist_credit = 'Ólafur Vindur' order by id",
    ),
    ("tracks", {"title__contains": "ove"}, "select id from tracks where title like '%ove%' order by id"),
    (
        "tracks",
        {"dataset": "spotify-tracks-dataset", "explicit": "0"},
        "select id from tracks where dataset = 'spotify-tracks-dataset' and explicit = 0 order by id",
    ),
    ("tracks", {"dataset": "nowhere"}, "select id from tracks where dataset = 'nowhere'"),
    (
        "track_artists",
        {"role": "featured"},
        "select track_id from track_artists where role = 'featured' order by track_id, position",
    ),
    (
        "artists",
        {"_search": "anna"},
        "select id from artists where id in (select rowid from artists_fts where "
        "artists_fts match '\"anna\"') order by id",
    ),
    ("artist_names", {"tracks__gt": "2"}, "select rowid from artist_names where tracks > 2 order by rowid"),
]


BOM = "\ufeff"


async def export(ds, table: str, params: dict, fmt: str):
    response = await ds.client.get(f"/datasets/{table}.{fmt}?" + urlencode(params | {"_stream": "on"}))
    assert response.status_code == 200, response.text
    # every CSV starts with a byte order mark, for Excel; JSON never does
    assert response.text.startswith(BOM) == (fmt == "csv")
    return response


def text(response) -> str:
    """The body without its byte order mark."""
    return response.content.decode("utf-8-sig")


@pytest.mark.asyncio
@pytest.mark.parametrize("table, params, sql", EXPORTS)
async def test_every_export_holds_exactly_the_matching_rows(ds, db, table, params, sql):
    expected = [row[0] for row in db.execute(sql)]
    rows = list(csv.reader(io.StringIO(text(await export(ds, table, params, "csv")))))
    assert len(rows) - 1 == len(expected)
    assert [int(row[0]) for row in rows[1:]] == expected
    data = json.loads((await export(ds, table, params, "json")).text)
    assert data["rows_exported"] == len(data["rows"]) == len(expected) and data["complete"] is True
    assert [row[data["columns"][0]] for row in data["rows"]] == expected


@pytest.mark.asyncio
async def test_the_csv_is_what_pythons_csv_module_writes_spreadsheet_safe(ds, db):
    """SQLite writes the lines: every value of the table, quoted and escaped as csv.writer would."""
    db.row_factory = None
    columns = [row[1] for row in db.execute("pragma table_xinfo(tracks)")]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(
        [spreadsheet_safe(v) for v in row] for row in db.execute(f"select {', '.join(columns)} from tracks order by id")
    )
    assert (await export(ds, "tracks", {}, "csv")).text == BOM + buffer.getvalue()
    risky = [
        row[0]
        for row in db.execute(
            "select id from tracks where substr(title, 1, 1) in ('=', '+', '-', '@') "
            "or title like '%,%' or title like '%\"%'"
        )
    ]
    assert risky  # the samples hold titles that need quoting or could run as formulas


@pytest.mark.asyncio
async def test_labels_columns_and_download_names(ds):
    response = await export(
        ds, "tracks", {"dataset": "free-music-archive", "_labels": "on", "_col": "title", "_dl": "on"}, "csv"
    )
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert list(rows[0]) == ["id", "title"]
    response = await export(ds, "tracks", {"dataset": "free-music-archive", "_labels": "on", "_dl": "on"}, "csv")
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert {row["dataset_label"] for row in rows} == {"Free Music Archive (FMA)"}
    assert list(rows[0])[:3] == ["id", "dataset", "dataset_label"]
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''tracks.csv"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/datasets/tracks.csv?_stream=on&_next=5",
        "/datasets/tracks.csv?_stream=on&_col=nothing",
        "/datasets/tracks.json?_stream=on&_search=%22NEAR(&_searchmode=raw",
        "/datasets/tracks.csv?_stream=on&_where=no_such_column=1",
        "/datasets/tracks.csv?_stream=on&_sort=views",
        "/datasets/tracks.json?_stream=on&_sort=id&_sort_desc=id",
    ],
)
async def test_an_export_that_cannot_run_says_why_before_it_starts(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 400 and response.text


def exports_module():
    return next(p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith("exports.py"))


@pytest.mark.asyncio
async def test_an_export_that_stops_says_so_in_the_file(ds, db, monkeypatch):
    monkeypatch.setattr(exports_module(), "CHUNK", 50)
    # a filter SQLite refuses only past the first chunks (two windows of 50 ids into the second dataset's range):
    # the export has begun when it stops
    last_good = db.execute("select first_track_id - 1 + 100 from datasets where slug = 'sleeping-disco-9m'").fetchone()[
        0
    ]
    exported = db.execute("select count(*) from tracks where id <= ?", [last_good]).fetchone()[0]
    params = {"_where": f"case when id > {last_good} then json('not json') else 1 end"}
    lines = text(await export(ds, "tracks", params, "csv")).splitlines()
    assert lines[-1].startswith(f"Export stopped after {exported:,} rows: the database stopped the export (")
    assert lines[-1].endswith("This file is incomplete.") and len(lines) == 1 + exported + 1
    data = json.loads((await export(ds, "tracks", params, "json")).text)
    assert data["complete"] is False and data["rows_exported"] == len(data["rows"]) == exported
    assert "malformed JSON" in data["stopped"]


@pytest.mark.asyncio
async def test_exports_read_in_chunks_hold_every_row(ds, db, monkeypatch):
    monkeypatch.setattr(exports_module(), "CHUNK", 7)
    monkeypatch.setattr(exports_module(), "SMALL_TABLE", 10)
    for table, params, sql in EXPORTS:
        expected = [row[0] for row in db.execute(sql)]
        data = json.loads((await export(ds, table, params, "json")).text)
        assert [row[data["columns"][0]] for row in data["rows"]] == expected, (table, params)


@pytest.mark.asyncio
async def test_the_search_page_links_to_the_export_of_every_match(ds):
    html = unescape((await ds.client.get("/search?q=love")).text)
    table = re.search(r'href="/datasets/tracks\?([^"]*)">see every match in the table', html).group(1)
    csv_link = re.search(r'href="(/datasets/tracks\.csv\?[^"]*)">download every match as CSV', html).group(1)
    # the same search as the table the page links to, streamed whole
    assert csv_link == f"/datasets/tracks.csv?{table}&_labels=on&_stream=on&_dl=on"
    assert "_search=" in table


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["anna-berg", "the-velvet-foxes", "bjork"])
async def test_the_artist_csv_is_what_pythons_csv_module_writes_from_its_json(ds, key):
    data = (await ds.client.get(f"/artist/{key}.json")).json()
    assert data["tracks"] and not data["next"]
    columns = [
        "dataset",
        "source_id",
        "title",
        "artist_credit",
        "role",
        "album",
        "duration_s",
        "release_year",
        "url",
        "licence",
        "licence_code",
        "views",
        "popularity",
        "listens",
        "duplicate_of",
        "used_to_train",
        "track_id",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([columns] + [[spreadsheet_safe(t[c]) for c in columns] for t in data["tracks"]])
    assert (await ds.client.get(f"/artist/{key}.csv")).text == BOM + buffer.getvalue()


class ThreadNiceness:
    """A SQL function telling the niceness of the thread that runs the query."""

    __name__ = "thread_niceness"

    @staticmethod
    @hookimpl
    def prepare_connection(conn):
        conn.create_function("thread_niceness", 0, lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))


def exports_niceness() -> int:
    return min(19, os.getpriority(os.PRIO_PROCESS, 0) + bulk_reads.NICENESS)


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a niceness per thread is Linux's")


@pytest.mark.asyncio
@linux_only
async def test_a_whole_export_reads_at_a_lower_priority_than_pages(ds, db):
    """Exports run their SQL on threads that yield to the pages' when the cores are busy (ingest/bulk_reads.py):
    every row of an export is read at the exports' niceness."""
    pm.register(ThreadNiceness, name="thread_niceness")
    try:
        path = "/datasets/tracks.csv?_stream=on&_col=id&_where=thread_niceness() "
        lower = await ds.client.get(f"{path}= {exports_niceness()}")
        other = await ds.client.get(f"{path}<> {exports_niceness()}")
    finally:
        pm.unregister(name="thread_niceness")
    tracks = db.execute("select count(*) from tracks").fetchone()[0]
    assert text(lower).count("\r\n") == 1 + tracks and text(other).count("\r\n") == 1


@pytest.mark.asyncio
@linux_only
async def test_the_artist_csv_reads_at_the_exports_priority(ds, monkeypatch):
    read_at = []
    execute_fn = bulk_reads.execute_fn

    async def watched(db, fn):
        return await execute_fn(db, lambda conn: (read_at.append(os.getpriority(os.PRIO_PROCESS, 0)), fn(conn))[1])

    monkeypatch.setattr(bulk_reads, "execute_fn", watched)
    response = await ds.client.get("/artist/anna-berg.csv")
    assert response.status_code == 200 and response.text.count("\r\n") > 1
    assert read_at and set(read_at) == {exports_niceness()}


@pytest.mark.asyncio
async def test_bulk_reads_use_connections_prepared_as_datasettes(ds):
    """The exports' threads have Datasette's SQL functions (a `_where` may use them) and keep one connection each."""
    db = ds.get_database("datasets")
    folded = await bulk_reads.execute_fn(db, lambda conn: conn.execute("select fold('Bjørk')").fetchone()[0])
    assert folded == (await db.execute("select fold('Bjørk')")).single_value()
    connections = {await bulk_reads.execute_fn(db, lambda conn: id(conn)) for _ in range(20)}
    assert 1 <= len(connections) <= bulk_reads.THREADS


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["anna-berg", "the-velvet-foxes"])
async def test_the_artist_csv_read_in_chunks_is_the_same_file(ds, monkeypatch, key):
    whole = (await ds.client.get(f"/artist/{key}.csv")).text
    artist = next(p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith("artist.py"))
    monkeypatch.setattr(artist, "CSV_CHUNK", 2)
    chunked = (await ds.client.get(f"/artist/{key}.csv")).text
    assert whole.count("\r\n") > 3 and chunked == whole


def test_bulk_reads_stop_a_query_after_its_cpu_time():
    """An export's query is interrupted after the time limit of CPU it used (a runaway `_where` stops), not after the
    time it waited for a core."""
    conn = sqlite3.connect(":memory:")
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    started = time.thread_time()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"), bulk_reads.time_limit(conn, 200):
        conn.execute(endless).fetchone()
    assert 0.2 <= time.thread_time() - started < 2
    with bulk_reads.time_limit(conn, 200):
        assert conn.execute("select count(*) from (select 1 union all select 2)").fetchone() == (2,)
    assert conn.execute(endless.replace("select i + 1 from n", "select i + 1 from n where i < 10")).fetchone() == (10,)


@pytest.mark.parametrize(
    "track_id, source_id, page_url",
    [
        (1, "dQw4w9WgXcQ", None),  # LAION: a link made from the id
        (2, 'odd,"id', None),  # an id that needs quoting
        (3, "=cmd()", None),  # an id that starts like a formula, behind a safe prefix
        (100_000_001, "1234", "/Adele-hello-lyrics"),  # Sleeping-DISCO: a Genius path
        (100_000_002, "1235", '/Artist-"quoted",-song-lyrics'),  # a path that needs quoting
        (100_000_003, "1236", "=HYPERLINK(1)"),  # a whole page URL, starting like a formula
        (100_000_004, "1237", None),  # no page at all
        (200_000_001, "42", "https://freemusicarchive.org/music/A,_B/c/"),  # a whole URL with a comma
        (200_000_002, "43", "https://freemusicarchive.org/music/Artist/Track/"),
        (300_000_001, "4uLU6hMCjMI75M1A2tKUQC", None),  # Spotify: made from the id
        (300_000_002, "line\nbreak", "/a path"),  # a path on a dataset without a site
    ],
)
def test_the_generated_columns_csv_cells_are_what_csv_cell_writes(track_id, source_id, page_url):
    """tracks_csv_cells writes url and dataset without csv_cell's checks where they cannot need them: the same cell
    for every shape of id and page URL, and the line Python's csv module writes."""
    from ingest.build.schema import SCHEMA
    from ingest.export_lines import csv_cell, csv_line, tracks_csv_cells

    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.execute("insert into tracks (id, source_id, page_url) values (?, ?, ?)", [track_id, source_id, page_url])
    fast = tracks_csv_cells("t")
    cells = [("dataset", "t.dataset"), ("url", "t.url")]
    same, line, dataset, url = db.execute(
        f"select {fast['t.url']} is {csv_cell('t.url')} and {fast['t.dataset']} is {csv_cell('t.dataset')}, "
        f"{csv_line(cells, fast)}, dataset, url from tracks t"
    ).fetchone()
    assert same
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([spreadsheet_safe(dataset), spreadsheet_safe(url)])
    assert line == buffer.getvalue()
