"""The search box: `/search?q=…` (and `/search.json`) finds artists and tracks by name or title, and a pasted
link or id (YouTube, YouTube Music, Spotify, Genius, Free Music Archive) goes straight to what it names.

Searches stay bounded at any size: the best matches are ranked among the first CANDIDATES full-text matches of
each dataset (drawn by rowid range, so every dataset is represented), and counts stop at COUNT_LIMIT.
The landing page's variables (the four datasets, the saved queries) are provided here too.
"""

from __future__ import annotations

import asyncio
import unicodedata
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest import CAVEAT, DATABASE
from ingest.links import parse_link
from ingest.lookup import link_queries
from ingest.normalize import artist_key

PAGE_SIZE = 20
CANDIDATES = 500  # per dataset
COUNT_LIMIT = 10_000
ARTISTS_SHOWN = 10
MAX_QUERY = 200


def fts_query(text: str) -> str | None:
    """Words → an FTS5 query matching all of them, each quoted (so `AND`, `-` or `"` typed by a user are words,
    never syntax). Words in scripts written without spaces (CJK) also match as prefixes."""
    words, word = [], []
    for ch in text[:MAX_QUERY]:
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    if not words:
        return None
    parts = []
    for word in words[:12]:
        quoted = '"' + word.replace('"', '""') + '"'
        if any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in word):
            quoted += "*"
        parts.append(quoted)
    return " ".join(parts)


async def dataset_rows(db) -> list[dict]:
    rows = await db.execute("select * from datasets order by first_track_id")
    return [dict(row) for row in rows.rows]


async def search_artists(db, text: str, fts: str) -> list[dict]:
    key = artist_key(text)
    rows = await db.execute(
        """
        with matched as (select rowid as id from artists_fts where artists_fts match :fts limit 5000),
        found as (
            select a.id, a.key, a.name, a.tracks from artists a where a.key = :key
            union
            select a.id, a.key, a.name, a.tracks from matched join artists a on a.id = matched.id
        )
        select * from found order by (key = :key) desc, tracks desc, id limit :limit
        """, {"fts": fts, "key": key, "limit": ARTISTS_SHOWN})
    artists = [dict(row) for row in rows.rows]
    if artists:
        ids = [a["id"] for a in artists]
        per_dataset = await db.execute(
            f"select artist_id, dataset, tracks from artist_datasets where artist_id in ({', '.join('?' * len(ids))})",
            ids)
        for artist in artists:
            artist["datasets"] = {r["dataset"]: r["tracks"] for r in per_dataset.rows if r["artist_id"] == artist["id"]}
    return artists


async def search_tracks(db, fts: str, datasets: list[dict], page: int) -> tuple[list[dict], dict[str, int]]:
    """The page of best-ranked tracks, and a (capped) count of matches per dataset.

    Ranking (bm25) is most of the time a common word takes, so each dataset's window is ranked by its own query,
    all at once on Datasette's SQL threads (SQLite runs them in parallel), and the windows are merged here."""
    ranges = [(d["slug"], d["first_track_id"], d["last_track_id"]) for d in datasets if d["first_track_id"]]
    shown = page * PAGE_SIZE
    windows = [db.execute(
        f"""
        select t.id, t.dataset, t.source_id, t.title, t.artist_credit, t.album, t.duration_s, t.url,
               t.licence_code, t.duplicate_of, t.used_to_train, c.rank
        from (select rowid, rank from tracks_fts where tracks_fts match :fts
              and rowid between {int(lo)} and {int(hi)} limit {CANDIDATES}) c join tracks t on t.id = c.rowid
        order by c.rank, t.id limit {shown}
        """, {"fts": fts}) for _, lo, hi in ranges]
    counts = [db.execute(
        f"select count(*) from (select 1 from tracks_fts where tracks_fts match :fts "
        f"and rowid between {int(lo)} and {int(hi)} limit {COUNT_LIMIT + 1})", {"fts": fts}) for _, lo, hi in ranges]
    results = await asyncio.gather(*windows, *counts)
    rows = sorted((dict(row) for result in results[:len(ranges)] for row in result.rows),
                  key=lambda row: (row["rank"], row["id"]))[shown - PAGE_SIZE:shown]
    for row in rows:
        del row["rank"]
    return rows, {slug: result.single_value() for (slug, _, _), result in zip(ranges, results[len(ranges):])}


TRACK_COLUMNS = ("t.id, t.dataset, t.source_id, t.title, t.artist_credit, t.album, t.duration_s, t.url, t.licence_code, "
                 "t.used_to_train")


async def lookup_link(db, link) -> dict:
    """What a recognised link names in the four datasets: {"tracks": [...], "artists": [...]} (`ingest/lookup.py`,
    the resolver the catalogue check uses too)."""
    found = {"tracks": [], "artists": []}
    for query in link_queries(link, TRACK_COLUMNS, limit=100):
        found[query.finds] += [dict(row) for row in (await db.execute(query.sql, query.params)).rows]
    return found


LINK_NAMES = {
    "youtube_video": "YouTube video", "youtube_channel": "YouTube Music channel", "spotify_track": "Spotify track",
    "genius_song": "Genius song", "genius_artist": "Genius artist", "fma_track": "Free Music Archive track",
    "fma_artist": "Free Music Archive artist",
}


async def search_view(datasette, request):
    as_json = request.url_vars.get("format") == "json"
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    try:
        page = max(1, min(int(request.args.get("page") or 1), CANDIDATES * 4 // PAGE_SIZE))
    except ValueError:
        page = 1
    db = datasette.get_database(DATABASE)
    datasets = await dataset_rows(db)
    context = {"q": text, "page": page, "datasets": datasets, "link": None, "artists": [], "tracks": [],
               "counts": {}, "page_size": PAGE_SIZE, "candidates": CANDIDATES, "count_limit": COUNT_LIMIT}
    link = parse_link(text) if text else None
    if link:
        found = await lookup_link(db, link)
        context.update(link={"kind": link.kind, "name": LINK_NAMES[link.kind], "value": link.value}, **found)
        if not as_json and len(found["tracks"]) + len(found["artists"]) == 1:
            # one answer: go straight to it
            if found["artists"]:
                return Response.redirect(datasette.urls.path(f"/artist/{quote(found['artists'][0]['key'], safe='')}"))
            return Response.redirect(datasette.urls.row(DATABASE, "tracks", found['tracks'][0]['id']))
    elif text:
        fts = fts_query(text)
        if fts:
            context["artists"] = await search_artists(db, text, fts)
            context["tracks"], context["counts"] = await search_tracks(db, fts, datasets, page)
    context["total"] = sum(context["counts"].values())
    context["more"] = len(context["tracks"]) == PAGE_SIZE and page * PAGE_SIZE < len(datasets) * CANDIDATES
    if as_json:
        return Response.json({key: context[key] for key in
                              ("q", "page", "link", "artists", "tracks", "counts", "more")} | {"caveat": CAVEAT})
    context["next_url"] = "/search?" + urlencode({"q": text, "page": page + 1})
    context["prev_url"] = "/search?" + urlencode({"q": text, "page": page - 1}) if page > 1 else None
    context["dataset_names"] = {d["slug"]: d["name"] for d in datasets}
    return Response.html(await datasette.render_template("search.html", context, request=request))



@hookimpl
def register_routes():
    return [(r"^/search(\.(?P<format>json))?$", search_view)]


@hookimpl
def extra_template_vars(template, request, datasette):
    if template != "index.html":
        return {}

    async def landing():
        db = datasette.get_database(DATABASE)
        queries = await datasette.get_canned_queries(DATABASE, request.actor if request else None)
        return {"datasets": await dataset_rows(db), "saved_queries": queries}

    return landing
