"""A label's catalogue check in a real browser (headless Chromium) against a real `datasette .`: a 2,000-row delivery
sheet exported from Excel on Windows (cp1252, `;` credits, durations in milliseconds), the report read at 1280 and
400 px, filtered to the rows not found, and printed to PDF. Screenshots go to tests/artifacts/."""

import csv
import io
import random
import re
import sqlite3

import pytest

from ingest.build import build, sample_sources

from .conftest import ROOT, chromium_browser, configuration_directory, datasette_server, playwright_or_skip

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them

ARTIFACTS = ROOT / "tests" / "artifacts"
playwright_or_skip(allow_module_level=True)  # the whole module needs the browser
ROWS = 2_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    config = tmp_path_factory.mktemp("check-site")
    build(config / "datasets.db", sample_sources(), progress=False, log=lambda m: None)
    with datasette_server(configuration_directory(config)) as url:
        yield url, config / "datasets.db"


def messy_catalogue(db_path, path) -> dict[str, int]:
    """A delivery sheet as Excel on Windows saves it: Windows-1252, semicolons, a title block, multi-artist credits
    joined by `;`, the version in its own column, durations in milliseconds; a tenth invented, a few broken."""
    conn = sqlite3.connect(db_path)
    tracks = []
    for track_id, title, duration in conn.execute("select id, title, duration_s from tracks where title is not null"):
        names = [
            name
            for (name,) in conn.execute(
                "select a.name from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = ? "
                "and ta.role = 'primary' order by ta.position",
                (track_id,),
            )
        ]
        try:
            (";".join(names) + title).encode("cp1252")
        except UnicodeEncodeError:
            continue
        if names and not title.startswith("<"):
            tracks.append((";".join(names), title, duration))
    conn.close()
    rng = random.Random(12)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(
        [["Label delivery, Nov 2026"], [], ["Track Artist", "Track Name", "Mix/Version", "Duration", "UPC"]]
    )
    kinds = {"present": 0, "invented": 0, "broken": 0}
    for number in range(ROWS):
        if number % 400 == 7:
            writer.writerow(["", "a title without an artist", "", "", ""])
            kinds["broken"] += 1
        elif rng.random() < 0.1:
            writer.writerow([f"Nobody {number}", f"Unheard Song {number}", "", "", ""])
            kinds["invented"] += 1
        else:
            credit, title, duration = rng.choice(tracks)
            writer.writerow([credit, title, "", str(round(duration * 1000)) if duration else "", "0602547000001"])
            kinds["present"] += 1
    path.write_bytes(out.getvalue().encode("cp1252"))
    return kinds


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium


def upload(page, url: str, path) -> None:
    page.goto(url + "/check")
    page.set_input_files("#check-file", str(path))
    page.click("form.check-form button[type=submit]")
    page.wait_for_selector(".check-end", timeout=120_000)  # the last of the streamed report


def row_height(page) -> float:
    return page.evaluate(
        "(() => { const rows = document.querySelectorAll('.check-rows > li');"
        " return document.querySelector('.check-rows').getBoundingClientRect().height"
        " / rows.length; })()"
    )


def test_a_2000_row_delivery_sheet_read_filtered_and_printed(site, browser, tmp_path):
    url, db_path = site
    path = tmp_path / "delivery.csv"
    kinds = messy_catalogue(db_path, path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    upload(page, url, path)
    headline = page.inner_text(".check-headline")
    found = int(re.match(r"([\d,]+) of 2,000", headline).group(1).replace(",", ""))
    assert found >= kinds["present"] * 0.98  # every present row finds its track, save a few
    facts = page.inner_text(".check-facts")
    assert "Windows-1252" in facts and "header on line 3" in facts and "milliseconds" in facts
    assert re.search(r"Database build\s+[0-9a-f]{64}", facts) and re.search(r"Report SHA-256\s+[0-9a-f]{64}", facts)
    # one line per row: 1,000 rows on the first page, each about a line high
    assert page.locator(".check-rows > li").count() == 1_000
    assert row_height(page) < 40
    page.screenshot(path=ARTIFACTS / "check-1-report-1280.png")
    page.locator(".check-rows > li").nth(1).locator("summary").click()
    page.locator(".check-rows > li").nth(2).locator("summary").click()
    assert page.locator(".check-rows details[open]").count() == 2  # Datasette's menus do not close them
    page.evaluate("document.querySelector('.check-results').scrollIntoView()")
    page.screenshot(path=ARTIFACTS / "check-2-folded-1280.png")

    page.click("button[name=show][value=unmatched]")
    page.wait_for_selector("#check-rows-title:text('Rows not found')")
    page.wait_for_selector(".check-end")
    not_found = int(page.inner_text("button[name=show][value=unmatched] .count").replace(",", ""))
    assert not_found >= kinds["invented"] and page.inner_text("#check-rows-title") == "Rows not found"
    statuses = page.eval_on_selector_all(".check-rows > li", "rows => rows.map(row => row.className)")
    assert len(statuses) == not_found and set(statuses) == {"s-unmatched"}
    assert row_height(page) < 40
    page.screenshot(path=ARTIFACTS / "check-3-not-found-1280.png", full_page=True)

    pdf = page.pdf(format="A4")
    (ARTIFACTS / "check-4-not-found.pdf").write_bytes(pdf)
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    first = pages[0]
    for expected in (
        "Catalogue check report",
        "of your tracks appear in at least one dataset",
        "does not prove a model was trained on it",
        "Database build",
        "Report SHA-256",
        "Checked",
        "UTC",
        "Windows-1252",
        "Shown here rows not found, all",
    ):
        assert expected in first, expected
    assert "Rows not found" not in first and "Rows not found" in pages[1]  # the rows start on page 2
    sha256 = re.search(r"Report SHA-256\s+([0-9a-f]{64})", first).group(1)
    assert all(sha256 in text for text in pages)  # every page cites the report
    assert "Nobody" in "".join(pages[1:]) and "matched" not in "".join(pages[1:]).replace("not found", "")
    context.close()


def test_the_report_at_400_px(site, browser, tmp_path):
    url, db_path = site
    path = tmp_path / "phone.csv"
    messy_catalogue(db_path, path)
    context = browser.new_context(viewport={"width": 400, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    upload(page, url, path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # nothing wider than the phone
    assert row_height(page) < 90
    page.screenshot(path=ARTIFACTS / "check-5-report-400.png")
    page.locator(".check-rows > li details").first.locator("summary").click()
    page.evaluate("document.querySelector('.check-rows').scrollIntoView()")
    page.screenshot(path=ARTIFACTS / "check-6-rows-400.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    context.close()
