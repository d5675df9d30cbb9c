"""The publication as Datasette serves it: plugins, table search, filtered exports, the map."""

import csv
import io

import pytest


@pytest.mark.asyncio
async def test_plugins_are_installed(ds):
    names = {p["name"] for p in (await ds.client.get("/-/plugins.json")).json()}
    assert {"datasette-search-all", "datasette-cluster-map"} <= names


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query, credit",
    [
        ("bjork", "Björk"),
        ("sigur ros", "Sigur Rós"),
        ("motorhead", "Motörhead"),
        ("кино", "Кино"),
        ("坂本龍一", "坂本龍一"),
    ],
)
async def test_table_search_is_case_and_accent_insensitive(ds, query, credit):
    response = await ds.client.get("/datasets/tracks.json", params={"_search": query, "_shape": "array"})
    assert response.status_code == 200
    assert credit in {row["artist_credit"] for row in response.json()}


@pytest.mark.asyncio
async def test_search_all_lists_the_tracks_and_artists_tables(ds):
    html = (await ds.client.get("/-/search?q=bjork")).text
    assert 'data-searchable-url="/datasets/tracks"' in html
    assert 'data-searchable-url="/datasets/artists"' in html


@pytest.mark.asyncio
async def test_filtered_csv_export_returns_exactly_the_filtered_rows(ds, db):
    response = await ds.client.get(
        "/datasets/tracks.csv",
        params={"dataset": "spotify-tracks-dataset", "explicit": "0", "_stream": "on", "_size": "max"},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = [
        str(r[0])
        for r in db.execute(
            "select id from tracks where dataset = 'spotify-tracks-dataset' and explicit = 0 order by id"
        )
    ]
    assert [row["id"] for row in rows] == expected and len(expected) > 100
    assert {row["dataset"] for row in rows} == {"spotify-tracks-dataset"}


@pytest.mark.asyncio
async def test_fma_artists_are_on_the_map(ds):
    html = (await ds.client.get("/datasets/fma_artists")).text
    assert "datasette-cluster-map.js" in html
    rows = (await ds.client.get("/datasets/fma_artists.json?_shape=array")).json()
    assert {"latitude", "longitude"} <= set(rows[0]) and any(r["location"] == "Paris, France" for r in rows)


@pytest.mark.asyncio
async def test_the_caveat_and_provenance_are_shown(ds):
    home = (await ds.client.get("/")).text
    assert "Appearing in a dataset does not prove a model was trained on it." in home
    tracks = (await ds.client.get("/datasets/tracks")).text
    assert "does not prove a model was trained on it" in tracks
    datasets = (await ds.client.get("/datasets/datasets.json?_shape=array")).json()
    assert {d["slug"] for d in datasets} == {
        "laion-disco-12m",
        "sleeping-disco-9m",
        "free-music-archive",
        "spotify-tracks-dataset",
    }
    assert all(d["licence"] and d["source_url"].startswith("https://") for d in datasets)


@pytest.mark.asyncio
async def test_database_is_served_read_only(ds):
    response = await ds.client.get("/datasets.json", params={"sql": "delete from tracks"})
    assert response.status_code == 400
    assert (await ds.client.get("/-/databases.json")).json()[0]["is_mutable"] is False
