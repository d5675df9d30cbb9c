"""A real browser (headless Chromium) against a real server: search an artist, open their page, download the CSV.

Screenshots are kept in tests/artifacts/. Skipped where Chromium or Playwright is missing, except in CI
(`CI=true`), where a missing browser is a failure: `.ci/run` installs Debian's chromium.
"""

import csv

import pytest

from ingest.build import build, sample_sources

from .conftest import ROOT, chromium_browser, configuration_directory, datasette_server, playwright_or_skip

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them

ARTIFACTS = ROOT / "tests" / "artifacts"
playwright_or_skip(allow_module_level=True)  # the whole module needs the browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`datasette .` in a configuration directory holding the sample build and this repository's configuration."""
    config = tmp_path_factory.mktemp("publication")
    build(config / "datasets.db", sample_sources(), progress=False, log=lambda m: None)
    with datasette_server(configuration_directory(config)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert not dialogs, f"a script from the data ran: {dialogs}"


def test_search_an_artist_open_their_page_and_download_the_csv(server, page, tmp_path):
    page.goto(server + "/")
    page.screenshot(path=ARTIFACTS / "1-landing.png", full_page=True)
    page.fill("input[name=q]", "bjork")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=bjork")
    page.screenshot(path=ARTIFACTS / "2-search.png", full_page=True)
    page.click("table.artists >> text=Björk")
    page.wait_for_url("**/artist/bjork")
    assert page.inner_text("h1") == "Björk"
    page.screenshot(path=ARTIFACTS / "3-artist.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("text=Download all tracks (CSV)")
    download = download_info.value
    assert download.suggested_filename == "bjork-tracks.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))  # with the BOM Excel needs
    assert len(rows) == 8
    assert {r["dataset"] for r in rows} == {"laion-disco-12m", "sleeping-disco-9m", "spotify-tracks-dataset"}
    assert sum(r["title"] == "Army of Me" for r in rows) == 4
    assert all(r["url"].startswith("https://") for r in rows)


def test_a_pasted_link_goes_straight_to_the_track(server, page):
    page.goto(server + "/")
    page.fill("input[name=q]", "https://open.spotify.com/track/5SuOikwiRyPMVoIQDJUgSX?si=abc")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "is in none of the four datasets" in page.inner_text("body")
    page.screenshot(path=ARTIFACTS / "4-unknown-link.png", full_page=True)


def test_html_in_titles_is_shown_as_text(server, page):
    page.goto(server + "/search?q=xss+love+me+tender")
    assert "<script>alert('xss')</script> Love Me Tender" in page.inner_text("table.tracks")
    page.goto(server + "/artist/b-bold-b-co")
    assert page.inner_text("h1") == "<b>Bold</b> & Co"
    page.screenshot(path=ARTIFACTS / "5-escaped.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 400])
def test_a_misspelt_name_offers_did_you_mean_and_it_leads_to_the_artist(server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.fill("input[name=q]", "rafael lindqvst")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/search?q=rafael+lindqvst")
        assert "Nothing matches rafael lindqvst exactly." in page.inner_text(".not-found")
        suggestion = page.locator(".did-you-mean .suggestions a", has_text="Rafael Lindqvist")
        assert suggestion.is_visible()
        page.screenshot(path=ARTIFACTS / f"6-did-you-mean-{width}.png", full_page=True)
        suggestion.click()
        page.wait_for_url("**/artist/rafael-lindqvist")
        assert page.inner_text("h1") == "Rafael Lindqvist"
        page.screenshot(path=ARTIFACTS / f"7-did-you-mean-artist-{width}.png")
    finally:
        context.close()


def test_a_link_the_datasets_cannot_hold_offers_the_name_search(server, page):
    page.goto(server + "/search?q=" + "https://music.apple.com/us/artist/bj%C3%B6rk/295015")
    assert "cannot be looked up in these datasets: search by name" in page.inner_text(".not-found")
    assert page.input_value("input[name=q]") == "björk"
    page.screenshot(path=ARTIFACTS / "8-unsupported-link.png", full_page=True)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=bj%C3%B6rk")
    assert "Björk" in page.inner_text("table.artists")
