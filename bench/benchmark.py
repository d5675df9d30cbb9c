"""Benchmark: build from generated files, then serve and time a fixed request mix, ours beside a plain
Datasette publication of the same data. Run by hand (it is not a test):

    python -m ingest synth --scale 1.0 --out /data/synth
    python bench/benchmark.py --data /data/synth --work /data/bench [--repeat 20] [--skip-build] [--skip-plain] \
        [--results DIR]

Prints two Markdown tables and writes bench/results/benchmark-<scale>.json and .md: the pages' latencies (measured
by a client on 127.0.0.1, so they include a fraction of a millisecond of loopback, after a warm-up round), and the
whole exports (each downloaded --export-repeat times: rows, whether they are every matching row, seconds to the
last byte, rows/s; the plain publication's Datasette stream once, cut after --plain-export-timeout seconds).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import platform
import re
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from mix import exports, pick, requests
from plain import build_plain

ROOT = Path(__file__).resolve().parent.parent

SOURCES = {
    "laion-disco-12m": "laion-disco-12m",
    "sleeping-disco-9m": "sleeping-disco-9m",
    "free-music-archive": "fma_metadata",
    "spotify-tracks-dataset": "spotify-tracks-dataset/dataset.csv",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_ours(data: Path, config: Path) -> dict:
    config.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "ingest", "build", "--quiet", "--out", str(config / "datasets.db")]
    for option, slug in (
        ("--laion-disco", "laion-disco-12m"),
        ("--sleeping-disco", "sleeping-disco-9m"),
        ("--fma", "free-music-archive"),
        ("--spotify-tracks", "spotify-tracks-dataset"),
    ):
        command += [option, str(data / SOURCES[slug])]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - started
    if result.returncode:
        raise SystemExit(result.stderr)
    rates = {
        m[0]: {"rows": int(m[1].replace(",", "")), "seconds": float(m[2]), "rows_per_s": int(m[3].replace(",", ""))}
        for m in re.findall(r"^(\S+): read ([\d,]+) rows, .* in ([\d.]+)s \(([\d,]+) rows/s\)", result.stderr, re.M)
    }
    steps = dict(re.findall(r"^  ([a-z -]+): ([\d.]+)s", result.stderr, re.M))
    link_configuration(config)
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "db_mb": round((config / "datasets.db").stat().st_size / 1e6),
        "datasets": rates,
        "steps_s": {k: float(v) for k, v in steps.items()},
        "log": result.stderr.strip().splitlines()[-12:],
    }


def link_configuration(config: Path) -> None:
    """This checkout's metadata, settings, plugins and templates beside a database (one built by hand, or by an
    earlier run: without them `--skip-build` would time a plain Datasette serving our database)."""
    for name in ("metadata.yml", "settings.json", "plugins", "templates", "static"):
        link = config / name
        if link.is_symlink() and link.resolve() != (ROOT / name).resolve():
            link.unlink()  # another checkout's
        if not link.exists() and not link.is_symlink():
            link.symlink_to(ROOT / name)


def serve(target: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", str(target), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(3000):  # a plain (mutable) publication counts every table before it answers
        try:
            httpx.get(base + "/-/versions.json", timeout=2)
            return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{target} did not start")


def timed(client: httpx.Client, base: str, paths: list[str]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    statuses = []
    for path in paths:
        statuses.append(client.get(base + path).status_code)
    return (time.perf_counter() - started) * 1000, statuses


def measure(base: str, mix, side: int, repeat: int) -> dict:
    results: dict[str, dict | None] = {}
    with httpx.Client(timeout=120, follow_redirects=False) as client:
        for name, *paths in mix:
            if paths[side] is None:  # not measured on this side
                continue
            if not paths[side]:  # cannot be answered on this side
                results[name] = None
                continue
            timed(client, base, paths[side])  # warm-up
            times, statuses = [], set()
            for _ in range(repeat):
                ms, codes = timed(client, base, paths[side])
                times.append(ms)
                statuses.update(codes)
            times.sort()
            results[name] = {
                "p50": round(statistics.median(times), 1),
                "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
                "max": round(times[-1], 1),
                "status": sorted(statuses),
                "requests": len(paths[side]),
            }
    return results


def measure_exports(base: str, items, side: int, repeat: int, timeout: float, db: Path | None) -> dict:
    """Download each whole export `repeat` times (the plain side once, for at most `timeout` seconds a file):
    seconds to the last byte (the median), bytes, rows, and whether it held every matching row."""
    results = {}
    expected_db = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) if db else None
    with httpx.Client(timeout=timeout, follow_redirects=False) as client, tempfile.TemporaryDirectory() as tmp:
        for name, ours, plain, sql, params in items:
            paths = [ours] if side == 0 else plain
            if not paths:
                continue
            expected = expected_db.execute(sql, params).fetchone()[0] if expected_db else None
            runs = []
            for _ in range(repeat if side == 0 else 1):
                seconds, size, rows, ended = 0.0, 0, 0, []
                for path in paths:
                    file = Path(tmp) / "export"
                    started = time.perf_counter()
                    try:
                        with client.stream("GET", base + path) as response, file.open("wb") as out:
                            for block in response.iter_bytes(1 << 16):
                                out.write(block)
                                if time.perf_counter() - started > timeout:
                                    ended.append(f"cut by this benchmark after {timeout:.0f} s")
                                    break
                    except httpx.TimeoutException:
                        ended.append(f"no answer within {timeout:.0f} s")
                    seconds += time.perf_counter() - started
                    size += file.stat().st_size
                    n, note = count_export(file, path)
                    rows += n
                    ended += [note] if note else []
                runs.append(
                    {
                        "seconds": round(seconds, 2),
                        "mb": round(size / 1e6, 1),
                        "rows": rows,
                        "rows_per_s": round(rows / seconds) if seconds else None,
                        "ended": ended,
                    }
                )
            runs.sort(key=lambda run: float(run["seconds"]))  # type: ignore[arg-type]
            result = runs[len(runs) // 2] | {"runs": [run["seconds"] for run in runs]}
            if expected is not None:
                result |= {"expected_rows": expected, "whole": result["rows"] == expected and not result["ended"]}
            results[name] = result
    return results


def count_export(file: Path, path: str) -> tuple[int, str | None]:
    """Rows in a downloaded export, and how it ended if not as a whole file should."""
    text = file.read_text(encoding="utf-8", errors="replace")
    if ".json?" in path:
        try:
            data = json.loads(text)
        except ValueError:
            return 0, "not valid JSON (cut short)"
        return len(data["rows"]), None if data.get("complete") else f"incomplete: {data.get('stopped')}"
    rows = list(csv.reader(io.StringIO(text)))
    last = rows[-1][0] if rows and rows[-1] else ""
    if last.startswith("Export stopped"):
        return len(rows) - 2, last
    if re.search(r"CSV contains more than \d+ bytes|interrupted", text[-300:]):  # Datasette's own stream stops
        return len(rows) - 2, "stopped: " + text[-200:].strip().splitlines()[-1][-120:]
    return max(0, len(rows) - 1), None


def exports_markdown(report: dict) -> str:
    lines = [
        "| export | rows | every matching row? | seconds | MB | rows/s | plain publication |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    plain = report.get("plain_exports") or {}
    for name, mine in report["exports"].items():
        whole = "yes" if mine.get("whole") else f"**no** (expected {mine.get('expected_rows'):,})"
        theirs = plain.get(name)
        other = (
            "—"
            if theirs is None
            else (
                f"{theirs['rows']:,} rows in {theirs['seconds']} s "
                f"({theirs['rows_per_s'] or 0:,} rows/s)"
                + (f", {'; '.join(theirs['ended'])}" if theirs["ended"] else "")
            )
        )
        lines.append(
            f"| {name} | {mine['rows']:,} | {whole} | {mine['seconds']} | {mine['mb']} | "
            f"{mine['rows_per_s'] or 0:,} | {other} |"
        )
    return "\n".join(lines)


def markdown(report: dict) -> str:
    lines = [
        "| request | ours p50 | ours p95 | ours max | plain p50 | plain p95 | plain / ours |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    ours, plain = report["ours"], report.get("plain") or {}
    for name, mine in ours.items():
        theirs = plain.get(name)
        ratio = f"{theirs['p50'] / mine['p50']:.1f}×" if theirs and mine["p50"] else "—"
        errors = [str(s) for s in (theirs or {}).get("status", []) if s >= 400]
        bad = f" (errors: {', '.join(errors)})" if errors else ""
        lines.append(
            f"| {name} | {mine['p50']} ms | {mine['p95']} ms | {mine['max']} ms | "
            + (
                f"{theirs['p50']} ms{bad} | {theirs['p95']} ms | {ratio} |"
                if theirs
                else ("cannot answer | — | — |" if name in plain else "not measured | — | — |")
            )
        )
    both = [(ours[n]["p50"], plain[n]["p50"]) for n in ours if plain.get(n)]
    if both:
        lines.append(
            f"| **mix (sum of p50 where both answer)** | {sum(a for a, _ in both):.0f} ms | | | "
            f"{sum(b for _, b in both):.0f} ms | | **{sum(b for _, b in both) / sum(a for a, _ in both):.0f}×** |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="output of python -m ingest synth")
    parser.add_argument("--work", type=Path, required=True, help="where to build the two publications")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plain-repeat", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="reuse the databases already in --work")
    parser.add_argument("--skip-plain", action="store_true", help="only our publication")
    parser.add_argument("--reuse-plain", action="store_true", help="build ours, but reuse the plain publication")
    parser.add_argument("--export-repeat", type=int, default=3, help="downloads of each whole export")
    parser.add_argument("--export-timeout", type=float, default=600, help="seconds allowed for one export")
    parser.add_argument(
        "--plain-export-timeout",
        type=float,
        default=120,
        help="seconds allowed for each of the plain publication's exports (0: skip them)",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where to write the report")
    args = parser.parse_args()
    ours_dir, plain_dir = args.work / "ours", args.work / "plain"
    report: dict[str, Any] = {
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "sqlite": __import__("sqlite3").sqlite_version,
        }
    }
    if not args.skip_build:
        print("building ours …", file=sys.stderr)
        report["build"] = build_ours(args.data, ours_dir)
        print(json.dumps(report["build"], indent=2), file=sys.stderr)
        if not (args.skip_plain or args.reuse_plain):
            print("building the plain publication …", file=sys.stderr)
            plain_dir.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            build_plain(
                plain_dir / "plain.db",
                {slug: args.data / path for slug, path in SOURCES.items()},
                log=lambda m: print(m, file=sys.stderr),
            )
            report["plain_build_s"] = round(time.monotonic() - started, 1)
    link_configuration(ours_dir)
    values = pick(ours_dir / "datasets.db")
    mix, whole = requests(values), exports(values)
    process, base = serve(ours_dir)
    try:
        report["ours"] = measure(base, mix, 0, args.repeat)
        report["exports"] = measure_exports(
            base, whole, 0, args.export_repeat, args.export_timeout, ours_dir / "datasets.db"
        )
    finally:
        process.terminate()
    if not args.skip_plain:
        process, base = serve(plain_dir / "plain.db")
        try:
            report["plain"] = measure(base, mix, 1, args.plain_repeat)
            if args.plain_export_timeout:
                report["plain_exports"] = measure_exports(base, whole, 1, 1, args.plain_export_timeout, None)
        finally:
            process.terminate()
    table = markdown(report) + "\n\n" + exports_markdown(report)
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"benchmark-{args.data.name}.json").write_text(json.dumps(report, indent=2))
    (args.results / f"benchmark-{args.data.name}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
