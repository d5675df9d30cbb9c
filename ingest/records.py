"""The normalized records every reader yields, and the error a reader raises.

A reader turns each row of a publisher's file into exactly one `Track` (loaded) or one `Problem`
(rejected, with the reason), so that `rows_loaded + rows_rejected = rows read` holds by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("primary", "featured", "writer")  # Credit.role; stored as its position (track_artists.role_code)


@dataclass(slots=True)
class Credit:
    """One artist credited on a track, as the dataset names them."""

    name: str
    role: str = "primary"  # primary | featured | writer
    # The publisher's own id for this artist (YouTube Music channel id, Genius artist URL, FMA artist id).
    source_artist_id: str | None = None
    url: str | None = None
    # Only FMA publishes where an artist is; they feed the map.
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(slots=True)
class Track:
    dataset: str
    file: str  # the publisher file, relative to the source directory
    row: int  # 1-based row (parquet) or line (JSONL, CSV) in that file
    source_id: str  # the publisher's own id: YouTube video id, Genius song id, FMA track id, Spotify track id
    title: str | None
    artist_credit: str | None
    credits: list[Credit] = field(default_factory=list)
    album: str | None = None
    duration_s: float | None = None
    url: str | None = None
    release_year: int | None = None
    explicit: bool | None = None
    views: int | None = None
    views_text: str | None = None
    popularity: int | None = None
    listens: int | None = None
    genres: list[str] = field(default_factory=list)
    licence: str | None = None
    licence_url: str | None = None
    language: str | None = None
    album_id: str | None = None
    album_url: str | None = None
    youtube_links: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Problem:
    """A row that could not be loaded: where it is, why, and (truncated) what it held."""

    dataset: str
    file: str
    row: int | None
    reason: str
    raw: str | None = None

    def __post_init__(self):
        if self.raw is not None and len(self.raw) > RAW_LIMIT:
            self.raw = self.raw[:RAW_LIMIT] + "…"


RAW_LIMIT = 500


class SourceError(Exception):
    """A file-level fault: the file is missing, unreadable or not in the expected format.

    It stops the build (the previous database stays untouched) and tells the user which file and what was expected.
    """

    def __init__(self, path, message: str):
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def not_utf8(path) -> SourceError:
    """The error for a text file that is not UTF-8, naming the first line that is not: a file read as text is
    decoded in blocks ahead of the CSV parser, so the parser's line number would name another line."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return SourceError(
                    path,
                    f"line {number}: not UTF-8 ({error.reason} at byte {error.start + 1} of "
                    f"the line: {line[max(0, error.start - 20) : error.start + 10]!r}); the "
                    "publisher's file is UTF-8",
                )
    return SourceError(path, "not UTF-8; the publisher's file is UTF-8")
