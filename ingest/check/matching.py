"""Matching a catalogue's rows against the database: ids and links first (through `ingest/lookup.py`, the
resolver the search box uses too), then the artist and the title after normalization, then similar names.

A credit is tried whole first (`Earth, Wind & Fire`, `Simon & Garfunkel`), and only when no artist has it, split
into its artists (`Léa Berg;Aiko Kowalski`, `Beyoncé / JAY-Z`, `A, B & C`, `A x B`); a track found through
several of them is reported under the role its best-credited artist has on it (Beyoncé's song is hers, not
JAY-Z's "featured" one)."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from ..datasets import SLUGS
from ..lookup import link_queries
from ..normalize import (
    fold,
    match_key,
    match_words,
    recording_versions,
    split_artist,
    split_names,
    split_title,
    title_key,
)
from .reading import Catalogue, CatalogueRow

DATASETS = SLUGS

SCORE_ID = 100
SCORE_NORMALIZED = 95
VERSION_PENALTY = 5  # the dataset's title names another recording (live, remix …) than yours
DURATION_PENALTY = 10  # both durations known and further apart than DURATION_TOLERANCE_S
FUZZY_THRESHOLD = 85  # rapidfuzz similarity (0–100) both artist and title must reach
FUZZY_MAX = 94  # a fuzzy match never outranks a normalized one
DURATION_TOLERANCE_S = 10
MAX_MATCHES_PER_ROW = 20  # listed per row; the counts per dataset include every match
ARTIST_CANDIDATES = 5  # artists tried per row when the name matches none exactly
FTS_CANDIDATES = 200
MMAP_BYTES = 1 << 31  # SQLite's own ceiling (SQLITE_MAX_MMAP_SIZE) is about 2 GB
PROGRESS_EVERY_S = 0.2

BASES = ("youtube_id", "spotify_id", "genius_id", "genius_url", "fma_url", "normalized", "fuzzy")
ID_BASES = BASES[:5]


@dataclass
class Match:
    track_id: int
    dataset: str
    basis: str
    score: int
    note: str = ""
    artist_ids: frozenset[int] = field(default_factory=frozenset)  # the artists a name match went through

    def rank(self) -> tuple:
        return (-self.score, BASES.index(self.basis), dataset_rank(self.dataset), self.track_id)


def dataset_rank(slug: str) -> tuple:
    return (DATASETS.index(slug), "") if slug in DATASETS else (len(DATASETS), slug)


def _better(found: dict[int, Match], match: Match) -> None:
    """Keep one match per track: the one with the best score and basis, through every artist that led to it."""
    current = found.get(match.track_id)
    if current is None:
        found[match.track_id] = match
        return
    best = match if match.rank() < current.rank() else current
    found[match.track_id] = replace(best, artist_ids=current.artist_ids | match.artist_ids)


_LIST_SEPARATOR = re.compile(r"\s*[;/|]\s*")


def credit_parts(credit: str) -> list[str]:
    """The artists of a credit list: `Léa Berg;Aiko Kowalski`, `A / B`, `A, B & C`, `A x B` → each name. Used
    only when the whole credit is not an artist's name (`AC/DC`, `Earth, Wind & Fire` stay whole)."""
    parts = [name for piece in _LIST_SEPARATOR.split(credit or "") for name in split_names(piece)]
    return list(dict.fromkeys(part for part in parts if part))


class OutOfTime(Exception):
    pass


def name_similarity(a: str, b: str) -> float:
    """0–100: how alike two artist names are, by their match keys and, ignoring word order, their words."""
    return max(fuzz.ratio(match_key(a), match_key(b)), fuzz.token_sort_ratio(match_words(a), match_words(b)))


def _digits(key: str) -> list[str]:
    return re.findall(r"\d+", key)


class Matcher:
    """Lookups against one open database; caches artist lookups for the length of one check."""

    def __init__(self, conn: sqlite3.Connection, deadline: float | None = None):
        self.conn = conn
        self.deadline = deadline
        self.exact_artists: dict[str, tuple[int, ...]] = {}
        self.fuzzy_artists: dict[str, list[tuple[int, float]]] = {}
        names = {name for (name,) in conn.execute("select name from sqlite_master")}
        self.has_page_index = "tracks_page_url" in names
        self.has_artists_fts = "artists_fts" in names

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise OutOfTime from None
            raise

    # exact ids -------------------------------------------------------------------------------------------------
    def id_matches(self, row: CatalogueRow) -> list[Match]:
        out = []
        for link in row.links:
            for query in link_queries(link):
                if query.finds == "tracks" and (self.has_page_index or not query.by_page_url):
                    out += [
                        Match(track_id, query.dataset, query.basis, SCORE_ID, query.note)
                        for (track_id,) in self.query(query.sql, query.params)
                    ]
        return out

    # artists ---------------------------------------------------------------------------------------------------
    def _exact(self, name: str) -> tuple[int, ...]:
        key = match_key(name)
        if key not in self.exact_artists:
            self.exact_artists[key] = (
                tuple(r[0] for r in self.query("select id from artists where match_key = ? order by id", (key,)))
                if key
                else ()
            )
        return self.exact_artists[key]

    def _fuzzy(self, name: str) -> list[tuple[int, float]]:
        """Artists whose name is at least FUZZY_THRESHOLD similar, found through artists_fts by any of the
        name's words (so at least one word must be spelled as the dataset spells it)."""
        if name in self.fuzzy_artists:
            return self.fuzzy_artists[name]
        found = []
        words = list(dict.fromkeys(re.findall(r"[^\W_]+", fold(name))))[:8]
        if words and self.has_artists_fts:
            query = " OR ".join(f'"{word}"' for word in words)
            candidates = self.query(
                "select a.id, a.name from artists_fts join artists a on a.id = artists_fts.rowid "
                "where artists_fts match ? order by rank, a.id limit ?",
                (query, FTS_CANDIDATES),
            )
            found = sorted(
                (
                    (artist, similarity)
                    for artist, candidate in candidates
                    if (similarity := name_similarity(name, candidate)) >= FUZZY_THRESHOLD
                ),
                key=lambda pair: (-pair[1], pair[0]),
            )[:ARTIST_CANDIDATES]
        self.fuzzy_artists[name] = found
        return found

    def artist_candidates(self, row: CatalogueRow) -> list[tuple[int, bool, float]]:
        """(artist id, same match key?, similarity) for the row's artist: the whole credit; else its artists
        (`A; B`, `A / B`, `A & B` …); else the featured artists (of the artist field, a featured column and the
        title); else similar names."""
        artist, title = row.values.get("artist", ""), row.values.get("title", "")
        if not (artist and title):
            return []
        main, featured = split_artist(artist)
        parts = credit_parts(main)
        featured = featured + credit_parts(row.values.get("featured", "")) + split_title(title)[1]
        for names in ([main], parts if len(parts) > 1 else [], featured):
            exact = sorted({artist_id for name in names for artist_id in self._exact(name)})
            if exact:
                return [(artist_id, True, 100.0) for artist_id in exact]
        best: dict[int, float] = {}
        for name in [main] + (parts if len(parts) > 1 else []):
            for artist_id, similarity in self._fuzzy(name):
                best[artist_id] = max(similarity, best.get(artist_id, 0.0))
        ranked = sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))[:ARTIST_CANDIDATES]
        return [(artist_id, False, similarity) for artist_id, similarity in ranked]

    def artist_titles(self, artist_id: int) -> ArtistTitles:
        return ArtistTitles(self, artist_id)

    def tracks(self, entries: Iterable[tuple[str | None, str]]) -> list[tuple]:
        """(track id, dataset, duration, title) of the tracks behind some `artist_titles` entries."""
        ids = sorted({int(track_id) for _, track_ids in entries for track_id in track_ids.split(",")})
        rows = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows += self.query(
                "select id, dataset, duration_s, title from tracks "
                f"where id in ({', '.join('?' * len(chunk))}) order by id",
                chunk,
            )
        return rows


class ArtistTitles:
    """One artist's tracks by title key, from `artist_title_keys` (the build stored every credited track under
    its title key, clustered by artist, so no title is normalized here): a title at a time, one index lookup,
    until a fuzzy title search needs all of them. The biggest artists have tens of thousands of titles, and most
    rows of a catalogue find their title at once."""

    def __init__(self, matcher: Matcher, artist_id: int):
        self.matcher, self.artist_id = matcher, artist_id
        self.by_key: dict[str, list[tuple[None, str]]] | None = None

    def get(self, key: str) -> list[tuple[None, str]]:
        """[(None, the tracks' ids, comma-separated)] under one title key, or []."""
        if self.by_key is not None:
            return self.by_key.get(key, [])
        return [
            (None, ids)
            for (ids,) in self.matcher.query(
                "select group_concat(track_id) from artist_title_keys where artist_id = ? and title_key = ?",
                (self.artist_id, key),
            )
            if ids
        ]

    def every(self) -> dict[str, list[tuple[None, str]]]:
        """Title key → `get(key)` for all the artist's titles, read once."""
        if self.by_key is None:
            self.by_key = {
                key: [(None, ids)]
                for key, ids in self.matcher.query(
                    "select title_key, group_concat(track_id) from artist_title_keys where artist_id = ? "
                    "group by title_key",
                    (self.artist_id,),
                )
            }
        return self.by_key


def _durations_differ(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) > DURATION_TOLERANCE_S


def title_matches(
    matcher: Matcher,
    row: CatalogueRow,
    titles: ArtistTitles,
    artist_id: int,
    exact_artist: bool,
    artist_similarity: float,
) -> tuple[list[Match], list[Match]]:
    """(normalized, fuzzy) matches of the row's title among one artist's tracks (`Matcher.artist_titles`)."""
    key, versions = title_key(row.values["title"])
    if row.values.get("version"):  # a Version / Mix column is a version tag of the title
        versions = (*versions, row.values["version"])
    mine = recording_versions(versions)
    normalized, fuzzy = [], []
    artist_note = "" if exact_artist else f"artist {int(artist_similarity)}% similar"
    for track_id, dataset, duration, title in matcher.tracks(titles.get(key)):
        theirs = title_key(title or "")[1]
        if exact_artist:
            score, notes = SCORE_NORMALIZED, []
            if recording_versions(theirs) != mine:
                score -= VERSION_PENALTY
                notes.append(
                    "another recording: "
                    + (", ".join(theirs) or "no version tag")
                    + " (yours: "
                    + (", ".join(versions) or "no version tag")
                    + ")"
                )
            elif theirs:
                notes.append("dataset's version tag: " + ", ".join(theirs))
            if _durations_differ(row.duration_s, duration):
                score -= DURATION_PENALTY
                notes.append(f"durations differ by {abs(row.duration_s - duration):.0f} s")
            normalized.append(Match(track_id, dataset, "normalized", score, "; ".join(notes), frozenset([artist_id])))
        elif not _durations_differ(row.duration_s, duration):
            fuzzy.append(
                Match(
                    track_id,
                    dataset,
                    "fuzzy",
                    min(int(artist_similarity), FUZZY_MAX),
                    "same title; " + artist_note,
                    frozenset([artist_id]),
                )
            )
    if normalized or len(key) < 4:
        return normalized, fuzzy
    digits = _digits(key)
    by_key = titles.every()
    for other, similarity, _ in process.extract(
        key, list(by_key), scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
    ):
        if other == key or _digits(other) != digits:
            continue
        score = min(int(similarity), int(artist_similarity), FUZZY_MAX)
        note = "; ".join(filter(None, [f"title {int(similarity)}% similar", artist_note]))
        fuzzy += [
            Match(track_id, dataset, "fuzzy", score, note, frozenset([artist_id]))
            for track_id, dataset, duration, _ in matcher.tracks(by_key[other])
            if not _durations_differ(row.duration_s, duration)
        ]
    return normalized, fuzzy


@dataclass
class Matching:
    results: dict[int, list[Match]]  # row line → its matches, best first (rows not reached are missing)
    stopped: str | None  # why the check stopped before the end, or None
    matcher: Matcher


def match_catalogue(
    conn: sqlite3.Connection,
    catalogue: Catalogue,
    *,
    time_budget_s: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Matching:
    """Match every readable row against the database.

    With a time budget the check stops when it runs out (a progress handler interrupts a long query too) and the
    report says how many rows were checked; rows are finished in file order as far as possible. `progress(done,
    total)` is called now and then: the rows' artists are looked up (the first half), then their titles."""
    started = time.monotonic()
    deadline = started + time_budget_s if time_budget_s else None
    matcher = Matcher(conn, deadline)
    readable = [row for row in catalogue.rows if row.problem is None]
    found: dict[int, dict[int, Match]] = {row.line: {} for row in readable}
    fuzzy: dict[int, dict[int, Match]] = {row.line: {} for row in readable}
    pending: dict[int, set[int]] = {}  # row line → artists still to look through
    by_artist: dict[int, list[tuple[CatalogueRow, bool, float]]] = {}
    stopped = None
    if deadline is not None:
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 20_000)
    # Reading artists' tracks is random access all over the file: memory-mapped pages save a system call each.
    (mmap_size,) = conn.execute("pragma mmap_size").fetchone()
    conn.execute(f"pragma mmap_size = {max(mmap_size, MMAP_BYTES)}")
    total, reported = 2 * len(readable), [0.0]

    def report(done: int) -> None:
        if progress is not None and time.monotonic() - reported[0] >= PROGRESS_EVERY_S:
            reported[0] = time.monotonic()
            progress(done, total)

    try:
        for number, row in enumerate(readable):
            report(number)
            for match in matcher.id_matches(row):
                _better(found[row.line], match)
            candidates = matcher.artist_candidates(row)
            pending[row.line] = {artist_id for artist_id, _, _ in candidates}
            for artist_id, exact, similarity in candidates:
                by_artist.setdefault(artist_id, []).append((row, exact, similarity))
        finished = sum(1 for artists in pending.values() if not artists)
        for artist_id, rows in by_artist.items():  # each artist's tracks are read once, for all its rows
            report(len(readable) + finished)
            titles = matcher.artist_titles(artist_id)
            for row, exact, similarity in rows:
                normalized, close = title_matches(matcher, row, titles, artist_id, exact, similarity)
                for match in normalized:
                    _better(found[row.line], match)
                for match in close:
                    _better(fuzzy[row.line], match)
                pending[row.line].discard(artist_id)
                finished += not pending[row.line]
    except OutOfTime:
        stopped = f"the time budget of {time_budget_s:g} s ran out"
    finally:
        conn.execute(f"pragma mmap_size = {int(mmap_size)}")
        if deadline is not None:
            conn.set_progress_handler(None, 0)
    results = {}
    for row in readable:
        if row.line not in pending or pending[row.line]:
            continue  # not finished before the time ran out
        matches = found[row.line]
        if not any(m.basis == "normalized" for m in matches.values()):
            for match in fuzzy[row.line].values():
                _better(matches, match)
        results[row.line] = sorted(matches.values(), key=Match.rank)
    return Matching(results, stopped, matcher)
