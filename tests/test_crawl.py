"""A crawler over the sample build: every page type, every link on those pages one level deep, and a list of
malformed parameters for each route. No request may end in a server error (5xx)."""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from ingest.datasets import SLUGS, first_track_id

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them

START = [
    "/",
    "/search?q=bjork",
    "/search?q=love",
    "/search?q=https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "/artist/bjork",
    "/artist/sigur-ros",
    "/artist/no-such-artist",
    "/datasets",
    "/datasets/tracks",
    "/datasets/tracks?dataset=free-music-archive",
    "/datasets/artists",
    *(f"/datasets/tracks/{first_track_id(slug)}" for slug in SLUGS),  # a track of each dataset
    "/datasets/top_artists?dataset=sleeping-disco-9m",
    "/datasets/artist_tracks?artist=bjork",
    "/-/dashboards",
    "/-/dashboards/overview",
    "/-/dashboards/overview/release-years",
    "/-/search?q=love",
    "/check",
]
# route → malformed query strings (each tried on each route)
MALFORMED = [
    "_sort=title",
    "_sort_desc=title",
    "_sort=nonexistent",
    "_sort=id&_sort_desc=id",
    "_stream=on&_sort=views",
    "_through=garbage",
    '_through={"table":"x"}',
    "_through=[]",
    "_through=null",
    "_timelimit=x",
    "_size=-1",
    "_size=99999999",
    "_size=abc",
    "_next=zz",
    "_facet=nonexistent",
    "_facet_array=genres",
    "_facet_date=title",
    "_search=%22",
    "_searchmode=raw&_search=%22%22%22",
    "_where=x",
    "_col=nonexistent",
    "_shape=bad",
    "%00=x",
    "id__gt=abc",
    "id__in=a,b",
    "_next=999999999999999999999999",
    "dataset=bogus",
    "dataset=",
    "q=%ff%fe",
    "q=" + "x" * 5000,
    "page=-5",
    "page=abc",
    "page=99999999999999999999",
    "after=abc",
    "after=-1",
    "after=99999999999999999999999",
    "artist=%00",
    "model=bogus",
    "sql=select+*+from+nonexistent",
    "sql=",
]
ROUTES = [
    "/",
    "/search",
    "/search.json",
    "/artist/bjork",
    "/artist/bjork.json",
    "/artist/bjork.csv",
    "/datasets",
    "/datasets.json",
    "/datasets/tracks",
    "/datasets/tracks.json",
    "/datasets/tracks.csv",
    "/datasets/artists",
    "/datasets/track_artists",
    "/datasets/tracks/1",
    "/datasets/tracks/1.json",
    "/datasets/top_artists",
    "/datasets/top_artists.csv",
    "/datasets/confirmed_training_use",
    "/-/dashboards/overview",
    "/-/dashboards/overview/shared-by",
    "/-/search",
    "/check",
]
HREF = re.compile(r'href="([^"]+)"')


def same_site_links(base: str, html: str) -> set[str]:
    links = set()
    for href in HREF.findall(html):
        href = unescape(href)
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        url = urlsplit(urljoin("http://localhost" + base, href))
        if url.netloc == "localhost":
            links.add(url.path + (f"?{url.query}" if url.query else ""))
    return links


@pytest.mark.asyncio
async def test_no_page_or_link_one_level_deep_is_a_server_error(ds):
    seen, failures = set(), []

    async def visit(path: str) -> str:
        seen.add(path)
        response = await ds.client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
        return response.text if "html" in response.headers.get("content-type", "") else ""

    pages = {path: await visit(path) for path in START}
    for path, html in pages.items():
        for link in sorted(same_site_links(path, html) - seen):
            await visit(link)
    print(f"crawled {len(seen)} URLs")
    assert len(seen) > 300
    assert not failures, failures


@pytest.mark.asyncio
async def test_malformed_parameters_are_never_a_server_error(ds):
    failures, tried = [], 0
    for route in ROUTES:
        for query in MALFORMED:
            tried += 1
            response = await ds.client.get(f"{route}?{query}")
            if response.status_code >= 500:
                failures.append((f"{route}?{query}", response.status_code))
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            tried += 1
            response = await ds.client.request(method, route)
            if response.status_code >= 500:
                failures.append((f"{method} {route}", response.status_code))
    print(f"tried {tried} malformed requests")
    assert not failures, failures
