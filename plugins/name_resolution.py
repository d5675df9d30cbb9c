"""A typed artist name resolves the same way everywhere: search, `/artist/<key>` and the saved queries that take an
artist (`ingest.search_index.resolve_artists`: exact keys, else names holding every word).

The saved queries call the SQL function registered here (`resolved_artists`), and their pages say how
the name was read: which artists it found, or, when it found none, why and which artists are closest.
"""

from __future__ import annotations

from datasette import hookimpl

from ingest import DATABASE, search_index

# the saved queries that take an :artist, resolved by resolved_artists() in their SQL (metadata.yml)
ARTIST_QUERIES = ("artist_tracks", "artist_albums", "shared_recordings", "fma_restricted_licences")


@hookimpl
def prepare_connection(conn):
    search_index.register_functions(conn)


async def resolution(db, typed: str) -> dict:
    """How a typed name is read (see `search_index.describe_resolution`)."""
    return await db.execute_fn(lambda conn: search_index.describe_resolution(conn, typed))


@hookimpl
def extra_template_vars(template, request, datasette):
    if not (request and template.startswith("query-")):
        return {}
    query = request.url_vars.get("table")
    typed = (request.args.get("artist") or "").strip()
    if query not in ARTIST_QUERIES or not typed:
        return {}

    async def artist_resolution():
        return {"artist_resolution": await resolution(datasette.get_database(DATABASE), typed[:200])}

    return artist_resolution
