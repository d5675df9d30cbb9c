"""Load test: N concurrent clients on 127.0.0.1 for D seconds over the benchmark's request mix.

    python bench/load.py --config /data/bench/ours [--clients 50] [--duration 60] [--results DIR]   # serves that directory
    python bench/load.py --url http://127.0.0.1:8001 --db datasets.db              # an already running server

Prints requests/s, p50/p95/p99 latency and errors (any status >= 500, or a failed connection), and writes
bench/results/load-<name>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from benchmark import serve  # noqa: E402
from mix import pick, requests  # noqa: E402


async def run(base: str, paths: list[str], clients: int, duration: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(number: int, http: httpx.AsyncClient):
        position = number
        while time.monotonic() < deadline:
            path = paths[position % len(paths)]
            position += clients
            started = time.perf_counter()
            try:
                response = await http.get(base + path)
                await response.aread()
                if response.status_code >= 500:
                    errors.append(f"{response.status_code} {path}")
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__} {path}")
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    async with httpx.AsyncClient(timeout=60, limits=limits, follow_redirects=False) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None

    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
            "requests_per_s": round(len(latencies) / elapsed, 1), "p50_ms": percentile(0.5),
            "p95_ms": percentile(0.95), "p99_ms": percentile(0.99), "max_ms": percentile(1.0),
            "errors": len(errors), "error_samples": errors[:10]}


def mix_paths(db: Path) -> list[str]:
    return [path for _, ours, _ in requests(pick(db)) for path in ours]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, help="a configuration directory to serve (with datasets.db)")
    parser.add_argument("--url", help="a running server instead")
    parser.add_argument("--db", type=Path, help="with --url: the database it serves (to choose the requests)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where to write the report")
    args = parser.parse_args()
    db = args.db or (args.config / "datasets.db" if args.config else None)
    if not db or not (args.url or args.config):
        parser.error("give --config DIR, or --url URL --db PATH")
    paths = mix_paths(db)
    process = None
    base = args.url
    if not base:
        process, base = serve(args.config)
    try:
        result = asyncio.run(run(base, paths, args.clients, args.duration))
    finally:
        if process:
            process.terminate()
    print(json.dumps(result, indent=2))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"load-{(args.config or db.parent).name}.json").write_text(json.dumps(result, indent=2))
    if result["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
