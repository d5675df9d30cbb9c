"""Pages a person can read: the track page's card, saved queries with dropdowns and linked artists, link text
that says where it goes, a language on every page."""

import re

import pytest


def first_track(db, dataset):
    return db.execute("select * from tracks where dataset = ? order by id limit 1", [dataset]).fetchone()


@pytest.mark.asyncio
async def test_track_page_starts_with_a_card_and_names_the_track(ds, db):
    track = first_track(db, "spotify-tracks-dataset")
    html = (await ds.client.get(f"/datasets/tracks/{track['id']}")).text
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert track["title"] in title and "Spotify Tracks Dataset" in title
    card = html[html.index('<article class="track-card') : html.index("</article>")]
    assert f"<h1>{track['title']}</h1>" in card
    assert f'href="{track["url"]}"' in card and "Open on Spotify" in card
    assert "dataset.csv" in card and f"line {track['source_row']:,}" in card
    artist = db.execute(
        "select a.key from track_artists ta join artists a on a.id = ta.artist_id "
        "where ta.track_id = ? order by ta.position limit 1",
        [track["id"]],
    ).fetchone()[0]
    assert f'href="/artist/{artist}"' in card
    # then every column with a value, and the caveat once
    assert html.index("</article>") < html.index("Every column with a value")
    assert html.count("Appearing in a dataset does not prove a model was trained on it.") == 1


@pytest.mark.asyncio
async def test_an_fma_track_card_gives_the_tracks_own_licence_and_its_restrictions(ds, db):
    track = db.execute(
        "select * from tracks where dataset = 'free-music-archive' and licence_code like '%NC%' order by id limit 1"
    ).fetchone()
    html = (await ds.client.get(f"/datasets/tracks/{track['id']}")).text
    card = html[html.index('<article class="track-card') : html.index("</article>")]
    licence = card[card.index('class="track-licence"') :]
    assert track["licence"] in licence and "NC" in licence[: licence.index("</p>")]
    # the dataset's licence is named as the dataset's, never as the track's
    sleeping = first_track(db, "sleeping-disco-9m")
    sleeping_card = (await ds.client.get(f"/datasets/tracks/{sleeping['id']}")).text
    assert "the dataset's licence: None declared on the Hugging Face page" in sleeping_card
    assert 'class="track-licence"' not in sleeping_card


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "dataset, name",
    [
        ("laion-disco-12m", "YouTube"),
        ("sleeping-disco-9m", "Genius"),
        ("free-music-archive", "FMA page"),
        ("spotify-tracks-dataset", "Spotify"),
    ],
)
async def test_links_to_the_original_say_where_they_go(ds, db, dataset, name):
    track = first_track(db, dataset)
    html = (await ds.client.get(f"/datasets/tracks/{track['id']}")).text
    assert f"Open on {name}</a>" in html
    artist = db.execute(
        "select a.key from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = ? limit 1",
        [track["id"]],
    ).fetchone()[0]
    page = (await ds.client.get(f"/artist/{artist}")).text
    assert f'rel="nofollow noopener">{name}</a>' in page
    assert ">open</a>" not in page


@pytest.mark.asyncio
async def test_search_results_link_to_originals_by_name(ds):
    html = (await ds.client.get("/search", params={"q": "bjork"})).text
    assert ">YouTube</a>" in html and ">Spotify</a>" in html and ">open</a>" not in html


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=x",
        "/artist/bjork",
        "/datasets",
        "/datasets/tracks",
        "/datasets/tracks/1",
        "/datasets/top_artists",
        "/-/dashboards/overview",
        "/check",
        "/artist/nobody-at-all",
    ],
)
async def test_every_page_has_a_language_and_a_skip_link(ds, path):
    html = (await ds.client.get(path)).text
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html


@pytest.mark.asyncio
async def test_saved_query_dataset_parameter_is_a_dropdown_of_datasets(ds):
    html = (await ds.client.get("/datasets/top_artists", params={"dataset": "free-music-archive"})).text
    assert "<title>Top artists in a dataset</title>" in html
    select = html[html.index('<select id="qp1" name="dataset">') : html.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', select) == [
        "laion-disco-12m",
        "sleeping-disco-9m",
        "free-music-archive",
        "spotify-tracks-dataset",
    ]
    assert '<option value="free-music-archive" selected>' in select
    # a query that takes an empty dataset offers "all"
    html = (await ds.client.get("/datasets/tracks_per_year")).text
    assert '<option value="" selected>all</option>' in html


@pytest.mark.asyncio
async def test_a_value_that_names_no_dataset_or_model_says_so(ds):
    html = (await ds.client.get("/datasets/top_artists", params={"dataset": "bogus"})).text
    assert "There is no dataset “bogus”: choose one from the list." in html
    assert "0 results" not in html
    html = (await ds.client.get("/datasets/confirmed_training_use", params={"model": "gpt-9"})).text
    assert "There is no model “gpt-9”" in html
    # a model's name is as good as its slug
    html = (await ds.client.get("/datasets/confirmed_training_use", params={"model": "Stable Audio Open 1.0"})).text
    assert "There is no model" not in html and 'value="stable-audio-open-1.0" selected' in html
    html = (await ds.client.get("/datasets/top_artists")).text
    assert "Choose a dataset, then run the query." in html and "0 results" not in html


@pytest.mark.asyncio
async def test_saved_query_artists_and_tracks_link_to_their_pages(ds):
    html = (await ds.client.get("/datasets/top_artists", params={"dataset": "spotify-tracks-dataset"})).text
    assert re.search(r'<td class="col-name"><a href="/artist/[^"]+">[^<]+</a></td>', html)
    html = (await ds.client.get("/datasets/confirmed_training_use")).text
    assert re.search(r'<td class="col-track_id"><a href="/datasets/tracks/\d+">\d+</a></td>', html)


@pytest.mark.asyncio
async def test_page_titles_are_the_querys_title_not_its_sql(ds):
    html = (await ds.client.get("/datasets/row_counts")).text
    assert "<title>Published and loaded row counts</title>" in html
    html = (await ds.client.get("/datasets", params={"sql": "select 1"})).text
    assert "<title>SQL query: select 1</title>" in html


@pytest.mark.asyncio
async def test_the_artist_page_counts_datasets_in_words(ds, db):
    rows = db.execute(
        "select a.key, count(*) as n from artist_datasets d join artists a on a.id = d.artist_id "
        "group by a.id order by n desc, a.id"
    ).fetchall()
    everywhere = next(key for key, n in rows if n == 4)
    some = next((key, n) for key, n in rows if n < 4)
    assert "in\nall four datasets." in (await ds.client.get(f"/artist/{everywhere}")).text
    assert f"in\n{some[1]} of the four datasets." in (await ds.client.get(f"/artist/{some[0]}")).text
