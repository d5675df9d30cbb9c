"""`python -m ingest download`, with the network replaced: no test here touches the internet."""

import hashlib
import io
import json
import zipfile
from types import SimpleNamespace
from urllib.error import URLError

import pytest

from ingest import __main__ as cli
from ingest import download


class FakeHub:
    def __init__(self, fail=None):
        self.fail = fail
        self.calls = []

    def api(self):
        hub = self

        class Api:
            def dataset_info(self, repo, revision):
                if hub.fail:
                    raise hub.fail
                return SimpleNamespace(sha=f"{'c0ffee' * 6}abcd")

        return Api()

    def snapshot(self, **kwargs):
        self.calls.append(kwargs)
        (kwargs["local_dir"]).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(download, "HfApi", fake.api)
    monkeypatch.setattr(download, "snapshot_download", fake.snapshot)
    return fake


def test_hub_download_records_the_resolved_commit(tmp_path, hub):
    record = download.download_hub("laion-disco-12m", tmp_path, log=lambda m: None)
    commit = f"{'c0ffee' * 6}abcd"
    assert record["revision"] == commit and record["requested_revision"] == "main"
    assert hub.calls[0]["revision"] == commit and hub.calls[0]["repo_type"] == "dataset"
    assert hub.calls[0]["allow_patterns"] == ["data/train-*.parquet", "README.md"]
    assert json.loads((tmp_path / "laion-disco-12m" / "download.json").read_text())["revision"] == commit


def test_download_prints_the_build_command(tmp_path, hub, capsys):
    assert (
        cli.main(
            [
                "download",
                "--dest",
                str(tmp_path),
                "--only",
                "spotify-tracks-dataset",
                "--revision",
                "spotify-tracks-dataset=abc123",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"python -m ingest build --spotify-tracks {tmp_path}/spotify-tracks-dataset/dataset.csv" in out
    assert hub.calls[0]["repo_id"] == "maharshipandya/spotify-tracks-dataset"


def test_offline_is_one_clear_line(tmp_path, monkeypatch, capsys):
    fake = FakeHub(fail=ConnectionError("Failed to resolve 'huggingface.co'"))
    monkeypatch.setattr(download, "HfApi", fake.api)
    assert cli.main(["download", "--dest", str(tmp_path), "--only", "laion-disco-12m"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: cannot reach huggingface.co to fetch laion/LAION-DISCO-12M")


def fma_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fma_metadata/tracks.csv", ",track\n,title\ntrack_id,\n")
        archive.writestr("fma_metadata/genres.csv", "genre_id,#tracks,parent,title,top_level\n")
    return buffer.getvalue()


class FakeResponse(io.BytesIO):
    def __init__(self, data, status=200):
        super().__init__(data)
        self.status = status


def test_fma_download_resumes_verifies_and_unpacks(tmp_path, monkeypatch):
    data = fma_zip()
    monkeypatch.setattr(download, "FMA_SHA1", hashlib.sha1(data).hexdigest())
    (tmp_path / "free-music-archive").mkdir()
    (tmp_path / "free-music-archive" / "fma_metadata.zip.part").write_bytes(data[:100])
    requests = []

    def urlopen(request, timeout):
        requests.append(request.headers.get("Range"))
        return FakeResponse(data[100:], status=206)

    monkeypatch.setattr(download, "urlopen", urlopen)
    record = download.download_fma(tmp_path, log=lambda m: None)
    assert requests == ["bytes=100-"]
    assert (tmp_path / "free-music-archive" / "fma_metadata" / "tracks.csv").exists()
    assert record["revision"] == f"sha1:{hashlib.sha1(data).hexdigest()}"
    marker = tmp_path / "free-music-archive" / "fma_metadata" / "download.json"
    assert json.loads(marker.read_text())["revision"] == record["revision"]


def test_fma_download_rejects_a_damaged_file(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "urlopen", lambda request, timeout: FakeResponse(b"not the zip"))
    with pytest.raises(download.DownloadError, match="expected f0df49ff"):
        download.download_fma(tmp_path, log=lambda m: None)
    assert not (tmp_path / "free-music-archive" / "fma_metadata.zip.part").exists()


def test_fma_offline_is_one_clear_line(tmp_path, monkeypatch, capsys):
    def urlopen(request, timeout):
        raise URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(download, "urlopen", urlopen)
    assert cli.main(["download", "--dest", str(tmp_path), "--only", "free-music-archive"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: cannot reach os.unil.cloud.switch.ch")
