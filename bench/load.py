"""Load test: a crowd on 127.0.0.1 for D seconds. By default N clients, each asking for the next request of a
realistic mix as soon as the last one is answered (the most a server can answer); with `--rate R`, requests that
arrive at R a second whatever the answers, as people do (the time a request takes at that rate).

    python bench/load.py --config /data/bench/ours [--clients 50] [--duration 60]       # one `datasette DIR` process
    python bench/load.py --config /data/bench/ours --deployment 2 [--clients 200]      # 2 replicas + nginx (deploy/)
    python bench/load.py --config /data/bench/ours --deployment 2 --warm-up 60         # measured after a minute
    python bench/load.py --config /data/bench/ours --deployment 2 --rate 250 --clients 200   # 250 requests/s
    python bench/load.py --url http://127.0.0.1:8001 --db datasets.db                  # a server already running
    python bench/load.py --config /data/bench/ours --cost 40                           # CPU of one request, by kind

The realistic mix (`--mix realistic`, the default) is what a crowd sent by an article does: most people search the
same popular names. Artist names and track titles are drawn from the build with Zipf-distributed popularity (the
5,000 artists with most tracks, the most-viewed/popular/listened tracks), then searched, or their artist or track
pages opened; pasted YouTube and Spotify links (each person their own: drawn uniformly from 1,000); the landing
page; table searches, facets and saved queries; and a few CSV downloads (an artist's tracks, every match of a
title). `--mix fixed` cycles through the benchmark's fixed requests instead.

`--cost N` sends N different requests of each kind of the realistic mix one at a time to one `datasette DIR`
process and prints the CPU each kind costs the server (all its threads, and the main thread alone: Python, where
the SQL threads run SQLite): what an uncached request costs, which bounds what a machine can serve.

With `--rate`, at most `--clients` requests are in flight at once; one that arrives when all are busy waits, and
the wait counts in its time (no coordinated omission: a slow answer cannot hold back the requests behind it, as
it does with clients that wait for it). Every request that arrived in the window is answered, however late, and
`last_answer_after_s` says when the last was.

Otherwise prints requests/s, latency percentiles (overall and per kind of request), errors (any status >= 400 or
a failed connection), the share of answers nginx gave from its cache, and the CPU each process used (1.0 = one core busy
all the time: the process nearest its limit saturates first), and writes bench/results/load-<name>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import aiohttp
import httpx
from benchmark import serve
from mix import pick, requests

from ingest import bulk_reads

ROOT = Path(__file__).resolve().parent.parent

# kind → share of requests (in percent): mostly searches and artist pages, "a few" CSV downloads
WEIGHTS = {
    "search: artist": 30,
    "artist page": 20,
    "search: title": 15,
    "pasted link": 10,
    "landing page": 8.5,
    "table search": 5,
    "track page": 4,
    "facet or filter": 3,
    "saved query": 3,
    "CSV download": 0.5,
    "catalogue check page": 1,
}
ZIPF_S = 1.0


def zipf(items: list, rng: random.Random, s: float = ZIPF_S):
    """Draws from items ranked by popularity: the k-th most popular comes up ∝ 1/k^s."""
    weights = list(itertools.accumulate(1 / (k + 1) ** s for k in range(len(items))))
    return lambda: rng.choices(items, cum_weights=weights)[0]


def realistic(db_path: Path, seed: int = 15):
    """A function that returns the next (kind, path) of the realistic mix, for one client."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    artists = db.execute("select key, name from artists order by tracks desc, id limit 5000").fetchall()
    popular = db.execute(
        "select t.id, t.title from top_tracks top join tracks t on t.id = top.track_id "
        "where t.title is not null order by top.position, top.dataset"
    ).fetchall()
    titles, tracks = [title for _, title in popular], [track for track, _ in popular]
    sample = random.Random(seed)
    links = []
    for slug, pattern in (
        ("laion-disco-12m", "https://www.youtube.com/watch?v={}"),
        ("spotify-tracks-dataset", "https://open.spotify.com/track/{}?si=share"),
    ):
        first, last = db.execute("select first_track_id, last_track_id from datasets where slug = ?", [slug]).fetchone()
        for track in (sample.randint(first, last) for _ in range(500)):
            links.append(pattern.format(db.execute("select source_id from tracks where id = ?", [track]).fetchone()[0]))
    datasets = [row[0] for row in db.execute("select slug from datasets order by first_track_id")]
    db.close()
    facets = [
        "/datasets/tracks?_facet=dataset",
        "/datasets/tracks?_facet=licence_code",
        *(f"/datasets/tracks?dataset={d}&_facet=release_year" for d in datasets),
        *(f"/datasets/tracks?dataset={d}&explicit=1" for d in datasets),
    ]
    saved = [
        "/datasets/row_counts",
        "/datasets/fma_licences",
        "/datasets/tracks_per_year?dataset=",
        *(f"/datasets/top_artists?dataset={d}" for d in datasets),
    ]

    def client(number: int):
        rng = random.Random(seed * 1000 + number)
        artist, title, track = zipf(artists, rng), zipf(titles, rng), zipf(tracks, rng)
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())

        def next_request() -> tuple[str, str]:
            kind = rng.choices(kinds, weights)[0]
            if kind == "search: artist":
                return kind, "/search?" + urlencode({"q": artist()[1]})
            if kind == "artist page":
                return kind, f"/artist/{quote(artist()[0], safe='')}"
            if kind == "search: title":
                return kind, "/search?" + urlencode({"q": title()})
            if kind == "pasted link":
                return kind, "/search?" + urlencode({"q": rng.choice(links)})
            if kind == "landing page":
                return kind, "/"
            if kind == "table search":
                return kind, "/datasets/tracks?" + urlencode({"_search": title()})
            if kind == "track page":
                return kind, f"/datasets/tracks/{track()}"
            if kind == "facet or filter":
                return kind, rng.choice(facets)
            if kind == "saved query":
                return kind, rng.choice(saved)
            if kind == "CSV download":
                if rng.random() < 0.5:
                    return kind, f"/artist/{quote(artist()[0], safe='')}.csv"
                return kind, "/datasets/tracks.csv?" + urlencode({"_search": title(), "_stream": "on"})
            return kind, "/check"

        return next_request

    return client


def fixed(db_path: Path):
    paths = [path for _, ours, _ in requests(pick(db_path)) for path in ours]

    def client(number: int):
        position = itertools.count(number * 7)
        return lambda: ("fixed mix", paths[next(position) % len(paths)])

    return client


async def run(base: str, make_client, first: int, clients: int, deadline: float, rate: float = 0) -> list[tuple]:
    """(kind, status, milliseconds, x-cache, path) of every request. Without `rate`, `clients` clients, each sending
    its next request as soon as the last is answered; with it, requests arrive at `rate` a second on average
    (Poisson), whatever the answers, at most `clients` of them in flight at once: one that arrives when all are
    busy waits, and its wait counts in its time (a time counts from the arrival, not from the sending).
    aiohttp, because the load generator shares the machine's cores with the servers: it costs 0.1 ms of CPU a
    request, httpx 2 ms."""
    results: list[tuple] = []

    async def one(http: aiohttp.ClientSession, kind: str, path: str, started: float) -> None:
        status: int | str  # the HTTP status, or the client error's name
        try:
            async with http.get(base + path, allow_redirects=False) as response:
                # read and dropped as it comes, still compressed: a browser unzips a download on its own machine,
                # and unzipping a 400 MB export here would stall every other request this process times
                async for _ in response.content.iter_chunked(1 << 16):
                    pass
                status, cache = response.status, response.headers.get("x-cache", "")
        except (TimeoutError, aiohttp.ClientError) as error:
            status, cache = type(error).__name__, ""
        results.append((kind, status, (time.perf_counter() - started) * 1000, cache, path))

    async def client(number: int, http: aiohttp.ClientSession) -> None:
        next_request = make_client(number)
        while time.time() < deadline:
            kind, path = next_request()
            await one(http, kind, path, time.perf_counter())

    async def arrivals(http: aiohttp.ClientSession) -> None:
        next_request, gaps = make_client(first), random.Random(first)
        arrival, until, waiting = time.perf_counter(), time.perf_counter() + deadline - time.time(), []
        while (arrival := arrival + gaps.expovariate(rate)) < until:
            await asyncio.sleep(arrival - time.perf_counter())
            kind, path = next_request()
            waiting.append(asyncio.ensure_future(one(http, kind, path, arrival)))
        await asyncio.gather(*waiting)

    connector = aiohttp.TCPConnector(limit=clients)  # at most `clients` requests in flight, the others wait
    # a request fails when no byte comes for 60 s, as a browser's does: a whole export that keeps streaming for
    # longer is a long download, not a failure
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as http:
        if rate:
            await arrivals(http)
        else:
            await asyncio.gather(*(client(number, http) for number in range(first, first + clients)))
    return results


def _worker(args) -> list[tuple]:
    base, mix, db, seed, first, clients, deadline, rate = args
    make_client = realistic(db, seed) if mix == "realistic" else fixed(db)
    return asyncio.run(run(base, make_client, first, clients, deadline, rate))


def percentile(values: list[float], p: float):
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


def summary(results: list[tuple], seconds: float, cpu: dict) -> dict:
    latencies = sorted(r[2] for r in results)
    errors = [f"{r[1]} {r[4]}" for r in results if not isinstance(r[1], int) or r[1] >= 400]
    kinds = {}
    for kind in sorted({r[0] for r in results}):
        times = sorted(r[2] for r in results if r[0] == kind)
        kinds[kind] = {"requests": len(times), "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}
        cached = [r[3] for r in results if r[0] == kind and r[3]]
        if cached:
            kinds[kind]["cache_hits"] = round(cached.count("HIT") / len(cached), 3)
    cached = [r for r in results if r[3]]
    return {
        "seconds": round(seconds, 1),
        "requests": len(results),
        "requests_per_s": round(len(results) / seconds, 1),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": percentile(latencies, 1.0),
        "errors": len(errors),
        "error_samples": errors[:10],
        "cache_hits": round(sum(r[3] == "HIT" for r in cached) / len(cached), 3) if cached else None,
        "cpu_cores_used": cpu,
        "kinds": kinds,
    }


# --- processes and their CPU ---------------------------------------------------------------------------------------
def _stat_cpu_seconds(stat: Path) -> float:
    """User + system CPU seconds from a /proc …/stat file (of a process or of one of its threads)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds a process has used, or None once it has exited (nginx's cache loader does)."""
    try:
        return _stat_cpu_seconds(Path("/proc") / str(pid) / "stat")
    except OSError:
        return None


def thread_cpu_seconds(pid: int, thread: int) -> float:
    return _stat_cpu_seconds(Path("/proc") / str(pid) / "task" / str(thread) / "stat")


def export_cpu_seconds(pid: int) -> float:
    """CPU seconds a datasette process's whole exports have used: its threads named by ingest/bulk_reads.py."""
    total = 0.0
    for task in (Path("/proc") / str(pid) / "task").glob("*"):
        with contextlib.suppress(OSError):
            if (task / "comm").read_text().strip() == bulk_reads.THREAD_NAME:
                total += _stat_cpu_seconds(task / "stat")
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int((Path("/proc") / entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def free_port(*taken: int) -> int:
    while True:
        port = random.randrange(20000, 60000)
        if port in taken or port + 1 in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


@contextlib.contextmanager
def deployment(config: Path, replicas: int):
    """deploy/serve-replicas.sh and nginx with deploy/nginx.conf (its ports moved to free ones), in a temporary
    directory; yields (base URL, {process name: pid})."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = Path(tempfile.mkdtemp())
    work.chmod(0o755)
    first = free_port()
    while True:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", first + replicas - 1))
                break
            except OSError:
                first = free_port()
    front = free_port(*range(first, first + replicas))
    inner = free_port(front, *range(first, first + replicas))
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"        server 127.0.0.1:{first + i};\n" for i in range(replicas))
    conf = conf.replace("        server 127.0.0.1:8101;\n        server 127.0.0.1:8102;\n", servers)
    conf = conf.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{front};")
    conf = conf.replace("127.0.0.1:8100;", f"127.0.0.1:{inner};")  # the inner, compressing server
    assert servers in conf and f":{front};" in conf and conf.count(f":{inner};") == 2, (
        "deploy/nginx.conf no longer has the lines this script moves"
    )
    (work / "nginx.conf").write_text(conf)
    log = (work / "replicas.log").open("wb")
    script = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "serve-replicas.sh"), str(replicas), str(first), str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    master = None
    try:
        for _ in range(600):
            try:
                for i in range(replicas):
                    httpx.get(f"http://127.0.0.1:{first + i}/-/versions.json", timeout=2)
                break
            except httpx.HTTPError:
                if script.poll() is not None:
                    raise SystemExit((work / "replicas.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        subprocess.run(
            [nginx, "-c", str(work / "nginx.conf"), "-p", f"{work}/", "-e", str(work / "startup.log")], check=True
        )
        master = int((work / "nginx.pid").read_text())
        for _ in range(50):  # the master forks its workers after it has written its pid
            workers = children(master)
            if workers:
                break
            time.sleep(0.1)
        pids = {f"datasette replica {i + 1}": pid for i, pid in enumerate(sorted(children(script.pid)))}
        # its children: the workers, the cache manager and the cache loader
        pids |= {"nginx master": master} | {f"nginx child {i + 1}": pid for i, pid in enumerate(sorted(workers))}
        yield f"http://127.0.0.1:{front}", pids
    finally:
        if master:
            subprocess.run(
                [nginx, "-c", str(work / "nginx.conf"), "-p", f"{work}/", "-e", str(work / "stop.log"), "-s", "stop"]
            )
        script.terminate()
        script.wait(30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def measure(base: str, pids: dict, args, db: Path) -> dict:
    processes = max(1, args.processes)
    per = [args.clients // processes + (i < args.clients % processes) for i in range(processes)]
    rate = (args.rate or 0) / processes
    if args.warm_up:
        # the same crowd for a while before the clock starts: nginx's cache holds what it asks for most
        deadline = time.time() + args.warm_up
        jobs = [(base, args.mix, db, args.seed + 1, sum(per[:i]), n, deadline, rate) for i, n in enumerate(per)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_worker, jobs)
    started = time.time()
    deadline = started + args.duration
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    exports_before = {name: export_cpu_seconds(pid) for name, pid in pids.items() if name.startswith("datasette")}
    own = os.times()
    jobs = [(base, args.mix, db, args.seed, sum(per[:i]), n, deadline, rate) for i, n in enumerate(per)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = [r for part in pool.map(_worker, jobs) for r in part]
    seconds = time.time() - started
    mine = os.times()
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    cpu = {
        name: round((end - start) / seconds, 2)
        for name in pids
        if (end := after[name]) is not None and (start := before[name]) is not None
    }
    for name, start in exports_before.items():  # the share of each datasette's CPU that whole exports took
        cpu[f"{name}: of which whole exports"] = round((export_cpu_seconds(pids[name]) - start) / seconds, 2)
    cpu["load generator (this script)"] = round(
        (
            mine.children_user
            + mine.children_system
            - own.children_user
            - own.children_system
            + mine.user
            + mine.system
            - own.user
            - own.system
        )
        / seconds,
        2,
    )
    if rate:  # every request that arrived in the window, answered however late: the rate is the window's
        return summary(results, args.duration, cpu) | {"last_answer_after_s": round(seconds, 1)}
    return summary(results, seconds, cpu)


def cost(base: str, pid: int, db: Path, per_kind: int, seed: int) -> dict:
    """CPU milliseconds the server spends on one request of each kind (N different requests, one at a time)."""
    next_request = realistic(db, seed)(10**6 + 1)
    todo: dict[str, list[str]] = {kind: [] for kind in WEIGHTS}
    for _ in range(10**6):
        kind, path = next_request()
        few = kind in ("landing page", "catalogue check page", "facet or filter", "saved query")
        if len(todo[kind]) < per_kind and (few or path not in todo[kind]):
            todo[kind].append(path)
        if all(len(paths) >= per_kind for paths in todo.values()):
            break
    result = {}
    with httpx.Client(timeout=600) as http:
        for kind, paths in todo.items():
            http.get(base + paths[0])  # its code and pages warm
            total, main_thread, started = cpu_seconds(pid) or 0.0, thread_cpu_seconds(pid, pid), time.perf_counter()
            for path in paths:
                http.get(base + path)
            n = len(paths)
            result[kind] = {
                "requests": n,
                "cpu_ms": round(((cpu_seconds(pid) or 0.0) - total) / n * 1000, 1),
                "main_thread_cpu_ms": round((thread_cpu_seconds(pid, pid) - main_thread) / n * 1000, 1),
                "wall_ms": round((time.perf_counter() - started) / n * 1000, 1),
            }
    shares = sum(WEIGHTS.values())
    result["the mix, uncached"] = {"cpu_ms": round(sum(WEIGHTS[k] / shares * result[k]["cpu_ms"] for k in WEIGHTS), 1)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, help="a configuration directory to serve (with datasets.db)")
    parser.add_argument(
        "--deployment", type=int, metavar="N", help="serve --config with N replicas behind nginx, as deploy/ documents"
    )
    parser.add_argument("--url", help="a running server instead")
    parser.add_argument("--db", type=Path, help="with --url: the database it serves (to choose the requests)")
    parser.add_argument("--clients", type=int, default=50, help="clients (with --rate: requests in flight at most)")
    parser.add_argument(
        "--rate",
        type=float,
        metavar="R",
        help="requests arrive at R a second (Poisson), whatever the answers, instead of each client asking again "
        "as soon as it is answered",
    )
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--mix", choices=("realistic", "fixed"), default="realistic")
    parser.add_argument("--processes", type=int, default=1, help="load generator processes")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=0,
        metavar="SECONDS",
        help="run the same crowd this long before measuring (a cache that has seen the crowd)",
    )
    parser.add_argument("--cost", type=int, metavar="N", help="the CPU of N requests of each kind, one at a time")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--name", help="name of the report (load-<name>.json)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where to write the report")
    args = parser.parse_args()
    db = args.db or (args.config / "datasets.db" if args.config else None)
    if not db or not (args.url or args.config):
        parser.error("give --config DIR, or --url URL --db PATH")
    if args.cost:
        if not args.config:
            parser.error("--cost needs --config DIR (it starts the server whose CPU it reads)")
        process, base = serve(args.config)
        try:
            print(json.dumps(cost(base, process.pid, db, args.cost, args.seed), indent=2))
        finally:
            process.terminate()
        return
    with contextlib.ExitStack() as stack:
        if args.url:
            base, pids = args.url, {}
        elif args.deployment:
            base, pids = stack.enter_context(deployment(args.config.resolve(), args.deployment))
        else:
            process, base = serve(args.config)
            stack.callback(process.terminate)
            pids = {"datasette": process.pid}
        # a first request of each kind outside the clock (the database pages in, nginx starts its cache)
        warm = realistic(db, args.seed)(10**6) if args.mix == "realistic" else fixed(db)(0)
        with httpx.Client(timeout=60) as http:
            for _ in range(50):
                http.get(base + warm()[1])
        result = measure(base, pids, args, db)
    result = {
        "target": "deployment" if args.deployment else ("url" if args.url else "one datasette process"),
        "replicas": args.deployment,
        "clients": args.clients,
        "rate": args.rate,
        "mix": args.mix,
        "warm_up_s": args.warm_up,
    } | result
    print(json.dumps(result, indent=2))
    args.results.mkdir(parents=True, exist_ok=True)
    name = args.name or (args.config or db.parent).name
    (args.results / f"load-{name}.json").write_text(json.dumps(result, indent=2))
    if result["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
