"""Fast filtering of the tracks table by dataset.

Track ids are given dataset by dataset, so `?dataset=laion-disco-12m` is the same as one range of ids. Adding
that range to the filter lets SQLite walk the primary key in order instead of scanning 21 million rows or
sorting a dataset's worth of them, and it costs no index. A later page (`_next`) starts the range after the
previous page's last id: given that and the range's own first id as two lower bounds, SQLite may seek to the
first, and read the whole dataset up to the page.
"""

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import urlsafe_components

from ingest import DATABASE


@hookimpl
def filters_from_request(request, database, table, datasette):
    if database != DATABASE or table != "tracks":
        return None
    dataset = request.args.get("dataset") or request.args.get("dataset__exact")
    if not dataset:
        return None

    async def id_range():
        rows = await datasette.get_database(database).execute(
            "select first_track_id, last_track_id from datasets where slug = ?", [dataset]
        )
        row = rows.first()
        if row is None or row["first_track_id"] is None:
            return None
        first, last = row["first_track_id"], row["last_track_id"]
        try:
            after = int(urlsafe_components(request.args.get("_next") or "")[-1])
        except ValueError:
            after = None
        if after is not None and request.args.get("_sort_desc") == "id":
            last = max(first - 1, min(last, after - 1))
        elif after is not None and request.args.get("_sort") in (None, "id") and not request.args.get("_sort_desc"):
            first = min(last + 1, max(first, after + 1))
        return FilterArguments(
            ["id between :dataset_first_id and :dataset_last_id"],
            params={"dataset_first_id": first, "dataset_last_id": last},
        )

    return id_range
