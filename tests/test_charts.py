"""The charts' summary tables, the overview dashboard's configuration, the artist page's charts and the landing
page's headline figures."""

import re

import pytest
import yaml

from ingest.datasets import DATASETS
from ingest.summaries import (
    ARTIST_ROLES_SQL,
    ARTIST_STATS_SQL,
    BIG_ARTIST_YEARS_SQL,
    BIG_ARTISTS,
    combination_label,
    restrictive_terms,
)

from .conftest import ROOT

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text())
DASHBOARD = METADATA["plugins"]["datasette-dashboards"]["overview"]
SAVED = METADATA["databases"]["datasets"]["queries"]


def rows(db, sql, *params):
    return [tuple(row) for row in db.execute(sql, params)]


def test_overlap_combinations_add_up_to_the_shared_recordings(db):
    assert rows(db, "select dataset_list, datasets, recordings, tracks from overlap_combinations order by 1") == rows(
        db,
        "select dataset_list, max(datasets), count(*), sum(tracks) from shared_recordings "
        "group by dataset_list order by 1",
    )
    labels = dict(rows(db, "select dataset_list, label from overlap_combinations"))
    assert (
        labels["laion-disco-12m,sleeping-disco-9m,spotify-tracks-dataset"] == "LAION-DISCO + Sleeping-DISCO + Spotify"
    )
    assert combination_label("sleeping-disco-9m,free-music-archive") == "Sleeping-DISCO + FMA"


def test_licence_terms_flag_noncommercial_and_no_derivatives(db):
    terms = {
        code: (nc, nd, r)
        for code, nc, nd, r in rows(
            db,
            "select licence_code, noncommercial, no_derivatives, restrictive from licence_terms "
            "where dataset = 'free-music-archive'",
        )
    }
    assert terms["CC BY-NC-ND"] == (1, 1, 1) and terms["CC BY-NC-SA"] == (1, 0, 1)
    assert terms["CC BY"] == (0, 0, 0) and terms["CC0"] == (0, 0, 0) and terms["FMA-Limited"] == (0, 0, 0)
    assert restrictive_terms("CC NC-Sampling+") == ["NC"] and restrictive_terms(None) == []


def test_languages_top_artists_tags_and_training_are_counted_from_the_tracks(db):
    assert rows(
        db, "select language, tracks from dataset_languages where dataset = 'sleeping-disco-9m' order by language"
    ) == rows(
        db,
        "select language, count(*) from tracks where dataset = 'sleeping-disco-9m' and language is not null "
        "group by language order by language",
    )
    for (slug,) in rows(db, "select slug from datasets"):
        top = rows(db, "select artist_id, tracks from dataset_top_artists where dataset = ? order by position", slug)
        assert top == rows(
            db,
            "select artist_id, tracks from artist_datasets where dataset = ? order by tracks desc, artist_id limit 25",
            slug,
        )
    assert rows(
        db, "select genre, tracks from dataset_top_genres where dataset = 'sleeping-disco-9m' order by position limit 3"
    ) == rows(
        db,
        "select genre, tracks from dataset_genres where dataset = 'sleeping-disco-9m' "
        "order by tracks desc, genre limit 3",
    )
    listed = dict(rows(db, "select status, tracks from training_summary"))
    assert sum(listed.values()) == rows(db, "select count(*) from training_use")[0][0]
    assert (
        listed["in none of the four datasets"]
        == rows(db, "select count(*) from training_use where track_id is null")[0][0]
    )
    assert (
        listed["licence differs from the dataset"]
        == rows(db, "select count(*) from training_use where licence_disagrees = 1")[0][0]
        > 0
    )


def test_headline_figures(db):
    figures = dict(db.execute("select * from headline_figures").fetchone())
    assert figures["tracks"] == rows(db, "select count(*) from tracks")[0][0]
    assert figures["artists"] == rows(db, "select count(*) from artists")[0][0]
    assert figures["shared_recordings"] == rows(db, "select count(*) from shared_recordings")[0][0]
    assert (
        figures["fma_restrictive_tracks"]
        == rows(
            db,
            "select count(*) from tracks where dataset = 'free-music-archive' "
            "and (licence_code like '%NC%' or licence_code like '%ND%')",
        )[0][0]
    )
    assert (
        figures["training_in_datasets"]
        == rows(db, "select count(distinct track_id) from training_use where track_id is not null")[0][0]
    )


def test_dataset_styles_and_the_charts_colours_are_the_registrys(db):
    assert rows(db, "select slug, short_name, colour from dataset_styles order by position") == [
        (info.slug, info.short_name, info.colour) for info in DATASETS
    ]
    scale = DASHBOARD["charts"]["tracks-per-dataset"]["display"]["encoding"]["color"]["scale"]
    assert scale == {"domain": [info.short_name for info in DATASETS], "range": [info.colour for info in DATASETS]}


def test_the_dashboard_has_every_chart_the_issue_lists_and_each_reads_a_summary_table():
    charts = DASHBOARD["charts"]
    assert {
        "tracks-per-dataset",
        "shared-by",
        "overlap-combinations",
        "fma-licences",
        "fma-restrictive-share",
        "release-years",
        "top-artists-laion",
        "top-artists-sleeping",
        "top-artists-fma",
        "top-artists-spotify",
        "sleeping-languages",
        "sleeping-tags",
        "training-licences",
    } == set(charts)
    layout = {slug for row in DASHBOARD["layout"] for slug in row}
    assert layout == set(charts)
    small = {
        "datasets",
        "dataset_styles",
        "overlap_combinations",
        "licence_terms",
        "dataset_years",
        "dataset_top_artists",
        "dataset_languages",
        "dataset_top_genres",
        "training_summary",
    }
    for slug, chart in charts.items():
        tables = set(re.findall(r"\b(?:from|join)\s+(\w+)", chart["query"]))
        assert tables and tables <= small, (slug, tables)
        assert chart["display"]["usermeta"]["embedOptions"]["renderer"] == "canvas"
    # a chart and a saved query share their SQL (a YAML anchor)
    assert charts["overlap-combinations"]["query"] == SAVED["overlap_combinations"]["sql"]
    assert charts["training-licences"]["query"] == SAVED["training_licence_agreement"]["sql"]


@pytest.mark.asyncio
async def test_every_charts_query_answers(ds):
    for slug, chart in DASHBOARD["charts"].items():
        response = await ds.client.get("/datasets.json", params={"sql": chart["query"], "_shape": "objects"})
        assert response.status_code == 200, slug
        data = response.json()
        assert data["rows"] and not data["truncated"], slug


@pytest.mark.asyncio
async def test_dashboard_page_loads_the_vendored_chart_libraries(ds):
    html = (await ds.client.get("/-/dashboards/overview")).text
    for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
        match = re.search(rf'src="([^"]*{script})"', html)
        assert match and match.group(1).startswith("/"), script
        assert (await ds.client.get(match.group(1))).status_code == 200


def test_an_artists_precomputed_stats_equal_the_live_count(db):
    """ARTIST_STATS_SQL (precomputed for big artists, run live for the others) counts what the plain
    definition counts, artist by artist."""
    precomputed = sorted(rows(db, ARTIST_STATS_SQL.format(artists="select id from artists")))
    assert precomputed
    live = []
    for (artist,) in rows(db, "select id from artists"):
        live += rows(
            db,
            """
            select ta.artist_id, 'year', t.dataset, t.release_year, count(distinct t.id)
            from track_artists ta join tracks t on t.id = ta.track_id
            where ta.artist_id = ? and t.release_year is not null group by t.dataset, t.release_year""",
            artist,
        )
        live += rows(
            db,
            """
            select ta.artist_id, 'role', t.dataset, ta.role, count(distinct t.id)
            from track_artists ta join tracks t on t.id = ta.track_id
            where ta.artist_id = ? group by t.dataset, ta.role""",
            artist,
        )
    assert precomputed == sorted(live)
    # every role is counted, and by the load (artist_datasets), not from track_artists: the plain count checks it
    assert {value for _, kind, _, value, _ in live if kind == "role"} == {"primary", "featured", "writer"}


def test_the_builds_pass_over_big_artists_counts_what_the_artist_page_counts(db):
    """The build counts the big artists' years in one pass over the tracks (BIG_ARTIST_YEARS_SQL); made to take
    every artist, it gives the artist page's counts (ARTIST_STATS_SQL)."""
    built = [
        tuple(row)
        for sql in (BIG_ARTIST_YEARS_SQL, ARTIST_ROLES_SQL.format(artists=BIG_ARTISTS))
        for row in db.execute(sql, {"min": 0})
    ]
    assert any(kind == "year" for _, kind, *_ in built)
    assert sorted(built) == sorted(rows(db, ARTIST_STATS_SQL.format(artists="select id from artists")))


@pytest.mark.asyncio
async def test_artist_page_carries_its_three_charts(ds):
    html = (await ds.client.get("/artist/bjork")).text
    for chart in ("artist-chart-datasets", "artist-chart-years", "artist-chart-roles"):
        assert f'id="{chart}"' in html
    assert 'aria-label="Tracks per dataset: LAION-DISCO: 6; Sleeping-DISCO: 1; Spotify: 1"' in html
    assert 'aria-label="Tracks by role: primary: 8; writer: 1"' in html
    assert "#D55E00" in html  # the registry's Sleeping-DISCO colour, in the chart's scale


@pytest.mark.asyncio
async def test_landing_page_headline_strip_links_to_the_dashboard(ds, db):
    html = (await ds.client.get("/")).text
    figures = dict(db.execute("select * from headline_figures").fetchone())
    assert f"<strong>{figures['tracks']:,}</strong> tracks" in html
    assert f"<strong>{figures['shared_recordings']:,}</strong> recordings in two or more datasets" in html
    assert "% </strong>" not in html and "<strong>50 %</strong> of FMA tracks" in html
    assert html.count('href="/-/dashboards/overview') >= 6


@pytest.mark.asyncio
async def test_the_dashboard_config_stays_out_of_the_metadata_permission_checks_copy(ds):
    """Datasette 0.65.5 deep-copies its local metadata for every table permission check; the dashboard's
    configuration is handed to datasette-dashboards without riding along (plugins/charts.py)."""
    assert "datasette-dashboards" not in ds._metadata_local.get("plugins", {})
    assert "datasette-cluster-map" in ds._metadata_local["plugins"]
    assert set(ds.plugin_config("datasette-dashboards")["overview"]["charts"]) == set(DASHBOARD["charts"])
    assert "datasette-dashboards" in (await ds.client.get("/-/metadata.json")).json()["plugins"]


def test_the_sleeping_disco_top_artists_chart_leaves_out_genius_translation_pages(db):
    """Genius credits its translations of other artists' songs to pseudo-artists, which top Sleeping-DISCO at full
    size; the chart of who is most present leaves them out (its title says so) and still shows ten artists."""
    import sqlite3

    chart = DASHBOARD["charts"]["top-artists-sleeping"]
    board = sqlite3.connect(":memory:")
    for table in ("dataset_top_artists", "dataset_styles"):
        board.execute(db.execute("select sql from sqlite_master where name = ?", [table]).fetchone()[0])
        board.executemany(
            f"insert into {table} values ({', '.join('?' * len(db.execute(f'select * from {table}').description))})",
            db.execute(f"select * from {table}").fetchall() if table == "dataset_styles" else [],
        )
    columns = [c[1] for c in db.execute("pragma table_info(dataset_top_artists)")]
    names = [
        "Genius English Translations",
        "Cowboys",
        "Genius Romanizations",
        "Genius Traducciones al Español",
        "Genius Deutsche Übersetzungen",
        "Genius Türkçe Çeviri",
        *(f"Artist {i}" for i in range(1, 10)),
        "Geniuses of Love",  # a band, not Genius's pages
    ]
    for position, name in enumerate(names, 1):
        values = {"dataset": "sleeping-disco-9m", "position": position, "name": name, "tracks": 1000 - position}
        board.execute(
            f"insert into dataset_top_artists ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            [values.get(column, position) for column in columns],
        )
    shown = [artist for artist, _, _ in rows(board, chart["query"])]
    assert shown == ["Cowboys", *(f"Artist {i}" for i in range(1, 10))]
    assert "translation pages left out" in chart["title"]
    board.execute("delete from dataset_top_artists where name like 'Artist %'")
    assert [artist for artist, _, _ in rows(board, chart["query"])] == ["Cowboys", "Geniuses of Love"]
