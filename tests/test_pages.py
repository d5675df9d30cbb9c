"""The publication's own pages: landing, search, link lookup, artist pages, saved queries, cells, provenance."""

import csv
import io
from urllib.parse import quote

import pytest
import yaml

from .conftest import ROOT


def one(db, sql, *params):
    return db.execute(sql, params).fetchone()[0]


# --- landing ------------------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_landing_page_has_the_search_box_datasets_caveat_and_queries(ds, db):
    html = (await ds.client.get("/")).text
    assert 'action="/search"' in html and 'placeholder="Artist, song title, or a link' in html
    for row in db.execute("select name, publisher, rows_loaded from datasets"):
        assert row["name"] in html and f"{row['rows_loaded']:,}" in html
    assert "12,320,916" in html and "9,713,413" in html and "106,574" in html and "114,000" in html
    assert "Appearing in a dataset does not prove a model was trained on it." in html
    assert 'href="/datasets/artist_tracks"' in html and "Top artists in a dataset" in html


@pytest.mark.asyncio
async def test_landing_page_keeps_datasettes_json_alternate_and_its_footer(ds):
    response = await ds.client.get("/")
    assert response.headers["link"] == 'http://localhost/.json; rel="alternate"; type="application/json+datasette"'
    assert 'href="http://localhost/.json"' in response.text
    assert 'title="Datasette v0.' in response.text
    assert "datasets" in (await ds.client.get("/.json")).json()


# --- search ------------------------------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query, artist",
    [
        ("bjork", "Björk"),
        ("BJÖRK", "Björk"),
        ("sigur ros", "Sigur Rós"),
        ("motorhead", "Motörhead"),
        ("motley crue", "Mötley Crüe"),
        ("кино", "Кино"),
        ("坂本", "坂本龍一"),
        ("فيروز", "فيروز"),
        ("jay z", "JAY-Z"),
    ],
)
async def test_search_finds_artists_ignoring_case_accents_and_script(ds, query, artist):
    data = (await ds.client.get("/search.json", params={"q": query})).json()
    assert data["artists"][0]["name"] == artist


@pytest.mark.asyncio
async def test_search_groups_artists_with_counts_and_tracks_with_links(ds, db):
    data = (await ds.client.get("/search.json", params={"q": "bjork"})).json()
    bjork = data["artists"][0]
    assert bjork["datasets"] == {"laion-disco-12m": 6, "sleeping-disco-9m": 1, "spotify-tracks-dataset": 1}
    titles = {(t["dataset"], t["title"]) for t in data["tracks"]}
    assert ("spotify-tracks-dataset", "Army of Me") in titles and ("sleeping-disco-9m", "Army of Me") in titles
    assert all(t["url"].startswith("https://") for t in data["tracks"])
    html = (await ds.client.get("/search", params={"q": "bjork"})).text
    assert 'href="/artist/bjork"' in html and "https://open.spotify.com/track/" in html


@pytest.mark.asyncio
async def test_best_matches_come_first(ds):
    data = (await ds.client.get("/search.json", params={"q": "army of me"})).json()
    assert data["tracks"][0]["title"] == "Army of Me"


@pytest.mark.asyncio
async def test_common_words_are_bounded_and_paged(ds):
    first = (await ds.client.get("/search.json", params={"q": "love"})).json()
    assert len(first["tracks"]) == 20 and first["more"] is True
    assert first["counts"]["laion-disco-12m"] > 20
    second = (await ds.client.get("/search.json", params={"q": "love", "page": 2})).json()
    assert not {t["id"] for t in first["tracks"]} & {t["id"] for t in second["tracks"]}
    html = (await ds.client.get("/search", params={"q": "love"})).text
    assert 'href="/search?q=love&amp;page=2"' in html


@pytest.mark.asyncio
async def test_search_syntax_in_user_input_is_not_an_error(ds):
    for query in ['"unbalanced', "AND OR NOT", "a*b -c", "NEAR(", "'; drop table tracks; --", "   ", "!!!"]:
        response = await ds.client.get("/search.json", params={"q": query})
        assert response.status_code == 200, query


@pytest.mark.asyncio
async def test_nothing_found_says_so(ds):
    html = (await ds.client.get("/search", params={"q": "zzqqxx nonexistent"})).text
    assert "No artist or track matches" in html


# --- links and ids ------------------------------------------------------------------------------------------------
async def redirect_target(ds, text):
    response = await ds.client.get("/search", params={"q": text})
    assert response.status_code == 302, (text, response.status_code)
    return response.headers["location"]


@pytest.mark.asyncio
async def test_youtube_links_in_every_form_go_to_the_track(ds, db):
    video = one(db, "select source_id from tracks where dataset = 'laion-disco-12m' and title = 'Dynamite'")
    track = one(db, "select id from tracks where source_id = ?", video)
    for text in (
        f"https://www.youtube.com/watch?v={video}",
        f"https://youtu.be/{video}?si=abc",
        f"https://music.youtube.com/watch?v={video}&list=RDAMVM{video}",
        video,
    ):
        assert await redirect_target(ds, text) == f"/datasets/tracks/{track}"


@pytest.mark.asyncio
async def test_a_video_in_two_datasets_lists_both(ds, db):
    video = one(db, "select source_id from tracks where dataset = 'laion-disco-12m' and title = 'Hoppípolla'")
    data = (await ds.client.get("/search.json", params={"q": f"https://youtu.be/{video}"})).json()
    assert data["link"]["kind"] == "youtube_video"
    assert sorted(t["dataset"] for t in data["tracks"]) == ["laion-disco-12m", "sleeping-disco-9m"]


@pytest.mark.asyncio
async def test_spotify_links_go_to_the_track(ds, db):
    spotify, track = db.execute(
        "select source_id, id from tracks where dataset = 'spotify-tracks-dataset' and title = 'Army of Me'"
    ).fetchone()
    for text in (f"https://open.spotify.com/track/{spotify}?si=0123abcd", f"spotify:track:{spotify}", spotify):
        assert await redirect_target(ds, text) == f"/datasets/tracks/{track}"


@pytest.mark.asyncio
async def test_genius_and_fma_links(ds, db):
    song_url, track = db.execute(
        "select url, id from tracks where dataset = 'sleeping-disco-9m' and title = 'Crazy in Love'"
    ).fetchone()
    assert await redirect_target(ds, song_url) == f"/datasets/tracks/{track}"
    assert await redirect_target(ds, "https://genius.com/artists/Sigur-Rós") == "/artist/sigur-ros"
    fma_url, fma_track = db.execute(
        "select url, id from tracks where dataset = 'free-music-archive' order by id limit 1"
    ).fetchone()
    assert fma_url.startswith("http://")  # FMA stored http://; a pasted https:// link must still find it
    assert await redirect_target(ds, fma_url.replace("http://", "https://")) == f"/datasets/tracks/{fma_track}"
    assert await redirect_target(ds, "https://freemusicarchive.org/music/Mélanie_Lumière/") == "/artist/melanie-lumiere"


@pytest.mark.asyncio
async def test_youtube_music_channel_goes_to_the_artist(ds, db):
    channel = one(
        db,
        "select source_artist_id from artist_sources s join artists a on a.id = s.artist_id "
        "where a.key = 'sigur-ros' and s.dataset = 'laion-disco-12m'",
    )
    assert await redirect_target(ds, f"https://music.youtube.com/channel/{channel}") == "/artist/sigur-ros"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text",
    [
        "https://www.youtube.com/watch?v=ZZZZZZZZZZ9",
        "https://open.spotify.com/track/0000000000000000000000",
        "https://genius.com/Nobody-nothing-lyrics",
        "https://music.youtube.com/channel/UC0000000000000000000000",
    ],
)
async def test_an_unknown_link_is_in_none_of_the_datasets(ds, text):
    response = await ds.client.get("/search", params={"q": text})
    assert response.status_code == 200 and "is in none of the four datasets" in response.text
    data = (await ds.client.get("/search.json", params={"q": text})).json()
    assert data["link"] and data["tracks"] == [] and data["artists"] == []


# --- artist pages ------------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_artist_page(ds):
    html = (await ds.client.get("/artist/bjork")).text
    assert "<h1>Björk</h1>" in html
    assert "Björk - Topic" in html  # the credited spellings, merged
    assert "LAION-DISCO-12M" in html and "Sleeping-DISCO-9M" in html and "Spotify Tracks Dataset" in html
    assert "Army of Me (Official Music Video)" in html and "primary, writer" in html
    assert 'href="/artist/bjork.csv"' in html
    assert "may be several artists" not in html  # the Topic channel is Björk's own
    data = (await ds.client.get("/artist/bjork.json")).json()
    shares = {d["slug"]: d["share"] for d in data["artist"]["datasets"]}
    assert shares["laion-disco-12m"] == pytest.approx(6 / 316)
    assert len(data["tracks"]) == 8 and data["next"] is None


@pytest.mark.asyncio
async def test_artist_csv_has_every_track(ds, db):
    response = await ds.client.get("/artist/bjork.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = {
        r[0]
        for r in db.execute(
            "select distinct ta.track_id from track_artists ta join artists a on "
            "a.id = ta.artist_id where a.key = 'bjork'"
        )
    }
    assert {int(r["track_id"]) for r in rows} == expected
    only = list(
        csv.DictReader(
            io.StringIO(
                (await ds.client.get("/artist/bjork.csv?dataset=spotify-tracks-dataset")).content.decode("utf-8-sig")
            )
        )
    )
    assert [r["dataset"] for r in only] == ["spotify-tracks-dataset"]


@pytest.mark.asyncio
async def test_artist_page_filters_by_dataset_and_pages_by_track_id(ds, db):
    data = (await ds.client.get("/artist/bjork.json?dataset=laion-disco-12m")).json()
    assert {t["dataset"] for t in data["tracks"]} == {"laion-disco-12m"} and len(data["tracks"]) == 6
    after = data["tracks"][2]["track_id"]
    rest = (await ds.client.get(f"/artist/bjork.json?dataset=laion-disco-12m&after={after}")).json()
    assert [t["track_id"] for t in rest["tracks"]] == [t["track_id"] for t in data["tracks"][3:]]


@pytest.mark.asyncio
async def test_homonyms_are_flagged(ds):
    html = (await ds.client.get("/artist/nirvana")).text
    assert "This name may be several artists" in html and "2 different YouTube Music channels" in html


@pytest.mark.asyncio
async def test_fma_artist_shows_location_map_and_restrictive_licences(ds):
    html = (await ds.client.get("/artist/melanie-lumiere")).text
    assert "Paris, France" in html and 'id="artist-map"' in html and "leaflet" in html
    assert '<span class="flag">NC·ND</span>' in html  # all 19 of her tracks are CC BY-NC-ND
    assert "are under a NonCommercial or NoDerivatives licence" in html
    assert "are under a NonCommercial or NoDerivatives licence" not in (await ds.client.get("/artist/bjork")).text


@pytest.mark.asyncio
async def test_unknown_artist_is_a_404_with_a_search_box(ds):
    response = await ds.client.get("/artist/no-such-artist")
    assert response.status_code == 404 and 'name="q"' in response.text
    assert (await ds.client.get("/artist/no-such-artist.json")).status_code == 404


@pytest.mark.asyncio
async def test_non_latin_artist_permalinks(ds):
    for key, name in (("кино", "Кино"), ("坂本龍一", "坂本龍一"), ("!!!", "!!!")):
        response = await ds.client.get(f"/artist/{quote(key)}")
        assert response.status_code == 200 and f"<h1>{name}</h1>" in response.text


# --- saved queries -----------------------------------------------------------------------------------------------
QUERY_EXPECTATIONS = {
    "artist_tracks": ({"artist": "Björk"}, lambda rows: len(rows) == 8 and rows[0]["title"] == "Army of Me"),
    "artist_albums": ({"artist": "bjork"}, lambda rows: rows[0]["album"] == "Post" and rows[0]["tracks"] == 3),
    "top_artists": (
        {"dataset": "spotify-tracks-dataset"},
        lambda rows: (
            0 < len(rows) <= 100 and all(rows[i]["tracks"] >= rows[i + 1]["tracks"] for i in range(len(rows) - 1))
        ),
    ),
    "fma_restricted_licences": (
        {"artist": ""},
        lambda rows: rows and all("NC" in r["licence_code"] or "ND" in r["licence_code"] for r in rows),
    ),
    "fma_licences": ({}, lambda rows: {r["licence_code"] for r in rows} >= {"CC BY-NC-ND", "CC BY", "CC0"}),
    "explicit_per_dataset": ({}, lambda rows: len(rows) == 4 and rows[0]["explicit_tracks"] > 0),
    "tracks_per_genre": (
        {"dataset": "free-music-archive"},
        lambda rows: rows and all(r["dataset"] == "free-music-archive" for r in rows),
    ),
    "tracks_per_year": ({"dataset": ""}, lambda rows: any(r["release_year"] == 1995 for r in rows)),
    "row_counts": ({}, lambda rows: all(r["rows_loaded"] + r["rows_rejected"] == r["rows_read"] for r in rows)),
    "problems_by_reason": ({}, lambda rows: sum(r["rows"] for r in rows) == 12),
    "most_viewed_laion": ({}, lambda rows: rows[0]["views"] >= rows[-1]["views"] and len(rows) == 100),
    "most_popular_spotify": ({}, lambda rows: rows[0]["popularity"] >= rows[-1]["popularity"]),
    "shared_recordings": (
        {"artist": ""},
        lambda rows: (
            (rows[0]["artist"], rows[0]["title"], rows[0]["datasets"]) == ("Björk", "Army of Me", 3)
            and all(r["datasets"] >= 2 for r in rows)
        ),
    ),
    # model attribution lists (more in test_attribution.py)
    "confirmed_training_use": ({"model": ""}, lambda rows: len(rows) == 10),
    "training_licence_disagreements": (
        {},
        lambda rows: {r["licence_in_dataset"] for r in rows} == {"CC BY-NC-SA", "CC BY-NC-ND"},
    ),
    "training_top_artists": ({}, lambda rows: rows[0]["tracks"] >= rows[-1]["tracks"]),
    "tracks_per_dataset": (
        {},
        lambda rows: (
            [r["dataset"] for r in rows] == ["LAION-DISCO", "Sleeping-DISCO", "FMA", "Spotify"]
            and rows[0]["tracks"] == 316
        ),
    ),
    "overlap_combinations": ({}, lambda rows: rows[0]["datasets"] == 3 and sum(r["recordings"] for r in rows) == 40),
    "training_licence_agreement": (
        {},
        lambda rows: {r["status"]: r["tracks"] for r in rows}["in none of the four datasets"] == 4,
    ),
    "training_outside_datasets": ({"model": ""}, lambda rows: all(r["listed_id"].isdigit() for r in rows)),
}


def test_every_saved_query_has_a_title_and_description_and_a_test():
    queries = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["datasets"]["queries"]
    assert all(q.get("title") and q.get("description") for q in queries.values())
    assert set(queries) == set(QUERY_EXPECTATIONS)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(QUERY_EXPECTATIONS))
async def test_saved_query_returns_the_expected_rows(ds, name):
    params, check = QUERY_EXPECTATIONS[name]
    response = await ds.client.get(f"/datasets/{name}.json", params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text
    assert check(response.json()), response.json()[:3]
    assert (await ds.client.get(f"/datasets/{name}", params=params)).status_code == 200


# --- cells, caveat, provenance -------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_cells_read_well(ds):
    html = (await ds.client.get("/datasets/tracks?dataset=spotify-tracks-dataset&_size=5")).text
    assert 'href="https://open.spotify.com/track/' in html
    assert "electronic" in html and "[&#34;electronic&#34;]" not in html  # genres as a list, not JSON
    fma = (await ds.client.get("/datasets/tracks?dataset=free-music-archive&licence_code=CC+BY-NC-ND")).text
    assert '<span class="flag"' in fma
    artists = (await ds.client.get("/datasets/artists?key=bjork")).text
    assert 'href="/artist/bjork"' in artists


@pytest.mark.asyncio
async def test_caveat_and_provenance_on_table_and_row_pages(ds, db):
    for path in ("/datasets/tracks", "/datasets/artists", "/datasets/fma_artists"):
        assert "does not prove a model was trained on it" in (await ds.client.get(path)).text, path
    track, row = db.execute(
        "select id, source_row from tracks where dataset = 'sleeping-disco-9m' "
        "and title = 'Duplicate Song' order by id desc"
    ).fetchone()
    html = (await ds.client.get(f"/datasets/tracks/{track}")).text
    assert "does not prove a model was trained on it" in html
    assert "From the publisher's file" in html and "Sleeping-DISCO-9M" in html and f"line {row}" in html
    assert "The same id appears earlier in this dataset" in html


@pytest.mark.asyncio
async def test_html_in_the_data_is_shown_as_text(ds):
    for path in ("/search?q=script+alert", "/search?q=bold+co", "/artist/b-bold-b-co", "/datasets/tracks?_search=xss"):
        html = (await ds.client.get(path)).text
        assert "<script>alert(" not in html and "<b>Bold</b>" not in html, path
        assert "&lt;script&gt;alert(" in html or "&lt;b&gt;Bold&lt;/b&gt;" in html, path


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/no-such-page", "/datasets/no_such_table", "/artist/no-such-artist"])
async def test_error_pages_name_the_datasette_version_in_the_footer(ds, path):
    from datasette.version import __version__

    response = await ds.client.get(path)
    assert response.status_code == 404
    assert f'title="Datasette v{__version__}"' in response.text
