"""Every page type in headless Chromium, with every host but 127.0.0.1 blocked: each chart draws, no page scrolls
sideways on a 400 px phone, and axe-core finds no serious or critical accessibility violation.

Screenshots of every page at 1280 and 400 px go to tests/artifacts/pages/. axe-core is vendored
(tests/vendor/axe-core, from npm). Skipped where Chromium or Playwright is missing, except in CI.
"""

import base64
import json
from urllib.parse import urlsplit

import pytest
import yaml

from ingest.build import build, sample_attributions, sample_sources

from .conftest import ROOT, chromium_browser, configuration_directory, datasette_server, playwright_or_skip

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them

ARTIFACTS = ROOT / "tests" / "artifacts" / "pages"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
playwright_or_skip(allow_module_level=True)  # the whole module needs the browser
DASHBOARD = yaml.safe_load((ROOT / "metadata.yml").read_text())["plugins"]["datasette-dashboards"]["overview"]

CATALOGUE = "artist,title\nBjörk,Army of Me\nSigur Rós,Hoppípolla\nNobody Atall,Nothing Here\n"
# name → path; one of each page type
PAGES = {
    "landing": "/",
    "search": "/search?q=bjork",
    "search-link-not-found": "/search?q=https%3A%2F%2Fopen.spotify.com%2Ftrack%2F5SuOikwiRyPMVoIQDJUgSX",
    "artist": "/artist/bjork",
    "artist-not-found": "/artist/no-such-artist-at-all",
    "track": None,  # the first Sleeping-DISCO track, found from the database
    "table": "/datasets/tracks",
    "table-filtered": "/datasets/tracks?dataset=free-music-archive&_facet=licence_code",
    "table-artists": "/datasets/artists",
    "database": "/datasets",
    "sql": "/datasets?sql=select+dataset%2C+count(*)+from+tracks+group+by+dataset",
    "saved-query": "/datasets/top_artists?dataset=laion-disco-12m",
    "saved-query-bad-value": "/datasets/top_artists?dataset=bogus",
    "saved-query-artist": "/datasets/artist_tracks?artist=bjork",
    "dashboards": "/-/dashboards",
    "dashboard": "/-/dashboards/overview",
    "chart": "/-/dashboards/overview/release-years",
    "search-all": "/-/search?q=love",
    "check": "/check",
    "error-400": "/datasets/tracks?_sort=title",
    "map": "/datasets/fma_artists",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = tmp_path_factory.mktemp("publication")
    build(
        config / "datasets.db", sample_sources(), attributions=sample_attributions(), progress=False, log=lambda m: None
    )
    with datasette_server(configuration_directory(config)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def offline(browser, server):
    """A page factory whose requests to any host but the server's are blocked (and recorded)."""
    contexts, blocked = [], []
    host = urlsplit(server).hostname

    def new_page(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlsplit(route.request.url).hostname == host
                else (blocked.append(route.request.url), route.abort())
            ),
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    new_page.blocked = blocked
    yield new_page
    for context in contexts:
        context.close()


def page_paths(server) -> dict[str, str]:
    import httpx

    track = httpx.get(
        server + "/datasets.json",
        params={
            "sql": "select id from tracks where dataset = 'sleeping-disco-9m' order by id limit 1",
            "_shape": "array",
        },
    ).json()[0]["id"]
    return {name: path or f"/datasets/tracks/{track}" for name, path in PAGES.items()}


def canvas_drawn(page, selector: str) -> bool:
    """Whether the canvas holds at least one painted pixel."""
    return page.eval_on_selector(
        selector,
        """canvas => {
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
        return false;
    }""",
    )


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + n.failureSummary)}));
    }""")
    return result


def open_page(page, url: str):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response


def test_every_chart_draws_offline(server, offline):
    page = offline(1280)
    open_page(page, server + "/-/dashboards/overview")
    for slug in DASHBOARD["charts"]:
        page.wait_for_selector(f"#chart-{slug} canvas", timeout=10_000)
        assert canvas_drawn(page, f"#chart-{slug} canvas"), slug
    assert not page.errors
    page.screenshot(path=ARTIFACTS / "dashboard-1280.png", full_page=True)
    # the artist page's own charts
    open_page(page, server + "/artist/bjork")
    for chart in ("artist-chart-datasets", "artist-chart-years", "artist-chart-roles"):
        page.wait_for_selector(f"#{chart} canvas", timeout=10_000)
        assert canvas_drawn(page, f"#{chart} canvas"), chart
    assert not page.errors
    assert offline.blocked == []  # nothing was even asked of another host


def test_every_page_type_fits_a_phone_and_passes_axe(server, offline):
    paths = page_paths(server)
    desktop, phone = offline(1280), offline(400)
    problems = {}
    for name, path in paths.items():
        for width, page in ((1280, desktop), (400, phone)):
            response = open_page(page, server + path)
            assert response.status < 500, (name, response.status)
            page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
            if width == 400:
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > 400:
                    problems[f"{name} at 400 px"] = f"scrollWidth {scroll_width}"
            violations = axe_violations(page)
            if violations:
                problems[f"{name} at {width} px"] = violations
        assert not desktop.errors and not phone.errors, name
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_check_report_fits_a_phone_and_passes_axe(server, offline):
    for width in (1280, 400):
        page = offline(width)
        open_page(page, server + "/check")
        page.fill("textarea[name=text]", CATALOGUE)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "of 3 of your tracks" in page.inner_text("body")
        page.screenshot(path=ARTIFACTS / f"check-report-{width}.png", full_page=True)
        if width == 400:
            assert page.evaluate("document.documentElement.scrollWidth") <= 400
        assert axe_violations(page) == []


def test_keyboard_focus_is_visible(server, offline):
    page = offline(1280)
    open_page(page, server + "/artist/bjork")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(3):
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), page.evaluate("document.activeElement.outerHTML")
    open_page(page, server + "/")  # the landing page starts in the search box
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", "")


def edge_shades(page, selector: str) -> list[float]:
    """How much darker than white the outer 3 px columns of an element look, left and right (0-255, averaged)."""
    png = page.locator(selector).first.screenshot()
    return page.evaluate(
        """async (data) => {
        const img = new Image();
        img.src = "data:image/png;base64," + data;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const context = canvas.getContext("2d");
        context.drawImage(img, 0, 0);
        const shade = (x) => {
            const d = context.getImageData(x, 0, 3, img.height).data;
            let sum = 0;
            for (let i = 0; i < d.length; i += 4) sum += 255 - (d[i] + d[i + 1] + d[i + 2]) / 3;
            return sum / (d.length / 4);
        };
        return [shade(0), shade(img.width - 3)];
    }""",
        base64.b64encode(png).decode(),
    )


def test_a_table_wider_than_a_phone_shows_which_way_it_scrolls(server, offline):
    """At 400 px the tracks table scrolls in its box: a shadow on the side there is more of it, none on a side
    already at its end."""
    page = offline(400)
    open_page(page, server + "/datasets/tracks")
    box = ".table-wrapper"
    assert page.eval_on_selector(box, "e => e.scrollWidth > e.clientWidth + 100")
    left, right = edge_shades(page, box)
    page.eval_on_selector(box, "e => { e.scrollLeft = e.scrollWidth; }")
    left_at_end, right_at_end = edge_shades(page, box)
    page.screenshot(path=ARTIFACTS / "table-scroll-cue-400.png")
    assert right > right_at_end + 20 and left_at_end > left + 20, (left, right, left_at_end, right_at_end)
