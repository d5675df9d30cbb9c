"""How long the catalogue check takes on a large build. Run by hand, never by the tests:

    python bench/check_bench.py /tmp/synth01.db [--rows 10000] [--seed 1] [--save catalogue.csv]

It samples tracks from the database and writes a catalogue of them, as a label would: ids and links (20 %),
exact artist + title (35 %), lightly altered ones (25 %: accents dropped, case changed, a version tag or a
featured artist added, "The" dropped, one letter of the title or artist changed) and invented tracks that are not
there (20 %). Then it runs the check as the CLI does and prints the time and what was found, per kind of row.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from unidecode import unidecode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.check import check_catalogue, read_catalogue  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "zu", "rex", "vo", "tan", "quil", "bra", "osh", "fey", "dun", "pli", "wy", "zor"]


def _invented(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title() for _ in range(words))


def _typo(rng: random.Random, text: str) -> str:
    """One letter dropped or two swapped, in a word of five letters or more (if there is one)."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1:] if rng.random() < 0.5 else word[:j] + word[j + 1] + word[j] + word[j + 2:]
    return " ".join(words)


def _alter(rng: random.Random, artist: str, title: str) -> tuple[str, str, str]:
    how = rng.choice(["accents", "case", "version", "featured", "the", "title typo", "artist typo"])
    if how == "accents":
        artist, title = unidecode(artist), unidecode(title)
    elif how == "case":
        artist, title = artist.upper(), title.lower()
    elif how == "version":
        title += rng.choice([" (Remastered 2011)", " (Official Video)", " [Lyrics]", " (Radio Edit)"])
    elif how == "featured":
        artist += " feat. " + _invented(rng, 2)
    elif how == "the":
        artist = artist[4:] if artist.lower().startswith("the ") else "The " + artist
    elif how == "title typo":
        title = _typo(rng, title)
    else:
        artist = _typo(rng, artist)
    return artist, title, how


def _id_cells(rng: random.Random, dataset: str, source_id: str, url: str | None) -> dict:
    if dataset == "laion-disco-12m":
        return {"youtube": rng.choice([source_id, f"https://www.youtube.com/watch?v={source_id}",
                                       f"https://youtu.be/{source_id}"])}
    if dataset == "spotify-tracks-dataset":
        return {"spotify": rng.choice([source_id, f"spotify:track:{source_id}",
                                       f"https://open.spotify.com/track/{source_id}"])}
    if dataset == "sleeping-disco-9m":
        return {"url": url if url and rng.random() < 0.5 else f"https://genius.com/songs/{source_id}"}
    return {"url": url or ""}


def make_catalogue(conn: sqlite3.Connection, rows: int, seed: int) -> tuple[bytes, list[str]]:
    """A semicolon-separated catalogue and, per row, the kind of row it is."""
    rng = random.Random(seed)
    (top,) = conn.execute("select max(id) from tracks").fetchone()
    out = io.StringIO()
    writer = csv.DictWriter(out, ["artist", "title", "duration", "youtube", "spotify", "url"], delimiter=";")
    writer.writeheader()
    kinds = []
    while len(kinds) < rows:
        kind = rng.choices(["id", "exact", "altered", "absent"], [20, 35, 25, 20])[0]
        if kind == "absent":
            writer.writerow({"artist": _invented(rng, rng.randint(1, 2)), "title": _invented(rng, rng.randint(1, 3))})
            kinds.append("absent")
            continue
        track = conn.execute("select t.dataset, t.source_id, t.url, t.title, t.duration_s, a.name from tracks t "
                             "join track_artists ta on ta.track_id = t.id join artists a on a.id = ta.artist_id "
                             "where t.id = ? and t.title is not null order by ta.role != 'primary', ta.position "
                             "limit 1", (rng.randint(1, top),)).fetchone()
        if track is None:
            continue
        dataset, source_id, url, title, duration, artist = track
        cells = {}
        if kind == "id":
            cells = _id_cells(rng, dataset, source_id, url)
        elif kind == "exact":
            cells = {"artist": artist, "title": title}
        else:
            artist, title, how = _alter(rng, artist, title)
            cells = {"artist": artist, "title": title}
            kind = f"altered: {how}"
        if duration and "artist" in cells and rng.random() < 0.3:
            cells["duration"] = f"{int(duration) // 60}:{int(duration) % 60:02d}"
        writer.writerow(cells)
        kinds.append(kind)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, help="also write the catalogue here")
    args = parser.parse_args()

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    (tracks,) = conn.execute("select count(*) from tracks").fetchone()
    t0 = time.monotonic()
    data, kinds = make_catalogue(conn, args.rows, args.seed)
    print(f"database: {args.db} ({tracks:,} tracks); catalogue: {len(kinds):,} rows, {len(data) / 1e6:.1f} MB, "
          f"made in {time.monotonic() - t0:.1f} s")
    if args.save:
        args.save.write_bytes(data)

    t0 = time.monotonic()
    catalogue = read_catalogue(data)
    t1 = time.monotonic()
    body = check_catalogue(conn, catalogue)
    t2 = time.monotonic()
    summary = body["summary"]
    print(f"read {t1 - t0:.2f} s, checked in {t2 - t1:.1f} s ({len(kinds) / (t2 - t1):,.0f} rows/s); "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"{summary['matched']:,} of {summary['rows']:,} rows matched; by best basis: {summary['by_best_basis']}; "
          f"by dataset: {summary['by_dataset']}")

    outcome: dict[str, Counter] = {}
    for kind, row in zip(kinds, body["rows"]):
        best = row["matches"][0]["basis"] if row.get("matches") else row["status"]
        outcome.setdefault(kind.split(":")[0], Counter())[best] += 1
        if ":" in kind:
            outcome.setdefault(kind, Counter())[best] += 1
    print(f"\n{'kind of row':<28}{'rows':>7}  best basis found")
    for kind in sorted(outcome):
        counts = outcome[kind]
        print(f"{kind:<28}{sum(counts.values()):>7}  " + ", ".join(f"{b} {n}" for b, n in counts.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
