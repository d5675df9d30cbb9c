"""The tracks table as Datasette invites exploring it (plugins/tracks_table.py, ingest/table_filters.py): the fast
paths give exactly the rows, counts and facets the plain SQL gives, page after page."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from datasette.plugins import pm
from datasette.utils import escape_fts

from ingest import track_counts
from ingest.table_filters import AtLeast, fts_matches_tracks

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["datasets"]["tables"]["tracks"]["size"]


def plugin(name: str):
    """A plugin module of plugins/ (Datasette loads them; they cannot be imported)."""
    return next(p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith(f"plugins/{name}"))


@pytest.fixture(autouse=True)
def budgets_for_a_busy_machine(ds, monkeypatch):
    """The counts' and facets' time budgets are wall-clock: on a busy test machine a tiny query can miss them.
    Speed is measured in bench/, not here; these tests check what the pages say."""
    monkeypatch.setattr(plugin("table_counts.py"), "COUNT_BUDGET_MS", 2_000)
    monkeypatch.setattr(plugin("tracks_table.py"), "FACET_BUDGET_MS", 2_000)


def ids(db, sql, *params) -> list[int]:
    return [row[0] for row in db.execute(sql, params)]


async def every_page(ds, params: dict) -> list[int]:
    """Follow the JSON pages' `next_url` to the end: every id the table page lists for these filters."""
    found, url = [], "/datasets/tracks.json?" + urlencode(params | {"_size": 7, "_shape": "objects"})
    for _ in range(1000):
        response = await ds.client.get(url)
        assert response.status_code == 200, response.text
        data = response.json()
        found += [row["id"] for row in data["rows"]]
        if not data["next_url"]:
            return found
        url = data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
        url = "/" + url
    raise AssertionError("more than 1,000 pages")


SEARCHES = [
    ({"_search": "love"}, "select rowid from tracks_fts where tracks_fts match :q order by rowid", "love"),
    ({"_search": "live fire"}, "select rowid from tracks_fts where tracks_fts match :q order by rowid", "live fire"),
    (
        {"_search": "love", "dataset": "sleeping-disco-9m"},
        "select t.id from tracks t where t.id in (select rowid from tracks_fts where tracks_fts match :q) "
        "and t.dataset = 'sleeping-disco-9m' order by t.id",
        "love",
    ),
    (
        {"_search": "love", "explicit": "0"},
        "select t.id from tracks t where t.id in (select rowid from tracks_fts where tracks_fts match :q) "
        "and t.explicit = 0 order by t.id",
        "love",
    ),
    (
        {"_search": "love", "_where": "duration_s > 200"},
        "select t.id from tracks t where t.id in (select rowid from tracks_fts where tracks_fts match :q) "
        "and duration_s > 200 order by t.id",
        "love",
    ),
    (
        {"_search": "love", "_sort_desc": "id"},
        "select rowid from tracks_fts where tracks_fts match :q order by rowid desc",
        "love",
    ),
    ({"_search": "ólafur"}, "select rowid from tracks_fts where tracks_fts match :q order by rowid", "ólafur"),
    (
        {"dataset": "laion-disco-12m", "explicit": "0"},
        "select id from tracks where dataset = 'laion-disco-12m' and explicit = 0 and :q is not null order by id",
        "",
    ),
    (
        {"dataset": "sleeping-disco-9m", "_sort_desc": "id"},
        "select id from tracks where dataset = 'sleeping-disco-9m' and :q is not null order by id desc",
        "",
    ),
    (
        {"dataset": "spotify-tracks-dataset", "_sort": "id"},
        "select id from tracks where dataset = 'spotify-tracks-dataset' and :q is not null order by id",
        "",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("params, sql, q", SEARCHES)
async def test_pages_hold_exactly_the_matching_rows(ds, db, params, sql, q):
    expected = ids(db, sql.replace(":q", "?"), escape_fts(q))
    assert len(expected) > 7  # several pages
    assert await every_page(ds, params) == expected


@pytest.mark.asyncio
async def test_table_search_page_counts_exactly_and_offers_the_whole_export(ds, db):
    expected = db.execute("select count(*) from tracks_fts where tracks_fts match '\"love\"'").fetchone()[0]
    html = (await ds.client.get("/datasets/tracks?_search=love")).text
    assert re.search(rf"<h3>{expected:,} rows\s+where search matches &#34;love&#34;", html)
    # as the search page links to it (a raw query, one quoted phrase): the heading does not quote it twice
    raw = (await ds.client.get("/datasets/tracks?_search=%22love%22&_searchmode=raw")).text
    assert re.search(rf"<h3>{expected:,} rows\s+where search matches &#34;love&#34;", raw)
    links = [
        unescape(link)
        for link in re.findall(r'<p class="export-all">.*?</p>', html, re.S)[0].split('"')
        if "_stream=on" in link
    ]
    assert links == [
        "/datasets/tracks.csv?_search=love&_labels=on&_stream=on&_dl=on",
        "/datasets/tracks.json?_search=love&_labels=on&_stream=on&_dl=on",
    ]
    # Datasette's own CSV link (the first 1,000 rows) becomes the whole export too
    assert (
        'CSV</a> (<a href="#export">advanced</a>)' in html
        and '<a href="/datasets/tracks.csv?_search=love&amp;_labels=on&amp;_stream=on&amp;_dl=on">CSV</a>' in html
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "column, value",
    [
        ("artist_credit", "The Velvet Foxes"),
        ("artist_credit", "Ólafur Vindur"),
        ("artist_credit", "Дмитрий Шум"),
        ("title", "Army of Me"),
        # the index holds folded text: `salt and signal`, `royksopp`
        ("artist_credit", "Salt & Signal"),
        ("artist_credit", "Røyksopp"),
    ],
)
async def test_an_exact_text_filter_lists_exactly_the_equal_rows(ds, db, column, value):
    expected = ids(db, f"select id from tracks where {column} = ? order by id", value)
    assert expected
    assert await every_page(ds, {column: value}) == expected
    html = (await ds.client.get("/datasets/tracks", params={column: value})).text
    assert re.search(rf"<h3>{len(expected):,} rows?\s+where {column} = ", html)


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["!!!", "", "the velvet foxes", 'say "hi"'])
async def test_an_exact_text_filter_the_index_cannot_narrow_still_compares_exactly(ds, db, value):
    expected = ids(db, "select id from tracks where artist_credit = ? order by id", value)
    assert await every_page(ds, {"artist_credit": value}) == expected


@pytest.mark.asyncio
async def test_a_filter_without_an_index_is_counted_or_says_why_not(ds, db):
    expected = db.execute("select count(*) from tracks where title like '%ove%'").fetchone()[0]
    html = (await ds.client.get("/datasets/tracks?title__contains=ove")).text
    assert re.search(rf"<h3>{expected:,} rows\s+where title contains", html)
    assert await every_page(ds, {"title__contains": "ove"}) == ids(
        db, "select id from tracks where title like '%ove%' order by id"
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params, where",
    [
        ({"dataset": "laion-disco-12m", "explicit": "1"}, "dataset = 'laion-disco-12m' and explicit = 1"),
        ({"licence_code__contains": "NC"}, "licence_code like '%NC%'"),
        ({"release_year__gte": "2000", "language": "en"}, "release_year >= 2000 and language = 'en'"),
        ({"duplicate_of__notnull": "1"}, "duplicate_of is not null"),
        ({"dataset": "nowhere"}, "dataset = 'nowhere'"),
    ],
)
async def test_counts_from_track_counts_are_exact(ds, db, params, where):
    expected = db.execute(f"select count(*) from tracks where {where}").fetchone()[0]
    html = (await ds.client.get("/datasets/tracks?" + urlencode(params))).text
    assert re.search(rf"<h3>{expected:,} rows?\s+where", html), re.findall(r"<h3>.*?</h3>", html, re.S)[:1]


def facet(data, name) -> dict:
    return {str(item["value"]): item["count"] for item in data["facet_results"][name]["results"]}


def grouped(db, sql) -> dict:
    return {str(value): n for value, n in db.execute(sql) if value is not None}


FACETS = [
    ({"_facet": "dataset"}, "dataset", "select dataset, count(*) from tracks group by 1"),
    ({"_facet": "licence_code"}, "licence_code", "select licence_code, count(*) from tracks group by 1"),
    (
        {"_facet": "release_year", "dataset": "sleeping-disco-9m"},
        "release_year",
        "select release_year, count(*) from tracks where dataset = 'sleeping-disco-9m' group by 1",
    ),
    (
        {"_facet": "language", "explicit": "0"},
        "language",
        "select language, count(*) from tracks where explicit = 0 group by 1",
    ),
    (
        {"_facet": "dataset", "_search": "love"},
        "dataset",
        "select dataset, count(*) from tracks where id in "
        "(select rowid from tracks_fts where tracks_fts match '\"love\"') group by 1",
    ),
    (
        {"_facet": "licence_code", "_search": "love"},
        "licence_code",
        "select licence_code, count(*) from tracks "
        "where id in (select rowid from tracks_fts where tracks_fts match '\"love\"') group by 1",
    ),
    (
        {"_facet": "dataset", "artist_credit": "Anna Berg"},
        "dataset",
        "select dataset, count(*) from tracks where artist_credit = 'Anna Berg' group by 1",
    ),
    (
        {"_facet": "artist_credit", "dataset": "free-music-archive"},
        "artist_credit",
        "select artist_credit, count(*) from tracks where dataset = 'free-music-archive' group by 1",
    ),
    (
        {"_facet": "dataset", "_search_title": "love"},
        "dataset",
        "select dataset, count(*) from tracks where id in "
        "(select rowid from tracks_fts where title match '\"love\"') group by 1",
    ),
    (
        {"_facet_array": "genres"},
        "genres",
        "select j.value, count(distinct t.id) from tracks t, json_each(t.genres) j group by 1",
    ),
    (
        {"_facet_array": "genres", "dataset": "spotify-tracks-dataset"},
        "genres",
        "select j.value, count(distinct t.id) "
        "from tracks t, json_each(t.genres) j where t.dataset = 'spotify-tracks-dataset' group by 1",
    ),
    (
        {"_facet_array": "genres", "_search": "love"},
        "genres",
        "select j.value, count(distinct t.id) from tracks t, "
        "json_each(t.genres) j where t.id in (select rowid from tracks_fts where tracks_fts match '\"love\"') "
        "group by 1",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("params, name, sql", FACETS)
async def test_facets_count_what_the_rows_hold(ds, db, params, name, sql):
    data = (await ds.client.get("/datasets/tracks.json?" + urlencode(params | {"_facet_size": "max"}))).json()
    assert name in data["facet_results"], "timed out"
    expected = grouped(db, sql)
    assert expected and facet(data, name) == expected


@pytest.mark.asyncio
async def test_a_facet_that_cannot_end_in_time_on_the_whole_table_says_so_at_once(ds, db, monkeypatch):
    monkeypatch.setattr(plugin("tracks_table.py"), "UNFILTERED_FACET_ROWS", -1)  # as if the table were that big
    html = (await ds.client.get("/datasets/tracks?_facet=artist_credit&_facet=dataset")).text
    assert "These facets timed out: artist_credit" in html
    data = (await ds.client.get("/datasets/tracks.json?_facet=artist_credit&_facet=dataset")).json()
    assert "artist_credit" not in data["facet_results"]
    assert {v["value"] for v in data["facet_results"]["dataset"]["results"]} == {
        row[0] for row in db.execute("select distinct dataset from tracks")
    }  # precomputed: counted
    # filtered, it gets its budget
    html = (await ds.client.get("/datasets/tracks?_facet=artist_credit&dataset=free-music-archive")).text
    assert "timed out" not in html
    data = (await ds.client.get("/datasets/tracks.json?_facet=artist_credit&dataset=free-music-archive")).json()
    assert data["facet_results"]["artist_credit"]["results"]


@pytest.mark.asyncio
async def test_facet_values_link_to_their_filter(ds):
    html = (await ds.client.get("/datasets/tracks?_facet=dataset")).text
    assert "/datasets/tracks?_facet=dataset&amp;dataset=free-music-archive" in html
    data = (await ds.client.get("/datasets/tracks.json?_facet=dataset&dataset=free-music-archive")).json()
    assert [v["selected"] for v in data["facet_results"]["dataset"]["results"]] == [True]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params, sql",
    [
        ({"_search": "love"}, "select count(*) from tracks_fts where tracks_fts match 'love'"),
        ({"explicit": "1"}, "select count(*) from tracks where explicit = 1"),
    ],
)
async def test_links_from_a_counted_page_are_counted_too(ds, db, params, sql):
    """The page skips Datasette's count by an argument Datasette copies into its links: none of them carries it,
    and a next page or a facet value followed from the page is counted like the first."""
    expected = db.execute(sql).fetchone()[0]
    html = (await ds.client.get("/datasets/tracks?" + urlencode(params | {"_size": 3, "_facet": "dataset"}))).text
    assert "_nocount" not in html
    data = (await ds.client.get("/datasets/tracks.json?" + urlencode(params | {"_size": 3}))).json()
    assert "_nocount" not in data["next_url"]
    # an old link that still carries it (or one copied from a page before this fix)
    later = (
        await ds.client.get("/" + data["next_url"].split("://", 1)[-1].split("/", 1)[-1] + "&_nocount=counted-here")
    ).json()
    assert later["filtered_table_rows_count"] == expected == data["filtered_table_rows_count"]
    assert "_nocount" not in (later["next_url"] or "")


@pytest.mark.asyncio
async def test_a_blank_search_lists_the_whole_table(ds, db):
    response = await ds.client.get("/datasets/tracks?_search=&_sort=id")
    assert response.status_code == 200
    assert f"{db.execute('select count(*) from tracks').fetchone()[0]:,} rows" in response.text


@pytest.mark.asyncio
async def test_unsupported_search_arguments_are_left_to_datasette(ds, db):
    expected = ids(db, "select rowid from tracks_fts where title match '\"love\"' order by rowid")
    assert await every_page(ds, {"_search_title": "love"}) == expected


def test_track_counts_add_up_to_the_tracks_table(db):
    for column in track_counts.NAMES:
        if column == "duplicate_of":
            sql = "select duplicate_of is not null or null, count(*) from tracks group by 1"
        else:
            sql = f"select {column}, count(*) from tracks group by 1"
        assert grouped(db, f"select {column}, sum(tracks) from track_counts group by 1") == grouped(db, sql)


def test_the_index_is_recognised_as_an_index_of_the_tracks_columns(db):
    assert fts_matches_tracks(db.execute("select sql from sqlite_master where name = 'tracks_fts'").fetchone()[0])
    assert not fts_matches_tracks('create virtual table tracks_fts using fts5(title, folded, content="tracks")')
    assert not fts_matches_tracks("create virtual table tracks_fts using fts5(title, artist_credit, album)")


def test_a_count_at_its_limit_says_more_than():
    assert f"{AtLeast(10_000):,}" == "more than 10,000"
    assert f"{AtLeast(10_000):,} rows" == "more than 10,000 rows"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params, sql",
    [
        ({"_search": "love"}, "select count(*) from tracks_fts where tracks_fts match '\"love\"'"),
        (
            {"dataset": "laion-disco-12m", "explicit": "1"},
            "select count(*) from tracks where dataset = 'laion-disco-12m' and explicit = 1",
        ),
        ({"artist_credit": "Anna Berg"}, "select count(*) from tracks where artist_credit = 'Anna Berg'"),
        ({"title__contains": "ove"}, "select count(*) from tracks where title like '%ove%'"),
        ({"_search_title": "love"}, "select count(*) from tracks_fts where title match '\"love\"'"),
    ],
)
async def test_the_json_page_carries_the_count(ds, db, params, sql):
    data = (await ds.client.get("/datasets/tracks.json?" + urlencode(params))).json()
    assert data["filtered_table_rows_count"] == db.execute(sql).fetchone()[0]
    assert len(data["rows"]) == min(PAGE_SIZE, data["filtered_table_rows_count"])


@pytest.mark.asyncio
async def test_counted_filters_give_the_rows_sql_gives_and_none_where_nothing_matches(ds, db):
    empty = 0
    for dataset in [row[0] for row in db.execute("select slug from datasets")]:
        for explicit in ("0", "1"):
            expected = [
                row[0]
                for row in db.execute(
                    "select id from tracks where dataset = ? and explicit = ? order by id limit ?",
                    [dataset, explicit, PAGE_SIZE],
                )
            ]
            params = urlencode({"dataset": dataset, "explicit": explicit, "_shape": "objects"})
            data = (await ds.client.get(f"/datasets/tracks.json?{params}")).json()
            assert [row["id"] for row in data["rows"]] == expected
            assert (
                data["filtered_table_rows_count"]
                == db.execute(
                    "select count(*) from tracks where dataset = ? and explicit = ?", [dataset, explicit]
                ).fetchone()[0]
            )
            empty += not expected
    assert empty  # Sleeping-DISCO says nothing of explicitness


@pytest.mark.asyncio
async def test_a_search_past_the_count_limit_is_counted_exactly_for_one_word_and_says_where_it_stopped_otherwise(
    ds, db, monkeypatch
):
    monkeypatch.setattr(plugin("table_counts.py"), "COUNT_LIMIT", 1)
    love = db.execute("select count(*) from tracks_fts where tracks_fts match 'love'").fetchone()[0]
    data = (await ds.client.get("/datasets/tracks.json?_search=Love")).json()
    assert data["filtered_table_rows_count"] == love > 1
    two = db.execute("select count(*) from tracks_fts where tracks_fts match 'love fire'").fetchone()[0]
    assert two > 1
    data = (await ds.client.get("/datasets/tracks.json?_search=love+fire")).json()
    assert data["filtered_table_rows_count"] is None
    assert data["filtered_table_rows_count_more_than"] == 1
    assert data["count_note"] == "Counting stopped at 1 rows."


@pytest.mark.asyncio
async def test_other_big_tables_are_counted_within_the_budget_too(ds, db, monkeypatch):
    monkeypatch.setattr(plugin("table_counts.py"), "BIG_TABLE", 0)  # the samples' tables are all small
    expected = db.execute("select count(*) from track_artists where role = 'featured'").fetchone()[0]
    data = (await ds.client.get("/datasets/track_artists.json?role=featured")).json()
    assert data["filtered_table_rows_count"] == expected > 0
    html = (await ds.client.get("/datasets/track_artists?role=featured")).text
    assert re.search(rf"<h3>{expected:,} rows\s+where role = &#34;featured&#34;", html)
    # and the table's CSV link exports every matching row
    assert "/datasets/track_artists.csv?role=featured&amp;_labels=on&amp;_stream=on&amp;_dl=on" in html


def test_references_no_index_answers_are_found(ds, db):  # ds: the plugins are loaded
    slow = plugin("row_pages.py").unindexed_references(db, {})
    assert slow == set()  # the samples' tables are small
    forced = plugin("row_pages.py")
    original, forced.BIG_TABLE = forced.BIG_TABLE, -1
    try:
        slow = forced.unindexed_references(db, {})
    finally:
        forced.BIG_TABLE = original
    assert {("artist_title_keys", "track_id"), ("shared_recordings", "first_track_id"), ("tracks", "dataset")} <= slow
    assert (
        not {
            ("track_artists", "track_id"),
            ("youtube_links", "track_id"),
            ("training_use", "track_id"),
            ("artist_names", "artist_id"),
        }
        & slow
    )


@pytest.mark.asyncio
async def test_a_track_page_links_only_the_references_an_index_counts(ds, sample_db, db, monkeypatch):
    from .conftest import make_datasette

    track = db.execute(
        "select track_id from artist_title_keys where track_id in (select track_id from track_artists) limit 1"
    ).fetchone()[0]
    # the samples' tables are small: Datasette counts every reference
    html = (await ds.client.get(f"/datasets/tracks/{track}")).text
    assert "from track_id in artist_title_keys" in html and "from track_id in track_artists" in html
    monkeypatch.setattr(plugin("row_pages.py"), "BIG_TABLE", -1)  # every table counts as big
    site = make_datasette(sample_db)
    await site.invoke_startup()
    html = (await site.client.get(f"/datasets/tracks/{track}")).text
    assert "from track_id in track_artists" in html
    title = db.execute("select title from tracks where id = ?", [track]).fetchone()[0]
    assert "in artist_title_keys" not in html and title in html
