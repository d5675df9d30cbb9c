"""Benchmark: build from generated files, then serve and time a fixed request mix, ours beside a plain
Datasette publication of the same data. Run by hand (it is not a test):

    python -m ingest synth --scale 1.0 --out /data/synth
    python bench/benchmark.py --data /data/synth --work /data/bench [--repeat 20] [--skip-build] [--skip-plain] [--results DIR]

Prints a Markdown table and writes bench/results/benchmark-<scale>.json and .md. Latencies are measured by
a client on 127.0.0.1 (so they include a fraction of a millisecond of loopback), after a warm-up round.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mix import pick, requests  # noqa: E402
from plain import build_plain  # noqa: E402

SOURCES = {"laion-disco-12m": "laion-disco-12m", "sleeping-disco-9m": "sleeping-disco-9m",
           "free-music-archive": "fma_metadata", "spotify-tracks-dataset": "spotify-tracks-dataset/dataset.csv"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_ours(data: Path, config: Path) -> dict:
    config.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "ingest", "build", "--quiet", "--out", str(config / "datasets.db")]
    for option, slug in (("--laion-disco", "laion-disco-12m"), ("--sleeping-disco", "sleeping-disco-9m"),
                         ("--fma", "free-music-archive"), ("--spotify-tracks", "spotify-tracks-dataset")):
        command += [option, str(data / SOURCES[slug])]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.monotonic() - started
    if result.returncode:
        raise SystemExit(result.stderr)
    rates = {m[0]: {"rows": int(m[1].replace(",", "")), "seconds": float(m[2]), "rows_per_s": int(m[3].replace(",", ""))}
             for m in re.findall(r"^(\S+): read ([\d,]+) rows, .* in ([\d.]+)s \(([\d,]+) rows/s\)", result.stderr, re.M)}
    steps = dict(re.findall(r"^  ([a-z -]+): ([\d.]+)s", result.stderr, re.M))
    for name in ("metadata.yml", "settings.json", "plugins", "templates", "static"):
        link = config / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "db_mb": round((config / "datasets.db").stat().st_size / 1e6), "datasets": rates,
            "steps_s": {k: float(v) for k, v in steps.items()}, "log": result.stderr.strip().splitlines()[-12:]}


def serve(target: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "datasette", str(target), "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
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
    results = {}
    with httpx.Client(timeout=120, follow_redirects=False) as client:
        for name, *paths in mix:
            if not paths[side]:
                results[name] = None
                continue
            timed(client, base, paths[side])  # warm-up
            times, statuses = [], set()
            for _ in range(repeat):
                ms, codes = timed(client, base, paths[side])
                times.append(ms)
                statuses.update(codes)
            times.sort()
            results[name] = {"p50": round(statistics.median(times), 1),
                             "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
                             "max": round(times[-1], 1), "status": sorted(statuses), "requests": len(paths[side])}
    return results


def markdown(report: dict) -> str:
    lines = ["| request | ours p50 | ours p95 | ours max | plain p50 | plain p95 | plain / ours |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    ours, plain = report["ours"], report.get("plain") or {}
    for name, mine in ours.items():
        theirs = plain.get(name)
        ratio = f"{theirs['p50'] / mine['p50']:.1f}×" if theirs and mine["p50"] else "—"
        bad = "" if all(s < 400 for s in (theirs or {}).get("status", [])) else " (errors: " + ", ".join(
            str(s) for s in theirs["status"] if s >= 400) + ")"
        lines.append(f"| {name} | {mine['p50']} ms | {mine['p95']} ms | {mine['max']} ms | "
                     + (f"{theirs['p50']} ms{bad} | {theirs['p95']} ms | {ratio} |" if theirs else
                        ("cannot answer | — | — |" if name in plain else "not measured | — | — |")))
    both = [(ours[n]["p50"], plain[n]["p50"]) for n in ours if plain.get(n)]
    if both:
        lines.append(f"| **mix (sum of p50 where both answer)** | {sum(a for a, _ in both):.0f} ms | | | "
                     f"{sum(b for _, b in both):.0f} ms | | **{sum(b for _, b in both) / sum(a for a, _ in both):.0f}×** |")
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
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where to write the report")
    args = parser.parse_args()
    ours_dir, plain_dir = args.work / "ours", args.work / "plain"
    report = {"machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                          "sqlite": __import__("sqlite3").sqlite_version}}
    if not args.skip_build:
        print("building ours …", file=sys.stderr)
        report["build"] = build_ours(args.data, ours_dir)
        print(json.dumps(report["build"], indent=2), file=sys.stderr)
        if not (args.skip_plain or args.reuse_plain):
            print("building the plain publication …", file=sys.stderr)
            plain_dir.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            build_plain(plain_dir / "plain.db", {slug: args.data / path for slug, path in SOURCES.items()},
                        log=lambda m: print(m, file=sys.stderr))
            report["plain_build_s"] = round(time.monotonic() - started, 1)
    mix = requests(pick(ours_dir / "datasets.db"))
    process, base = serve(ours_dir)
    try:
        report["ours"] = measure(base, mix, 0, args.repeat)
    finally:
        process.terminate()
    if not args.skip_plain:
        process, base = serve(plain_dir / "plain.db")
        try:
            report["plain"] = measure(base, mix, 1, args.plain_repeat)
        finally:
            process.terminate()
    table = markdown(report)
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"benchmark-{args.data.name}.json").write_text(json.dumps(report, indent=2))
    (args.results / f"benchmark-{args.data.name}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
