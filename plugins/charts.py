"""Pictures: the landing page's headline figures, the artist page's charts, and one colour per dataset.

The overview dashboard itself is declared in metadata.yml (datasette-dashboards); its charts and the figures here
read the summary tables written by `ingest/summaries.py`. Every page gets the dataset registry as
`dataset_registry` (base.html turns it into a `--dataset-colour` per `.dataset-<slug>` class), so a dataset has
the same colour in a chart, a badge and a table.
"""

from __future__ import annotations

from urllib.parse import unquote

from datasette import hookimpl

from ingest import DATABASE
from ingest.datasets import BY_SLUG, DATASETS
from ingest.summaries import ARTIST_STATS_MIN, ARTIST_STATS_SQL

DASHBOARD = "overview"
ORDER = {info.slug: n for n, info in enumerate(DATASETS)}
CHART_HEIGHT = 170


# Datasette 0.65.5 deep-copies its whole metadata for every table permission check (a dozen or more per page;
# one per table on the landing page), so the dashboard's configuration, declared in metadata.yml beside the
# saved queries whose SQL it shares, made every page slower: 24 ms on the landing page. At start-up it moves out
# of the metadata those checks copy, and comes back whenever plugin configuration is asked for.
DASHBOARDS_PLUGIN = "datasette-dashboards"


@hookimpl
def startup(datasette):
    plugins = datasette._metadata_local.get("plugins") or {}
    if DASHBOARDS_PLUGIN in plugins:
        datasette._explorer_dashboards = plugins.pop(DASHBOARDS_PLUGIN)


@hookimpl
def get_metadata(datasette, key, database, table):
    config = getattr(datasette, "_explorer_dashboards", None)
    if config is None or key not in (None, "plugins"):
        return None
    return {"plugins": {DASHBOARDS_PLUGIN: config}}


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["dataset_registry"] = DATASETS
    env.globals["dataset_info"] = BY_SLUG
    env.globals["dashboard_path"] = f"/-/dashboards/{DASHBOARD}"


async def headline_figures(db) -> dict | None:
    row = (await db.execute("select * from headline_figures")).first()
    return dict(row) if row else None


async def artist_stats(db, artist_id: int, tracks: int) -> dict[str, list[dict]]:
    """Tracks per dataset × release year, and per dataset × role, for the artist page's charts: precomputed for
    an artist with many tracks (artist_track_stats), counted now for the others (a few milliseconds)."""
    if tracks > ARTIST_STATS_MIN:
        rows = (
            await db.execute(
                "select kind, dataset, value, tracks from artist_track_stats where artist_id = ? "
                "order by kind, dataset, value",
                [artist_id],
            )
        ).rows
    else:
        sql = ARTIST_STATS_SQL.format(artists="select :artist as id")
        rows = (
            await db.execute(
                f"select kind, dataset, value, tracks from ({sql}) order by kind, dataset, value", {"artist": artist_id}
            )
        ).rows
    stats: dict[str, list[dict]] = {"year": [], "role": []}
    for kind, dataset, value, count in rows:
        info = BY_SLUG.get(dataset)
        stats[kind].append({"dataset": info.short_name if info else dataset, kind: value, "tracks": count})
    return stats


def artist_charts(datasets: list[dict], stats: dict[str, list[dict]]) -> list[dict]:
    """Vega-Lite specs for the artist page: tracks per dataset, per release year, by role; each with a sentence
    that says what it shows, for screen readers."""
    present = {d["slug"] for d in datasets}
    # the legend names only the datasets the artist is in, each in its registry colour
    scale = {
        "domain": [info.short_name for info in DATASETS if info.slug in present],
        "range": [info.colour for info in DATASETS if info.slug in present],
    }
    colour = {"field": "dataset", "type": "nominal", "scale": scale, "title": None, "legend": {"orient": "bottom"}}
    base = {
        "width": "container",
        "height": CHART_HEIGHT,
        "background": None,
        "view": {"stroke": None},
        "config": {"font": "Helvetica, Arial, sans-serif"},
    }
    per_dataset = [
        {"dataset": BY_SLUG[d["slug"]].short_name if d["slug"] in BY_SLUG else d["slug"], "tracks": d["tracks"]}
        for d in datasets
    ]
    charts = [
        {
            "id": "artist-chart-datasets",
            "title": "Tracks per dataset",
            "summary": "; ".join(f"{row['dataset']}: {row['tracks']:,}" for row in per_dataset),
            "spec": base
            | {
                "data": {"values": per_dataset},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": {"field": "dataset", "type": "nominal", "sort": None, "title": None},
                    "x": {"field": "tracks", "type": "quantitative"},
                    "color": colour | {"legend": None},
                },
            },
        }
    ]
    if stats["year"]:
        years = [row["year"] for row in stats["year"]]
        charts.append(
            {
                "id": "artist-chart-years",
                "title": "Tracks per release year",
                "summary": f"{sum(row['tracks'] for row in stats['year']):,} tracks with a release year, "
                f"from {min(years)} to {max(years)}",
                "spec": base
                | {
                    "data": {"values": stats["year"]},
                    "mark": {"type": "bar", "tooltip": True},
                    "encoding": {
                        "x": {"field": "year", "type": "ordinal", "title": None},
                        "y": {"field": "tracks", "type": "quantitative", "stack": True},
                        "color": colour,
                    },
                },
            }
        )
    if stats["role"]:
        roles: dict[str, int] = {}
        for row in stats["role"]:
            roles[row["role"]] = roles.get(row["role"], 0) + row["tracks"]
        charts.append(
            {
                "id": "artist-chart-roles",
                "title": "Tracks by role",
                "summary": "; ".join(f"{role}: {n:,}" for role, n in roles.items()),
                "spec": base
                | {
                    "data": {"values": stats["role"]},
                    "mark": {"type": "bar", "tooltip": True},
                    "encoding": {
                        "y": {"field": "role", "type": "nominal", "title": None},
                        "x": {"field": "tracks", "type": "quantitative", "stack": True},
                        "color": colour,
                    },
                },
            }
        )
    return charts


@hookimpl
def extra_template_vars(template, request, datasette):
    if template == "index.html":

        async def landing():
            return {"headlines": await headline_figures(datasette.get_database(DATABASE))}

        return landing
    if template == "artist.html" and request is not None and "key" in request.url_vars:

        async def artist():
            db = datasette.get_database(DATABASE)
            row = (
                await db.execute("select id, tracks from artists where key = ?", [unquote(request.url_vars["key"])])
            ).first()
            if row is None:
                return {}
            datasets = (
                await db.execute("select dataset as slug, tracks from artist_datasets where artist_id = ?", [row["id"]])
            ).rows
            datasets = sorted((dict(d) for d in datasets), key=lambda d: ORDER.get(d["slug"], len(ORDER)))
            return {"artist_charts": artist_charts(datasets, await artist_stats(db, row["id"], row["tracks"]))}

        return artist
    return {}
