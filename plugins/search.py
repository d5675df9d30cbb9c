"""The search box: `/search?q=…` (and `/search.json`) finds artists and tracks by name or title the way people type
them, and a pasted link or id (YouTube, YouTube Music, Spotify, Genius, Free Music Archive) goes straight to what it
names.

The typed text is folded exactly as the build folded the indexes (`ingest/search_index.py`): accents, ø æ ß þ …,
other scripts read in Latin letters, `&`/`and`, apostrophes and hyphens do not count, and a word of 3+ letters also
matches as a prefix. Artists come first: those whose name *is* the typed name, then names holding every word. When
nothing is that close, "Did you mean …" offers the artists within one or two typing mistakes (and the tracks of the
corrected words), never as matches.

Searches stay bounded at any size: the best matches are ranked among the first CANDIDATES full-text matches of
each dataset (drawn by rowid range, so every dataset is represented) plus the tracks whose title starts with the
typed words, and counts stop at COUNT_LIMIT. The landing page's variables (the four datasets, the saved queries)
are provided here too.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.version import __version__
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from ingest import CAVEAT, DATABASE, search_index
from ingest.links import parse_link, unsupported_link
from ingest.lookup import link_queries
from ingest.normalize import match_key, search_words

PAGE_SIZE = 20
CANDIDATES = 200  # per dataset: recall at full size is the same as with 500 (bench/search_recall.py), at half the cost
TITLE_CANDIDATES = 50  # per dataset, among the tracks whose title starts with the typed words
COUNT_LIMIT = 10_000
ARTISTS_SHOWN = 10
MAX_QUERY = 200


async def dataset_rows(db) -> list[dict]:
    rows = await db.execute("select * from datasets order by first_track_id")
    return [dict(row) for row in rows.rows]


async def _artist_rows(db, ids: list[int]) -> list[dict]:
    """Artists by id, in that order, each with its tracks per dataset."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = {
        row["id"]: dict(row)
        for row in (await db.execute(f"select id, key, name, tracks from artists where id in ({marks})", ids)).rows
    }
    per_dataset = await db.execute(
        f"select artist_id, dataset, tracks from artist_datasets where artist_id in ({marks})", ids
    )
    for row in rows.values():
        row["datasets"] = {r["dataset"]: r["tracks"] for r in per_dataset.rows if r["artist_id"] == row["id"]}
    return [rows[i] for i in ids if i in rows]


async def search_artists(db, text: str) -> tuple[list[dict], dict]:
    """(artists, did_you_mean): artists whose name is the typed name once folded ("exact"), then names holding every
    typed word ("words"); and, when none of them is close to the typed name, the closest names within a typo or
    two, with the query's unknown words corrected."""

    def resolve(conn):
        exact = search_index.exact_artists(conn, text)
        words = search_index.word_artists(conn, search_words(text), limit=ARTISTS_SHOWN)
        if not exact and not words and len(match_key(text)) < search_index.PREFIX_MIN:
            words = search_index.name_start_artists(conn, text, limit=ARTISTS_SHOWN)  # a name's first letters
        found = [(i, "exact") for i in exact] + [(i, "words") for i in words if i not in exact]
        suggestion = {"corrections": None, "artists": []}
        if not exact:
            names = (
                dict(
                    conn.execute(
                        f"select id, name from artists where id in ({', '.join('?' * len(words))})", words
                    ).fetchall()
                )
                if words
                else {}
            )
            if not any(search_index.name_similarity(text, name) >= search_index.SIMILARITY for name in names.values()):
                suggestion = search_index.suggest(conn, text, exclude=[i for i, _ in found])
        return found[:ARTISTS_SHOWN], suggestion

    found, suggestion = await db.execute_fn(resolve)
    artists = await _artist_rows(db, [i for i, _ in found])
    kinds = dict(found)
    for artist in artists:
        artist["match"] = kinds[artist["id"]]
    suggested = await _artist_rows(db, [i for i, _, _ in suggestion["artists"]])
    closeness = {i: (edits, similarity) for i, edits, similarity in suggestion["artists"]}
    for artist in suggested:
        artist["edits"], artist["similarity"] = closeness[artist["id"]]
    return artists, {"corrections": suggestion["corrections"], "artists": suggested}


def _as_found(corrections, track: dict, drop_unknown: bool) -> str:
    """The corrected query as "Did you mean" shows it: of a word's closest words, the one the first track found
    holds."""
    held = set(search_words(f"{track['title'] or ''} {track['artist_credit'] or ''}"))
    shown = []
    for word, choices in corrections:
        if choices == [word]:
            shown.append(word)
        elif choices and not drop_unknown:
            shown.append(next((choice for choice in choices if choice in held), choices[0]))
    return " ".join(shown)


def _title_phrase(text: str) -> str | None:
    """An FTS5 query for tracks whose title starts with the typed words (exact titles are among them)."""
    words = search_words(text[:MAX_QUERY])[: search_index.MAX_WORDS]
    if not words:
        return None
    return 'title : ^ "' + " ".join(words).replace('"', '""') + '"'


async def search_tracks(
    db, text: str, fts: str, datasets: list[dict], page: int, counted: bool = True
) -> tuple[list[dict], dict[str, int]]:
    """The page of best-ranked tracks, and a (capped) count of matches per dataset.

    Each dataset's first CANDIDATES matches (by rowid, all at once on Datasette's SQL threads, which SQLite runs in
    parallel) are ranked here: an exact title (or title and artist) first, then as bm25 would rank them
    (`search_index.match_score`, which skips bm25's count of every track holding each word: tens of milliseconds a
    common word, per dataset). Only a dataset whose window is full (more matches than CANDIDATES) needs a second
    look: its count, and the tracks whose title starts with the typed words (which may lie beyond the window);
    `counted=False` (suggestions) skips both, and ranks by how alike title and credit read to what was typed."""
    ranges = [(d["slug"], d["first_track_id"], d["last_track_id"]) for d in datasets if d["first_track_id"]]
    window = """
        select t.id, t.dataset, t.source_id, t.title, t.artist_credit, t.album, t.duration_s, t.url,
               t.licence_code, t.duplicate_of, t.used_to_train, count(*) over () as found
        from (select rowid from tracks_fts where tracks_fts match :fts and rowid between {lo} and {hi} limit {limit}) c
        join tracks t on t.id = c.rowid
        """
    words = search_words(text[:MAX_QUERY])[: search_index.MAX_WORDS]
    typed = " ".join(words)
    windows = await asyncio.gather(
        *(db.execute(window.format(lo=int(lo), hi=int(hi), limit=CANDIDATES), {"fts": fts}) for _, lo, hi in ranges)
    )
    found = {slug: (result.rows[0]["found"] if result.rows else 0) for (slug, _, _), result in zip(ranges, windows)}
    full = [(slug, lo, hi) for slug, lo, hi in ranges if found[slug] >= CANDIDATES] if counted else []
    title_fts = _title_phrase(text)
    more = await asyncio.gather(
        *(
            db.execute(window.format(lo=int(lo), hi=int(hi), limit=TITLE_CANDIDATES), {"fts": title_fts})
            for _, lo, hi in (full if title_fts else [])
        ),
        *(
            db.execute(
                f"select count(*) from (select 1 from tracks_fts where tracks_fts match :fts "
                f"and rowid between {int(lo)} and {int(hi)} limit {COUNT_LIMIT + 1})",
                {"fts": fts},
            )
            for _, lo, hi in full
        ),
    )
    titles, counts = (more[: len(full)], more[len(full) :]) if title_fts else ([], more)
    found.update({slug: result.single_value() for (slug, _, _), result in zip(full, counts)})
    candidates: dict = {}  # id → row, kept as SQLite gave it: only the page's rows become dicts
    for result in (*windows, *titles):
        for row in result.rows:
            if row["id"] not in candidates:
                candidates[row["id"]] = row

    def rank(row) -> float:
        if counted:
            return -search_index.match_score(typed, row["title"], row["artist_credit"], row["album"])
        # suggestions: the tracks whose title and credit read most like what was typed
        return -fuzz.token_set_ratio(
            typed, f"{row['title'] or ''} {row['artist_credit'] or ''}", processor=default_process
        )

    ranked = sorted(
        candidates.values(),
        key=lambda row: (search_index.title_tier(row["title"], row["artist_credit"], typed), rank(row), row["id"]),
    )
    shown = page * PAGE_SIZE
    rows = [dict(row) for row in ranked[shown - PAGE_SIZE : shown]]
    for row in rows:
        del row["found"]
    return rows, found


async def artist_tracks(db, artist_id: int) -> list[dict]:
    """The first tracks of one artist: what a name without words (`!!!`) shows."""
    rows = await db.execute(
        f"select {TRACK_COLUMNS}, t.duplicate_of from track_artists ta join tracks t on t.id = ta.track_id "
        "where ta.artist_id = ? order by t.id limit ?",
        [artist_id, PAGE_SIZE],
    )
    return [dict(row) for row in rows.rows]


TRACK_COLUMNS = (
    "t.id, t.dataset, t.source_id, t.title, t.artist_credit, t.album, t.duration_s, t.url, t.licence_code, "
    "t.used_to_train"
)


async def lookup_link(db, link) -> dict:
    """What a recognised link names in the four datasets: {"tracks": [...], "artists": [...]} (`ingest/lookup.py`,
    the resolver the catalogue check uses too)."""
    found: dict[str, list] = {"tracks": [], "artists": []}
    for query in link_queries(link, TRACK_COLUMNS, limit=100):
        found[query.finds] += [dict(row) for row in (await db.execute(query.sql, query.params)).rows]
    return found


LINK_NAMES = {
    "youtube_video": "YouTube video",
    "youtube_channel": "YouTube Music channel",
    "spotify_track": "Spotify track",
    "genius_song": "Genius song",
    "genius_artist": "Genius artist",
    "fma_track": "Free Music Archive track",
    "fma_artist": "Free Music Archive artist",
}
BARE_IDS = ("youtube_video", "youtube_channel", "spotify_track")  # what a bare word may be taken for
UNSUPPORTED_MESSAGE = "This kind of link ({service}) cannot be looked up in these datasets: search by name."
SUGGESTED_TRACKS = 10


async def search_view(datasette, request):
    as_json = request.url_vars.get("format") == "json"
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    try:
        page = max(1, min(int(request.args.get("page") or 1), CANDIDATES * 4 // PAGE_SIZE))
    except ValueError:
        page = 1
    db = datasette.get_database(DATABASE)
    datasets = await dataset_rows(db)
    context = {
        "q": text,
        "page": page,
        "datasets": datasets,
        "link": None,
        "artists": [],
        "tracks": [],
        "did_you_mean": None,
        "counts": {},
        "page_size": PAGE_SIZE,
        "candidates": CANDIDATES,
        "count_limit": COUNT_LIMIT,
    }
    link = parse_link(text) if text else None
    unsupported = unsupported_link(text) if text and not link else None
    found = await lookup_link(db, link) if link else None
    bare = None
    if link and link.kind in BARE_IDS and text == link.value and not found["tracks"] + found["artists"]:
        bare, link = link, None  # an id-shaped word that is no id here (`teuwaiseu91`): search it as a name too
    if link:
        context.update(link={"kind": link.kind, "name": LINK_NAMES[link.kind], "value": link.value}, **found)
        if not as_json and len(found["tracks"]) + len(found["artists"]) == 1:
            # one answer: go straight to it
            if found["artists"]:
                return Response.redirect(datasette.urls.path(f"/artist/{quote(found['artists'][0]['key'], safe='')}"))
            return Response.redirect(datasette.urls.row(DATABASE, "tracks", found["tracks"][0]["id"]))
    elif unsupported:
        # a Spotify artist, an Apple Music or Bandcamp page …: nothing in the four datasets is keyed by it
        context["link"] = {
            "kind": unsupported.kind,
            "name": unsupported.service,
            "value": text,
            "unsupported": True,
            "name_hint": unsupported.name,
            "message": UNSUPPORTED_MESSAGE.format(service=unsupported.service),
        }
    elif text:
        words = search_words(text)
        fts = await db.execute_fn(lambda conn: search_index.track_query(conn, words))
        context["artists"], suggestion = await search_artists(db, text)
        if fts:
            context["tracks"], context["counts"] = await search_tracks(db, text, fts, datasets, page)
        if not context["tracks"] and context["artists"] and page == 1:
            # the name is credited (as a writer, say) but no title or credit holds its words, or it has none (!!!)
            context["tracks"] = await artist_tracks(db, context["artists"][0]["id"])
            context["tracks_of"] = context["artists"][0]
        corrections = suggestion.pop("corrections")
        suggestion.update(query=None, tracks=[])
        if not context["tracks"] and corrections and page == 1:
            # the typed words corrected; failing that, only the words typed right
            for drop_unknown in (False, True):
                corrected = search_index.corrected_query(corrections, drop_unknown)
                if corrected and corrected[0] != suggestion["query"]:
                    suggestion["query"] = corrected[0]
                    suggestion["tracks"] = (
                        await search_tracks(db, corrected[0], corrected[1], datasets, 1, counted=False)
                    )[0][:SUGGESTED_TRACKS]
                    if suggestion["tracks"]:
                        suggestion["query"] = _as_found(corrections, suggestion["tracks"][0], drop_unknown)
                        break
        if not suggestion["tracks"] and not suggestion["artists"]:
            suggestion["query"] = None
        context["did_you_mean"] = suggestion if suggestion["artists"] or suggestion["tracks"] else None
        context["fts"] = fts
        if bare and not (context["artists"] or context["tracks"] or context["did_you_mean"]):
            context["link"] = {"kind": bare.kind, "name": LINK_NAMES[bare.kind], "value": bare.value}
    context["total"] = sum(context["counts"].values())
    context["more"] = (
        not context.get("tracks_of")
        and len(context["tracks"]) == PAGE_SIZE
        and page * PAGE_SIZE < len(datasets) * CANDIDATES
    )
    if as_json:
        return Response.json(
            {
                key: context.get(key)
                for key in ("q", "page", "link", "artists", "did_you_mean", "tracks", "tracks_of", "counts", "more")
            }
            | {"caveat": CAVEAT}
        )
    context["next_url"] = "/search?" + urlencode({"q": text, "page": page + 1})
    context["prev_url"] = "/search?" + urlencode({"q": text, "page": page - 1}) if page > 1 else None
    context["dataset_names"] = {d["slug"]: d["name"] for d in datasets}
    return Response.html(await datasette.render_template("search.html", context, request=request))


async def landing_view(datasette, request):
    """The landing page, without Datasette's index view: that looks up every table of the database one SQL thread
    hop at a time (40 of them), which under a crowd's load queue behind every other query (15 s a page). What the
    page shows comes from the plugins' `extra_template_vars` for index.html; `/.json` is still Datasette's."""
    json_url = datasette.absolute_url(request, datasette.urls.path("/.json"))
    context = {"metadata": datasette.metadata(), "datasette_version": __version__, "alternate_url_json": json_url}
    return Response.html(
        await datasette.render_template("index.html", context, request=request, view_name="index"),
        headers={"Link": f'{json_url}; rel="alternate"; type="application/json+datasette"'},
    )


@hookimpl
def register_routes():
    return [(r"^/search(\.(?P<format>json))?$", search_view), (r"^/$", landing_view)]


@hookimpl
def extra_template_vars(template, request, datasette):
    if template != "index.html":
        return {}

    async def landing():
        db = datasette.get_database(DATABASE)
        queries = await datasette.get_canned_queries(DATABASE, request.actor if request else None)
        return {"datasets": await dataset_rows(db), "saved_queries": queries}

    return landing
