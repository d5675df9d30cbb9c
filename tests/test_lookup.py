"""One resolver for links: the search box and the catalogue check find the same tracks for every form of a link."""

import pytest

from ingest.check import check_catalogue, read_catalogue
from ingest.links import Link, parse_link
from ingest.lookup import link_queries, page_url_variants, quote_path


def test_page_url_variants_cover_scheme_www_slash_and_percent_encoding():
    variants = page_url_variants("https://genius.com/Sigur-Rós-hoppípolla-lyrics")
    assert len(variants) == 16
    for expected in (
        "https://genius.com/Sigur-Rós-hoppípolla-lyrics",
        "http://www.genius.com/Sigur-Rós-hoppípolla-lyrics/",
        "https://genius.com/Sigur-R%C3%B3s-hopp%C3%ADpolla-lyrics",
    ):
        assert expected in variants


def test_an_unknown_kind_of_link_finds_nothing():
    assert link_queries(Link("apple_music_album", "123")) == []


def page_forms(url: str) -> list[str]:
    bare = url.split("://", 1)[1]
    host, _, path = bare.partition("/")
    return [
        f"https://{bare}",
        f"http://www.{bare}/",
        f"{bare}",
        f"https://{host}/{quote_path(path)}",
        f"https://www.{host}/{quote_path(path)}/",
    ]


@pytest.mark.asyncio
async def test_search_and_check_agree_on_every_form_of_a_link(ds, db):
    genius, fma = (
        db.execute(
            "select url from tracks where dataset = ? and url is not null order by id limit 1", (slug,)
        ).fetchone()[0]
        for slug in ("sleeping-disco-9m", "free-music-archive")
    )
    (video,) = db.execute("select video_id from youtube_links where video_id is not null limit 1").fetchone()
    (spotify,) = db.execute("select source_id from tracks where dataset = 'spotify-tracks-dataset' limit 1").fetchone()
    texts = page_forms(genius) + page_forms(fma) + [f"https://youtu.be/{video}", f"spotify:track:{spotify}"]
    for text in texts:
        searched = (await ds.client.get("/search.json", params={"q": text})).json()
        report = check_catalogue(db, read_catalogue(f"url\n{text}\n"))
        checked = {match["track_id"] for match in report["rows"][0].get("matches", [])}
        assert checked, text
        assert {track["id"] for track in searched["tracks"]} == checked, text
        assert parse_link(text) is not None
