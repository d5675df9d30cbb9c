"""Model attribution lists: read, matched to the datasets by id, kept when outside them, shown everywhere."""

import shutil
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import pytest

from ingest import __main__ as cli
from ingest import download
from ingest.build import build, sample_attributions, sample_sources
from ingest.records import Problem, SourceError
from ingest.sources import attribution

from .conftest import REAL, ROOT

SAMPLE = sample_attributions()[0]


def test_reader_yields_every_row_as_a_listed_track_or_a_problem():
    records = list(attribution.read(SAMPLE))
    problems = [r for r in records if isinstance(r, Problem)]
    listed = [r for r in records if not isinstance(r, Problem)]
    assert len(records) == 12 and len(listed) == 10
    assert [(p.row, p.reason.split(":")[0]) for p in problems] == [
        (7, "expected 5 fields, found 3"),
        (11, "id 'abc' is not an FMA track id"),
    ]
    quoted = next(r for r in listed if r.source_id == "198765")
    assert (quoted.title, quoted.author, quoted.licence) == ('Ölfusá, "Morgun"', "Ólafur Vindur", "ccby")
    assert SAMPLE.read_bytes().count(b"\r\n") == 13  # CRLF, as Stability AI publishes it


def test_reader_rejects_a_wrong_header_and_an_unknown_list(tmp_path):
    bad = tmp_path / "fma_dataset_attribution2.csv"
    bad.write_text("track,name\n1,x\n")
    with pytest.raises(SourceError, match="expected the header id,title,author,license,url"):
        list(attribution.read(bad))
    unknown = tmp_path / "some_list.csv"
    shutil.copy(SAMPLE, unknown)
    with pytest.raises(SourceError, match="unknown attribution list"):
        list(attribution.read(unknown))
    (tmp_path / "some_list.csv.model.json").write_text(
        '{"slug": "other-1", "name": "Other Model", "maker": "Someone", "released": "2025", '
        '"source_url": "https://example.org", "licence_claims": "CC0 only", "dataset": "free-music-archive"}'
    )
    assert attribution.model_info(unknown).name == "Other Model"


@pytest.mark.skipif(
    not (REAL / "fma" / "stability_fma_dataset_attribution2.csv").exists(), reason="real attribution list not present"
)
def test_reader_on_stability_ais_real_list():
    records = list(attribution.read(REAL / "fma" / "stability_fma_dataset_attribution2.csv"))
    assert len(records) == 13_874 and not any(isinstance(r, Problem) for r in records)
    assert sum(int(r.source_id) <= 155_320 for r in records) == 6_371  # the 2017 dataset's id range
    assert sum(r.licence == "ccby" for r in records) == 8_967 and sum(r.licence == "cc0" for r in records) == 4_907


def test_build_matches_by_id_keeps_outside_rows_and_flags_licence_disagreement(db):
    model = db.execute("select * from models").fetchone()
    assert (model["slug"], model["rows_listed"], model["rows_in_datasets"], model["rows_rejected"]) == (
        "stable-audio-open-1.0",
        12,
        6,
        2,
    )
    assert model["list_revision"].startswith("sha256:")
    matched = db.execute(
        "select u.source_id, t.source_id as fma_id, t.dataset from training_use u "
        "join tracks t on t.id = u.track_id order by u.list_row"
    ).fetchall()
    assert [tuple(r) for r in matched] == [(i, i, "free-music-archive") for i in ("5", "8", "38", "40", "2", "3")]
    outside = db.execute(
        "select source_id, title, author, licence_code, url from training_use where track_id is null order by list_row"
    ).fetchall()
    assert [r["source_id"] for r in outside] == ["160001", "171234", "198765", "200000"]
    assert all(r["title"] and r["author"] and r["licence_code"] and r["url"] for r in outside)
    disagree = db.execute(
        "select source_id, licence_code, dataset_licence_code from training_use "
        "where licence_disagrees = 1 order by list_row"
    ).fetchall()
    assert [tuple(r) for r in disagree] == [("2", "CC BY", "CC BY-NC-SA"), ("3", "CC BY", "CC BY-NC-ND")]
    assert db.execute("select count(*) from tracks where used_to_train = 'Stable Audio Open 1.0'").fetchone()[0] == 6
    assert db.execute("select count(*) from problems where dataset = 'stable-audio-open-1.0'").fetchone()[0] == 2


@pytest.mark.asyncio
async def test_artist_page_counts_confirmed_use_per_model(ds):
    html = (await ds.client.get("/artist/awol-collective")).text
    assert "Confirmed used to train:" in html and "<strong>Stable Audio Open 1.0</strong> (Stability AI): 1 of" in html
    assert "used to train Stable Audio Open 1.0" in html  # the track itself carries the badge
    anna = (await ds.client.get("/artist/anna-berg")).text
    assert "1 more under this name that are in none of the four datasets" in anna
    data = (await ds.client.get("/artist/awol-collective.json")).json()
    assert data["artist"]["training"][0]["in_datasets"] == 1
    assert sum(t["used_to_train"] == "Stable Audio Open 1.0" for t in data["tracks"]) == 1


@pytest.mark.asyncio
async def test_search_table_and_row_pages_say_when_a_track_was_used(ds, db):
    track = db.execute("select id from tracks where used_to_train is not null and title = 'Gold Heart'").fetchone()[0]
    search = (await ds.client.get("/search.json", params={"q": "gold heart"})).json()
    assert any(t["id"] == track and t["used_to_train"] == "Stable Audio Open 1.0" for t in search["tracks"])
    row = (await ds.client.get(f"/datasets/tracks/{track}")).text
    assert "Confirmed used to train: Stable Audio Open 1.0" in row
    table = (await ds.client.get("/datasets/tracks?dataset=free-music-archive&_size=max")).text
    assert f'href="/datasets/training_use?track_id={track}">Used to train: Stable Audio Open 1.0</a>' in table


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name, params, expected",
    [
        ("confirmed_training_use", {"model": ""}, 10),
        ("confirmed_training_use", {"model": "Stable Audio Open 1.0"}, 10),
        ("training_licence_disagreements", {}, 2),
        ("training_outside_datasets", {"model": "stable-audio-open-1.0"}, 4),
    ],
)
async def test_training_queries(ds, name, params, expected):
    rows = (await ds.client.get(f"/datasets/{name}.json", params={**params, "_shape": "array"})).json()
    assert len(rows) == expected


@pytest.mark.asyncio
async def test_top_artists_by_confirmed_use(ds):
    rows = (await ds.client.get("/datasets/training_top_artists.json?_shape=array")).json()
    by_artist = {r["artist"]: r["tracks"] for r in rows}
    # FMA's own artist names for tracks in the dataset, the list's author for the others
    assert by_artist["Дмитрий Шум"] == 2 and by_artist["The Velvet Foxes"] == 2 and by_artist["Mina Park"] == 1


def test_a_bad_list_stops_the_build_before_loading(tmp_path):
    (tmp_path / "datasets.db").write_bytes(b"previous")
    bad = tmp_path / "fma_dataset_attribution2.csv"
    bad.write_text("nope\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "build",
            "--quiet",
            "--fma",
            str(sample_sources()["free-music-archive"]),
            "--attribution",
            str(bad),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"},
    )
    assert result.returncode == 1 and "expected the header id,title,author,license,url" in result.stderr
    assert (tmp_path / "datasets.db").read_bytes() == b"previous"


def test_several_lists_can_be_loaded(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("id,title,author,license,url\r\n5,Gold Heart,Дмитрий Шум,cc0,https://x\r\n")
    (tmp_path / "other.csv.model.json").write_text(
        '{"slug": "other-1", "name": "Other Model", "maker": "Someone", "released": "2025", '
        '"source_url": "https://example.org", "licence_claims": "CC0 only", "dataset": "free-music-archive"}'
    )
    out = tmp_path / "two.db"
    build(
        out,
        {"free-music-archive": sample_sources()["free-music-archive"]},
        attributions=[SAMPLE, other],
        progress=False,
        log=lambda m: None,
    )
    conn = sqlite3.connect(out)
    assert (
        conn.execute("select used_to_train from tracks where source_id = '5'").fetchone()[0]
        == "Other Model; Stable Audio Open 1.0"
    )
    assert conn.execute("select licence_disagrees from training_use where model = 'other-1'").fetchone()[0] == 1


def test_download_fetches_the_list_or_says_why_not(tmp_path, monkeypatch):
    fetched = {}

    class Api:
        def model_info(self, repo):
            return SimpleNamespace(sha="f" * 40)

    def hub_download(repo_id, filename, revision, local_dir):
        fetched.update(repo=repo_id, filename=filename, revision=revision)
        local_dir.mkdir(parents=True, exist_ok=True)
        (local_dir / filename).write_bytes(SAMPLE.read_bytes())
        return str(local_dir / filename)

    monkeypatch.setattr(download, "HfApi", Api)
    monkeypatch.setattr(download, "hf_hub_download", hub_download)
    path = download.download_attribution("stable-audio-open-1.0", tmp_path, log=lambda m: None)
    assert fetched == {
        "repo": "stabilityai/stable-audio-open-1.0",
        "filename": "fma_dataset_attribution2.csv",
        "revision": "f" * 40,
    }
    assert attribution.revision(path) == "f" * 40

    def gated(**kwargs):
        raise PermissionError("401 Client Error: Unauthorized. Access to model is restricted (gated repo)")

    monkeypatch.setattr(download, "hf_hub_download", gated)
    messages = []
    assert download.download_attribution("stable-audio-open-1.0", tmp_path / "again", log=messages.append) is None
    assert "is gated: accept its terms there" in messages[0]


def test_the_build_command_includes_a_fetched_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(download, "download_fma", lambda dest, log: {"revision": "sha1:x"})
    monkeypatch.setattr(download, "download_attribution", lambda slug, dest, log: dest / "list.csv")
    assert cli.main(["download", "--dest", str(tmp_path), "--only", "free-music-archive"]) == 0
    assert f"--attribution {tmp_path}/list.csv" in capsys.readouterr().out
