"""The generator, the benchmark and the load test at a tiny scale: a smoke test that the scripts run by hand
still run, and that every request of the mix is answered. Their numbers mean nothing at this size (speed is
measured by hand, never asserted in a test)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow  # a browser, a server or a build per test: `-m 'not slow'` skips them


def run(*args, cwd=ROOT, timeout=600) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    data, work, results = root / "synth", root / "work", root / "results"
    run("-m", "ingest", "synth", "--scale", "0.0003", "--out", data)
    result = run(
        "bench/benchmark.py",
        "--data",
        data,
        "--work",
        work,
        "--repeat",
        "1",
        "--plain-repeat",
        "1",
        "--results",
        results,
    )
    return result, json.loads((results / "benchmark-synth.json").read_text()), work


def test_the_benchmark_builds_both_publications_and_times_the_whole_mix(benchmark):
    result, report, _ = benchmark
    build = report["build"]
    assert build["wall_s"] > 0 and build["db_mb"] > 0 and build["peak_rss_mb"] > 0
    assert set(build["datasets"]) == {
        "laion-disco-12m",
        "sleeping-disco-9m",
        "free-music-archive",
        "spotify-tracks-dataset",
    }
    assert build["datasets"]["laion-disco-12m"]["rows"] == round(12_320_916 * 0.0003)
    assert report["plain_build_s"] > 0
    # every request of ours answers (a broken page or saved query would show here as a 4xx/5xx); a pasted link
    # that matches one track redirects to it
    assert len(report["ours"]) >= 20
    assert {
        name: timing["status"]
        for name, timing in report["ours"].items()
        if timing["status"] != ([302] if name.startswith("pasted") else [200])
    } == {}
    # the plain publication answers what it can (a search, a link, a filter) and is marked as unable for the rest
    plain = report["plain"]
    assert {name for name, timing in plain.items() if timing is None and not name.startswith("chart: ")} == {
        "query: why rows were rejected",
        "query: most-viewed LAION",
        "dashboard page",
        "search: name prefix",
        "search: misspelt name (1 typo)",
        "search: misspelt name (2 typos)",
        "search: misspelt title + artist",
    }
    for name in ("search: rare word", "pasted Spotify link", "filtered table page", "query: FMA licences"):
        assert plain[name]["status"] == [200] and plain[name]["p50"] > 0, name
    assert "| search: rare word |" in result.stdout and "plain / ours" in result.stdout
    # every whole export holds every matching row, counted in the database
    assert len(report["exports"]) >= 5
    assert {
        name: (e["rows"], e["expected_rows"], e["ended"]) for name, e in report["exports"].items() if not e["whole"]
    } == {}
    assert report["exports"]['CSV: every "love" match']["rows"] > 0 and "| export | rows |" in result.stdout


def test_the_load_test_reports_no_errors(benchmark, tmp_path):
    _, _, work = benchmark
    run("bench/load.py", "--config", work / "ours", "--clients", "5", "--duration", "3", "--results", tmp_path)
    load = json.loads((tmp_path / "load-ours.json").read_text())
    assert load["errors"] == 0 and load["requests"] > 10 and load["p95_ms"] is not None


def test_the_catalogue_check_benchmark_writes_and_checks_every_messy_form(benchmark, tmp_path):
    _, _, work = benchmark
    result = run(
        "bench/check_bench.py", work / "ours" / "datasets.db", "--rows", "200", "--messy", "30", "--save", tmp_path
    )
    for form in (
        "credits ;",
        "credits /",
        "credits ,",
        "delivery headers",
        "cp1252",
        "utf-16 no BOM",
        "xlsx",
        "ms durations",
        "ISO durations",
        "headerless paste",
    ):
        assert re.search(rf"^{re.escape(form)} +\d+ +\d+ +[\d.]+%", result.stdout, re.MULTILINE), form
    assert "false positives on invented rows:" in result.stdout and "warm" in result.stdout
    assert (tmp_path / "messy-xlsx.xlsx").read_bytes().startswith(b"PK")
    assert (tmp_path / "messy-cp1252.csv").exists() and (tmp_path / "catalogue.csv").exists()


def test_search_recall_reports_every_class_on_the_samples(sample_db):
    result = run("bench/search_recall.py", sample_db, "--artists", "30", "--tracks", "30", "--nonsense", "20")
    for kind in ("exact", "prefix", "one edit", "two edits", "romanisation", "surname only"):
        assert f"| {kind} |" in result.stdout
    assert "Nonsense names: 20, exact claims: **0**" in result.stdout


def test_the_typo_index_comparison_runs(tmp_path):
    result = run("bench/typo_candidates.py", "--words", "3000", "--queries", "30", "--work", tmp_path)
    assert "| trigram (built) |" in result.stdout and "| deletions |" in result.stdout


def test_the_load_test_runs_against_the_documented_deployment(benchmark, tmp_path):
    """Two replicas behind nginx (deploy/), as bench/load.py --deployment starts them: no errors, cache hits, and
    the CPU of every process it started."""
    from .test_deploy import NGINX, processes_serving

    if not (NGINX and shutil.which("curl")):
        if os.environ.get("CI"):
            pytest.fail("CI needs nginx for the deployment load test", pytrace=False)
        pytest.skip("nginx not installed")
    _, _, work = benchmark
    run(
        "bench/load.py",
        "--config",
        work / "ours",
        "--deployment",
        "2",
        "--clients",
        "8",
        "--duration",
        "4",
        "--processes",
        "2",
        "--name",
        "deployment",
        "--results",
        tmp_path,
    )
    load = json.loads((tmp_path / "load-deployment.json").read_text())
    assert load["errors"] == 0 and load["requests"] > 20 and load["cache_hits"] > 0
    assert {
        "datasette replica 1",
        "datasette replica 2",
        "nginx master",
        "nginx child 1",
        "load generator (this script)",
    } <= set(load["cpu_cores_used"])
    assert processes_serving(work / "ours") == []


def test_the_load_sides_benchmark_times_both_sides_of_every_sample_row():
    from ingest.datasets import dataset

    for slug in ("laion-disco-12m", "sleeping-disco-9m"):
        result = run("bench/load_sides.py", slug, dataset(slug).sample_path, "--repeat", "2")
        found = re.search(r"^(\S+): ([\d,]+) rows; reader [\d.]+ µs a row, writer [\d.]+ µs a row", result.stdout)
        assert found and found.group(1) == slug and int(found.group(2).replace(",", "")) > 10, result.stdout
