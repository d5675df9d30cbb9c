"""The scale-out recipe (deploy/): two replicas behind nginx, checked by deploy/smoke.sh on the sample build.
The smoke test writes only to a temporary directory and leaves no process behind, also when it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, configuration_directory

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.path.exists(p)), None)


@pytest.fixture
def site(sample_db, tmp_path) -> Path:
    if not (NGINX and shutil.which("curl")):
        if os.environ.get("CI"):
            pytest.fail("CI needs nginx and curl for the deployment smoke test", pytrace=False)
        pytest.skip("nginx or curl not installed")
    (tmp_path / "site").mkdir()
    directory = configuration_directory(tmp_path / "site")
    for name in ("datasets.db", "inspect-data.json"):
        shutil.copy(sample_db.parent / name, directory / name)
    return directory


def processes_serving(directory: Path) -> list[str]:
    """Command lines of the running processes that name the directory (the replicas do)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = (Path("/proc") / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directory) in command and "pytest" not in command:
            found.append(command)
    return found


def tracked_state() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True
    ).stdout


def smoke(directory: Path, **env) -> subprocess.CompletedProcess:
    environment = os.environ | {"PATH": os.environ["PATH"] + os.pathsep + os.path.dirname(NGINX)} | env
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / "smoke.sh"), str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


def test_two_replicas_behind_nginx_answer_and_cache_pages_and_whole_exports_gzipped_once(site):
    before = tracked_state()
    result = smoke(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/artist/" in result.stdout and ": 200 MISS, then 200 HIT" in result.stdout
    assert "_stream=on: 200 MISS, then 200 HIT" in result.stdout and ".csv: 200 MISS, then 200 HIT" in result.stdout
    # cached gzipped (compressed once, by nginx's inner server), unzipped for a client that does not take gzip
    assert "_stream=on, taking gzip: 200 HIT gzip" in result.stdout
    assert "smoke test passed: 12 checks" in result.stdout
    assert processes_serving(site) == [] and tracked_state() == before


def test_a_failing_smoke_test_leaves_no_process_behind(site):
    before = tracked_state()
    result = smoke(site, NGINX="false")  # nginx "fails to start" after the replicas did
    assert result.returncode != 0 and "replicas: pid" in result.stdout
    assert "FAILED: nginx did not start" in result.stderr
    assert processes_serving(site) == [] and tracked_state() == before


def test_the_smoke_test_needs_a_build(tmp_path):
    result = smoke(tmp_path)
    assert result.returncode != 0 and "FAILED" in result.stderr
