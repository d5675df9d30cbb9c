"""What a link or id names in the database, as SQL: one resolver for the search box (`plugins/search.py`, which
runs the queries through Datasette's `await db.execute`) and the catalogue check (`ingest/check/matching.py`, which
runs them on its own connection), so that both find the same tracks and artists for the same link.

`link_queries(parse_link(text))` gives one `LinkQuery` per place the link can be found. A page link is looked up in
every form publishers store it in: http or https, with or without `www.`, with or without a trailing slash, its
path as typed or percent-encoded (`parse_link` gives `https://host/unquoted/path`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from .datasets import stored_page_url
from .links import Link

ARTIST_COLUMNS = "a.id, a.key, a.name, a.tracks"


@dataclass(frozen=True, slots=True)
class LinkQuery:
    finds: str  # "tracks" (rows of `tracks`, the columns asked for) or "artists" (ARTIST_COLUMNS)
    dataset: str
    basis: str  # how the link names them: youtube_id, spotify_id, genius_id, genius_url, fma_url, youtube_channel,
    #             genius_artist, fma_artist
    note: str  # in words, for a report
    sql: str
    params: tuple

    @property
    def by_page_url(self) -> bool:
        """Whether the query needs the `tracks_page_url` index (a database built before it would scan)."""
        return self.basis in ("genius_url", "fma_url")


def quote_path(path: str) -> str:
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def page_url_variants(canonical: str) -> list[str]:
    """Every form of a page URL a publisher may have stored: scheme, `www.`, percent-encoding, trailing slash."""
    host, _, path = canonical.split("://", 1)[1].partition("/")
    host = host.removeprefix("www.")
    path = path.rstrip("/")
    paths = {"/" + path, "/" + quote_path(path)}
    return sorted(
        {
            f"{scheme}://{h}{p}{slash}"
            for scheme in ("https", "http")
            for h in (host, "www." + host)
            for p in paths
            for slash in ("", "/")
        }
    )


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def link_queries(link: Link, columns: str = "t.id", *, limit: int | None = None) -> list[LinkQuery]:
    """The queries that find what `link` names: tracks (selecting `columns` of `tracks t`, in id order) or
    artists (ARTIST_COLUMNS of `artists a`). A kind of link no dataset holds gives none."""
    tail = " order by t.id" + (f" limit {int(limit)}" if limit else "")

    def tracks(dataset: str, basis: str, note: str, condition: str, params) -> LinkQuery:
        return LinkQuery(
            "tracks",
            dataset,
            basis,
            note,
            f"select {columns} from tracks t where t.dataset = ? and {condition}{tail}",
            (dataset, *params),
        )

    def artists(dataset: str, basis: str, note: str, sql: str, params) -> LinkQuery:
        return LinkQuery(
            "artists", dataset, basis, note, f"select distinct {ARTIST_COLUMNS} {sql} order by a.id", tuple(params)
        )

    kind, value = link.kind, link.value
    if kind == "youtube_video":
        return [
            tracks("laion-disco-12m", "youtube_id", "LAION's id for this YouTube video", "t.source_id = ?", (value,)),
            tracks(
                "sleeping-disco-9m",
                "youtube_id",
                "the Genius song links to this video",
                "t.id in (select track_id from youtube_links where video_id = ?)",
                (value,),
            ),
        ]
    if kind == "spotify_track":
        return [tracks("spotify-tracks-dataset", "spotify_id", "Spotify track id", "t.source_id = ?", (value,))]
    if kind == "genius_song" and value.isdecimal():
        return [tracks("sleeping-disco-9m", "genius_id", "Genius song id", "t.source_id = ?", (value,))]
    if kind in ("genius_song", "fma_track"):
        dataset, basis, note = (
            ("sleeping-disco-9m", "genius_url", "Genius song page")
            if kind == "genius_song"
            else ("free-music-archive", "fma_url", "FMA track page")
        )
        # as tracks.page_url stores them (tracks_page_url indexes it)
        variants = sorted({stored_page_url(dataset, variant) for variant in page_url_variants(value)})
        return [tracks(dataset, basis, note, f"t.page_url in ({_marks(variants)})", variants)]
    if kind == "youtube_channel":
        return [
            artists(
                "laion-disco-12m",
                "youtube_channel",
                "YouTube Music channel",
                "from artist_sources s join artists a on a.id = s.artist_id "
                "where s.dataset = ? and s.source_artist_id = ?",
                ("laion-disco-12m", value),
            )
        ]
    if kind == "genius_artist":
        variants = page_url_variants(value)
        return [
            artists(
                "sleeping-disco-9m",
                "genius_artist",
                "Genius artist page",
                "from artist_sources s join artists a on a.id = s.artist_id "
                f"where s.dataset = ? and s.source_artist_id in ({_marks(variants)})",
                ("sleeping-disco-9m", *variants),
            )
        ]
    if kind == "fma_artist":
        variants = page_url_variants(value)
        return [
            artists(
                "free-music-archive",
                "fma_artist",
                "FMA artist page",
                f"from fma_artists f join artists a on a.id = f.artist_id where f.url in ({_marks(variants)})",
                variants,
            )
        ]
    return []
