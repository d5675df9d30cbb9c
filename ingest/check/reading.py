"""Reading a catalogue as labels have it: the bytes of a CSV (any common encoding and delimiter), an Excel workbook
(.xlsx) or a pasted list of `Artist - Title` lines → `Catalogue`, its rows with the fields recognised, the cells
that could not be used and why, or why a row cannot be checked at all.

- **Encodings.** UTF-8 (with or without BOM), UTF-16 (with or without BOM: Excel's "Unicode text"), and the legacy
  encodings of spreadsheet exports: Windows-1252 (Excel's CSV on Windows; the same as Latin-1 for letters), Mac
  Roman, Windows-1251 (Cyrillic), Shift-JIS. charset-normalizer weighs how garbled each reading is; between
  readings it finds equally clean (the Western ones, on a short file), the one whose accented letters sit in words
  the way names are written wins. The report names the encoding used, and a caller can impose one.
- **Headers.** Columns are recognised by name (delivery-sheet names too: `Track Artist`, `Display Artist`,
  `Primary Artists`, `Mix/Version`, `Duration (mm:ss)` …); the header may follow a title block. Where several
  columns name the same field the first is used and the others fill in when it is empty (`Release Artist` for an
  empty `Track Artist`). An unrecognised header raises `CatalogueError` carrying a `Preview`, from which a person
  maps the columns by hand (`columns=`).
- **Durations** are read per column, and the rule used is reported: seconds, `m:ss`, `h:mm:ss`, ISO 8601
  (`PT3M54S`), milliseconds (a column named so, or numbers too large to be seconds for a song), and Excel's
  reading of a typed `3:54` as 3 h 54 min.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import statistics
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..links import YOUTUBE_ID, Link, parse_link
from ..normalize import fold

# --- what the columns hold ----------------------------------------------------------------------------------------
FIELDS = {  # field → what it holds, in the order the report lists them
    "artist": "the performing artist(s), e.g. Beyoncé feat. JAY-Z or Léa Berg; Aiko Kowalski",
    "featured": "featured artists, when a column of their own",
    "title": "the track's title",
    "version": "the version or mix (Radio Edit, Live, Remastered 2011), compared as a version tag",
    "album": "reported only",
    "isrc": "reported only: none of the datasets publishes ISRCs",
    "upc": "reported only",
    "catalog_number": "reported only",
    "duration": "seconds, m:ss, h:mm:ss, ISO 8601 (PT3M54S), or milliseconds (numbers too large for seconds)",
    "duration_ms": "milliseconds",
    "youtube": "a YouTube video id or link",
    "spotify": "a Spotify track id, link or URI",
    "url": "a Genius song page or FMA track page (or any YouTube/Spotify link)",
}
# Header names (folded, punctuation as spaces) → the field they fill. A later tuple (`Release Artist`) fills in
# only where the columns of an earlier one are empty.
ALIASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "artist": (
        (
            "artist",
            "artists",
            "artist s",
            "artist name",
            "artist names",
            "artist credit",
            "track artist",
            "track artists",
            "track artist s",
            "track artist name",
            "display artist",
            "display artists",
            "main artist",
            "main artists",
            "main artist s",
            "primary artist",
            "primary artists",
            "primary artist s",
            "performer",
            "performers",
            "performing artist",
            "recording artist",
            "band",
            "interpret",
            "interprete",
            "kunstler",
            "artiste",
            "artista",
        ),
        ("release artist", "release artists", "album artist", "album artists", "product artist"),
    ),
    "featured": (
        ("featured artist", "featured artists", "featured artist s", "featuring", "feat", "feat artist", "featured"),
    ),
    "title": (
        (
            "title",
            "track",
            "track title",
            "track name",
            "song",
            "song title",
            "song name",
            "name",
            "recording",
            "recording title",
            "work title",
            "titel",
            "titre",
            "titulo",
            "titolo",
        ),
    ),
    "version": (
        (
            "version",
            "versions",
            "mix",
            "mix version",
            "version mix",
            "version title",
            "track version",
            "mix name",
            "remix",
            "subtitle",
        ),
    ),
    "album": (
        (
            "album",
            "album title",
            "album name",
            "release",
            "release title",
            "release name",
            "product title",
            "product name",
        ),
    ),
    "isrc": (("isrc", "isrc code", "isrcs", "track isrc"),),
    "upc": (("upc", "ean", "upc ean", "ean upc", "barcode", "product upc", "release upc", "album upc"),),
    "catalog_number": (
        (
            "catalog number",
            "catalogue number",
            "catalog no",
            "catalogue no",
            "catalog",
            "catalogue",
            "cat no",
            "cat number",
            "cat",
            "catalog id",
            "catalogue id",
            "label catalog number",
        ),
    ),
    "duration": (
        (
            "duration",
            "duration s",
            "duration sec",
            "duration secs",
            "duration seconds",
            "length",
            "length s",
            "time",
            "runtime",
            "track duration",
            "track length",
            "track time",
            "play time",
            "playtime",
            "duration mm ss",
            "duration m ss",
            "duration hh mm ss",
            "duration h mm ss",
            "length mm ss",
            "track length mm ss",
            "dauer",
            "lange",
            "laenge",
            "duree",
            "duracion",
            "durata",
        ),
    ),
    "duration_ms": (
        (
            "duration ms",
            "length ms",
            "track duration ms",
            "duration in ms",
            "duration milliseconds",
            "duration msec",
            "track length ms",
        ),
    ),
    "youtube": (
        (
            "youtube",
            "youtube id",
            "youtube url",
            "youtube link",
            "youtube video",
            "youtube video id",
            "youtube music",
            "youtube music url",
            "yt",
            "yt id",
            "video",
            "video id",
            "video url",
        ),
    ),
    "spotify": (
        (
            "spotify",
            "spotify id",
            "spotify url",
            "spotify uri",
            "spotify link",
            "spotify track",
            "spotify track id",
            "spotify track url",
            "spotify track uri",
        ),
    ),
    "url": (
        (
            "url",
            "link",
            "links",
            "genius",
            "genius url",
            "genius link",
            "fma",
            "fma url",
            "fma link",
            "page",
            "page url",
            "source url",
        ),
    ),
}
_HEADER_FIELD = {
    alias: (name, tier) for name, tiers in ALIASES.items() for tier, aliases in enumerate(tiers) for alias in aliases
}
ID_FIELDS = ("youtube", "spotify", "url")
TEMPLATE_COLUMNS = ("artist", "title", "version", "album", "duration", "isrc", "upc", "youtube", "spotify", "url")

ENCODINGS = {  # what a caller may impose, and the names the report gives
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Western; Excel's CSV on Windows)",
    "latin_1": "Latin-1 (ISO 8859-1)",
    "mac_roman": "Mac Roman (Excel on older Macs)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp932": "Shift-JIS (Windows-932, Japanese)",
}
DETECTED = ("cp1252", "mac_roman", "cp1251", "cp932")  # tried when the file is not UTF-8 or UTF-16
HEADER_SEARCH_LINES = 30  # a header may follow a title block this long
PREVIEW_ROWS = 3
MS_THRESHOLD = 10_000  # a bare number this large is milliseconds: 10,000 s would be a song of 2 h 47 min
BLANK_ROWS_STOP = 1_000

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:[.,]\d+)?)$")
_ISO = re.compile(
    r"^P(?:(\d+(?:[.,]\d+)?)D)?T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?$", re.IGNORECASE
)
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_PASTE_LINE = re.compile(r"^\s*(?:\d{1,5}[.)]\s+)?(?P<artist>.+?)\s+[-–—]\s+(?P<title>.+?)\s*$")


class CatalogueError(Exception):
    """The file as a whole cannot be read (format, encoding, header, size). `too_large` marks a size or row limit;
    `preview` is set when the columns were not recognised and can be mapped by hand."""

    def __init__(self, message: str, *, too_large: bool = False, preview: Preview | None = None):
        super().__init__(message)
        self.too_large = too_large
        self.preview = preview


@dataclass
class Preview:
    """The start of a file whose columns need mapping: its header cells, a few rows, and what was recognised."""

    header: list[str]
    rows: list[list[str]]
    recognised: dict[int, str]  # column index → field
    header_line: int
    format: str  # csv | xlsx
    encoding: str
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


@dataclass
class CatalogueRow:
    line: int  # the line (CSV) or row (xlsx) of the file the row starts on
    values: dict[str, str]  # recognised fields as written (whitespace tidied)
    duration_s: float | None = None
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was ignored or read by a rule, and why
    problem: str | None = None  # why the row cannot be checked at all
    raw: str = ""


@dataclass
class Catalogue:
    rows: list[CatalogueRow]
    columns: dict[str, list[str]]  # field → its columns as written (the first used, the others where it is empty)
    ignored_columns: list[str]
    delimiter: str | None  # None for a workbook or a pasted list
    encoding: str
    sha256: str
    size: int
    blank_lines: int
    notes: list[str]
    format: str = "csv"  # csv | xlsx | paste
    sheet: str | None = None
    header_line: int | None = None
    durations: dict[str, int] = field(default_factory=dict)  # rule → rows it read


# --- bytes → text ---------------------------------------------------------------------------------------------------
def _utf16_without_bom(data: bytes) -> str | None:
    """`utf-16-le` or `-be` when every other byte of the start is mostly NUL (text in Latin script), else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


_NAME_LETTERS = set("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœšžłčřćńśźż")
_TYPOGRAPHY = set("’‘“”–—…•€«»°")


def _plausibility(text: str) -> int:
    """How much the non-ASCII characters of a decoded text look like names and titles: accented letters inside
    words, in the case of their neighbours; garbled readings put symbols, capitals or other scripts mid-word."""
    score = 0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        in_word = before.isalpha() or after.isalpha()
        category = unicodedata.category(ch)
        if category.startswith("C"):
            score -= 10
        elif ch.lower() in _NAME_LETTERS:
            if ch.isupper() and before.isalpha() and before.islower():
                score -= 3  # "MotÖrhead": a capital inside a lower-case word
            else:
                score += 2 if in_word else 0
        elif category.startswith("L"):
            latin = unicodedata.name(ch, "").startswith("LATIN")
            neighbours_latin = any(c.isascii() and c.isalpha() for c in (before, after))
            if latin or not neighbours_latin:
                score += 1  # another script's letters among themselves (Кино, 坂本)
            else:
                score -= 3  # "L嶧 Berg": another script inside a Latin word
        elif ch in _TYPOGRAPHY:
            score += 0 if not (before.isalpha() and after.isalpha()) or ch in "’‘" else -2
        else:
            score -= 3 if in_word else 1
    return score


def _legacy(data: bytes) -> str:
    """The likeliest of DETECTED (or Latin-1) for bytes that are not UTF-8."""
    from charset_normalizer import from_bytes

    chaos: dict[str, float] = {}
    for match in from_bytes(data, cp_isolation=list(DETECTED) + ["latin_1"]):
        for encoding in [match.encoding, *match.could_be_from_charset]:
            chaos.setdefault(encoding, match.chaos)
    candidates = [encoding for encoding in (*DETECTED, "latin_1") if encoding in chaos]
    if not candidates:
        for encoding in (*DETECTED, "latin_1"):  # nothing read cleanly: the least bad strict reading
            try:
                data.decode(encoding)
                candidates.append(encoding)
                chaos[encoding] = 1.0
            except UnicodeDecodeError:
                pass
    least = min(chaos[encoding] for encoding in candidates)
    clean = [encoding for encoding in candidates if chaos[encoding] <= least + 0.05]
    return max(clean, key=lambda encoding: (_plausibility(data.decode(encoding)), -clean.index(encoding)))


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str, bool]:
    """(text, the encoding's name, whether it was detected rather than certain). `encoding` imposes one."""
    if encoding:
        codec = {"utf-8": "utf-8-sig"}.get(encoding, encoding)
        if encoding not in ENCODINGS:
            raise CatalogueError(f"unknown encoding {encoding!r}: choose one of {', '.join(ENCODINGS)}")
        try:
            return data.decode(codec), ENCODINGS[encoding], False
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise CatalogueError(
                f"line {line}: the file is not {ENCODINGS[encoding]} (byte "
                f"{data[error.start]:#04x}); choose another encoding"
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM", False
        except UnicodeDecodeError as error:
            line = data[3 : 3 + error.start].count(b"\n") + 1
            raise CatalogueError(
                f"line {line}: the file starts as UTF-8 but is not (byte "
                f'{data[3 + error.start]:#04x}): save it again as "CSV UTF-8"'
            ) from None
    bom16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    utf16 = "utf-16" if bom16 else _utf16_without_bom(data)
    if utf16:
        name = "UTF-16" if bom16 else f"UTF-16 {utf16[-2:].upper()} without BOM"
        try:
            return data.decode(utf16).removeprefix("\ufeff"), name, not bom16
        except UnicodeDecodeError:
            raise CatalogueError(f'the file looks like {name} but is not: save it as "CSV UTF-8"') from None
    try:
        return data.decode("utf-8"), "UTF-8", False
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise CatalogueError(
            "this is not a text file (it holds NUL bytes): upload a CSV, an .xlsx workbook or a "
            "list of Artist - Title lines"
        )
    chosen = _legacy(data)
    return data.decode(chosen), ENCODINGS[chosen], True


# --- cells → fields ---------------------------------------------------------------------------------------------------
def header_field(name: str) -> tuple[str, int] | None:
    """(field, tier) a header names, or None: `Main Artist(s)` → ("artist", 0), `Release Artist` → ("artist", 1).
    A duration's name with a unit after it counts too: `Dauer (ms)` is in milliseconds, `Länge (sec)` in seconds."""
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(name))).split())
    found = _HEADER_FIELD.get(words)
    if found is None and " " in words:
        stem, unit = words.rsplit(" ", 1)
        if _HEADER_FIELD.get(stem, (None,))[0] == "duration" and unit in (
            "ms",
            "msec",
            "milliseconds",
            "s",
            "sec",
            "secs",
            "seconds",
        ):
            found = ("duration_ms" if unit.startswith("m") else "duration", 0)
    return found


def _sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: whichever of `,` `;` tab `|` occurs most outside quotes (`,` on a tie)."""
    counts = {",": 0, ";": 0, "\t": 0, "|": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return max(counts, key=lambda d: (counts[d], d == ","))


def _recognise(header: list[str]) -> dict[str, list[int]]:
    """field → its columns (best tier first, then file order)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for index, name in enumerate(header):
        named = header_field(name)
        if named:
            found.setdefault(named[0], []).append((named[1], index))
    return {name: [index for _, index in sorted(entries)] for name, entries in found.items()}


def _usable(columns: dict[str, list[int]]) -> bool:
    return ("artist" in columns and "title" in columns) or any(name in columns for name in ID_FIELDS)


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold. A time of day or a timedelta is a duration: h:mm:ss."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.time):
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    if isinstance(value, datetime.timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --- durations ------------------------------------------------------------------------------------------------------
def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_duration(text: str) -> float | None:
    """`234`, `234.5`, `3:54`, `1:02:03`, `PT3M54S` → seconds; None when it is none of these."""
    seconds, _ = read_duration(text)
    return seconds


def read_duration(text: str, unit: str = "s") -> tuple[float | None, str | None]:
    """(seconds, the rule that read them) for one cell; a bare number counts in `unit` ("s" or "ms")."""
    text = text.strip()
    if _NUMBER.match(text):
        value = _number(text)
        return (value / 1000, "milliseconds") if unit == "ms" else (value, "seconds")
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        minutes, seconds = int(minutes), _number(seconds)
        if seconds >= 60 or (hours and minutes >= 60):
            return None, None
        if hours is None:
            return minutes * 60 + seconds, "m:ss"
        if 1 <= int(hours) < 24 and seconds == 0:
            # Excel turns a typed 3:54 into 3:54:00, 3 hours 54 minutes: no song is that long
            return int(hours) * 60 + minutes, "h:mm:00 read as m:ss (Excel's reading of a typed m:ss)"
        return int(hours) * 3600 + minutes * 60 + seconds, "h:mm:ss"
    iso = _ISO.match(text)
    if iso and any(iso.groups()) and not text.upper().endswith("T"):
        days, hours, minutes, seconds = (_number(part) if part else 0 for part in iso.groups())
        return days * 86400 + hours * 3600 + minutes * 60 + seconds, "ISO 8601"
    return None, None


def _duration_unit(values: list[str], column: str, named_ms: bool) -> tuple[str, str]:
    """("s" or "ms", why) for the bare numbers of one duration column."""
    if named_ms:
        return "ms", f"the column {column!r} is in milliseconds"
    numbers = [_number(v) for v in values if _NUMBER.match(v)]
    if numbers and statistics.median(numbers) >= MS_THRESHOLD:
        return "ms", (
            f"numbers in {column!r} are milliseconds: their median, {statistics.median(numbers):,.0f}, "
            f"is too large to be seconds for a song"
        )
    return "s", f"numbers in {column!r} are seconds"


# --- records: the rows of a CSV text or a sheet ---------------------------------------------------------------
@dataclass
class _Record:
    start: int
    end: int
    cells: list[str]
    problem: str | None = None


def _csv_records(lines: io.StringIO, delimiter: str, before: int) -> tuple[list[_Record], int]:
    """The rows of CSV text after line `before`, with the lines each spans; and how many lines were blank."""
    records, blank, previous = [], 0, 0
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            start, end, previous = before + previous + 1, before + reader.line_num, reader.line_num
            where = f"line {start}" if end <= start else f"lines {start}–{end}"
            records.append(_Record(start, end, [], f"{where} cannot be read as CSV ({error})"))
            continue
        start, end, previous = before + previous + 1, before + reader.line_num, reader.line_num
        if not any(cell.strip() for cell in cells):
            blank += end - start + 1
            continue
        records.append(_Record(start, end, cells))
    return records, blank


def _workbook(data: bytes, sheet: str | None):
    """(the workbook, the sheets to look at, every sheet's name) of an .xlsx."""
    import openpyxl

    try:
        members = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise CatalogueError("the file is a damaged ZIP archive: upload a CSV or an .xlsx workbook") from None
    if "xl/workbook.xml" not in members:
        kind = "an OpenDocument spreadsheet (.ods)" if "content.xml" in members else "a ZIP archive"
        raise CatalogueError(f"the file is {kind}, not a CSV or an .xlsx workbook: save it as .xlsx or CSV UTF-8")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise CatalogueError(
            f"the .xlsx workbook cannot be read ({type(error).__name__}: {error}); save it again "
            "from Excel, or as CSV UTF-8"
        ) from None
    names = list(book.sheetnames)
    if sheet is not None:
        if sheet not in names:
            raise CatalogueError(f"the workbook has no sheet {sheet!r}; its sheets: {', '.join(names)}")
        return book, [book[sheet]], names
    return book, [book[name] for name in names], names


def _sheet_records(worksheet, notes: list[str]) -> tuple[list[_Record], int]:
    """The rows of a sheet that hold something. A sheet formatted down to row 1,048,576 yields every empty row:
    reading stops after BLANK_ROWS_STOP of them in a row, and says so."""
    records: list[_Record] = []
    blank, run = 0, 0
    for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
        cells = [_cell_text(value) for value in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            records.append(_Record(number, number, cells))
            run = 0
            continue
        blank, run = blank + 1, run + 1
        if run >= BLANK_ROWS_STOP:
            notes.append(
                f"the sheet {worksheet.title!r} was read up to row {number:,}: its last "
                f"{BLANK_ROWS_STOP:,} rows were empty"
            )
            break
    return records, blank


def _find_header(records: list[_Record]) -> int | None:
    """Index of the first record (among the first few) whose cells name usable columns."""
    for index, record in enumerate(records[:HEADER_SEARCH_LINES]):
        if record.problem is None and _usable(_recognise(record.cells)):
            return index
    return None


# --- rows -------------------------------------------------------------------------------------------------------------
_LINK_KINDS = {
    "youtube": ("youtube_video",),
    "spotify": ("spotify_track",),
    "url": ("youtube_video", "spotify_track", "genius_song", "fma_track"),
}
_LINK_NAMES = {
    "youtube": "a YouTube video id or link",
    "spotify": "a Spotify track id, link or URI",
    "url": "a YouTube, Spotify, Genius song or FMA track link",
}


def _row(
    record: _Record, values: dict[str, str], durations: dict[str, tuple[str, str]], counts: dict[str, int], raw: str
) -> CatalogueRow:
    """A row from its fields: durations read, ids and links parsed, and whether it can be checked."""
    row = CatalogueRow(record.start, values, raw=raw)
    for name in ("duration", "duration_ms"):
        if name not in values or row.duration_s is not None:
            continue
        unit, _ = durations.get(name, ("ms" if name == "duration_ms" else "s", ""))
        seconds, rule = read_duration(values[name], unit)
        if seconds is None or rule is None:
            row.notes.append(
                f"{name.replace('_', ' ')} {values[name]!r} is not a duration (seconds, m:ss, "
                "h:mm:ss, PT3M54S, milliseconds): not used"
            )
            continue
        row.duration_s = round(seconds, 3)
        counts[rule] = counts.get(rule, 0) + 1
        if rule.startswith("h:mm:00"):
            row.notes.append(
                f"duration {values[name]!r} read as {int(seconds) // 60}:{int(seconds) % 60:02d}: "
                "Excel turns a typed m:ss into hours and minutes"
            )
    if "isrc" in values and not _ISRC.match(values["isrc"].replace("-", "").upper()):
        row.notes.append(f"isrc {values['isrc']!r} is not an ISRC (CC-XXX-YY-NNNNN)")
    for name, kinds in _LINK_KINDS.items():
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
            row.notes.append(f"{name} {text!r} is not {_LINK_NAMES[name]}: not used")
    if not row.links and not (values.get("artist") and values.get("title")):
        missing = "title" if values.get("artist") else "artist" if values.get("title") else "artist or title"
        row.problem = (
            f"no {missing} and no usable id: a row needs an artist and a title, or a YouTube/Spotify id "
            "or a Genius/FMA link"
        )
    return row


def _resolve_columns(
    header: list[str], mapping: Mapping[str, str | int | list], recognise: bool, headerless: bool
) -> dict[str, list[int]]:
    """The columns of each field: recognised by name (unless `recognise` is off), then `mapping` (field →
    a header as written, case-insensitive, or a 1-based column number) on top."""
    columns = _recognise(header) if recognise and not headerless else {}
    for name, refs in mapping.items():
        if name not in FIELDS:
            raise CatalogueError(f"cannot map {name!r}: the fields are {', '.join(FIELDS)}")
        chosen = []
        for ref in refs if isinstance(refs, (list, tuple)) else [refs]:
            text = str(ref).strip()
            if text.isdecimal() and 1 <= int(text) <= max(len(header), 1):
                index = int(text) - 1
            else:
                matches = [i for i, cell in enumerate(header) if cell.strip().casefold() == text.casefold()]
                if not matches or headerless:
                    choices = ", ".join(repr(cell) for cell in header if cell.strip())
                    raise CatalogueError(
                        f"no column {text!r} to map to {name}: give a column number "
                        f"(1–{len(header)})" + ("" if headerless else f" or one of the header's names: {choices}")
                    )
                index = matches[0]
            for indexes in columns.values():  # a column fills one field
                if index in indexes:
                    indexes.remove(index)
            chosen.append(index)
        columns[name] = chosen
    return {name: indexes for name, indexes in columns.items() if indexes}


@dataclass
class _Source:
    """A file's rows before its columns are known; `header` is its header row, or None."""

    format: str
    encoding: str
    delimiter: str | None
    records: list[_Record]
    header: _Record | None
    blank: int
    notes: list[str]
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    recognised: bool = True  # False: no header was recognised, and the first row stands in for one

    @property
    def unit(self) -> str:
        return "row" if self.format == "xlsx" else "line"

    def preview(self, recognised: dict[int, str]) -> Preview:
        header = self.header or _Record(
            self.records[0].start, self.records[0].start, [f"column {i + 1}" for i in range(_width(self.records))]
        )
        return Preview(
            [cell.strip() for cell in header.cells],
            [r.cells for r in self.records[:PREVIEW_ROWS]],
            recognised,
            header.start,
            self.format,
            self.encoding,
            self.sheet,
            self.sheets,
        )


def _width(records: list[_Record]) -> int:
    return max((len(record.cells) for record in records[:100]), default=0)


def _open(raw: bytes, encoding: str | None, sheet: str | None, header: bool, by_hand: bool) -> _Source | Catalogue:
    """The file's rows and its header: the first row (among the first few) whose columns are recognised, else
    the first row when the columns are chosen by hand (`by_hand`). A list of `Artist - Title` lines without a
    header comes back as a finished Catalogue."""
    notes: list[str] = []
    if raw.startswith(b"PK\x03\x04"):
        sheet_name, records, blank, sheet_names = _read_workbook(raw, sheet, notes)
        if not records:
            raise CatalogueError(f"the sheet {sheet_name!r} is empty")
        source = _Source("xlsx", "xlsx workbook", None, records, None, blank, notes, sheet_name, sheet_names)
        found = _find_header(records) if header else None
        if found is None and header:
            found, source.recognised = 0, by_hand
        if found is not None:
            before = records[:found]
            if before:
                notes.append(
                    f"row{'s' if len(before) > 1 else ''} {_span(before[0].start, before[-1].start)} "
                    "before the header (a title block?) not read"
                )
            source.header, source.records = records[found], records[found + 1 :]
        return source
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise CatalogueError("the file is an Excel 97–2003 workbook (.xls): save it as .xlsx or as CSV UTF-8")
    if raw.startswith(b"%PDF"):
        raise CatalogueError("the file is a PDF: upload the catalogue as a CSV or an .xlsx workbook")
    text, encoding_name, detected = decode(raw, encoding)
    if detected:
        notes.append(
            f"the file is not UTF-8: read as {encoding_name} (detected; if names look wrong, choose the encoding)"
        )
    physical = list(io.StringIO(text, newline=""))
    delimiter = None
    candidates: list[tuple[int, str]] = []  # (index, line) of the first lines that are not blank
    for index, line in enumerate(physical):
        stripped = line.strip("\r\n")
        if not stripped.strip(",;\t| "):
            continue
        if delimiter is None and not candidates and re.fullmatch(r"sep=.", stripped.strip(), re.IGNORECASE):
            delimiter = stripped.strip()[4]  # Excel's hint, before the header
            notes.append(f"line {index + 1}: {stripped.strip()!r} set the delimiter")
            continue
        candidates.append((index, stripped))
        if len(candidates) >= HEADER_SEARCH_LINES:
            break
    if not candidates:
        raise CatalogueError("the file is empty: it needs a header line (artist, title, …) and one row per track")
    header_at = None
    if header:
        header_at = next(
            (
                index
                for index, line in candidates
                if _usable(_recognise(next(csv.reader([line], delimiter=delimiter or _sniff_delimiter(line)))))
            ),
            None,
        )
        if header_at is None and not by_hand:
            pasted = _pasted(text, raw, encoding_name, notes)
            if pasted is not None:
                return pasted
        if header_at is None and by_hand:
            header_at = candidates[0][0]
    first = candidates[0][0] if header_at is None else header_at
    delimiter = delimiter or _sniff_delimiter(physical[first].strip("\r\n"))
    records, blank = _csv_records(io.StringIO("".join(physical[first:]), newline=""), delimiter, first)
    skipped = [index + 1 for index, _ in candidates if index < first]
    if skipped:
        notes.append(
            f"line{'s' if len(skipped) > 1 else ''} {_span(skipped[0], skipped[-1])} before the header "
            "(a title block?) not read"
        )
    source = _Source("csv", encoding_name, delimiter, records, None, blank, notes)
    if header_at is not None and records:
        source.header, source.records = records[0], records[1:]
    elif header and records:  # nothing recognised: the first line stands in for the header
        source.header, source.records, source.recognised = records[0], records[1:], False
    return source


def preview(
    data: bytes | str, *, encoding: str | None = None, sheet: str | None = None, header: bool = True
) -> Preview | None:
    """The start of a file with the columns recognised in it, for choosing its columns by hand; None for a list
    of `Artist - Title` lines, which has no columns."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    source = _open(raw, encoding, sheet, header, by_hand=False)
    if isinstance(source, Catalogue):
        return None
    recognised = {}
    if source.header is not None and source.recognised:
        recognised = {index: name for name, indexes in _recognise(source.header.cells).items() for index in indexes}
    return source.preview(recognised)


def read_catalogue(
    data: bytes | str,
    *,
    max_rows: int | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str | int | list] | None = None,
    recognise: bool = True,
    header: bool = True,
    sheet: str | None = None,
) -> Catalogue:
    """Read a catalogue: a CSV (any delimiter of `,` `;` tab `|`), an .xlsx workbook, or `Artist - Title` lines.

    `columns` maps fields to columns by hand (see `_resolve_columns`); with `recognise=False` only those are used;
    with `header=False` the first line is a row, and columns are numbered. Rows that cannot be used keep their line
    and the reason; raises `CatalogueError` when the file as a whole cannot be read, with a `Preview` when its
    columns need mapping."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    mapping = dict(columns or {})
    source = _open(raw, encoding, sheet, header, by_hand=bool(mapping))
    if isinstance(source, Catalogue):
        return source
    notes, records, unit, file_format = source.notes, source.records, source.unit, source.format
    if not source.recognised and source.header is not None:
        # nothing recognised, nothing mapped (the first row stands in for a header): ask which column holds what
        cells = source.header.cells
        partly = _recognise(cells)  # e.g. an artist column but no title: say so, the page preselects it
        names = {"duration_ms": "duration in milliseconds", "catalog_number": "catalogue number"}
        found = " and ".join(
            f"{cells[indexes[0]]!r} {'is ' if n == 0 else ''}the {names.get(name, name)}"
            for n, (name, indexes) in enumerate(partly.items())
        )
        missing = " or ".join(name for name in ("artist", "title") if name not in partly)
        raise CatalogueError(
            f"{unit} {source.header.start}: "
            + (
                f"{found}, but none of {', '.join(map(repr, cells))} is the {missing}"
                if found
                else f"the header names {', '.join(map(repr, cells))}, none of them a column the check reads"
            )
            + ": choose which column holds what (the check needs an artist and a title, or a youtube, spotify or url "
            "column)",
            preview=source.preview({i: name for name, indexes in partly.items() for i in indexes}),
        )
    if not records and source.header is None:
        raise CatalogueError("the file is empty: it needs a header line (artist, title, …) and one row per track")
    if source.header is not None:
        header_cells = [cell.strip() for cell in source.header.cells]
        header_line = source.header.start
    else:
        header_cells = [f"column {i + 1}" for i in range(_width(records))]
        header_line = None
    delimiter, encoding_name, sheet_name = source.delimiter, source.encoding, source.sheet
    fields = _resolve_columns(header_cells, mapping, recognise, header_line is None)
    if not _usable(fields):
        raise CatalogueError(
            f"{unit} {header_line or 1}: the columns chosen hold no artist and title, and no youtube, spotify or "
            "url: the check needs one or the other",
            preview=source.preview({i: name for name, indexes in fields.items() for i in indexes}),
        )
    used = {i for indexes in fields.values() for i in indexes}
    ignored = [cell for i, cell in enumerate(header_cells) if i not in used and cell and header_line is not None]
    written = {
        name: [header_cells[i] if i < len(header_cells) else f"column {i + 1}" for i in fields[name]]
        for name in FIELDS
        if name in fields
    }
    if ignored:
        notes.append(f"columns not used: {', '.join(ignored)}")
    for name, headers in written.items():
        if len(headers) > 1:
            notes.append(f"{name}: {headers[0]!r}, and where it is empty {', then '.join(map(repr, headers[1:]))}")
    if "isrc" in fields:
        notes.append("ISRCs are kept in the report but cannot be matched: none of the four datasets publishes them")
    if header_line is None:
        notes.append("no header line: the columns were chosen by number")
    if max_rows is not None and len(records) > max_rows:
        raise CatalogueError(
            f"the catalogue has more than {max_rows:,} rows ({unit} {records[max_rows].start} is "
            f"row {max_rows + 1:,}); check it in parts, or with the command line, which has no "
            "row limit",
            too_large=True,
        )

    table = [(record, _values(record, fields)) for record in records]
    units = {}
    for name in ("duration", "duration_ms"):
        if name in fields:
            units[name] = _duration_unit(
                [values[name] for _, values in table if name in values], written[name][0], name == "duration_ms"
            )
            if units[name][0] == "ms":
                notes.append(f"durations: {units[name][1]}")
    rows: list = []
    counts: dict = {}
    width = len(header_cells)
    for record, values in table:
        if record.problem:
            rows.append(CatalogueRow(record.start, {}, problem=record.problem))
            continue
        row = _row(record, values, units, counts, (delimiter or "\t").join(record.cells)[:300])
        if file_format == "csv" and header_line is not None and len(record.cells) > width:
            trailing = "" if any(c.strip() for c in record.cells[width:]) else " (or drop the trailing delimiter)"
            row.problem = (
                f"{len(record.cells)} cells but the header has {width}: a value holding the delimiter "
                f"({'tab' if delimiter == chr(9) else delimiter}) must be in double quotes{trailing}"
            )
            row.notes, row.links, row.duration_s = [], [], None  # the cells have shifted: nothing in them is sure
        elif file_format == "csv" and any(
            "\n" in record.cells[i] or "\r" in record.cells[i] for i in used if i < len(record.cells)
        ):
            # a catalogue value never spans lines: this is a quote left open, swallowing the lines after it
            row.problem = (
                f'{_lines(record.start, record.end)} read as one row: a double quote (") opened on line '
                f"{record.start} is not closed"
            )
        rows.append(row)
    return Catalogue(
        rows,
        written,
        ignored,
        delimiter,
        encoding_name,
        hashlib.sha256(raw).hexdigest(),
        len(raw),
        source.blank,
        notes,
        format=file_format,
        sheet=sheet_name,
        header_line=header_line,
        durations=counts,
    )


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _values(record: _Record, fields: dict[str, list[int]]) -> dict[str, str]:
    """Each field's value: the first of its columns that is not empty, whitespace tidied."""
    values = {}
    for name, indexes in fields.items():
        for index in indexes:
            value = " ".join(record.cells[index].split()) if index < len(record.cells) else ""
            if value:
                values[name] = value
                break
    return values


def _read_workbook(raw: bytes, sheet: str | None, notes: list[str]) -> tuple[str, list[_Record], int, list[str]]:
    """(sheet read, its rows, blank rows, every sheet's name): the sheet asked for, else the first whose header
    is recognised, else the first."""
    book, sheets, names = _workbook(raw, sheet)
    try:
        read = [(worksheet.title, *_sheet_records(worksheet, notes)) for worksheet in sheets]
    finally:
        book.close()
    chosen = next((entry for entry in read if _find_header(entry[1]) is not None), read[0])
    others = [name for name in names if name != chosen[0]]
    if others:
        notes.append(f"read the sheet {chosen[0]!r}; not read: {', '.join(map(repr, others))}")
    return chosen[0], chosen[1], chosen[2], names


def _pasted(text: str, raw: bytes, encoding: str, notes: list[str]) -> Catalogue | None:
    """A list of `Artist - Title` lines without a header (pasted from anywhere), or None when it is not one."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines or any("\t" in line for _, line in lines):
        return None
    matches = [(number, line, _PASTE_LINE.match(line)) for number, line in lines]
    if sum(1 for *_, m in matches if m) < 0.8 * len(matches):
        return None
    rows = []
    notes = notes + [
        "read as a list of 'Artist - Title' lines (no header): the artist is what comes before the first ' - '"
    ]
    for index, (number, line, match) in enumerate(matches):
        if (
            index == 0
            and match
            and (match["artist"].strip().lower(), match["title"].strip().lower())
            in (("artist", "title"), ("artist", "track"), ("artist", "song"))
        ):
            notes.append(f"line {number}: {line.strip()!r} taken as a header")
            continue
        if match is None:
            rows.append(CatalogueRow(number, {}, problem="expected 'Artist - Title'", raw=line[:300]))
            continue
        values = {"artist": " ".join(match["artist"].split()), "title": " ".join(match["title"].split())}
        rows.append(CatalogueRow(number, values, raw=line[:300]))
    blank = len(text.splitlines()) - len(lines)
    return Catalogue(
        rows,
        {"artist": ["before ' - '"], "title": ["after ' - '"]},
        [],
        None,
        encoding,
        hashlib.sha256(raw).hexdigest(),
        len(raw),
        blank,
        notes,
        format="paste",
    )


def template_csv() -> bytes:
    """An empty catalogue with every column the check reads, as Excel opens it (UTF-8 with BOM)."""
    return ("\ufeff" + ",".join(TEMPLATE_COLUMNS) + "\r\n").encode("utf-8")
