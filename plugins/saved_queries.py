"""Saved queries people can use: a parameter that takes a dataset or a model is a dropdown of the values that
exist (a value that exists nowhere says so, instead of answering "0 results"), artist names and track ids link to
their pages, and the page's title is the query's title."""

from __future__ import annotations

import re

from datasette import hookimpl
from markupsafe import Markup, escape

from ingest import DATABASE
from ingest.datasets import DATASETS

ARTIST_COLUMNS = ("name", "artist")


async def parameter_choices(db) -> dict[str, list[tuple[str, str]]]:
    """The values a `:dataset` or `:model` parameter can take, as (value, label)."""
    models = (await db.execute("select slug, name from models order by name")).rows
    return {
        "dataset": [(info.slug, info.name) for info in DATASETS],
        "model": [(row["slug"], row["name"]) for row in models],
    }


@hookimpl
def extra_template_vars(template, database, datasette):
    # a saved query's page (and /datasets?sql=) renders query-datasets.html
    if database != DATABASE or not (template or "").startswith("query"):
        return {}

    async def choices():
        db = datasette.get_database(DATABASE)
        return {
            "parameter_choices": await parameter_choices(db),
            # a parameter the SQL compares with '' (":dataset = ''") may be left empty: all of them
            "optional_parameter": lambda sql, name: bool(sql and re.search(rf":{name}\s*=\s*''", sql)),
        }

    return choices


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or table is not None or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if column in ARTIST_COLUMNS and "artist_page" in keys and isinstance(row["artist_page"], str):
        return Markup(f'<a href="{escape(datasette.urls.path(row["artist_page"]))}">{escape(value)}</a>')
    if column == "artist_page" and isinstance(value, str) and value.startswith("/artist/"):
        return Markup(f'<a href="{escape(datasette.urls.path(value))}">{escape(value)}</a>')
    if column == "track_id" and isinstance(value, int):
        return Markup(f'<a href="{escape(datasette.urls.row(DATABASE, "tracks", value))}">{value}</a>')
    return None
