"""The artist page: `/artist/<key>` (and `.json`, `.csv`), a stable permalink per artist.

Name and every credited spelling, a count and share per dataset, the publisher identities behind the name (a
name with several YouTube Music channels or Genius pages may be several artists), FMA location and licences,
and every track, paginated by track id so the biggest artist's last page is as fast as the first.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import AsgiStream, Response

from ingest import CAVEAT, DATABASE, bulk_reads, search_index
from ingest.datasets import DATASETS, SLUGS
from ingest.export_lines import csv_line, csv_text, stopped, tracks_csv_cells

PAGE_SIZE = 100
CSV_CHUNK = 2_000
CSV_COLUMNS = (
    "dataset",
    "source_id",
    "title",
    "artist_credit",
    "role",
    "album",
    "duration_s",
    "release_year",
    "url",
    "licence",
    "licence_code",
    "views",
    "popularity",
    "listens",
    "duplicate_of",
    "used_to_train",
    "track_id",
)
SOURCE_NAMES = {info.slug: info.artist_source_name for info in DATASETS if info.artist_source_name}


async def load_artist(db, key: str) -> dict | None:
    row = (await db.execute("select id, key, name, tracks from artists where key = ?", [key])).first()
    if row is None:
        return None
    artist = dict(row)
    artist_id = artist["id"]
    artist["spellings"] = [
        dict(r)
        for r in (
            await db.execute(
                "select name, tracks from artist_names where artist_id = ? order by tracks desc, name", [artist_id]
            )
        ).rows
    ]
    artist["datasets"] = [
        dict(r)
        for r in (
            await db.execute(
                "select d.slug, d.name, d.rows_loaded, d.first_track_id, d.last_track_id, ad.tracks, "
                "ad.primary_tracks, 1.0 * ad.tracks / d.rows_loaded as share "
                "from artist_datasets ad join datasets d on d.slug = ad.dataset where ad.artist_id = ? "
                "order by d.first_track_id",
                [artist_id],
            )
        ).rows
    ]
    identities = [
        dict(r)
        for r in (
            await db.execute(
                "select dataset, source_artist_id, name, url from artist_sources where artist_id = ? "
                "order by id limit 200",
                [artist_id],
            )
        ).rows
    ]
    artist["identities"] = identities
    # one name, several ids in one dataset: maybe several artists (YouTube's auto-generated "X - Topic"
    # channel is the artist's own, so it does not count)
    per_dataset: dict[str, list] = {}
    for identity in identities:
        if not identity["name"].endswith(" - Topic"):
            per_dataset.setdefault(identity["dataset"], []).append(identity)
    artist["homonyms"] = {dataset: ids for dataset, ids in per_dataset.items() if len(ids) > 1}
    artist["fma"] = [
        dict(r)
        for r in (
            await db.execute("select * from fma_artists where artist_id = ? order by fma_artist_id", [artist_id])
        ).rows
    ]
    artist["points"] = [[f["latitude"], f["longitude"]] for f in artist["fma"] if f["latitude"] is not None]
    # what model makers say they trained on: tracks of this artist in the datasets, and listed tracks that are
    # in none of them but name this artist as author
    artist["training"] = [
        dict(r)
        for r in (
            await db.execute(
                """
        select m.slug, m.name, m.maker, m.list_source_url, m.list_file,
               (select count(distinct u.track_id) from track_artists ta join training_use u on u.track_id = ta.track_id
                where ta.artist_id = :artist and u.model = m.slug) as in_datasets,
               (select count(*) from training_use u where u.track_id is null and u.author_key = :key
                and u.model = m.slug) as outside_datasets
        from models m order by m.name
        """,
                {"artist": artist_id, "key": key},
            )
        ).rows
    ]
    artist["training"] = [m for m in artist["training"] if m["in_datasets"] or m["outside_datasets"]]
    return artist


def _range(artist: dict, dataset: str | None) -> tuple[int, int]:
    """Track ids are given dataset by dataset, so one dataset is one id range."""
    if dataset:
        for entry in artist["datasets"]:
            if entry["slug"] == dataset:
                return entry["first_track_id"], entry["last_track_id"]
        return 0, -1
    return 0, 2**62


TRACK_COLUMNS = {"track_id": "t.id", "role": "page.role"}  # the rest are t.<column>


def _track_page_query(artist_id: int, after: int, dataset: str | None, artist: dict, size: int, select: str):
    low, high = _range(artist, dataset)
    sql = f"""
        with page as (
            select track_id, group_concat(role, ', ') as role from track_artists
            where artist_id = :artist and track_id between :low and :high
            group by track_id order by track_id limit :size
        )
        select {select} from page join tracks t on t.id = page.track_id order by t.id
        """
    return sql, {"artist": artist_id, "low": max(low, after + 1), "high": high, "size": size}


async def track_page(db, artist_id: int, after: int, dataset: str | None, artist: dict, size: int) -> list[dict]:
    """The artist's next `size` tracks after track id `after`."""
    select = ", ".join(f"{TRACK_COLUMNS.get(c, 't.' + c)} as {c}" for c in CSV_COLUMNS)
    rows = await db.execute(*_track_page_query(artist_id, after, dataset, artist, size, select))
    return [dict(row) for row in rows.rows]


async def artist_view(datasette, request):
    key = unquote(request.url_vars["key"])
    fmt = request.url_vars.get("format")
    db = datasette.get_database(DATABASE)
    artist = await load_artist(db, key)
    if artist is None:
        # read the key as a typed name, as search does: /artist/velvet-foxes is The Velvet Foxes
        found = await db.execute_fn(lambda conn: search_index.describe_resolution(conn, key.replace("-", " ")))
        if found["status"] == "exact" and len(found["artists"]) == 1 and found["artists"][0]["key"] != key:
            suffix = f".{fmt}" if fmt else ""
            query = f"?{request.query_string}" if request.query_string else ""
            return Response.redirect(
                datasette.urls.path(f"/artist/{quote(found['artists'][0]['key'], safe='')}{suffix}{query}")
            )
        if fmt == "json":
            return Response.json({"error": f"no artist with key {key!r}", "key": key, "resolution": found}, status=404)
        html = await datasette.render_template(
            "artist.html", {"artist": None, "key": key, "resolution": found}, request=request
        )
        return Response.html(html, status=404)
    dataset = request.args.get("dataset") or None
    if dataset and dataset not in SLUGS:
        message = (
            f"There is no dataset “{dataset}”. The datasets are {', '.join(SLUGS[:-1])} and {SLUGS[-1]}; "
            f"leave dataset out for all four."
        )
        if fmt == "json":
            return Response.json({"ok": False, "error": message, "status": 400}, status=400)
        html = await datasette.render_template(
            "error.html", {"ok": False, "error": message, "status": 400, "title": "No such dataset"}, request=request
        )
        return Response.html(html, status=400)
    if fmt == "csv":
        return _csv(db, artist, dataset)
    try:
        # past the last id is an empty page, but SQLite cannot take a number beyond 64 bits
        after = min(max(0, int(request.args.get("after") or 0)), 2**62)
    except ValueError:
        after = 0
    tracks = await track_page(db, artist["id"], after, dataset, artist, PAGE_SIZE + 1)
    more = len(tracks) > PAGE_SIZE
    tracks = tracks[:PAGE_SIZE]
    base = f"/artist/{quote(key, safe='')}"
    query = {"dataset": dataset} if dataset else {}
    next_url = f"{base}?{urlencode(query | {'after': tracks[-1]['track_id']})}" if more else None
    if fmt == "json":
        return Response.json(
            {
                "artist": artist,
                "tracks": tracks,
                "next": next_url and next_url.replace(base, base + ".json", 1),
                "caveat": CAVEAT,
            }
        )
    context = {
        "artist": artist,
        "key": key,
        "tracks": tracks,
        "dataset": dataset,
        "after": after,
        "next_url": datasette.urls.path(next_url) if next_url else None,
        "first_url": datasette.urls.path(f"{base}?{urlencode(query)}") if after else None,
        "csv_url": datasette.urls.path(f"{base}.csv?{urlencode(query)}" if query else f"{base}.csv"),
        "json_url": datasette.urls.path(f"{base}.json?{urlencode(query)}" if query else f"{base}.json"),
        "artist_url": datasette.urls.path(base),
    }
    return Response.html(await datasette.render_template("artist.html", context, request=request))


def _csv(db, artist: dict, dataset: str | None) -> AsgiStream:
    """Every track of the artist, streamed in chunks (the biggest artists have tens of thousands), each line
    written and the chunk's lines joined by SQLite, on the threads that yield to pages (ingest/bulk_reads.py); a
    download that has to stop says so in its last line."""
    line = csv_line([(c, TRACK_COLUMNS.get(c, "t." + c)) for c in CSV_COLUMNS], tracks_csv_cells("t"))

    def chunk(conn, after):
        sql, params = _track_page_query(artist["id"], after, dataset, artist, CSV_CHUNK, f"t.id, {line} as line")
        with bulk_reads.time_limit(conn, db.ds.sql_time_limit_ms):
            return conn.execute(
                f"select max(id), count(*), group_concat(line, char(13) || char(10)) from ({sql})", params
            ).fetchone()

    async def stream(response):
        await response.write(csv_text([CSV_COLUMNS]))
        after, written = 0, 0
        while True:
            try:
                last, n, text = await bulk_reads.execute_fn(db, lambda conn, after=after: chunk(conn, after))
            except Exception as error:  # noqa: BLE001 - said in the file, never dropped silently
                await response.write(stopped(written, f"the database stopped the export ({error})"))
                return
            if n:
                await response.write(text + "\r\n")
            written += n
            if n < CSV_CHUNK:
                break
            after = last

    filename = f"{artist['key']}{'-' + dataset if dataset else ''}-tracks.csv"
    return AsgiStream(
        stream,
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@hookimpl
def register_routes():
    return [(r"^/artist/(?P<key>[^/]+?)(\.(?P<format>json|csv))?$", artist_view)]
