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
  scans restricted to words of about the same length, then measured exactly with rapidfuzz (an edit is a letter
  added, dropped or changed, or two neighbours swapped). `bench/typo_candidates.py` compares this with a
  deletion-neighbourhood index.

The lookups take a plain `sqlite3.Connection`: the search page runs them on Datasette's threads, the recall bench
and tests call them directly. A typed name resolves the same way everywhere: exact keys first (`exact_artists`),
then names holding every word, 3+ letter words as prefixes (`word_artists`), then, never as a match, the closest
names (`suggest`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sqlite3
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import quote

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from .child_process import exit_with_parent, get_while_alive
from .normalize import (
    consonant_skeleton,
    fold,
    has_abjad,
    is_plain_text,
    latin_readings,
    match_key,
    match_words,
    search_text,
    search_words,
    spelled_out,
)
from .sql_script import execute_each

TOKENIZE = "unicode61 remove_diacritics 2"
PREFIX_MIN = 3  # a word this long or longer also matches as the start of a longer word
MAX_WORDS = 12
LENGTH_SHIFT = 32  # search_terms.id = length << 32 | sequence: a rowid range is a range of word lengths
TRIGRAM_CANDIDATES = 1000  # words sharing the most trigrams, measured exactly (bench/typo_candidates.py)
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
    docs integer not null,
    track_docs integer not null
);
create virtual table search_terms_fts using fts5(term, content='', tokenize='trigram', detail='none');
"""


# --- building ---------------------------------------------------------------------------------------------------
def artist_keys(name: str) -> set[str]:
    """The keys an artist is found by exactly: `坂本龍一` → {banbenlongyi, sakamotoryuuichi, sakamotoryuichi, …};
    `~frz`-style consonant skeletons for names in Arabic or Hebrew letters."""
    keys = {match_key(name)}
    if spelled := spelled_out(name):
        keys.add(match_key(spelled))
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


FOLD_CHUNK = 4_000  # track ids a folding process reads at a time
FOLD_AHEAD = 8  # chunks each may fold ahead of the statement
FOLDING_PROCESSES = 2


def build(conn: sqlite3.Connection, log=print, transaction: bool = True, folded: FoldedAhead | None = None) -> None:
    """Make the search indexes of a loaded database (see the module's docstring), in its own transaction or, with
    `transaction=False`, in the caller's. `tracks` and `artists` may be in an attached database: the indexes are
    made in `main` (ingest/build/derived.py). `folded`: folding processes started already (`folded_ahead`)."""
    conn.create_function("artist_search_text", 1, artist_search_text, deterministic=True)
    t0 = time.monotonic()
    if transaction:
        conn.execute("begin")
    execute_each(conn, SCHEMA)
    _fill_tracks_fts(conn, folded)
    conn.create_function("search_text", 1, search_text, deterministic=True)
    t1 = time.monotonic()
    conn.execute("insert into artists_fts(rowid, name) select id, artist_search_text(name) from artists")
    keys = (
        (key, artist_id)
        for artist_id, name in conn.execute("select id, name from artists order by id")
        for key in artist_keys(name)
    )
    conn.execute("create temp table artist_keys_load (key text, artist_id integer)")
    conn.executemany("insert into temp.artist_keys_load values (?, ?)", keys)
    conn.execute(
        "insert or ignore into artist_keys select key, artist_id from temp.artist_keys_load order by key, artist_id"
    )
    conn.execute("drop table temp.artist_keys_load")
    t2 = time.monotonic()
    _build_terms(conn)
    if transaction:
        conn.execute("commit")
    log(f"  full-text search: {t1 - t0:.1f}s")
    log(f"  artist search: {t2 - t1:.1f}s")
    log(f"  typo index: {time.monotonic() - t2:.1f}s")


def _fill_tracks_fts(conn: sqlite3.Connection, folded: FoldedAhead | None = None) -> None:
    """tracks_fts from one statement, as always (FTS5 writes the same segments), with the folding done ahead of it
    by processes of their own (`FoldedAhead`: those given, else started here)."""
    if folded is None:
        with folded_ahead(conn) as folded:
            return _fill_tracks_fts(conn, folded)
    columns = ("title", "artist_credit", "album")
    conn.create_function("folded", 1, folded)
    conn.execute(
        "insert into tracks_fts(rowid, title, artist_credit, album) "
        f"select id, {', '.join(f'iif({_maybe_folded(c)}, folded({c}), {c})' for c in columns)} "
        "from tracks order by id"
    )


def folded_ahead(conn: sqlite3.Connection) -> FoldedAhead:
    """The folding processes for the tracks `conn` reads (`with folded_ahead(conn) as folded:`)."""
    ranges = conn.execute(
        "select min(id), max(id) from tracks group by id >> 26"  # a range per block of ids: datasets' are apart
    ).fetchall()
    return FoldedAhead(_file_holding(conn, "tracks"), ranges)


def _file_holding(conn: sqlite3.Connection, table: str) -> str:
    """The file of the first database (main, then the attached ones) that has `table`, as unqualified names resolve."""
    for _, schema, path in conn.execute("pragma database_list").fetchall():
        if conn.execute(f"select 1 from [{schema}].sqlite_master where name = ?", (table,)).fetchone():
            return path
    raise LookupError(f"no database holds {table}")


def _maybe_folded(column: str) -> str:
    """SQL true for every text `normalize.is_plain_text` is false for, and a few more: a character that is not
    printable ASCII, or one of & + ' ` . / - (one GLOB, cheaper than a call of Python); or a NUL, where GLOB stops
    reading."""
    return f"({column} glob '*[^ -%(-*,0-_a-~]*' or instr({column}, char(0)))"


class FoldedAhead:
    """`search_text` for the statement that fills tracks_fts, the folding (30–70 µs a text that is not plain ASCII,
    2.5 million times at full size) done ahead of it on the other core.

    FOLDING_PROCESSES processes read the tracks' texts, FOLD_CHUNK ids at a time (the chunks taken in turn), on
    connections of their own that open the file as immutable: the statement writes only the new index's pages,
    never a page of `tracks` or the schema, which they read, and the file's header they read is the one they opened.
    Each chunk's folded texts come back in order; the statement's calls find their text in the chunk they are at.
    A text not found there (never, while both read in id order) is folded here: the result is `search_text`
    whatever happens."""

    def __init__(self, path: str, ranges: list[tuple[int, int]]) -> None:
        chunks = [
            (start, min(start + FOLD_CHUNK, last + 1))
            for first, last in ranges
            for start in range(first, last + 1, FOLD_CHUNK)
        ]
        context = multiprocessing.get_context("fork")
        self.queues = [context.Queue(maxsize=FOLD_AHEAD) for _ in range(FOLDING_PROCESSES)]
        self.processes = [
            context.Process(
                target=_fold_chunks, args=(path, chunks[n::FOLDING_PROCESSES], queue, os.getpid()), daemon=True
            )
            for n, queue in enumerate(self.queues)
        ]
        self.chunks = len(chunks)
        self.taken = 0
        self.folded: dict[str, str] = {}

    def __enter__(self):
        for process in self.processes:
            process.start()
        for n in range(FOLDING_PROCESSES):  # each has read the schema before the statement writes
            if self._get(n) != "ready":
                raise RuntimeError("a folding process failed to open the database")
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()

    def _next_chunk(self) -> bool:
        if self.taken == self.chunks:
            return False
        self.folded = self._get(self.taken % FOLDING_PROCESSES)
        self.taken += 1
        return True

    def _get(self, n: int):
        got = get_while_alive(self.queues[n], self.processes[n], "a folding process")
        if isinstance(got, str) and got != "ready":
            raise RuntimeError(f"a folding process failed:\n{got}")
        return got

    def __call__(self, text: str) -> str | None:
        folded = self.folded.get(text)
        if folded is None:
            if is_plain_text(text):
                return text
            while folded is None and self._next_chunk():  # the statement is past this chunk
                folded = self.folded.get(text)
        return folded if folded is not None else search_text(text)


def _fold_chunks(path: str, chunks: list[tuple[int, int]], queue, parent: int) -> None:
    """In a folding process: each chunk's texts that are not plain ASCII, folded ({text: search_text(text)})."""
    exit_with_parent(parent)
    try:
        conn = sqlite3.connect(f"file:{quote(path)}?immutable=1", uri=True, isolation_level=None)
        # one read transaction for every chunk: it holds the file's first page, so the schema read here is the one
        # used throughout, whatever the build adds to the file meanwhile (indexes: see ingest/build/derived.py)
        conn.execute("begin")
        conn.execute("select count(*) from sqlite_master").fetchone()
        queue.put("ready")
        for start, stop in chunks:
            folded = {}
            for row in conn.execute(
                "select title, artist_credit, album from tracks where id >= ? and id < ?", (start, stop)
            ):
                for text in row:
                    if text and text not in folded and not is_plain_text(text):
                        folded[text] = search_text(text)
            queue.put(folded)
        conn.close()
    except BaseException:
        queue.put(traceback.format_exc())


def _build_terms(conn: sqlite3.Connection) -> None:
    """Every word of both indexes (and every skeleton key) once, with how many rows hold it."""
    conn.execute("create virtual table temp.tracks_vocab using fts5vocab(main, tracks_fts, 'row')")
    conn.execute("create virtual table temp.artists_vocab using fts5vocab(main, artists_fts, 'row')")
    conn.execute("create temp table terms_load (term text primary key, docs integer, track_docs integer) without rowid")
    conn.execute("insert into temp.terms_load select term, doc, doc from temp.tracks_vocab")
    conn.execute(
        "insert into temp.terms_load select term, doc, 0 from temp.artists_vocab where true "
        "on conflict (term) do update set docs = docs + excluded.docs"
    )
    conn.execute(
        "insert into temp.terms_load select key, count(*), 0 from artist_keys where key like '~%' "
        "group by key on conflict (term) do update set docs = docs + excluded.docs"
    )
    conn.execute(
        f"insert into search_terms (id, term, docs, track_docs) select (length(term) << {LENGTH_SHIFT}) "
        "| row_number() over (order by term), term, docs, track_docs from temp.terms_load order by 1"
    )
    # words of one or two letters are never corrected: they need no trigrams
    conn.execute(
        "insert into search_terms_fts (rowid, term) select id, '^' || term || '$' from search_terms "
        f"where id >= {3 << LENGTH_SHIFT}"
    )
    conn.execute("create unique index search_terms_term on search_terms(term)")
    for name in ("temp.terms_load", "temp.tracks_vocab", "temp.artists_vocab"):
        conn.execute(f"drop table {name}")


# --- looking up -------------------------------------------------------------------------------------------------
def _is_cjk(word: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for ch in word)


def fts_query(words: list) -> str | None:
    """Words → an FTS5 query matching all of them, each quoted (so `AND`, `-` or `"` typed by a user are words,
    never syntax); a word of PREFIX_MIN+ letters, or one in a script written without spaces, also matches as the
    start of a longer word (a shorter prefix would merge the postings of thousands of words: see
    `typed_words`). A list in place of a word is a choice of whole words (`["live", "love"]` → `("live" OR
    "love")`), as corrections give."""
    parts = []
    for word in words[:MAX_WORDS]:
        if isinstance(word, list):
            quoted = ['"' + choice.replace('"', '""') + '"' for choice in word]
            parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
            continue
        quoted = '"' + word.replace('"', '""') + '"'
        if len(word) >= PREFIX_MIN or _is_cjk(word):
            quoted += "*"
        parts.append(quoted)
    return " AND ".join(parts) or None  # explicit: FTS5 has no implicit AND beside a parenthesis


PREFIX_POSTINGS = 50_000  # a prefix whose longer words hold more rows is matched as its commonest words instead
COMPLETIONS = 12
COMPLETE_WORD = 1000  # a word typed last that this many tracks hold is taken as finished


def track_query(conn: sqlite3.Connection, words: list[str]) -> str | None:
    """The FTS5 query for tracks_fts, like `fts_query` but bounded at any size: FTS5 matches a prefix by merging
    the postings of every word it starts, in full, before anything else — `rem*` over 21 million titles is
    millions of postings. So a word of 3+ letters is a prefix only when it and the longer words it starts hold at
    most PREFIX_POSTINGS rows; otherwise it is the word itself where the index holds it (`love`), or, when it may be
    unfinished (the last word, or a word the index does not hold: `rem`, `lov`), a choice of the word and its
    COMPLETIONS commonest completions (`rem` → rem, remix, remastered, …), which FTS5 reads lazily."""
    words, _ = typed_words(words)
    query = []
    for position, word in enumerate(words[:MAX_WORDS], 1):
        if len(word) < PREFIX_MIN and not _is_cjk(word):
            query.append([word])
            continue
        longer = conn.execute(
            "select term, track_docs from search_terms where term > ? and term < ? "
            "and track_docs > 0 order by term limit 5000",
            (word, word + "\U0010ffff"),
        ).fetchall()
        own = conn.execute("select track_docs from search_terms where term = ?", (word,)).fetchone()
        whole = bool(own and own[0])
        if (own[0] if own else 0) + sum(docs for _, docs in longer) <= PREFIX_POSTINGS and len(longer) < 5000:
            query.append(word)  # type: ignore[arg-type]  # a prefix, cheap enough (its postings and the longer words' are merged in full)
        elif whole and (position < len(words) or own[0] >= COMPLETE_WORD):
            query.append([word])  # a common word typed last is most likely finished: `love`
        else:
            common = [term for term, _ in sorted(longer, key=lambda t: -t[1])[:COMPLETIONS]]
            query.append(([word] if whole else []) + common)
    return fts_query(query)


def typed_words(words: list) -> tuple[list, str | None]:
    """(the words to match, the start of a last word still being typed): `Elif B` → ([elif], "b"). A last word
    of one or two letters is not matched as a prefix by the index but checked on what the other words find."""
    last = words[-1] if words else None
    if len(words) > 1 and isinstance(last, str) and len(last) < PREFIX_MIN and not _is_cjk(last):
        return words[:-1], last
    return words, None


def starts_a_word(text: str | None, start: str) -> bool:
    """Whether a word of `text`, as the index holds it, starts with `start`."""
    return any(word.startswith(start) for word in _index_words(text))


@lru_cache(maxsize=1 << 16)
def _index_words(text: str | None) -> tuple[str, ...]:
    return tuple(search_words(search_text(text) or ""))


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
    return [
        row[0]
        for row in conn.execute(
            f"select a.id from artists a where a.id in (select artist_id from artist_keys where key in ({marks})) "
            f"order by a.tracks desc, a.id",
            keys,
        )
    ]


def word_artists(conn: sqlite3.Connection, words: list, limit: int = 10, scan: int = 5000) -> list[int]:
    """Artists whose name holds every word (3+ letter words, and a last word still being typed, as prefixes), most
    tracks first, among the first `scan` matches."""
    words, start = typed_words(words)
    query = fts_query(words)
    if not query:
        return []
    if start is None:
        return [
            row[0]
            for row in conn.execute(
                "select a.id from (select rowid from artists_fts where artists_fts match ? limit ?) m "
                "join artists a on a.id = m.rowid order by a.tracks desc, a.id limit ?",
                (query, scan, limit),
            )
        ]
    rows = conn.execute(
        "select a.id, a.name from (select rowid from artists_fts where artists_fts match ? limit ?) m "
        "join artists a on a.id = m.rowid order by a.tracks desc, a.id",
        (query, scan),
    )
    return [artist_id for artist_id, name in rows if starts_a_word(name, start)][:limit]


def name_start_artists(conn: sqlite3.Connection, text: str, limit: int = 10, scan: int = 2000) -> list[int]:
    """Artists whose name starts with `text` (`Bj` → Björk), most tracks first among the first `scan` by key: what
    a name's first one or two letters find."""
    key = match_key(text)
    if not key:
        return []
    return [
        row[0]
        for row in conn.execute(
            "select id from (select id, tracks from artists where match_key >= ? and match_key < ? "
            "order by match_key limit ?) order by tracks desc, id limit ?",
            (key, key + "\U0010ffff", scan, limit),
        )
    ]


def allowed_edits(word: str) -> int:
    """How many typing mistakes a word may hold and still be corrected: none under 4 letters (too many words are
    one edit from a short one), one up to 7, two from 8 on."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (a letter added, dropped, changed, two neighbours swapped), over a–z, 0–9
    and the word's own letters: Norvig's edits1, a few hundred strings for a short word."""
    letters = set("abcdefghijklmnopqrstuvwxyz0123456789") | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    ) - {word}


def similar_terms(
    conn: sqlite3.Connection, word: str, edits: int | None = None, limit: int = TRIGRAM_CANDIDATES
) -> list[tuple[str, int, int]]:
    """Indexed words within `edits` edits of `word`: (term, distance, rows holding it), closest and most common
    first. A short word (one edit) is looked up as each of its few hundred one-edit neighbours; a longer one by
    the trigram index: the words of about the same length sharing the most trigrams with it (at most `limit`),
    which any word within two edits of one of 7+ letters does. rapidfuzz measures each candidate."""
    if edits is None and allowed_edits(word) == 1 and len(word) >= 6:
        # two letters missing from a word of 8+ (`roykspo`): the longer words may hold two edits
        return sorted(
            {
                *similar_terms(conn, word, 1, limit),
                *(t for t in similar_terms(conn, word, 2, limit) if t[1] <= allowed_edits(t[0])),
            },
            key=lambda t: (t[1], -t[2], t[0]),
        )
    edits = allowed_edits(word) if edits is None else edits
    if edits <= 0 or not word:
        return []
    if edits == 1 and len(word) < 12:
        neighbours = sorted(_one_edit(word))
        rows = []
        for start in range(0, len(neighbours), 500):
            chunk = neighbours[start : start + 500]
            rows += conn.execute(
                f"select term, docs from search_terms where term in ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
    else:
        marked = f"^{word}$"
        grams = sorted({marked[i : i + 3] for i in range(len(marked) - 2)})
        low = max(3, len(word) - edits) << LENGTH_SHIFT
        high = ((len(word) + edits + 1) << LENGTH_SHIFT) - 1
        union = " union all ".join(
            ["select rowid from search_terms_fts where search_terms_fts match ? and rowid between ? and ?"] * len(grams)
        )
        params = [value for gram in grams for value in ('"' + gram.replace('"', '""') + '"', low, high)]
        rows = conn.execute(
            f"select t.term, t.docs from (select rowid, count(*) as shared from ({union}) group by rowid "
            f"order by shared desc limit {int(limit)}) c join search_terms t on t.id = c.rowid",
            params,
        ).fetchall()
    found = []
    for term, docs in rows:
        distance = OSA.distance(word, term, score_cutoff=edits)
        if distance <= edits and term != word:
            found.append((term, distance, docs))
    return sorted(found, key=lambda t: (t[1], -t[2], t[0]))


def known_word(conn: sqlite3.Connection, word: str) -> bool:
    """Whether some indexed word is `word` or starts with it."""
    return (
        conn.execute(
            "select 1 from search_terms where term >= ? and term < ? limit 1", (word, word + "\U0010ffff")
        ).fetchone()
        is not None
    )


def corrections(conn: sqlite3.Connection, words: list[str]) -> list[tuple[str, list[str]]] | None:
    """What each word was probably meant to be: (word, [word]) when some name or title holds it (the last word
    may be the start of one), (word, [the closest indexed words]) when one is within a typo or two, (word, [])
    when none is (a short word with a typo, a word nothing holds). None when every word is known."""
    out = []
    words = words[:MAX_WORDS]
    for position, word in enumerate(words, 1):
        if (
            conn.execute("select 1 from search_terms where term = ?", (word,)).fetchone()
            or position == len(words)
            and known_word(conn, word)
        ):
            out.append((word, [word]))
            continue
        # a word of three letters may hold one mistake here (`gld`), as the titles decide between the candidates
        similar = similar_terms(conn, word, 1 if len(word) == PREFIX_MIN else None)
        # the closest words, several where they tie (`lmve`: live or love): the titles decide
        out.append((word, [term for term, distance, _ in similar if distance == similar[0][1]][:3]))
    return out if any(choices != [word] for word, choices in out) else None


def corrected_query(fixed: list[tuple[str, list[str]]], drop_unknown: bool = False) -> tuple[str, str | None] | None:
    """(words to show, FTS5 query) for corrections: each corrected word a choice of its closest words, or, with
    `drop_unknown`, only the words typed right. None when no word is left."""
    shown: list[str] = []
    query: list[str | list[str]] = []
    for word, choices in fixed:
        if choices == [word]:
            shown.append(word)
            # a word the index holds, as a whole word: as a prefix (`fire*`), a common word's postings would be
            # merged with every longer word's (0.7 s at full size); a short last word stays one typed_words drops
            query.append([word] if len(word) >= PREFIX_MIN or _is_cjk(word) else word)
        elif choices and not drop_unknown:
            shown.append(choices[0])
            query.append(choices)
    return (" ".join(shown), fts_query(typed_words(query)[0])) if query else None


def name_similarity(typed: str, name: str) -> float:
    """0–100: how alike a typed name and an artist's name are, in any of the name's spellings (match keys of the
    name and its Latin readings, words in any order)."""
    typed_key, typed_words = match_key(typed), match_words(typed)
    best = 0.0
    for reading in (name, *latin_readings(fold(name))):
        best = max(
            best, fuzz.ratio(typed_key, match_key(reading)), fuzz.token_sort_ratio(typed_words, match_words(reading))
        )
    return best


def _close(typed: str, name: str) -> tuple[bool, int, float]:
    """(close enough to suggest?, edits between the names' keys, similarity)."""
    typed_key = match_key(typed)
    edits = min(
        [OSA.distance(typed_key, match_key(r)) for r in (name, *latin_readings(fold(name)))]
        # a mistake in a leading "The" (`teh velvet foxes`) is one edit too
        + [OSA.distance("".join(search_words(typed)), "".join(search_words(name)))]
    )
    similarity = name_similarity(typed, name)
    allowed = max(allowed_edits(typed_key), allowed_edits(match_key(name)))
    return edits <= allowed or similarity >= SIMILARITY, edits, similarity


def suggest(conn: sqlite3.Connection, text: str, exclude=(), limit: int = SUGGESTIONS) -> dict:
    """What the typist may have meant: {"corrections": see `corrections` (or None), "artists": [(artist id, edits,
    similarity), …]}: artists within one or two edits of the typed name (or at least SIMILARITY similar), found
    through the typo index by the whole name's key and by its corrected words, and names in Arabic or Hebrew
    letters whose consonants the typed name spells. Never includes `exclude`."""
    words = search_words(text)
    fixed = corrections(conn, words) if words else None
    candidates: set[int] = set()
    key = match_key(text)
    terms = [key] if key else []
    terms += [term for term, _, _ in similar_terms(conn, key)] if key else []
    if text.isascii() and (skeleton := consonant_skeleton(text)) and len(skeleton) >= 2:
        terms.append("~" + skeleton)
        terms += [term for term, _, _ in similar_terms(conn, "~" + skeleton, 1 if len(skeleton) >= 4 else 0)]
    if terms:
        marks = ", ".join("?" * len(terms))
        candidates.update(
            row[0] for row in conn.execute(f"select artist_id from artist_keys where key in ({marks}) limit 200", terms)
        )
    for drop_unknown in (False, True):
        corrected = corrected_query(fixed, drop_unknown) if fixed else None
        if corrected:
            candidates.update(
                row[0]
                for row in conn.execute(
                    "select a.id from (select rowid from artists_fts where artists_fts match ? limit 5000) m "
                    "join artists a on a.id = m.rowid order by a.tracks desc, a.id limit 50",
                    (corrected[1],),
                )
            )
    candidates.difference_update(exclude)
    ranked = []
    if candidates:
        marks = ", ".join("?" * len(candidates))
        for artist_id, name, tracks in conn.execute(
            f"select id, name, tracks from artists where id in ({marks})", sorted(candidates)
        ):
            close, edits, similarity = _close(text, name)
            if close or has_abjad(name):
                ranked.append((artist_id, edits, similarity, tracks))
    ranked.sort(key=lambda r: (r[1], -r[2], -r[3], r[0]))
    return {
        "corrections": fixed,
        "artists": [(artist_id, edits, similarity) for artist_id, edits, similarity, _ in ranked[:limit]],
    }


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
            ids + suggested,
        ):
            rows[artist_id] = {"key": key, "name": name, "tracks": tracks}
    return {
        "typed": typed,
        "status": status,
        "artists": [rows[i] for i in ids[:shown] if i in rows],
        "more": max(0, len(ids) - shown),
        "suggestions": [rows[i] for i in suggested if i in rows],
    }


@lru_cache(maxsize=1 << 16)
def _words(text: str | None) -> tuple[str, ...]:
    return tuple(search_words(text or ""))


def title_tier(title: str | None, credit: str | None, typed: str) -> int:
    """How well a track answers the typed words (space-separated, as `search_words` gives them): 0 when its whole
    title is typed, in order, and every other word typed is in its credit (`gold heart`, `army of me bjork`, `life oskar
    vargas` for Life by Oskar Vargas feat. Dreamers); 1 when its title starts with the typed words; 2 otherwise.
    Search sorts by this first."""
    words = typed.split()
    credit_words = None  # read (Latin readings and all) only for a title that is typed whole: most are not
    best = 2
    for title_words in _title_spellings(title):
        n = len(title_words)
        for start in range(len(words) - n + 1) if n else ():
            typed_title = words[start : start + n]
            if typed_title == title_words or (
                start + n == len(words)
                and typed_title[:-1] == title_words[:-1]
                and title_words[-1].startswith(typed_title[-1])
            ):
                if credit_words is None:
                    credit_words = Counter(_index_words(credit))
                if not Counter(words[:start] + words[start + n :]) - credit_words:
                    return 0
        starts = title_words[: len(words)]
        if starts[:-1] == words[:-1] and len(starts) == len(words) and starts[-1].startswith(words[-1]):
            best = 1
    return best


# FTS5's bm25 defaults, and the average words a row of tracks_fts holds at full size (title 2.5, credit 3.8,
# album 1.7: from the index's own totals)
BM25_K1, BM25_B, AVERAGE_ROW_WORDS = 1.2, 0.75, 8.1
COLUMN_WEIGHTS = (3.0, 2.0, 1.0)  # title, credit, album: as tracks_fts's rank, bm25(3.0, 2.0, 1.0)


def match_score(typed: str, title: str | None, credit: str | None, album: str | None) -> float:
    """bm25(3, 2, 1) of a row that holds every typed word, as FTS5 computes it but without the words' rarity, which
    is the same for every row that holds them all: higher for a word in the title than in the credit or the album,
    and for a shorter row. Computed here on the few hundred rows a search ranks, because FTS5 first counts every row
    holding each word (tens of milliseconds a common word at full size)."""
    words = typed.split()
    columns: list[Sequence[str]] = [_plain_words(text) for text in (title, credit, album)]
    if not all(any(w.startswith(word) for column in columns for w in column) for word in words):
        # a word matched in a reading or a joined form (`kino` in Кино, `dont`): count as the index holds the row
        columns = [_index_words(text) if text else () for text in (title, credit, album)]
    norm = BM25_K1 * (1 - BM25_B + BM25_B * sum(map(len, columns)) / AVERAGE_ROW_WORDS)
    score = 0.0
    for word in words:
        f = sum(weight * sum(w.startswith(word) for w in column) for weight, column in zip(COLUMN_WEIGHTS, columns))
        score += f * (BM25_K1 + 1) / (f + norm)
    return score


_PLAIN_WORDS = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1 << 16)  # a crowd ranks the same popular titles and credits again and again
def _plain_words(text: str | None) -> tuple[str, ...]:
    """A column's words as typed words are (folded, split), without the Latin readings the index adds."""
    if not text:
        return ()
    if text.isascii() and "&" not in text and "+" not in text:
        return tuple(_PLAIN_WORDS.findall(text.lower()))
    return tuple(search_words(text))


@lru_cache(maxsize=1 << 16)
def _title_spellings(title: str | None) -> tuple[list[str], ...]:
    """A title's words as written and in each Latin reading (`愛` → [愛], [ai])."""
    words = list(_words(title))
    readings = latin_readings(fold(title)) if title else ()
    return (words, *(list(_words(reading)) for reading in readings))


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the saved queries and search call, so they resolve a typed name as search does:
    `resolved_artists(text)` (a JSON array of the artist ids `resolve_artists` gives), `query_keys(text)` (a JSON
    array of its exact keys, for `artist_keys`) and `search_match(text)` (its FTS5 query for `artists_fts`; never
    invalid: `""` matches nothing)."""
    # the artists a typed name resolves to, exactly as search and the pages read it (at most 50, most tracks first)
    conn.create_function(
        "resolved_artists", 1, lambda text: json.dumps(resolve_artists(conn, text)[1] if text and text.strip() else [])
    )
    conn.create_function("query_keys", 1, lambda text: json.dumps(query_keys(text or "")), deterministic=True)
    conn.create_function(
        "search_match", 1, lambda text: fts_query(search_words(text or "")) or '""', deterministic=True
    )
