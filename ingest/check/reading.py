"""Reading a catalogue: the bytes a label uploads → `Catalogue` (its rows, each with the fields recognised, the
cells that could not be used, or why the row cannot be checked at all)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from ..links import YOUTUBE_ID, Link, parse_link
from ..normalize import fold

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

