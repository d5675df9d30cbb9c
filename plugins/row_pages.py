"""Row pages at full size: a track's page (`/datasets/tracks/<id>`, where every search result links) answers at once.

On a row page Datasette counts, for every table whose foreign key points at the row, the rows pointing at it
("Links from other tables"). Two of the tables pointing at tracks have no index on that column:
artist_title_keys (40 million rows, clustered by artist for the catalogue check) and shared_recordings. Counting
them read both tables whole: 1 s a page at a tenth of full size, and at full size the 3 s time limit, after which
Datasette shows none of the links. Here those references (from a table of over BIG_TABLE rows, on a column no
index starts with) are left out of the row page's list; every indexed one (track_artists, youtube_links,
training_use, top_tracks) is still counted and linked, and the tables keep their links to the tracks they name.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import escape_sqlite

from ingest import DATABASE

BIG_TABLE = 200_000  # rows


def unindexed_references(conn, counts: dict) -> set[tuple[str, str]]:
    """(table, column) of each foreign key on a big table whose column is not the first of any index."""
    found = set()
    tables = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
    for table in tables:
        name = escape_sqlite(table)
        keys = conn.execute(f"pragma foreign_key_list({name})").fetchall()
        if not keys:
            continue
        rows = counts.get(table)
        if rows is None:
            rows = conn.execute(f"select count(*) from {name}").fetchone()[0]
        if rows <= BIG_TABLE:
            continue
        first = {
            conn.execute(f"pragma index_info({escape_sqlite(index[1])})").fetchone()[2]
            for index in conn.execute(f"pragma index_list({name})")
        }
        first |= {
            column[1]
            for column in conn.execute(f"pragma table_info({name})")
            if column[5] == 1 and column[2].lower() == "integer"
        }  # an integer primary key is the rowid
        found |= {(table, key[3]) for key in keys if key[3] not in first}
    return found


@hookimpl
def startup(datasette):
    async def leave_out_unindexed_references():
        db = datasette.databases.get(DATABASE)
        if db is None:
            return
        counts = {
            table: entry.get("count")
            for table, entry in ((datasette.inspect_data or {}).get(DATABASE) or {}).get("tables", {}).items()
            if entry.get("count") is not None
        }
        slow = await db.execute_fn(lambda conn: unindexed_references(conn, counts))
        if not slow:
            return
        every_key = db.get_all_foreign_keys

        async def get_all_foreign_keys():
            keys = await every_key()
            return {
                table: dict(
                    entry,
                    incoming=[fk for fk in entry["incoming"] if (fk["other_table"], fk["other_column"]) not in slow],
                )
                for table, entry in keys.items()
            }

        db.get_all_foreign_keys = get_all_foreign_keys

    return leave_out_unindexed_references
