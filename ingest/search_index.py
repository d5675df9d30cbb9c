"""Search that forgives how people type names: the indexes the build makes for it, and the lookups that read them.

Built after the load (`build(conn, log)`, one step of the build):

- `tracks_fts`, `artists_fts`: FTS5 over `search_text` of every title, credit, album and artist name (folded as
  `normalize.py` folds for matching, other scripts also in Latin letters). They are external-content tables of
  `tracks` and `artists` filled by explicit inserts, so Datasette's table search still finds them, and pages show
  the original text. `artists_fts` also holds each name's match key as one word (`sigurros`, `jayz`).
- `artist_keys`: every key an artist is known by exactly: the match key of the name and of each Latin reading
  (`sakamotoryuichi` for 坂本龍一), and, marked `~`, the consonant skeleton of names in Arabic or Hebrew letters
  (suggestions only).
- `search_terms` and `search_terms_fts`: every word of both indexes once, and an FTS5 trigram index over them
  whose rowids carry the word's length, so the words within two edits of a typo are found by a few posting-list
  scans restricted to words of about the same length, then measured exactly with rapidfuzz
  (`bench/typo_candidates.py` compares this with a deletion-neighbourhood index).

The lookups take a plain `sqlite3.Connection`: the search page runs them on Datasette's threads, the recall bench
and tests call them directly. A typed name resolves the same way everywhere: exact keys first (`exact_artists`),
then names holding every word, 3+ letter words as prefixes (`word_artists`), then, never as a match, the closest
names (`suggest`).
"""

from __future__ import annotations

import json
import sqlite3
import time
import unicodedata

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .normalize import (consonant_skeleton, fold, has_abjad, latin_readings, match_key, match_words, search_text,
                        search_words)

TOKENIZE = "unicode61 remove_diacritics 2"
PREFIX_MIN = 3  # a word this long or longer also matches as the start of a longer word
MAX_WORDS = 12
LENGTH_SHIFT = 32  # search_terms.id = length << 32 | sequence: a rowid range is a range of word lengths
TRIGRAM_CANDIDATES = 300
SUGGESTIONS = 5
SIMILARITY = 85  # rapidfuzz ratio (0–100) that counts as "close", as in the catalogue check

# Datasette only detects an FTS table declared with content="table" in double quotes.
SCHEMA = f"""
create virtual table tracks_fts using fts5(
    title, artist_credit, album,
    content="tracks", content_rowid="id", tokenize="{TOKENIZE}", columnsize=0
);
-- rank = bm25 weighting a match in the title above one in the artist credit, above one in the album
insert into tracks_fts(tracks_fts, rank) values ('rank', 'bm25(3.0, 2.0, 1.0)');
create virtual table artists_fts using fts5(
    name, content="artists", content_rowid="id", tokenize="{TOKENIZE}"
);
create table artist_keys (
    key text not null,
    artist_id integer not null references artists(id),
    primary key (key, artist_id)
) without rowid;
create table search_terms (
    id integer primary key,
    term text not null,
    docs integer not null
);
create virtual table search_terms_fts using fts5(term, content='', tokenize='trigram', detail='none');
"""


# --- building ---------------------------------------------------------------------------------------------------
def artist_keys(name: str) -> set[str]:
    """The keys an artist is found by exactly: `坂本龍一` → {banbenlongyi, sakamotoryuuichi, sakamotoryuichi, …};
    `~frz`-style consonant skeletons for names in Arabic or Hebrew letters."""
    keys = {match_key(name)}
    readings = latin_readings(fold(name))
    keys.update(key for reading in readings if (key := match_key(reading)))
    if has_abjad(name):
        keys.update("~" + skeleton for reading in readings if (skeleton := consonant_skeleton(reading)))
    keys.discard("")
    keys.discard("~")
    return keys


def artist_search_text(name: str) -> str:
    """What artists_fts holds for a name: its search text and its keys as single words (`sigurros`)."""
    return " ".join([search_text(name) or "", *sorted(k for k in artist_keys(name) if not k.startswith("~"))])


def build(conn: sqlite3.Connection, log=print) -> None:
    """Make the search indexes of a loaded database (see the module's docstring). Runs in its own transaction."""
    conn.create_function("search_text", 1, search_text, deterministic=True)
    conn.create_function("artist_search_text", 1, artist_search_text, deterministic=True)
    t0 = time.monotonic()
    conn.executescript(SCHEMA)
    conn.execute("begin")
    conn.execute("insert into tracks_fts(rowid, title, artist_credit, album) "
                 "select id, search_text(title), search_text(artist_credit), search_text(album) from tracks")
    t1 = time.monotonic()
    conn.execute("insert into artists_fts(rowid, name) select id, artist_search_text(name) from artists")
    keys = ((key, artist_id) for artist_id, name in conn.execute("select id, name from artists order by id")
            for key in artist_keys(name))
    conn.execute("create temp table artist_keys_load (key text, artist_id integer)")
    conn.executemany("insert into temp.artist_keys_load values (?, ?)", keys)
    conn.execute("insert or ignore into artist_keys select key, artist_id from temp.artist_keys_load "
                 "order by key, artist_id")
    conn.execute("drop table temp.artist_keys_load")
    t2 = time.monotonic()
    _build_terms(conn)
    conn.execute("commit")
    log(f"  full-text search: {t1 - t0:.1f}s")
    log(f"  artist search: {t2 - t1:.1f}s")
    log(f"  typo index: {time.monotonic() - t2:.1f}s")


def _build_terms(conn: sqlite3.Connection) -> None:
    """Every word of both indexes (and every skeleton key) once, with how many rows hold it."""
    conn.execute("create virtual table temp.tracks_vocab using fts5vocab(main, tracks_fts, 'row')")
    conn.execute("create virtual table temp.artists_vocab using fts5vocab(main, artists_fts, 'row')")
    conn.execute("create temp table terms_load (term text primary key, docs integer) without rowid")
    conn.execute("insert into temp.terms_load select term, doc from temp.artists_vocab where length(term) >= 3")
    conn.execute("insert into temp.terms_load select term, doc from temp.tracks_vocab where length(term) >= 3 "
                 "on conflict (term) do update set docs = docs + excluded.docs")
    conn.execute("insert into temp.terms_load select key, count(*) from artist_keys where key like '~%' "
                 "group by key on conflict (term) do update set docs = docs + excluded.docs")
    conn.execute(f"insert into search_terms (id, term, docs) select (length(term) << {LENGTH_SHIFT}) | "
                 "row_number() over (order by term), term, docs from temp.terms_load order by 1")
    conn.execute("insert into search_terms_fts (rowid, term) select id, '^' || term || '$' from search_terms")
    conn.execute("create unique index search_terms_term on search_terms(term)")
    for name in ("temp.terms_load", "temp.tracks_vocab", "temp.artists_vocab"):
        conn.execute(f"drop table {name}")


# --- looking up -------------------------------------------------------------------------------------------------
def _is_cjk(word: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in word)


def fts_query(words: list[str]) -> str | None:
    """Words → an FTS5 query matching all of them, each quoted (so `AND`, `-` or `"` typed by a user are words,
    never syntax); a word of PREFIX_MIN+ letters, or one in a script written without spaces, also matches as the
    start of a longer word."""
    parts = []
    for word in words[:MAX_WORDS]:
        quoted = '"' + word.replace('"', '""') + '"'
        if len(word) >= PREFIX_MIN or _is_cjk(word):
            quoted += "*"
        parts.append(quoted)
    return " ".join(parts) or None


def query_keys(text: str) -> list[str]:
    """The keys a typed name is looked up by exactly: its match key and its Latin readings' match keys."""
    keys = [match_key(text)]
    keys += [match_key(reading) for reading in latin_readings(fold(text))]
    return [key for key in dict.fromkeys(keys) if key]


def exact_artists(conn: sqlite3.Connection, text: str) -> list[int]:
    """Artists whose name is `text` once both are folded to match keys (`the velvet foxes` = `Velvet Foxes`,
    `jayz` = `JAY-Z`, `sakamoto ryuichi` = `坂本龍一`, `!!!` = `!!!`), most tracks first."""
    keys = query_keys(text)
    if not keys:
        return []
    marks = ", ".join("?" * len(keys))
    return [row[0] for row in conn.execute(
        f"select a.id from artists a where a.id in (select artist_id from artist_keys where key in ({marks})) "
        f"order by a.tracks desc, a.id", keys)]


def word_artists(conn: sqlite3.Connection, words: list[str], limit: int = 10, scan: int = 5000) -> list[int]:
    """Artists whose name holds every word (3+ letter words as prefixes), most tracks first, among the first
    `scan` matches."""
    query = fts_query(words)
    if not query:
        return []
    return [row[0] for row in conn.execute(
        "select a.id from (select rowid from artists_fts where artists_fts match ? limit ?) m "
        "join artists a on a.id = m.rowid order by a.tracks desc, a.id limit ?", (query, scan, limit))]


def name_start_artists(conn: sqlite3.Connection, text: str, limit: int = 10, scan: int = 2000) -> list[int]:
    """Artists whose name starts with `text` (`Bj` → Björk), most tracks first among the first `scan` by key: what
    a name's first one or two letters find."""
    key = match_key(text)
    if not key:
        return []
    return [row[0] for row in conn.execute(
        "select id from (select id, tracks from artists where match_key >= ? and match_key < ? "
        "order by match_key limit ?) order by tracks desc, id limit ?", (key, key + "\U0010ffff", scan, limit))]


def allowed_edits(word: str) -> int:
    """How many typing mistakes a word may hold and still be corrected: none under 4 letters (too many words are
    one edit from a short one), one up to 7, two from 8 on."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def similar_terms(conn: sqlite3.Connection, word: str, edits: int | None = None,
                  limit: int = TRIGRAM_CANDIDATES) -> list[tuple[str, int, int]]:
    """Indexed words within `edits` edits of `word`: (term, distance, rows holding it), closest and most common
    first. Candidates are the words of about the same length sharing the most trigrams with it (at most
    TRIGRAM_CANDIDATES); rapidfuzz measures each."""
    edits = allowed_edits(word) if edits is None else edits
    if edits <= 0 or not word:
        return []
    marked = f"^{word}$"
    grams = sorted({marked[i:i + 3] for i in range(len(marked) - 2)})
    low = max(1, len(word) - edits) << LENGTH_SHIFT
    high = ((len(word) + edits + 1) << LENGTH_SHIFT) - 1
    union = " union all ".join(["select rowid from search_terms_fts where search_terms_fts match ? "
                                "and rowid between ? and ?"] * len(grams))
    params = [value for gram in grams for value in ('"' + gram.replace('"', '""') + '"', low, high)]
    rows = conn.execute(
        f"select t.term, t.docs from (select rowid, count(*) as shared from ({union}) group by rowid "
        f"order by shared desc limit {int(limit)}) c join search_terms t on t.id = c.rowid", params).fetchall()
    found = []
    for term, docs in rows:
        distance = Levenshtein.distance(word, term, score_cutoff=edits)
        if distance <= edits and term != word:
            found.append((term, distance, docs))
    return sorted(found, key=lambda t: (t[1], -t[2], t[0]))


def known_word(conn: sqlite3.Connection, word: str) -> bool:
    """Whether some indexed word is `word` or starts with it (a word too short to correct counts as known)."""
    if allowed_edits(word) == 0:
        return True
    return conn.execute("select 1 from search_terms where term >= ? and term < ? limit 1",
                        (word, word + "\U0010ffff")).fetchone() is not None


def corrected_words(conn: sqlite3.Connection, words: list[str]) -> list[str] | None:
    """The query with each unknown word replaced by the closest, most common indexed word, or None when no word
    needed (or found) a correction."""
    out, changed = [], False
    for word in words[:MAX_WORDS]:
        if known_word(conn, word):
            out.append(word)
            continue
        similar = similar_terms(conn, word)
        if similar:
            out.append(similar[0][0])
            changed = True
        else:
            out.append(word)
    return out if changed else None


def name_similarity(typed: str, name: str) -> float:
    """0–100: how alike a typed name and an artist's name are, in any of the name's spellings (match keys of the
    name and its Latin readings, words in any order)."""
    typed_key, typed_words = match_key(typed), match_words(typed)
    best = 0.0
    for reading in (name, *latin_readings(fold(name))):
        best = max(best, fuzz.ratio(typed_key, match_key(reading)),
                   fuzz.token_sort_ratio(typed_words, match_words(reading)))
    return best


def _close(typed: str, name: str) -> tuple[bool, int, float]:
    """(close enough to suggest?, edits between the match keys, similarity)."""
    typed_key = match_key(typed)
    edits = min([Levenshtein.distance(typed_key, match_key(r)) for r in (name, *latin_readings(fold(name)))])
    similarity = name_similarity(typed, name)
    return edits <= allowed_edits(typed_key) or similarity >= SIMILARITY, edits, similarity


def suggest(conn: sqlite3.Connection, text: str, exclude=(), limit: int = SUGGESTIONS) -> dict:
    """What the typist may have meant: {"query": the query with unknown words corrected (or None), "artists":
    [(artist id, edits, similarity), …]} — artists within one or two edits of the typed name (or at least
    SIMILARITY similar), found through the typo index by the whole name's key and by its corrected words, and
    names in Arabic or Hebrew letters whose consonants the typed name spells. Never includes `exclude`."""
    words = search_words(text)
    corrected = corrected_words(conn, words) if words else None
    candidates: set[int] = set()
    key = match_key(text)
    terms = [key] if key else []
    terms += [term for term, _, _ in similar_terms(conn, key)] if key else []
    if text.isascii() and (skeleton := consonant_skeleton(text)) and len(skeleton) >= 2:
        terms.append("~" + skeleton)
        terms += [term for term, _, _ in similar_terms(conn, "~" + skeleton, 1 if len(skeleton) >= 4 else 0)]
    if terms:
        marks = ", ".join("?" * len(terms))
        candidates.update(row[0] for row in conn.execute(
            f"select artist_id from artist_keys where key in ({marks}) limit 200", terms))
    if corrected:
        candidates.update(word_artists(conn, corrected, limit=50))
    candidates.difference_update(exclude)
    if not candidates:
        return {"query": " ".join(corrected) if corrected else None, "artists": []}
    marks = ", ".join("?" * len(candidates))
    ranked = []
    for artist_id, name, tracks in conn.execute(
            f"select id, name, tracks from artists where id in ({marks})", sorted(candidates)):
        skeleton_hit = has_abjad(name)
        close, edits, similarity = _close(text, name)
        if close or skeleton_hit:
            ranked.append((artist_id, edits, similarity, tracks))
    ranked.sort(key=lambda r: (r[1], -r[2], -r[3], r[0]))
    return {"query": " ".join(corrected) if corrected else None,
            "artists": [(artist_id, edits, similarity) for artist_id, edits, similarity, _ in ranked[:limit]]}


def resolve_artists(conn: sqlite3.Connection, text: str, limit: int = 50) -> tuple[str, list[int]]:
    """How a typed name is resolved everywhere (search, `/artist/<key>`, saved queries): ("exact", ids) when some
    artist has this name once folded; else ("words", ids) for names holding every typed word; else ("none", [])."""
    exact = exact_artists(conn, text)
    if exact:
        return "exact", exact[:limit]
    found = word_artists(conn, search_words(text), limit=limit)
    if not found and len(match_key(text)) < PREFIX_MIN:
        found = name_start_artists(conn, text, limit=limit)
    return ("words", found) if found else ("none", [])


def describe_resolution(conn: sqlite3.Connection, typed: str, shown: int = 10) -> dict:
    """How a typed name was read, for a page to say so: {"typed", "status": exact | words | none, "artists": [{key,
    name, tracks}], "more": how many more, "suggestions": [{key, name, tracks}] (when no artist has the name)}."""
    status, ids = resolve_artists(conn, typed)
    suggested = [] if status == "exact" else [i for i, _, _ in suggest(conn, typed, exclude=ids)["artists"]]
    rows = {}
    if ids or suggested:
        for artist_id, key, name, tracks in conn.execute(
                f"select id, key, name, tracks from artists where id in ({', '.join('?' * len(ids + suggested))})",
                ids + suggested):
            rows[artist_id] = {"key": key, "name": name, "tracks": tracks}
    return {"typed": typed, "status": status, "artists": [rows[i] for i in ids[:shown] if i in rows],
            "more": max(0, len(ids) - shown), "suggestions": [rows[i] for i in suggested if i in rows]}


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the saved queries call, so they resolve a typed name as search does: `query_keys(text)` (a
    JSON array of its exact keys, for `artist_keys`) and `search_match(text)` (its FTS5 query for `artists_fts`;
    never invalid: `""` matches nothing)."""
    conn.create_function("query_keys", 1, lambda text: json.dumps(query_keys(text or "")), deterministic=True)
    conn.create_function("search_match", 1, lambda text: fts_query(search_words(text or "")) or '""',
                         deterministic=True)
