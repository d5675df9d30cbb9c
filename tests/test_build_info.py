"""The build id: a hash of what went into a build, the same for the same input, shown on the home page."""

import hashlib
import json
import sqlite3

import pytest

from ingest import build_info
from ingest.build import build, sample_sources


def build_row(path) -> dict:
    conn = sqlite3.connect(path)
    row = dict(zip(("id", "tool", "tool_version", "inputs"), conn.execute("select * from build").fetchone()))
    assert conn.execute("select count(*) from build").fetchone() == (1,)
    conn.close()
    return row


def test_the_build_id_is_the_hash_of_its_recorded_inputs(sample_db):
    row = build_row(sample_db)
    assert row["id"] == hashlib.sha256(row["inputs"].encode("utf-8")).hexdigest()
    inputs = json.loads(row["inputs"])
    assert [d["slug"] for d in inputs["datasets"]] == [
        "free-music-archive",
        "laion-disco-12m",
        "sleeping-disco-9m",
        "spotify-tracks-dataset",
    ]
    assert {"revision", "rows_read", "rows_loaded", "rows_rejected"} <= set(inputs["datasets"][0])
    assert inputs["tool"]["version"] == row["tool_version"] and inputs["models"]
    assert len(inputs["source_files"]) == 28


def test_the_same_input_gives_the_same_id_and_another_input_another(tmp_path):
    sources = sample_sources()
    ids = []
    for name, chosen, revisions in (
        ("a", sources, None),
        ("b", sources, None),
        ("c", {k: v for k, v in sources.items() if k != "free-music-archive"}, None),
        ("d", sources, {"spotify-tracks-dataset": "635b034f"}),
    ):
        build(tmp_path / name / "datasets.db", chosen, revisions=revisions, progress=False, log=lambda m: None)
        ids.append(build_row(tmp_path / name / "datasets.db")["id"])
    assert ids[0] == ids[1]
    assert len(set(ids)) == 3


def test_a_database_without_a_build_table_has_no_id(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.db")
    assert build_info.read(conn) is None


@pytest.mark.asyncio
async def test_the_home_page_shows_the_build_id(ds, sample_db):
    html = (await ds.client.get("/")).text
    build_id = build_row(sample_db)["id"]
    assert f'<code title="{build_id}">{build_id[:16]}</code>' in html
