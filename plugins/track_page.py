"""The track page (`/datasets/tracks/<id>`): a card a person can read first — title, artists (each linking to
their page), dataset, the original and the publisher's file and row — then every column below."""

from __future__ import annotations

from datasette import hookimpl

from ingest import DATABASE
from ingest.datasets import BY_SLUG


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name != "row" or database != DATABASE or table != "tracks" or request is None:
        return {}

    async def track_card():
        db = datasette.get_database(DATABASE)
        row = (
            await db.execute(
                "select id, dataset, title, artist_credit, album, url, release_year, duration_s, "
                "licence, licence_code, licence_url from tracks where id = ?",
                [request.url_vars.get("pks")],
            )
        ).first()
        if row is None:
            return {}
        credits = await db.execute(
            "select a.key, coalesce(s.name, a.name) as name, group_concat(ta.role, ', ') as role "
            "from track_artists ta join artists a on a.id = ta.artist_id "
            "left join artist_sources s on s.id = ta.artist_source_id "
            "where ta.track_id = ? group by a.id order by min(ta.position)",
            [row["id"]],
        )
        track = dict(row)
        track["info"] = BY_SLUG.get(row["dataset"])
        track["credits"] = [dict(credit) for credit in credits.rows]
        return {"track": track}

    return track_card
