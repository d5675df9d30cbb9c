"""Ordinary mistakes get a plain 400/405, never an error page; HEAD works where GET does; CSV opens in Excel."""

import csv
import io

import pytest


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path, says",
    [
        ("/datasets/tracks?_sort=title", "Cannot sort table by title"),
        ("/datasets/tracks?_sort_desc=title", "Cannot sort table by title"),
        ("/datasets/tracks.csv?_stream=on&_sort=views", "Cannot sort table by views"),
        ("/datasets/tracks?_sort=id&_sort_desc=id", "Sort in one direction at a time"),
        ("/datasets/tracks?_through=garbage", "_through must be JSON"),
        ('/datasets/tracks?_through={"table":"x"}', "_through must be JSON"),
        ("/datasets/tracks?_timelimit=x", "_timelimit must be a whole number"),
        ("/datasets/tracks?%00=x", "NUL character"),
    ],
)
async def test_malformed_parameters_answer_400_with_a_sentence(ds, path, says):
    response = await ds.client.get(path)
    assert response.status_code == 400
    assert says in response.text
    assert '<html lang="en">' in response.text  # the site's own page, not a bare error


@pytest.mark.asyncio
async def test_json_gets_its_error_as_json(ds):
    response = await ds.client.get("/datasets/tracks.json?_sort=title")
    assert response.status_code == 400
    assert response.json()["error"].startswith("Cannot sort table by title")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/datasets/tracks",
        "/datasets/top_artists",
        "/datasets/tracks/1",
        "/search",
        "/artist/bjork",
        "/",
        "/datasets/tracks.json",
    ],
)
async def test_a_post_to_a_page_that_only_shows_data_is_405(ds, path):
    response = await ds.client.post(path, data={"x": "1"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "cannot take a POST request" in response.text


@pytest.mark.asyncio
async def test_the_catalogue_check_still_takes_a_post(ds):
    response = await ds.client.post("/check", data={"text": "artist,title\nBjörk,Army of Me\n", "format": "html"})
    assert response.status_code == 200 and "Army of Me" in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=bjork",
        "/artist/bjork",
        "/artist/bjork.csv",
        "/check",
        "/datasets/tracks",
        "/datasets/tracks/1",
        "/datasets/top_artists?dataset=x",
        "/-/dashboards/overview",
        "/datasets/tracks.csv",
    ],
)
async def test_head_works_where_get_does(ds, path):
    get = await ds.client.get(path)
    head = await ds.client.request("HEAD", path)
    assert get.status_code == 200
    assert head.status_code == 200, path
    assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.asyncio
async def test_an_unknown_dataset_on_an_artist_page_says_so(ds):
    response = await ds.client.get("/artist/bjork?dataset=bogus")
    assert response.status_code == 400
    assert "There is no dataset “bogus”" in response.text and "free-music-archive" in response.text
    data = (await ds.client.get("/artist/bjork.json?dataset=bogus")).json()
    assert "There is no dataset" in data["error"]
    # a real dataset in which the artist has no tracks is not an error
    assert (await ds.client.get("/artist/bjork?dataset=free-music-archive")).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path, filename",
    [
        ("/datasets/tracks.csv?dataset=free-music-archive&_size=max", "tracks.csv"),
        ("/datasets/tracks.csv?dataset=free-music-archive&_stream=on&_size=max", "tracks.csv"),
        ("/datasets/top_artists.csv?dataset=free-music-archive", "top_artists.csv"),
        ("/artist/melanie-lumiere.csv", "melanie-lumiere-tracks.csv"),
    ],
)
async def test_csv_downloads_open_in_excel_with_accents_intact(ds, path, filename):
    response = await ds.client.get(path)
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with its BOM
    assert not response.content.startswith(("\ufeff" * 2).encode())
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment") and filename in disposition
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] in ("id", "name", "dataset")
    assert "Mélanie Lumière" in text


@pytest.mark.asyncio
async def test_the_check_reports_csv_keeps_one_bom(ds):
    response = await ds.client.post("/check", data={"text": "artist,title\nBjörk,Army of Me\n", "format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode()) and not response.content.startswith(("\ufeff" * 2).encode())
