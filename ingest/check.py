"""The catalogue check: a CSV of someone's tracks → which of them appear in the datasets, every match labelled
with its basis and a score, in a report that can be cited (same input + same database → same bytes, SHA-256).

Used by the command line (`python -m ingest check`) and the web page (`plugins/catalogue_check.py`); nothing here
knows about Datasette. All name normalization comes from `normalize.py`, the code the build uses for its keys.

Bases of a match, best first:

- an id or link (score 100, certain): a YouTube video id (LAION's `source_id`, or a Sleeping-DISCO song's YouTube
  link), a Spotify track id, a Genius song URL or `genius.com/songs/<id>`, an FMA track URL;
- `normalized` (95): the same artist and title once both are normalized (`match_key`, `title_key`): case, accents,
  scripts, `feat.` credits, `&`/`and`, a leading "The", punctuation and version tags such as `(Remastered 2011)`
  do not count. 5 less when the tags name another recording (live, remix, acoustic …), 10 less when both sides
  have a duration and they differ by more than 10 s;
- `fuzzy` (85–94): artist and title both at least `FUZZY_THRESHOLD` similar (rapidfuzz), numbers in the title
  identical, and durations within 10 s when both are known. Tried only when no `normalized` match was found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from rapidfuzz import fuzz, process

from .datasets import SLUGS
from .links import YOUTUBE_ID, Link, parse_link
from .normalize import (fold, match_key, match_words, recording_versions, split_artist, split_names,
                        split_title, title_key)

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

BASES = ("youtube_id", "spotify_id", "genius_id", "genius_url", "fma_url", "normalized", "fuzzy")
ID_BASES = BASES[:5]
ROLES = ("primary", "featured", "writer")

# Header names (folded, punctuation as spaces) → the field they fill.
ALIASES = {
    "artist": ("artist", "artists", "artist name", "artist names", "artist credit", "main artist", "primary artist",
               "performer", "performers", "band"),
    "title": ("title", "track", "track title", "track name", "song", "song title", "song name", "name",
              "recording", "recording title", "work title"),
    "album": ("album", "album title", "album name", "release", "release title", "release name"),
    "isrc": ("isrc", "isrc code", "isrcs"),
    "duration": ("duration", "duration s", "duration sec", "duration secs", "duration seconds", "length",
                 "length s", "time", "runtime", "track duration"),
    "duration_ms": ("duration ms", "length ms", "track duration ms"),
    "youtube": ("youtube", "youtube id", "youtube url", "youtube link", "youtube video", "youtube video id",
                "youtube music", "youtube music url", "yt", "yt id", "video", "video id", "video url"),
    "spotify": ("spotify", "spotify id", "spotify url", "spotify uri", "spotify link", "spotify track",
                "spotify track id", "spotify track url", "spotify track uri"),
    "url": ("url", "link", "links", "genius", "genius url", "genius link", "fma", "fma url", "fma link",
            "page", "page url", "source url"),
}
FIELDS = ("artist", "title", "album", "isrc", "duration", "youtube", "spotify", "url")
_HEADER_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_DURATION = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")


class CatalogueError(Exception):
    """The file as a whole cannot be read (encoding, header, size). `too_large` marks a size or row limit."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


@dataclass
class CatalogueRow:
    line: int  # the line of the file the row starts on (the header is line 1, or 2 after a `sep=` line)
    values: dict[str, str]  # recognised fields as written (whitespace tidied)
    duration_s: float | None = None
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was ignored in the row, and why
    problem: str | None = None  # why the row cannot be checked at all
    raw: str = ""


@dataclass
class Catalogue:
    rows: list[CatalogueRow]
    columns: dict[str, str]  # field → the header as written
    ignored_columns: list[str]
    delimiter: str
    encoding: str
    sha256: str
    size: int
    blank_lines: int
    notes: list[str]


# --- reading the CSV ----------------------------------------------------------------------------------------------
def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, text = "UTF-8 with BOM", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"  # Excel's "Unicode text"
        except UnicodeDecodeError:
            raise CatalogueError("the file starts like UTF-16 but is not: save it as \"CSV UTF-8\"") from None
    else:
        encoding, text = "UTF-8", data
    try:
        return text.decode("utf-8"), encoding
    except UnicodeDecodeError as error:
        line = text[:error.start].count(b"\n") + 1
        raise CatalogueError(f"line {line}: the file is not UTF-8 (byte {text[error.start]:#04x}); "
                             "save it as \"CSV UTF-8\" and try again") from None


def _sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of `,` `;` tab occurs most outside quotes (`,` on a tie)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return max(counts, key=lambda d: (counts[d], d == ","))


def _header_field(name: str) -> str | None:
    return _HEADER_FIELD.get(" ".join(re.sub(r"[^a-z0-9]+", " ", fold(name)).split()))


def parse_duration(text: str) -> float | None:
    """`234`, `234.5`, `3:54`, `1:02:03` → seconds; None when it is none of these."""
    text = text.strip()
    try:
        seconds = float(text)
        return seconds if seconds >= 0 else None
    except ValueError:
        pass
    match = _DURATION.match(text)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    if float(seconds) >= 60 or (hours and int(minutes) >= 60):
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


_ID_FIELDS = {"youtube": ("youtube_video",), "spotify": ("spotify_track",),
              "url": ("youtube_video", "spotify_track", "genius_song", "fma_track")}
_ID_NAMES = {"youtube": "a YouTube video id or link", "spotify": "a Spotify track id, link or URI",
             "url": "a YouTube, Spotify, Genius song or FMA track link"}


def _read_row(line: int, cells: list[str], columns: dict[str, int], header_width: int,
              delimiter: str) -> CatalogueRow:
    raw = delimiter.join(cells)[:300]
    values = {}
    for name, index in columns.items():
        if index < len(cells):
            value = " ".join(cells[index].split())
            if value:
                values[name] = value
    row = CatalogueRow(line, values, raw=raw)
    if len(cells) > header_width:  # the values have shifted: which cell is the title is anyone's guess
        trailing = "" if any(cell.strip() for cell in cells[header_width:]) else " (or drop the trailing delimiter)"
        row.problem = (f"{len(cells)} cells but the header has {header_width}: a value holding the delimiter "
                       f"({'tab' if delimiter == chr(9) else delimiter}) must be in double quotes{trailing}")
        return row
    if "duration_ms" in values:
        milliseconds = parse_duration(values.pop("duration_ms"))
        values.setdefault("duration", f"{milliseconds / 1000:g}" if milliseconds is not None else "")
        if not values["duration"]:
            del values["duration"]
    if "duration" in values:
        row.duration_s = parse_duration(values["duration"])
        if row.duration_s is None:
            row.notes.append(f"duration {values['duration']!r} is not seconds or m:ss: not used")
    if "isrc" in values and not _ISRC.match(values["isrc"].replace("-", "").upper()):
        row.notes.append(f"isrc {values['isrc']!r} is not an ISRC (CC-XXX-YY-NNNNN)")
    for name, kinds in _ID_FIELDS.items():
        if name not in values:
            continue
        text = values[name]
        link = parse_link(text)
        if link is None and name == "youtube" and YOUTUBE_ID.match(text):
            link = Link("youtube_video", text)  # an all-letter id is still an id in a YouTube column
        if link is not None and link.kind in kinds:
            row.links.append(link)
        elif link is not None:
            row.notes.append(f"{name} {text!r} names {link.kind.replace('_', ' ')}, not a track: not used")
        else:
            row.notes.append(f"{name} {text!r} is not {_ID_NAMES[name]}: not used")
    if not row.links and not (values.get("artist") and values.get("title")):
        missing = "title" if values.get("artist") else "artist" if values.get("title") else "artist or title"
        row.problem = f"no {missing} and no usable id: a row needs an artist and a title, or a YouTube/Spotify id " \
                      "or a Genius/FMA link"
    return row


def read_catalogue(data: bytes | str, *, max_rows: int | None = None) -> Catalogue:
    """Read a catalogue CSV (UTF-8 with or without BOM, or UTF-16; `,` `;` or tab). Rows that cannot be used keep
    their line number and the reason; raises `CatalogueError` when the file as a whole cannot be read."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    text, encoding = _decode(raw)
    lines = io.StringIO(text, newline="")
    notes = []
    line_no, delimiter, header = 0, None, None
    for physical in lines:  # the header: the first line that is not blank; `sep=;` (Excel's hint) before it
        line_no += 1
        stripped = physical.strip("\r\n")
        if not stripped.strip(",;\t "):
            continue
        if delimiter is None and re.fullmatch(r"sep=.", stripped.strip(), re.IGNORECASE):
            delimiter = stripped.strip()[4]
            notes.append(f"line {line_no}: {stripped.strip()!r} set the delimiter")
            continue
        delimiter = delimiter or _sniff_delimiter(stripped)
        header = next(csv.reader([stripped], delimiter=delimiter))
        break
    if header is None:
        raise CatalogueError("the file is empty: it needs a header line (artist, title, …) and one row per track")

    header_line = line_no
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored = []
    for index, name in enumerate(header):
        field_name = _header_field(name)
        if field_name is None:
            if name.strip():
                ignored.append(name.strip())
        elif field_name in columns:
            notes.append(f"line {header_line}: column {name.strip()!r} repeats {written[field_name]!r}: not used")
        else:
            columns[field_name], written[field_name] = index, name.strip()
    if not ({"title", "youtube", "spotify", "url"} & set(columns)) or (
            ("artist" in columns) != ("title" in columns) and not {"youtube", "spotify", "url"} & set(columns)):
        raise CatalogueError(
            f"line {header_line}: the header names {', '.join(map(repr, header)) or 'nothing'}; the check needs "
            "artist and title columns, or a youtube, spotify or url column (see the accepted names on the page)")
    if ignored:
        notes.append(f"columns not used: {', '.join(ignored)}")
    if "isrc" in columns:
        notes.append("ISRCs are kept in the report but cannot be matched: none of the four datasets publishes them")

    rows: list[CatalogueRow] = []
    blank = 0
    reader = csv.reader(lines, delimiter=delimiter)
    previous = 0  # csv's line_num counts the lines it has read, after the header
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            start, end, previous = header_line + previous + 1, header_line + reader.line_num, reader.line_num
            where = f"line {start}" if end <= start else f"lines {start}–{end}"
            rows.append(CatalogueRow(start, {}, problem=f"{where} cannot be read as CSV ({error})"))
            continue
        start, end, previous = header_line + previous + 1, header_line + reader.line_num, reader.line_num
        if not any(cell.strip() for cell in cells):
            blank += end - start + 1
            continue
        if max_rows is not None and len(rows) >= max_rows:
            raise CatalogueError(f"the catalogue has more than {max_rows:,} rows (line {start} is row "
                                 f"{max_rows + 1:,}); check it in parts, or with the command line, which has no "
                                 "row limit", too_large=True)
        row = _read_row(start, cells, columns, len(header), delimiter)
        if any("\n" in cells[i] or "\r" in cells[i] for i in columns.values() if i < len(cells)):
            # a catalogue value never spans lines: this is a quote left open, swallowing the lines after it
            where = f"line {start}" if end == start else f"lines {start}–{end}"
            row.problem = f"{where} read as one row: a double quote (\") opened on line {start} is not closed"
        rows.append(row)
    return Catalogue(rows, written, ignored, delimiter, encoding, hashlib.sha256(raw).hexdigest(), len(raw), blank,
                     notes)


# --- matching ---------------------------------------------------------------------------------------------------
@dataclass
class Match:
    track_id: int
    dataset: str
    basis: str
    score: int
    note: str = ""
    artist_id: int | None = None  # the artist a name match went through (its credit is looked up for the report)

    def rank(self) -> tuple:
        return (-self.score, BASES.index(self.basis), _dataset_rank(self.dataset), self.track_id)


def _dataset_rank(slug: str) -> tuple:
    return (DATASETS.index(slug), "") if slug in DATASETS else (len(DATASETS), slug)


def _better(found: dict[int, Match], match: Match) -> None:
    """Keep one match per track: the one with the best score and basis."""
    current = found.get(match.track_id)
    if current is None or match.rank() < current.rank():
        found[match.track_id] = match


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

    def _query(self, sql: str, params=()) -> list[tuple]:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise OutOfTime from None
            raise

    # exact ids -------------------------------------------------------------------------------------------------
    def _by_source_id(self, dataset: str, source_id: str) -> list[int]:
        return [r[0] for r in self._query("select id from tracks where dataset = ? and source_id = ? order by id",
                                          (dataset, source_id))]

    def _by_page_url(self, dataset: str, canonical: str) -> list[int]:
        """Tracks whose page URL is `canonical` as published: http or https, with or without www., a trailing
        slash or percent-encoding (parse_link gives `https://host/unquoted/path`)."""
        host, _, path = canonical.split("://", 1)[1].partition("/")
        paths = {"/" + path, "/" + quote_path(path)}
        variants = sorted({f"{scheme}://{h}{p}{slash}" for scheme in ("https", "http") for h in (host, "www." + host)
                           for p in paths for slash in ("", "/")})
        marks = ", ".join("?" * len(variants))
        return [r[0] for r in self._query(
            f"select id from tracks indexed by tracks_page_url where url in ({marks}) "
            "and dataset in ('sleeping-disco-9m', 'free-music-archive') and dataset = ? order by id",
            (*variants, dataset))]

    def id_matches(self, row: CatalogueRow) -> list[Match]:
        out = []
        for link in row.links:
            if link.kind == "youtube_video":
                out += [Match(t, "laion-disco-12m", "youtube_id", SCORE_ID, "LAION's id for this YouTube video")
                        for t in self._by_source_id("laion-disco-12m", link.value)]
                out += [Match(t, "sleeping-disco-9m", "youtube_id", SCORE_ID, "the Genius song links to this video")
                        for (t,) in self._query("select distinct l.track_id from youtube_links l join tracks t on "
                                                "t.id = l.track_id where l.video_id = ? and t.dataset = ? "
                                                "order by l.track_id", (link.value, "sleeping-disco-9m"))]
            elif link.kind == "spotify_track":
                out += [Match(t, "spotify-tracks-dataset", "spotify_id", SCORE_ID, "Spotify track id")
                        for t in self._by_source_id("spotify-tracks-dataset", link.value)]
            elif link.kind == "genius_song" and link.value.isdigit():
                out += [Match(t, "sleeping-disco-9m", "genius_id", SCORE_ID, "Genius song id")
                        for t in self._by_source_id("sleeping-disco-9m", link.value)]
            elif link.kind == "genius_song" and self.has_page_index:
                out += [Match(t, "sleeping-disco-9m", "genius_url", SCORE_ID, "Genius song page")
                        for t in self._by_page_url("sleeping-disco-9m", link.value)]
            elif link.kind == "fma_track" and self.has_page_index:
                out += [Match(t, "free-music-archive", "fma_url", SCORE_ID, "FMA track page")
                        for t in self._by_page_url("free-music-archive", link.value)]
        return out

    # artists ---------------------------------------------------------------------------------------------------
    def _exact(self, name: str) -> tuple[int, ...]:
        key = match_key(name)
        if key not in self.exact_artists:
            self.exact_artists[key] = tuple(r[0] for r in self._query(
                "select id from artists where match_key = ? order by id", (key,))) if key else ()
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
            candidates = self._query("select a.id, a.name from artists_fts join artists a on a.id = artists_fts.rowid "
                                     "where artists_fts match ? order by rank, a.id limit ?", (query, FTS_CANDIDATES))
            found = sorted(((artist, similarity) for artist, candidate in candidates
                            if (similarity := name_similarity(name, candidate)) >= FUZZY_THRESHOLD),
                           key=lambda pair: (-pair[1], pair[0]))[:ARTIST_CANDIDATES]
        self.fuzzy_artists[name] = found
        return found

    def artist_candidates(self, row: CatalogueRow) -> list[tuple[int, bool, float]]:
        """(artist id, same match key?, similarity) for the row's artist: the whole name; else its parts
        (`A & B`); else the featured artists of the artist field and the title; else similar names."""
        artist, title = row.values.get("artist", ""), row.values.get("title", "")
        if not (artist and title):
            return []
        main, featured = split_artist(artist)
        parts = split_names(main)
        featured = featured + split_title(title)[1]
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

    def tracks(self, entries: list[tuple[str, str]]) -> list[tuple]:
        """(track id, dataset, duration, title) of the tracks behind some `artist_titles` entries."""
        ids = sorted({int(track_id) for _, track_ids in entries for track_id in track_ids.split(",")})
        rows = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += self._query("select id, dataset, duration_s, title from tracks "
                                f"where id in ({', '.join('?' * len(chunk))}) order by id", chunk)
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
        return [(None, ids) for (ids,) in self.matcher._query(
            "select group_concat(track_id) from artist_title_keys where artist_id = ? and title_key = ?",
            (self.artist_id, key)) if ids]

    def every(self) -> dict[str, list[tuple[None, str]]]:
        """Title key → `get(key)` for all the artist's titles, read once."""
        if self.by_key is None:
            self.by_key = {key: [(None, ids)] for key, ids in self.matcher._query(
                "select title_key, group_concat(track_id) from artist_title_keys where artist_id = ? "
                "group by title_key", (self.artist_id,))}
        return self.by_key


def quote_path(path: str) -> str:
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def _durations_differ(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) > DURATION_TOLERANCE_S


def title_matches(matcher: Matcher, row: CatalogueRow, titles: ArtistTitles,
                  artist_id: int, exact_artist: bool, artist_similarity: float) -> tuple[list[Match], list[Match]]:
    """(normalized, fuzzy) matches of the row's title among one artist's tracks (`Matcher.artist_titles`)."""
    key, versions = title_key(row.values["title"])
    mine = recording_versions(versions)
    normalized, fuzzy = [], []
    artist_note = "" if exact_artist else f"artist {int(artist_similarity)}% similar"
    for track_id, dataset, duration, title in matcher.tracks(titles.get(key)):
        theirs = title_key(title or "")[1]
        if exact_artist:
            score, notes = SCORE_NORMALIZED, []
            if recording_versions(theirs) != mine:
                score -= VERSION_PENALTY
                notes.append("another recording: " + (", ".join(theirs) or "no version tag")
                             + " (yours: " + (", ".join(versions) or "no version tag") + ")")
            elif theirs:
                notes.append("dataset's version tag: " + ", ".join(theirs))
            if _durations_differ(row.duration_s, duration):
                score -= DURATION_PENALTY
                notes.append(f"durations differ by {abs(row.duration_s - duration):.0f} s")
            normalized.append(Match(track_id, dataset, "normalized", score, "; ".join(notes), artist_id))
        elif not _durations_differ(row.duration_s, duration):
            fuzzy.append(Match(track_id, dataset, "fuzzy", min(int(artist_similarity), FUZZY_MAX),
                               "same title; " + artist_note, artist_id))
    if normalized or len(key) < 4:
        return normalized, fuzzy
    digits = _digits(key)
    by_key = titles.every()
    for other, similarity, _ in process.extract(key, list(by_key), scorer=fuzz.ratio,
                                                score_cutoff=FUZZY_THRESHOLD, limit=None):
        if other == key or _digits(other) != digits:
            continue
        score = min(int(similarity), int(artist_similarity), FUZZY_MAX)
        note = "; ".join(filter(None, [f"title {int(similarity)}% similar", artist_note]))
        fuzzy += [Match(track_id, dataset, "fuzzy", score, note, artist_id)
                  for track_id, dataset, duration, _ in matcher.tracks(by_key[other])
                  if not _durations_differ(row.duration_s, duration)]
    return normalized, fuzzy


def check_catalogue(conn: sqlite3.Connection, catalogue: Catalogue, *, time_budget_s: float | None = None) -> dict:
    """Check every readable row against the database; returns the report body (see `report_json`).

    With a time budget the check stops when it runs out (a progress handler interrupts a long query too) and the
    report says how many rows were checked; rows are finished in file order as far as possible."""
    started = time.monotonic()
    deadline = started + time_budget_s if time_budget_s else None
    datasets = dataset_info(conn)
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
    try:
        for row in readable:
            for match in matcher.id_matches(row):
                _better(found[row.line], match)
            candidates = matcher.artist_candidates(row)
            pending[row.line] = {artist_id for artist_id, _, _ in candidates}
            for artist_id, exact, similarity in candidates:
                by_artist.setdefault(artist_id, []).append((row, exact, similarity))
        for artist_id, rows in by_artist.items():  # each artist's tracks are read once, for all its rows
            titles = matcher.artist_titles(artist_id)
            for row, exact, similarity in rows:
                normalized, close = title_matches(matcher, row, titles, artist_id, exact, similarity)
                for match in normalized:
                    _better(found[row.line], match)
                for match in close:
                    _better(fuzzy[row.line], match)
                pending[row.line].discard(artist_id)
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
    return build_report(conn, catalogue, results, datasets, stopped, matcher)


# --- the report -------------------------------------------------------------------------------------------------
def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("ai-music-datasets")
    except PackageNotFoundError:
        return "unknown"


def dataset_info(conn: sqlite3.Connection) -> list[dict]:
    cursor = conn.execute("select * from datasets")
    names = [d[0] for d in cursor.description]
    wanted = ("slug", "name", "publisher", "revision", "rows_published", "rows_read", "rows_loaded", "rows_rejected")
    rows = [{key: row[names.index(key)] for key in wanted if key in names} for row in cursor.fetchall()]
    return sorted(rows, key=lambda d: _dataset_rank(d["slug"]))


def _track_details(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict]:
    details = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in conn.execute("select id, dataset, source_id, title, artist_credit, album, duration_s, url "
                                f"from tracks where id in ({', '.join('?' * len(chunk))})", chunk):
            details[row[0]] = dict(zip(("track_id", "dataset", "source_id", "title", "artist_credit", "album",
                                        "duration_s", "url"), row))
    return details


def _credit(conn: sqlite3.Connection, track_id: int, artist_id: int | None) -> str | None:
    """How the artist a name match went through is credited on the track: primary, featured or writer."""
    if artist_id is None:
        return None
    roles = {role for (role,) in conn.execute("select role from track_artists where track_id = ? and artist_id = ?",
                                              (track_id, artist_id))}
    return min(roles, key=lambda role: ROLES.index(role) if role in ROLES else len(ROLES), default=None)


def build_report(conn, catalogue: Catalogue, results: dict[int, list[Match]], datasets: list[dict],
                 stopped: str | None, matcher: Matcher) -> dict:
    listed = sorted({m.track_id for matches in results.values() for m in matches[:MAX_MATCHES_PER_ROW]})
    details = _track_details(conn, listed)
    rows, by_dataset, by_basis = [], {d["slug"]: 0 for d in datasets}, {}
    for row in catalogue.rows:
        entry = {"line": row.line, "input": {name: row.values[name] for name in FIELDS if name in row.values},
                 "notes": row.notes}
        if row.problem is not None:
            entry.update(status="unreadable", reason=row.problem, raw=row.raw)
        elif row.line not in results:
            entry.update(status="not checked", reason="the check stopped before this row")
        else:
            matches = results[row.line]
            slugs = sorted({m.dataset for m in matches}, key=_dataset_rank)
            for slug in slugs:
                by_dataset[slug] = by_dataset.get(slug, 0) + 1
            if matches:
                best = "id" if matches[0].basis in ID_BASES else matches[0].basis
                by_basis[best] = by_basis.get(best, 0) + 1
            entry.update(status="matched" if matches else "unmatched", datasets=slugs, matches_total=len(matches),
                         matches=[{**details[m.track_id], "basis": m.basis, "score": m.score, "note": m.note,
                                   "credit": _credit(conn, m.track_id, m.artist_id)}
                                  for m in matches[:MAX_MATCHES_PER_ROW]])
        rows.append(entry)
    notes = list(catalogue.notes)
    if not matcher.has_page_index and any(link.kind in ("genius_song", "fma_track") and not link.value.isdigit()
                                          for row in catalogue.rows for link in row.links):
        notes.append("this database has no tracks_page_url index, so Genius and FMA page links were not looked up "
                     "(rebuild it with python -m ingest build)")
    checked = sum(1 for row in rows if row["status"] in ("matched", "unmatched"))
    return {
        "tool": {"name": "ai-music-datasets", "version": tool_version()},
        "method": {
            "scores": {"id": SCORE_ID, "normalized": SCORE_NORMALIZED, "fuzzy_max": FUZZY_MAX},
            "fuzzy_threshold": FUZZY_THRESHOLD, "duration_tolerance_s": DURATION_TOLERANCE_S,
            "version_penalty": VERSION_PENALTY, "duration_penalty": DURATION_PENALTY,
            "max_matches_per_row": MAX_MATCHES_PER_ROW,
        },
        "datasets": datasets,
        "input": {"sha256": catalogue.sha256, "bytes": catalogue.size, "encoding": catalogue.encoding,
                  "delimiter": catalogue.delimiter, "columns": catalogue.columns,
                  "ignored_columns": catalogue.ignored_columns, "blank_lines": catalogue.blank_lines},
        "notes": notes,
        "summary": {
            "rows": len(rows), "checked": checked,
            "matched": sum(1 for row in rows if row["status"] == "matched"),
            "unmatched": sum(1 for row in rows if row["status"] == "unmatched"),
            "unreadable": sum(1 for row in rows if row["status"] == "unreadable"),
            "not_checked": sum(1 for row in rows if row["status"] == "not checked"),
            "by_dataset": by_dataset, "by_best_basis": by_basis,
            "complete": stopped is None,
            "stopped": None if stopped is None else f"{stopped}: {checked:,} of {len(rows):,} rows were checked",
        },
        "rows": rows,
    }


def report_sha256(body: dict) -> str:
    """SHA-256 of the report body in its canonical form: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_json(body: dict) -> bytes:
    """The report as a JSON document: {"report": body, "sha256": report_sha256(body)}."""
    document = {"report": body, "sha256": report_sha256(body),
                "sha256_of": 'json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")) in UTF-8'}
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CSV_COLUMNS = ("line", "status", "artist", "title", "album", "isrc", "duration", "youtube", "spotify", "url",
               "dataset", "basis", "score", "matched_title", "matched_artist_credit", "matched_album",
               "matched_duration_s", "matched_url", "source_id", "track_id", "credit", "match_note", "row_notes")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab/CR) gets a `'`."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_rows(body: dict):
    """One flat row per match (one for a row without matches), in the order of the page."""
    for row in body["rows"]:
        base = {"line": row["line"], "status": row["status"], **row["input"],
                "row_notes": "; ".join(filter(None, [row.get("reason")] + row["notes"]))}
        if not row.get("matches"):
            yield base
        for match in row.get("matches", ()):
            yield {**base, "dataset": match["dataset"], "basis": match["basis"], "score": match["score"],
                   "matched_title": match["title"], "matched_artist_credit": match["artist_credit"],
                   "matched_album": match["album"], "matched_duration_s": match["duration_s"],
                   "matched_url": match["url"], "source_id": match["source_id"], "track_id": match["track_id"],
                   "credit": match["credit"], "match_note": match["note"]}


def report_csv(body: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for flat in report_rows(body):
        writer.writerow({key: spreadsheet_safe(value) for key, value in flat.items()})
    return out.getvalue()


def summary_lines(body: dict) -> list[str]:
    summary = body["summary"]
    names = {d["slug"]: d.get("name") or d["slug"] for d in body["datasets"]}
    lines = [f"{summary['matched']:,} of {summary['rows']:,} of your tracks appear in at least one dataset"]
    basis = summary["by_best_basis"]
    lines.append(f"  by id or link: {basis.get('id', 0):,}, by normalized artist and title: "
                 f"{basis.get('normalized', 0):,}, fuzzy only: {basis.get('fuzzy', 0):,}")
    lines += [f"  {names.get(slug, slug)}: {n:,}" for slug, n in summary["by_dataset"].items()]
    if summary["unreadable"]:
        lines.append(f"could not be read ({summary['unreadable']:,}): line "
                     + ", ".join(str(r["line"]) for r in body["rows"] if r["status"] == "unreadable"))
    if summary["stopped"]:
        lines.append(f"stopped: {summary['stopped']}")
    return lines + body["notes"]
