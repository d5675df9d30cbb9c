"""Which index finds the words within one or two typing mistakes fast enough, at the size of a real vocabulary?

    python bench/typo_candidates.py [--db datasets.db] [--words 2000000] [--queries 300] [--work DIR]

Takes the indexed words of a build (`search_terms`), tops them up with invented ones to `--words` (the synthetic
data has few distinct names; the real datasets have millions), and builds two candidate indexes over them:

- **trigram** (what the build makes, `ingest/search_index.py`): an FTS5 trigram index whose rowids carry each
  word's length; a word of 8+ letters is looked up by its trigrams among words of about its length, a shorter one
  as its few hundred one-edit neighbours (`similar_terms`);
- **deletions**: every word's deletion neighbourhood (up to two letters deleted from its first 7, SymSpell's
  scheme) in a B-tree of 32-bit hashes; a word is looked up by its own neighbourhood.

Then types each of `--queries` words drawn from the vocabulary with one and with two mistakes, and prints each
index's build time, size, lookup latency and how often the intended word is among the candidates that rapidfuzz
measures within the allowed edits.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
import zlib
from pathlib import Path

from rapidfuzz.distance import OSA

from ingest import search_index

ROOT = Path(__file__).resolve().parent.parent

SYLLABLES = (
    "ka ri mo la ne to sa vi an el or us in be da go hu ja ke li ma no pe qu ro si ta ul ve wo xa yo ze "
    "st tr ch sh th br"
).split()
PREFIX = 7  # SymSpell's prefix length


def vocabulary(db: Path | None, size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    if db:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        words.update(term for (term,) in conn.execute("select term from search_terms where length(term) >= 4"))
        conn.close()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 7))))
    return sorted(words)


def typo(rng: random.Random, word: str, edits: int) -> str:
    chars = list(word)
    for _ in range(edits):
        i = rng.randrange(len(chars))
        kind = rng.choice(("add", "drop", "change", "swap"))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        if kind == "add":
            chars.insert(i, letter)
        elif kind == "drop" and len(chars) > 3:
            del chars[i]
        elif kind == "swap" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = letter
    return "".join(chars)


def build_trigram(path: Path, words: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("pragma journal_mode = off")
    conn.execute("begin")
    conn.execute(
        "create table search_terms (id integer primary key, term text not null, docs integer not null, "
        "track_docs integer not null)"
    )
    conn.execute(
        "create virtual table search_terms_fts using fts5(term, content='', tokenize='trigram', detail='none')"
    )
    conn.executemany(
        "insert into search_terms values (?, ?, 1, 1)",
        (((len(word) << search_index.LENGTH_SHIFT) | n, word) for n, word in enumerate(words)),
    )
    conn.execute("insert into search_terms_fts (rowid, term) select id, '^' || term || '$' from search_terms")
    conn.execute("create unique index search_terms_term on search_terms(term)")
    conn.execute("commit")
    return conn


def deletions(word: str, depth: int = 2) -> set[str]:
    found = frontier = {word[:PREFIX]}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w)) if len(w) > 1}
        found = found | frontier
    return found


def _hash(text: str) -> int:
    return zlib.crc32(text.encode()) - (1 << 31)


def build_deletions(path: Path, words: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("pragma journal_mode = off")
    conn.execute("begin")
    conn.execute("create table words (id integer primary key, term text not null)")
    conn.executemany("insert into words values (?, ?)", enumerate(words))
    conn.execute("create temp table load (h integer, id integer)")
    conn.executemany(
        "insert into temp.load values (?, ?)", ((_hash(d), n) for n, word in enumerate(words) for d in deletions(word))
    )
    conn.execute("create table neighbourhood (h integer, id integer, primary key (h, id)) without rowid")
    conn.execute("insert or ignore into neighbourhood select h, id from temp.load order by h, id")
    conn.execute("drop table temp.load")
    conn.execute("commit")
    return conn


def lookup_deletions(conn: sqlite3.Connection, word: str, edits: int) -> list[str]:
    hashes = sorted({_hash(d) for d in deletions(word)})
    rows = conn.execute(
        f"select w.term from words w where w.id in (select id from neighbourhood where h in "
        f"({', '.join('?' * len(hashes))}))",
        hashes,
    ).fetchall()
    return [term for (term,) in rows if OSA.distance(word, term, score_cutoff=edits) <= edits]


def measure(name: str, lookup, targets: list[str], rng: random.Random) -> dict:
    out = {}
    for edits in (1, 2):
        times, found, tried = [], 0, 0
        for target in targets:
            if search_index.allowed_edits(target) < edits:
                continue
            typed = typo(rng, target, edits)
            if typed == target:
                continue
            started = time.perf_counter()
            candidates = lookup(typed, edits)
            times.append((time.perf_counter() - started) * 1000)
            tried += 1
            found += target in candidates
        times.sort()
        out[edits] = {
            "n": tried,
            "recall": found / tried if tried else None,
            "p50": statistics.median(times) if times else None,
            "p95": times[int(len(times) * 0.95)] if times else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a build whose search_terms to start from")
    parser.add_argument("--words", type=int, default=2_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="where to build the two indexes (a temporary directory if not given)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = vocabulary(args.db, args.words, rng)
    targets = rng.sample(words, min(args.queries, len(words)))
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        rows = []
        for name, build, lookup in (
            (
                "trigram (built)",
                build_trigram,
                lambda conn: lambda typed, edits: [t for t, _, _ in search_index.similar_terms(conn, typed, edits)],
            ),
            ("deletions", build_deletions, lambda conn: lambda typed, edits: lookup_deletions(conn, typed, edits)),
        ):
            path = Path(work) / f"{name.split()[0]}.db"
            started = time.monotonic()
            conn = build(path, words)
            seconds = time.monotonic() - started
            size = os.path.getsize(path) / 1e6
            result = measure(name, lookup(conn), targets, random.Random(args.seed))
            conn.close()
            rows.append((name, seconds, size, result))
    print(f"{len(words):,} words, {args.queries} typed with one and with two mistakes\n")
    print("| index | build | size | 1 edit: recall | p50 | p95 | 2 edits: recall | p50 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, seconds, size, result in rows:
        cells = []
        for edits in (1, 2):
            r = result[edits]
            cells += (
                [f"{100 * r['recall']:.1f} % (n={r['n']})", f"{r['p50']:.1f} ms", f"{r['p95']:.1f} ms"]
                if r["n"]
                else ["n/a", "", ""]
            )
        print(f"| {name} | {seconds:.0f} s | {size:,.0f} MB | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
