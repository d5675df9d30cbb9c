"""Does search find people the way they type? Recall@10 per kind of typing, for artists and for tracks.

    python bench/search_recall.py datasets.db [--artists 300] [--tracks 300] [--nonsense 200] [--seed 11]
                                              [--json results.json]

Draws artists and tracks from a build and derives what people type for them, class by class: the name as
credited (`exact`), a `prefix` (the name cut 1–3 letters short, at least 4 letters typed), `one edit` and `two
edits` (a letter added, dropped, changed or two swapped; names of 4+ and 8+ letters), `dropped accents`
(Björk → Bjork), `non-decomposable` letters typed plainly (ø → o or oe, æ → ae, ß → ss, ł → l, đ → d, þ → th,
ð → d), `romanisation` (a name in another script typed in Latin letters: Cyrillic in the passport (ICAO) scheme,
Greek as ELOT 743, Japanese in Hepburn without long vowels, Arabic and Hebrew with vowels put in, Korean as
unidecode reads it), `and / &` swapped, `punctuation removed` (`JAY-Z` → `JAYZ` or `JAY Z`), `full-width`
letters, and `surname only` (the last word of a name of several, 4+ letters, when at most 10 artists share it: a
surname shared by hundreds cannot rank one of them first). A typo that spells another artist's name as well as the
intended one (`ingrid z. costa` for Ingrid T. Costa, when an Ingrid Z. Costa is there too) is left out and counted
as skipped: no search can tell which was meant. A track is typed as its title in that class plus its artist's name
as credited, in either order (a prefix last); titles in Arabic or Hebrew letters are not romanised (they are not
read in Latin letters: see the README).

Each query goes through the search page (`/search.json`, in-process, with this repository's plugins). An artist
counts as found when it is among the first 10 artists shown (matches, then "Did you mean" suggestions); a track
when a track with its title (once normalized) and its artist is among the first 10 tracks shown (results, then
the tracks of the corrected query). Invented nonsense names count how often search claims an exact match
(an artist shown as the typed name) or shows any artist or track at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import string
import sys
import time
import unicodedata
from pathlib import Path

import yaml
from datasette.app import Datasette
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ingest.normalize import fold, latin_readings, match_key, search_words, title_key

ROOT = Path(__file__).resolve().parent.parent

CLASSES = (
    "exact",
    "prefix",
    "one edit",
    "two edits",
    "dropped accents",
    "non-decomposable",
    "romanisation",
    "and / &",
    "punctuation removed",
    "full-width",
    "surname only",
)
TOP = 10

NON_DECOMPOSABLE = {
    "ø": ("o", "oe"),
    "Ø": ("O", "OE"),
    "æ": ("ae", "a"),
    "Æ": ("AE",),
    "œ": ("oe",),
    "Œ": ("OE",),
    "ß": ("ss",),
    "ł": ("l",),
    "Ł": ("L",),
    "đ": ("d", "dj"),
    "Đ": ("D", "Dj"),
    "þ": ("th",),
    "Þ": ("Th",),
    "ð": ("d", "th"),
    "Ð": ("D",),
}
# Russian as a passport spells it (ICAO 9303): another scheme than either of the index's readings
ICAO = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y _ e iu ia".split(),
    )
)
VOWELS = "aeiou"


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def typo(rng: random.Random, text: str, edits: int) -> str:
    """`edits` typing mistakes at letters of `text` (never the same one twice)."""
    chars = list(text)
    for _ in range(edits):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        i = rng.choice(letters)
        kind = rng.choice(("add", "drop", "change", "swap"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "add":
            chars.insert(i, letter)
        elif kind == "drop" and len(letters) > 4:
            del chars[i]
        elif kind == "swap" and i + 1 < len(chars) and chars[i + 1].isalpha() and chars[i + 1] != chars[i]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = letter if letter != chars[i].lower() else "q"
    return "".join(chars)


def romanise(rng: random.Random, text: str, names_only: bool = True) -> str | None:
    """`text` in another script as a person would type it in Latin letters, or None for Latin text."""
    if all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text):
        return None
    lowered = text.lower()
    if any("\u0400" <= ch <= "\u04ff" for ch in lowered):
        return "".join(ICAO.get(ch, ch).replace("_", "") for ch in lowered)
    names = {unicodedata.name(ch, "").split()[0] for ch in text if ch.isalpha()}
    readings = latin_readings(fold(text))
    if not readings:  # full-width Latin, say
        return None
    if names & {"GREEK"}:
        return readings[-1]  # ELOT 743
    if names & {"HIRAGANA", "KATAKANA", "CJK"}:
        return readings[-1]  # Hepburn, long vowels not written
    if names & {"ARABIC", "HEBREW"} and not names_only:
        return None  # titles in Arabic or Hebrew letters are not read in Latin letters (README)
    if names & {"ARABIC", "HEBREW"}:
        # the consonants the script writes, with vowels where a person would hear them (Latin words kept)
        return " ".join(word if fold(word).isascii() else _vowelled(rng, word) for word in text.split())
    return readings[0]


def _vowelled(rng: random.Random, word: str) -> str:
    out = []
    for ch in latin_readings(word)[0]:
        if ch in "yw" and rng.random() < 0.7:
            out.append({"y": rng.choice(("ai", "i", "ei")), "w": rng.choice(("ou", "u", "o"))}[ch])
        elif ch.isalpha():
            out.append(ch.lower())
            if rng.random() < 0.5:
                out.append(rng.choice(VOWELS))
        else:
            out.append(ch if ch == " " else "")
    return "".join(out)


def variant(rng: random.Random, kind: str, text: str, name: bool = True) -> str | None:
    """What a person types for `text` in class `kind`, or None when the class does not apply to it."""
    letters = sum(ch.isalnum() for ch in text)
    if kind == "exact":
        return text
    if kind == "prefix":
        if letters < 6 or not text.isascii() and not strip_accents(text).isascii():
            return None
        # 1–3 letters short, but never a whole word short (that is another name or title)
        last = len(text) - len(text.rstrip().rsplit(" ", 1)[-1])
        cut = min(rng.randint(1, min(3, letters - 4)), len(text) - last - 1)
        return text[:-cut] if cut > 0 and text[-cut:].strip() else None
    if kind in ("one edit", "two edits"):
        edits = 1 if kind == "one edit" else 2
        plain = fold(text)
        if not plain.isascii() or len(match_key(text)) < (4 if edits == 1 else 8):
            return None
        typed = typo(rng, plain, edits)
        return typed if match_key(typed) != match_key(text) else None
    if kind == "dropped accents":
        stripped = strip_accents(text)
        return stripped if stripped != text and stripped.isascii() else None
    if kind == "non-decomposable":
        if not any(ch in NON_DECOMPOSABLE for ch in text):
            return None
        return strip_accents("".join(rng.choice(NON_DECOMPOSABLE[ch]) if ch in NON_DECOMPOSABLE else ch for ch in text))
    if kind == "romanisation":
        return romanise(rng, text, name)
    if kind == "and / &":
        if " & " in text:
            return text.replace(" & ", " and ")
        if " and " in text.lower():
            return text.replace(" and ", " & ").replace(" And ", " & ")
        return None
    if kind == "punctuation removed":
        if not any(not ch.isalnum() and not ch.isspace() for ch in text):
            return None
        joiner = rng.choice(("", " "))
        typed = "".join(ch if ch.isalnum() or ch.isspace() else joiner for ch in text)
        return " ".join(typed.split()) or None
    if kind == "full-width":
        if not text.isascii():
            return None
        return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else "\u3000" if ch == " " else ch for ch in text)
    if kind == "surname only":
        words = text.split()
        if len(words) < 2 or len(words[-1]) < 4 or not words[-1][0].isupper():
            return None
        return words[-1]
    raise ValueError(kind)


def nonsense(rng: random.Random) -> str:
    def word():
        return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiouy") for _ in range(rng.randint(2, 4)))

    return " ".join(word().capitalize() for _ in range(rng.randint(1, 3)))


def configured(db: Path) -> Datasette:
    """Datasette as `datasette .` runs it from the repository root (immutable, with the build's inspect file)."""
    inspect = db.parent / "inspect-data.json"
    return Datasette(
        immutables=[str(db)],
        inspect_data=json.loads(inspect.read_text()) if inspect.exists() else None,
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text()),
        settings=json.loads((ROOT / "settings.json").read_text()),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
    )


async def run(args) -> dict:
    rng = random.Random(args.seed)
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    artists = conn.execute("select id, name from artists where tracks > 0 order by id").fetchall()
    sample = rng.sample(artists, min(len(artists), args.artists))
    # names that need a class drawn on purpose: a random draw from millions would hold few of them
    special = [row for row in artists if not row[1].isascii() or any(ch in row[1] for ch in "&.-'’/!")]
    sample += rng.sample(special, min(len(special), args.artists))
    track_count = conn.execute("select max(id) from tracks").fetchone()[0]
    tracks: list = []
    while len(tracks) < args.tracks:
        track_id = rng.randint(1, track_count)
        row = conn.execute(
            "select t.id, t.title, a.id, a.name from tracks t join track_artists ta on "
            "ta.track_id = t.id and ta.position = 0 join artists a on a.id = ta.artist_id "
            "where t.id = ? and t.title is not null",
            (track_id,),
        ).fetchone()
        if row and search_words(row[1]) and title_key(row[1])[0]:
            tracks.append(row)
    special = conn.execute(
        "select t.id, t.title, a.id, a.name from tracks t join track_artists ta on "
        "ta.track_id = t.id and ta.position = 0 join artists a on a.id = ta.artist_id "
        "where t.id in (select id from tracks where title glob '*[^ -~]*' or title like '%&%' "
        "or title like '% and %' or title like '%''%' limit 20000)"
    ).fetchall()
    tracks += rng.sample(special, min(len(special), args.tracks))

    def surname_shared(word: str) -> int:
        return conn.execute(
            "select count(*) from (select 1 from artists_fts where artists_fts match ? limit 11)",
            ('"' + fold(word).replace('"', '""') + '"',),
        ).fetchone()[0]

    key_list = [key for (key,) in conn.execute("select distinct match_key from artists")]

    def ambiguous(typed: str, name: str) -> bool:
        """Whether the typo spells another artist's name as well as, or better than, the intended one
        (`Ingrid T. Costa` typed `ingrid z. costa` when an Ingrid Z. Costa is there too)."""
        typed_key, own = match_key(typed), match_key(name)
        return any(
            key != own
            for key, _, _ in process.extract(
                typed_key, key_list, scorer=OSA.distance, score_cutoff=OSA.distance(typed_key, own), limit=3
            )
        )

    ds = configured(args.db)
    await ds.invoke_startup()
    results: dict[str, dict] = {"artists": {}, "tracks": {}, "nonsense": {}}
    timings = []

    async def search(q: str) -> dict:
        started = time.perf_counter()
        response = await ds.client.get("/search.json", params={"q": q})
        timings.append(((time.perf_counter() - started) * 1000, q))
        assert response.status_code == 200, (q, response.status_code)
        return response.json()

    for kind in CLASSES:
        found = tried = skipped = 0
        misses: list = []
        seen = set()
        for artist_id, name in sample:
            if artist_id in seen:
                continue
            typed = variant(rng, kind, name)
            if typed is None:
                continue
            if kind == "surname only" and surname_shared(typed) > TOP:
                skipped += 1
                continue
            if kind in ("one edit", "two edits") and ambiguous(typed, name):
                skipped += 1  # the typo spells another artist's name as well or better
                continue
            seen.add(artist_id)
            data = await search(typed)
            shown = [a["id"] for a in data["artists"]] + [
                a["id"] for a in (data["did_you_mean"] or {}).get("artists", [])
            ]
            tried += 1
            if artist_id in shown[:TOP]:
                found += 1
            elif len(misses) < 5:
                misses.append(f"{typed!r} for {name!r}")
        results["artists"][kind] = {"n": tried, "found": found, "skipped": skipped, "misses": misses}
    for kind in CLASSES:
        if kind == "surname only":
            continue
        found = tried = 0
        misses = []
        seen = set()
        for _track_id, title, artist_id, name in tracks:
            if (artist_id, title) in seen:
                continue
            typed = variant(rng, kind, title, name=False)
            if typed is None:
                continue
            seen.add((artist_id, title))
            # a prefix is what is still being typed: it comes last
            query = f"{typed} {name}" if rng.random() < 0.5 and kind != "prefix" else f"{name} {typed}"
            data = await search(query)
            shown = [t["id"] for t in data["tracks"]] + [
                t["id"] for t in (data["did_you_mean"] or {}).get("tracks") or []
            ]
            shown = shown[:TOP]
            tried += 1
            key = title_key(title)[0]
            marks = ", ".join("?" * len(shown))
            hit = (
                shown
                and conn.execute(
                    f"select 1 from artist_title_keys where artist_id = ? and title_key = ? and track_id in ({marks})",
                    (artist_id, key, *shown),
                ).fetchone()
            )
            if hit:
                found += 1
            elif len(misses) < 5:
                misses.append(f"{query!r} for {title!r} by {name!r}")
        results["tracks"][kind] = {"n": tried, "found": found, "misses": misses}
    claims = anything = 0
    examples: list = []
    names = {key for (key,) in conn.execute("select match_key from artists")}
    tried = 0
    while tried < args.nonsense:
        typed = nonsense(rng)
        if match_key(typed) in names:
            continue
        tried += 1
        data = await search(typed)
        exact = [a["name"] for a in data["artists"] if a["match"] == "exact"]
        claims += bool(exact)
        anything += bool(data["artists"] or data["tracks"])
        if (exact or data["artists"] or data["tracks"]) and len(examples) < 5:
            shown = exact or [a["name"] for a in data["artists"]] or [t["title"] for t in data["tracks"]]
            examples.append(f"{typed!r} → {shown[:3]}")
    results["nonsense"] = {"n": tried, "exact_claims": claims, "any_result": anything, "examples": examples}
    timings.sort()
    results["latency_ms"] = {
        "p50": round(timings[len(timings) // 2][0], 1),
        "p95": round(timings[int(len(timings) * 0.95)][0], 1),
        "max": round(timings[-1][0], 1),
        "queries": len(timings),
        "slowest": [(round(ms, 1), q) for ms, q in timings[-10:]],
    }
    return results


def report(results: dict) -> str:
    lines = ["| class | artists: recall@10 | n | skipped | tracks: recall@10 | n |", "|---|---:|---:|---:|---:|---:|"]
    for kind in CLASSES:
        a = results["artists"].get(kind)
        t = results["tracks"].get(kind)

        def cell(r):
            return (f"{100 * r['found'] / r['n']:.1f} %", str(r["n"])) if r and r["n"] else ("n/a", "0")

        lines.append(f"| {kind} | " + " | ".join(cell(a) + (str(a["skipped"]),) + cell(t)) + " |")
    n = results["nonsense"]
    lines.append("")
    lines.append(
        f"Nonsense names: {n['n']}, exact claims: **{n['exact_claims']}**, any artist or track shown: "
        f"{n['any_result']}."
    )
    latency = results["latency_ms"]
    lines.append(
        f"Search latency in-process over {latency['queries']} queries: p50 {latency['p50']} ms, "
        f"p95 {latency['p95']} ms, max {latency['max']} ms."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument(
        "--artists",
        type=int,
        default=300,
        help="artists drawn at random (as many again among names with accents, scripts or punctuation)",
    )
    parser.add_argument("--tracks", type=int, default=300)
    parser.add_argument("--nonsense", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="write the full results (with example misses) here")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    print(report(results))
    for side in ("artists", "tracks"):
        for kind, r in results[side].items():
            for miss in r["misses"]:
                print(f"  missed ({side}, {kind}): {miss}", file=sys.stderr)
    for example in results["nonsense"]["examples"]:
        print(f"  nonsense shown: {example}", file=sys.stderr)
    for ms, q in results["latency_ms"]["slowest"]:
        print(f"  slow: {ms} ms {q!r}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
