"""The build: schema, counts that reconcile, artists and roles, duplicates, atomic replacement, the CLI."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from ingest import search_index
from ingest.build import DiskFull, build, derived, sample_attributions, sample_sources
from ingest.links import parse_link
from ingest.lookup import link_queries
from ingest.records import SourceError
from ingest.testdata.samples import LYRICS_MARKER

from .conftest import ROOT


def test_every_row_read_is_loaded_or_recorded(db):
    for row in db.execute("select * from datasets"):
        loaded = db.execute("select count(*) from tracks where dataset = ?", [row["slug"]]).fetchone()[0]
        rejected = db.execute("select count(*) from problems where dataset = ?", [row["slug"]]).fetchone()[0]
        assert (loaded, rejected) == (row["rows_loaded"], row["rows_rejected"])
        assert row["rows_loaded"] + row["rows_rejected"] == row["rows_read"] > 0
        files = db.execute(
            "select sum(rows_read), sum(rows_loaded), sum(rows_rejected) from source_files where dataset = ?",
            [row["slug"]],
        ).fetchone()
        assert tuple(files) == (row["rows_read"], row["rows_loaded"], row["rows_rejected"])
    published = dict(db.execute("select slug, rows_published from datasets").fetchall())
    assert published == {
        "laion-disco-12m": 12_320_916,
        "sleeping-disco-9m": 9_713_413,
        "free-music-archive": 106_574,
        "spotify-tracks-dataset": 114_000,
    }


def test_each_track_cites_its_file_and_row(db):
    row = db.execute(
        "select t.source_row, f.path from tracks t join source_files f on f.id = t.source_file "
        "where t.dataset = 'free-music-archive' order by t.id limit 1"
    ).fetchone()
    assert (row["path"], row["source_row"]) == ("tracks.csv", 4)  # after the three header lines
    problem = db.execute("select file, line from problems where reason like 'not valid JSON%'").fetchone()
    assert tuple(problem) == ("a.jsonl", 7)


def test_lyrics_never_reach_the_database(sample_db):
    assert LYRICS_MARKER.encode() not in sample_db.read_bytes()


def roles(db, title_prefix, dataset):
    return [
        tuple(r)
        for r in db.execute(
            "select a.name, ta.role from track_artists ta join tracks t on t.id = ta.track_id "
            "join artists a on a.id = ta.artist_id where t.title like ? and t.dataset = ? "
            "order by ta.position",
            [title_prefix + "%", dataset],
        )
    ]


def test_artists_split_with_roles(db):
    assert roles(db, "Crazy In Love", "laion-disco-12m") == [("Beyoncé", "primary"), ("JAY-Z", "featured")]
    assert roles(db, "Get Lucky", "laion-disco-12m") == [
        ("Daft Punk", "primary"),
        ("Pharrell Williams", "featured"),
        ("Nile Rodgers", "featured"),
    ]
    assert roles(db, "Get Lucky", "spotify-tracks-dataset") == [
        ("Daft Punk", "primary"),
        ("Pharrell Williams", "featured"),
        ("Nile Rodgers", "featured"),
    ]
    assert roles(db, "Crazy in Love", "sleeping-disco-9m") == [
        ("Beyoncé", "primary"),
        ("JAY-Z", "featured"),
        ("Beyoncé", "writer"),
        ("Rich Harrison", "writer"),
        ("JAY-Z", "writer"),
    ]
    # a band name with "&" or "," stays one artist
    assert roles(db, "The Sound of Silence", "spotify-tracks-dataset") == [("Simon & Garfunkel", "primary")]
    assert roles(db, "September", "spotify-tracks-dataset") == [("Earth, Wind & Fire", "primary")]


def test_artists_merge_spellings_across_datasets(db):
    bjork = db.execute("select * from artists where key = 'bjork'").fetchone()
    assert bjork["name"] == "Björk"
    spellings = dict(db.execute("select name, tracks from artist_names where artist_id = ?", [bjork["id"]]))
    assert spellings == {"Björk": 7, "Björk - Topic": 1}
    per_dataset = {
        r["dataset"]: r["tracks"]
        for r in db.execute("select * from artist_datasets where artist_id = ?", [bjork["id"]])
    }
    assert per_dataset == {"laion-disco-12m": 6, "sleeping-disco-9m": 1, "spotify-tracks-dataset": 1}


def test_homonyms_keep_their_separate_channels(db):
    channels = db.execute(
        "select count(distinct source_artist_id) from artist_sources s join artists a "
        "on a.id = s.artist_id where a.key = 'nirvana' and s.dataset = 'laion-disco-12m'"
    )
    assert channels.fetchone()[0] == 2


def test_duplicates_are_loaded_and_flagged(db):
    rows = db.execute(
        "select id, duplicate_of from tracks where dataset = 'spotify-tracks-dataset' "
        "and title = 'Ace of Spades' order by id"
    ).fetchall()
    assert [r["duplicate_of"] for r in rows] == [None, rows[0]["id"]]
    assert (
        db.execute(
            "select count(*) from tracks where dataset = 'sleeping-disco-9m' and source_id = '555555' "
            "and duplicate_of is not null"
        ).fetchone()[0]
        == 1
    )


def test_fma_licences_genres_and_map(db):
    codes = {r[0] for r in db.execute("select distinct licence_code from tracks where dataset = 'free-music-archive'")}
    assert {"CC BY-NC-SA", "CC BY-NC-ND", "CC BY", "CC BY-SA", "CC0", "FMA-Limited"} <= codes
    assert db.execute("select count(*) from fma_artists where latitude is not null").fetchone()[0] == 7
    assert db.execute("select name from fma_artists where location = 'Москва'").fetchone()[0] == "Дмитрий Шум"


def test_sleeping_youtube_links_become_video_ids(db):
    army = db.execute(
        "select y.video_id from youtube_links y join tracks t on t.id = y.track_id "
        "where t.dataset = 'sleeping-disco-9m' and t.title = 'Army of Me'"
    ).fetchone()[0]
    laion = db.execute("select source_id from tracks where dataset = 'laion-disco-12m' and title = 'Army of Me'")
    assert army == laion.fetchone()[0]
    kept = [r[0] for r in db.execute("select url from youtube_links where video_id is null")]
    assert sorted(kept) == ["https://example.com/not-youtube", "not a url at all"]


def test_full_text_search_ignores_case_and_diacritics(db):
    def search(q):
        return {
            r[0]
            for r in db.execute(
                "select t.artist_credit from tracks_fts join tracks t on t.id = tracks_fts.rowid "
                "where tracks_fts match ?",
                [q],
            )
        }

    assert "Björk" in search("bjork")
    assert "Sigur Rós" in search('"sigur ros"')
    assert "Motörhead" in search("MOTORHEAD")
    assert "Кино" in search("кино")
    found = db.execute("select name from artists_fts where artists_fts match 'motley crue'").fetchone()
    assert found[0] == "Mötley Crüe"


def dump(path):
    conn = sqlite3.connect(path)
    try:
        return "\n".join(line for line in conn.iterdump() if not line.startswith('INSERT INTO "sqlite_stat'))
    finally:
        conn.close()


def test_builds_are_deterministic(tmp_path, sample_db):
    build(
        tmp_path / "again.db", sample_sources(), attributions=sample_attributions(), progress=False, log=lambda m: None
    )
    assert (
        hashlib.sha256(dump(tmp_path / "again.db").encode()).digest()
        == hashlib.sha256(dump(sample_db).encode()).digest()
    )


def test_a_corrupt_source_leaves_the_previous_database_untouched(tmp_path):
    out = tmp_path / "datasets.db"
    build(out, sample_sources(), progress=False, log=lambda m: None)
    before = out.read_bytes()
    inspect_before = (tmp_path / "inspect-data.json").read_text()
    broken = dict(sample_sources())
    shutil.copytree(broken["laion-disco-12m"], tmp_path / "laion")
    shard = tmp_path / "laion" / "data" / "train-00004-of-00005.parquet"
    shard.write_bytes(b"PAR1 this is not parquet")
    broken["laion-disco-12m"] = tmp_path / "laion"
    with pytest.raises(SourceError, match="train-00004-of-00005.parquet"):
        build(out, broken, progress=False, log=lambda m: None)
    assert out.read_bytes() == before
    assert (tmp_path / "inspect-data.json").read_text() == inspect_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datasets.db", "inspect-data.json", "laion"]


SEARCH_TABLES = ("tracks_fts", "artists_fts", "search_terms_fts", "artist_keys", "search_terms")


def test_the_search_indexes_made_beside_and_copied_in_answer_as_ones_made_in_the_database(tmp_path, sample_db):
    # the build makes them in a second process, in a file of its own (ingest/build/derived.py); made here, in the
    # database itself, as a build in one process did, they hold the same rows and answer the same
    here = tmp_path / "here.db"
    shutil.copy(sample_db, here)
    conn = sqlite3.connect(here, isolation_level=None)
    conn.execute("drop index search_terms_term")
    for table in SEARCH_TABLES:
        conn.execute(f"drop table {table}")
    search_index.build(conn, log=lambda m: None)
    built = sqlite3.connect(sample_db)
    shadow = [
        name
        for (name,) in built.execute(
            "select name from sqlite_master where type = 'table' and name glob '*_fts_*' order by name"
        )
    ]
    assert {"tracks_fts_data", "tracks_fts_idx", "tracks_fts_config", "artists_fts_docsize"} <= set(shadow)
    for table in [*shadow, "artist_keys", "search_terms"]:
        query = f"select * from {table} order by 1, 2"
        assert built.execute(query).fetchall() == conn.execute(query).fetchall(), table
    for query in ("bjork", '"sigur ros"', "kino", "lov*", "motorhead OR crue"):
        match = "select rowid, rank from tracks_fts where tracks_fts match ? order by rank, rowid"
        found = built.execute(match, [query]).fetchall()
        assert found and found == conn.execute(match, [query]).fetchall(), query
    for table in ("tracks_fts", "artists_fts"):
        built.execute(f"insert into {table}({table}) values ('integrity-check')")  # raises if it does not hold
    assert built.execute("select count(*) from search_terms_fts where search_terms_fts match 'bjo'").fetchone()[0]
    conn.close()
    built.close()


def _full_disk(*args, **kwargs):
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize(
    "fault, error, message",
    [
        # a bug, or a fault SQLite reports: the build says which process and shows its traceback
        (
            ("TITLE_KEYS", "insert into artist_title_keys select * from keys.no_such_table"),
            RuntimeError,
            "second process .* failed:(.|\n)*no such table: keys.no_such_table",
        ),
        # killed (out of memory, say)
        (("search_index.build", lambda *a, **k: os._exit(3)), RuntimeError, "second process .* died .*exit code 3"),
        # a full disk is the same one-line message whichever process met it
        (("search_index.build", _full_disk), DiskFull, "the disk holding .* filled up during the build"),
    ],
)
def test_a_failure_in_the_second_process_stops_the_build_and_keeps_the_previous_database(
    tmp_path, monkeypatch, fault, error, message
):
    out = tmp_path / "datasets.db"
    out.write_bytes(b"previous")
    (tmp_path / "inspect-data.json").write_text("{}")
    # forked rather than spawned, the second process runs with this test's fault in place
    monkeypatch.setattr(derived, "START_METHOD", "fork")
    name, value = fault
    monkeypatch.setattr(search_index if name.startswith("search_index.") else derived, name.split(".")[-1], value)
    with pytest.raises(error, match=message):
        build(out, sample_sources(), progress=False, log=lambda m: None)
    assert out.read_bytes() == b"previous" and (tmp_path / "inspect-data.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datasets.db", "inspect-data.json"]


def test_inspect_data_matches_the_database(sample_db, db):
    data = json.loads((sample_db.parent / "inspect-data.json").read_text())["datasets"]
    assert data["file"] == "datasets.db"
    assert data["hash"] == hashlib.sha256(sample_db.read_bytes()).hexdigest()
    assert data["tables"]["tracks"]["count"] == db.execute("select count(*) from tracks").fetchone()[0]


def test_revision_comes_from_the_download_record(tmp_path):
    shutil.copy(sample_sources()["spotify-tracks-dataset"], tmp_path / "dataset.csv")
    (tmp_path / "download.json").write_text(json.dumps({"revision": "635b034f"}))
    build(tmp_path / "one.db", {"spotify-tracks-dataset": tmp_path / "dataset.csv"}, progress=False, log=lambda m: None)
    conn = sqlite3.connect(tmp_path / "one.db")
    assert conn.execute("select slug, revision from datasets").fetchall() == [("spotify-tracks-dataset", "635b034f")]


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_cli_builds_the_samples_by_default(tmp_path):
    result = run_cli("build", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "laion-disco-12m: read 318 rows, loaded 316, rejected 2" in result.stderr
    assert (tmp_path / "datasets.db").exists() and (tmp_path / "inspect-data.json").exists()


def test_cli_reports_a_bad_source_and_keeps_the_old_database(tmp_path):
    (tmp_path / "datasets.db").write_bytes(b"previous")
    (tmp_path / "dataset.csv").write_text("id,name\n1,x\n")
    result = run_cli("build", "--quiet", "--spotify-tracks", "dataset.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "error: " in result.stderr and "dataset.csv: header lacks track_id" in result.stderr
    assert "the previous datasets.db is untouched" in result.stderr
    assert (tmp_path / "datasets.db").read_bytes() == b"previous"


def test_prepared_values_line_up_with_the_columns_they_are_inserted_into():
    from ingest.build.rows import prepare
    from ingest.build.schema import TRACK_VALUE_COLUMNS
    from ingest.records import Credit, Track

    track = Track(
        "free-music-archive",
        "tracks.csv",
        9,
        "42",
        "Song (feat. B)",
        "A",
        [Credit("A")],
        album="Album",
        duration_s=61.5,
        url="https://freemusicarchive.org/music/A/Album/Song",
        release_year=2009,
        explicit=True,
        views=7,
        views_text="7 views",
        popularity=3,
        listens=11,
        genres=["Rock"],
        licence="Attribution-NonCommercial 3.0",
        licence_url="https://creativecommons.org/licenses/by-nc/3.0/",
        language="en",
        album_id="5",
        album_url="https://freemusicarchive.org/music/A/Album",
    )
    file, row, values, credits, links, title_key, reason, raw = prepare(track, {})
    assert dict(zip(TRACK_VALUE_COLUMNS, values, strict=True)) == {
        "source_id": "42",
        "title": "Song (feat. B)",
        "artist_credit": "A",
        "album": "Album",
        "duration_s": 61.5,
        "page_url": "https://freemusicarchive.org/music/A/Album/Song",
        "release_year": 2009,
        "explicit": 1,
        "views": 7,
        "views_text": "7 views",
        "popularity": 3,
        "listens": 11,
        "genres": '["Rock"]',
        "licence": "Attribution-NonCommercial 3.0",
        "licence_code": "CC BY-NC",
        "licence_url": "https://creativecommons.org/licenses/by-nc/3.0/",
        "language": "en",
        "album_id": "5",
        "album_url": "https://freemusicarchive.org/music/A/Album",
    }
    assert [credit[:3] for credit in credits] == [("a", "A", "primary"), ("b", "B", "featured")]
    assert (file, row, links, title_key, reason, raw) == ("tracks.csv", 9, (), "song", None, None)


def test_an_fma_artist_id_of_digits_int_cannot_read_is_not_a_map_entry(tmp_path):
    # '²'.isdigit() is true, but int('²') fails: such an id once stopped the build
    from ingest.build import build_from_records
    from ingest.records import Credit, Track

    records = [
        Track(
            "free-music-archive",
            "tracks.csv",
            4,
            "7",
            "Song",
            "Odd",
            [Credit("Odd", source_artist_id="²", location="Paris", latitude=48.8, longitude=2.3)],
        )
    ]
    build_from_records(tmp_path / "odd.db", {"free-music-archive": records})
    conn = sqlite3.connect(tmp_path / "odd.db")
    assert conn.execute("select count(*) from tracks").fetchone()[0] == 1
    assert conn.execute("select count(*) from fma_artists").fetchone()[0] == 0


def test_genius_page_urls_are_stored_without_their_site_and_found_through_the_index(db):
    page_url, url = db.execute(
        "select page_url, url from tracks where dataset = 'sleeping-disco-9m' and title = 'Hoppípolla'"
    ).fetchone()
    assert (page_url, url) == ("/Sigur-Rós-hoppípolla-lyrics", "https://genius.com/Sigur-Rós-hoppípolla-lyrics")
    # FMA's pages are on several hosts and schemes: kept whole
    assert (
        db.execute("select count(*) from tracks where dataset = 'free-music-archive' and page_url <> url").fetchone()[0]
        == 0
    )
    query = link_queries(parse_link("http://www.genius.com/Sigur-Rós-hoppípolla-lyrics/"))[0]
    plan = " ".join(row[-1] for row in db.execute("explain query plan " + query.sql, query.params))
    assert "tracks_page_url" in plan
    assert [row[0] for row in db.execute(query.sql, query.params)] == [
        db.execute("select id from tracks where page_url = '/Sigur-Rós-hoppípolla-lyrics'").fetchone()[0]
    ]
