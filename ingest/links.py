"""Recognise links and ids to the originals: YouTube, YouTube Music, Spotify, Genius, Free Music Archive.

Used by the build (Sleeping-DISCO's YouTube links → video ids), by search (a pasted link goes straight to what it
names) and by the catalogue check (exact-id matches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
YOUTUBE_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{22}$")


@dataclass(frozen=True, slots=True)
class Link:
    kind: str  # youtube_video | youtube_channel | spotify_track | genius_song | genius_artist | fma_track | fma_artist
    value: str  # the id, or for Genius/FMA the canonical page URL


# The two forms nearly every link takes, checked before the general parser (the build meets millions of them).
_COMMON_YOUTUBE = re.compile(
    r"^https?://(?:www\.|music\.|m\.)?(?:youtube\.com/watch\?v=|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})(?:$|[&?#])"
)


def youtube_video_id(text: str) -> str | None:
    """The 11-character video id in a YouTube / YouTube Music URL (watch, youtu.be, shorts, embed), or None."""
    match = _COMMON_YOUTUBE.match(text)
    if match:
        return match.group(1)
    link = parse_link(text)
    return link.value if link and link.kind == "youtube_video" else None


def _canonical_page(host: str, path: str) -> str:
    return f"https://{host}{unquote(path).rstrip('/')}"


def parse_link(text: str) -> Link | None:
    """What a pasted link or bare id names, or None when it is not one we know."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("spotify:track:"):
        track_id = text.split(":")[2]
        return Link("spotify_track", track_id) if SPOTIFY_ID.match(track_id) else None
    if YOUTUBE_CHANNEL_ID.match(text):
        return Link("youtube_channel", text)
    if SPOTIFY_ID.match(text) and not YOUTUBE_ID.match(text):
        return Link("spotify_track", text)
    if YOUTUBE_ID.match(text) and not text.isalpha():
        # an 11-character word ("Christopher") is a name, not an id; real ids nearly always hold a digit, - or _
        return Link("youtube_video", text)
    if " " in text or "." not in text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m."):
        host = host[2:]
    path = parts.path
    segments = [s for s in path.split("/") if s]

    if host in ("youtube.com", "music.youtube.com", "youtube-nocookie.com"):
        video = parse_qs(parts.query).get("v", [None])[0]
        if video and YOUTUBE_ID.match(video):
            return Link("youtube_video", video)
        if len(segments) >= 2 and segments[0] in ("shorts", "embed", "v", "live") and YOUTUBE_ID.match(segments[1]):
            return Link("youtube_video", segments[1])
        if len(segments) >= 2 and segments[0] == "channel" and YOUTUBE_CHANNEL_ID.match(segments[1]):
            return Link("youtube_channel", segments[1])
        return None
    if host == "youtu.be":
        if segments and YOUTUBE_ID.match(segments[0]):
            return Link("youtube_video", segments[0])
        return None
    if host == "open.spotify.com":
        # open.spotify.com/track/ID, or with a locale prefix: /intl-de/track/ID
        if segments and segments[0].startswith("intl-"):
            segments = segments[1:]
        if len(segments) >= 2 and segments[0] == "track" and SPOTIFY_ID.match(segments[1]):
            return Link("spotify_track", segments[1])
        return None
    if host == "genius.com":
        if len(segments) >= 2 and segments[0] == "artists":
            return Link("genius_artist", _canonical_page("genius.com", "/artists/" + segments[1]))
        if len(segments) >= 2 and segments[0] == "songs" and segments[1].isdecimal():
            return Link("genius_song", segments[1])  # genius.com/songs/<id> names the song id itself
        if len(segments) == 1 and segments[0].endswith("-lyrics"):
            return Link("genius_song", _canonical_page("genius.com", "/" + segments[0]))
        return None
    if host == "freemusicarchive.org":
        # /music/<Artist>/ is an artist page; /music/<Artist>/<Album>/<Track> a track page
        if len(segments) >= 2 and segments[0] == "music":
            if len(segments) == 2:
                return Link("fma_artist", _canonical_page("freemusicarchive.org", "/music/" + segments[1]))
            if len(segments) >= 4:
                return Link("fma_track", _canonical_page("freemusicarchive.org", "/" + "/".join(segments)))
        return None
    return None


@dataclass(frozen=True, slots=True)
class UnsupportedLink:
    """A link to a service none of the four datasets is keyed by: it can only be searched by name."""

    # spotify_artist | spotify_album | spotify_playlist | apple_music | soundcloud | deezer | tidal | bandcamp
    kind: str
    service: str  # as people call it: "Spotify artist", "Apple Music", …
    name: str  # the artist or title the URL spells out (Apple Music, SoundCloud, Bandcamp), or ""


_SPOTIFY_KINDS = {
    "artist": "Spotify artist",
    "album": "Spotify album",
    "playlist": "Spotify playlist",
    "show": "Spotify podcast",
    "episode": "Spotify podcast episode",
}


def _slug_name(slug: str) -> str:
    """`bjork`, `army-of-me`, `Sigur_R%C3%B3s` → words a search box can take."""
    return " ".join(re.split(r"[-_+]+", unquote(slug))).strip()


def unsupported_link(text: str) -> UnsupportedLink | None:
    """A recognised link the datasets cannot hold (Spotify artist/album/playlist, Apple Music, SoundCloud, Deezer,
    Tidal, Bandcamp), with the name its URL holds where it holds one; None for anything else."""
    text = (text or "").strip()
    if text.startswith("spotify:"):
        kind = text.split(":")[1] if text.count(":") >= 2 else ""
        return UnsupportedLink(f"spotify_{kind}", _SPOTIFY_KINDS[kind], "") if kind in _SPOTIFY_KINDS else None
    if " " in text or "." not in text:
        return None
    try:
        parts = urlsplit(text if "://" in text else "https://" + text)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    if host == "open.spotify.com":
        if segments and segments[0].startswith("intl-"):
            segments = segments[1:]
        if segments and segments[0] in _SPOTIFY_KINDS:
            return UnsupportedLink(f"spotify_{segments[0]}", _SPOTIFY_KINDS[segments[0]], "")
        return None
    if host in ("music.apple.com", "itunes.apple.com", "geo.music.apple.com"):
        # /us/artist/bjork/262645, /us/album/post/1441164495, /us/song/army-of-me/1441164766
        kinds = [i for i, s in enumerate(segments) if s in ("artist", "album", "song", "playlist", "music-video")]
        name = _slug_name(segments[kinds[0] + 1]) if kinds and len(segments) > kinds[0] + 2 else ""
        return UnsupportedLink("apple_music", "Apple Music", name)
    if host in ("soundcloud.com", "on.soundcloud.com"):
        name = _slug_name(segments[0]) if host == "soundcloud.com" and segments else ""
        return UnsupportedLink("soundcloud", "SoundCloud", name)
    if host.endswith("deezer.com") or host == "deezer.page.link":
        return UnsupportedLink("deezer", "Deezer", "")
    if host in ("tidal.com", "listen.tidal.com"):
        return UnsupportedLink("tidal", "Tidal", "")
    if host.endswith(".bandcamp.com") and host != "daily.bandcamp.com":
        return UnsupportedLink("bandcamp", "Bandcamp", _slug_name(host.removesuffix(".bandcamp.com")))
    if host == "bandcamp.com":
        return UnsupportedLink("bandcamp", "Bandcamp", "")
    return None
