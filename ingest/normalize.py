"""Names → match keys. The one place normalization lives: the build uses it for artist keys and the
catalogue check uses it to match a user's rows, so the two can never drift apart.

- `fold` lower-cases and removes diacritics from Latin letters (Björk → bjork, Motörhead → motorhead,
  Øyvind → oyvind) but leaves other scripts alone: stripping "marks" from Japanese or Devanagari changes the
  letters themselves (ガ is not カ).
- `artist_key` makes the stable, readable permalink key of an artist: `Sigur Rós` → `sigur-ros`.
- `split_featured` takes `(feat. X)` credits out of a title.
- `match_key` is the loose key of a name or title (`artists.match_key`); `split_artist`, `split_title` and
  `title_key` take a catalogue's artist fields and titles apart (featured credits, version tags) for the check.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    if unicodedata.category(ch).startswith("M"):
        return ch  # a combining mark on its own: decided by the letter before it (see fold)
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return ch.casefold()
    if name.startswith("LATIN"):
        # unidecode knows ø→o, æ→ae, ß→ss, ł→l, þ→th as well as plain accents
        return unidecode(ch).lower()
    if "FULLWIDTH" in name or "HALFWIDTH" in name:
        return unicodedata.normalize("NFKC", ch).casefold()
    return ch.casefold()


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of `text`; non-Latin scripts are kept as they are."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    out = []
    previous_latin = False
    for ch in text:
        if unicodedata.category(ch).startswith("M"):
            if previous_latin:
                continue  # a combining accent left over after a Latin letter: drop it
            out.append(ch)
            continue
        folded = _fold_char(ch)
        previous_latin = folded.isascii()
        out.append(folded)
    return "".join(out)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


_NON_WORD_ASCII = re.compile(r"[^a-z0-9]+")
_TOPIC_CHANNEL = re.compile(r"\s+-\s+Topic$")


def artist_key(name: str) -> str:
    """The artist's permalink key: folded, words joined by '-'. `AC/DC` → `ac-dc`, `坂本龍一` stays `坂本龍一`.

    YouTube's auto-generated `Björk - Topic` channels are the artist's own: they share Björk's key. A name made
    only of punctuation (`!!!`, `?`) keeps its folded characters, so it still has a key.
    """
    folded = fold(_TOPIC_CHANNEL.sub("", name.strip()))
    if folded.isascii():
        key = _NON_WORD_ASCII.sub("-", folded).strip("-")
    else:
        parts, word = [], []
        for ch in folded:
            if _is_word_char(ch):
                word.append(ch)
            elif word:
                parts.append("".join(word))
                word = []
        if word:
            parts.append("".join(word))
        key = "-".join(parts)
    if key:
        return key
    # a name made only of punctuation keeps it, unless that would make a path segment like ".." or "a/b"
    kept = "".join(folded.split())
    if not kept or any(ch in "./\\?#%" for ch in kept):
        return "x" + "-".join(f"{ord(ch):x}" for ch in kept)
    return kept


# "(feat. X)", "[ft. X & Y]", "- featuring X", "feat X" at the end of a title.
_FEATURED = re.compile(
    r"""\s*[\(\[]\s*(?:feat\.?|ft\.?|featuring)\s+(?P<inner>[^\)\]]+)[\)\]]   # bracketed
      | \s+(?:feat\.|ft\.|featuring)\s+(?P<tail>.+)$                        # trailing
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CREDIT_SEPARATORS = re.compile(r"\s*(?:,|&|\band\b|\s\+\s|\s[xX×]\s)\s*")


def split_names(credit: str) -> list[str]:
    """`A, B & C` → [A, B, C]. Used on featured-artist clauses, never on a dataset's own artist names
    (a band called `Simon & Garfunkel` must stay one artist)."""
    return [part.strip() for part in _CREDIT_SEPARATORS.split(credit) if part and part.strip()]


def split_featured(title: str) -> tuple[str, list[str]]:
    """`Song (feat. A & B)` → (`Song`, [A, B]). A title without a featured clause is returned unchanged."""
    featured: list[str] = []

    def take(match: re.Match) -> str:
        featured.extend(split_names(match.group("inner") or match.group("tail")))
        return ""

    stripped = _FEATURED.sub(take, title).strip()
    return (stripped or title), featured


def licence_code(title: str | None, url: str | None = None) -> str | None:
    """A Creative Commons licence title or URL in any of its spellings → `CC BY-NC-ND`, `CC0`, `PD`, ….

    FMA writes the same licence many ways (`Attribution-Noncommercial-No Derivative Works 3.0 United States`,
    `Attribution-NonCommercial-NoDerivatives (aka Music Sharing) 3.0 International`); Stability AI writes `ccby`.
    Returns None when the text names no licence we recognise (the original text is always kept beside it).
    """
    text = fold(title or "")
    compact = re.sub(r"[^a-z0-9]", "", text)
    link = (url or "").lower()
    if compact in ("cc0", "cczero") or "publicdomain/zero" in link or "cc0" in compact:
        return "CC0"
    if "commonlaw" in compact:
        # FMA's "Public Domain / Sound Recording Common Law Protection": the recording itself is protected
        return "Sound Recording Common Law"
    if "publicdomain" in compact or "publicdomain/mark" in link:
        return "PD"
    if "fmalimited" in compact:
        return "FMA-Limited"
    if "samplingplus" in compact or "sampling+" in link:
        return "CC NC-Sampling+" if "noncommercial" in compact or "nc-sampling" in link else "CC Sampling+"
    if "artlibre" in compact or "artlibre.org" in link:
        return "Free Art License"
    if compact == "musicsharing" or link.endswith("/music-sharing"):
        return "CC BY-NC-ND"  # FMA's name for BY-NC-ND ("aka Music Sharing")
    if "orphanwork" in compact:
        return "Orphan Work"
    if compact.startswith("ccby") and len(compact) <= 12:
        # Stability's short forms: ccby, ccbync, ccbysa, ccbyncnd …
        rest = compact[4:]
        parts = ["BY"] + [flag.upper() for flag in ("nc", "nd", "sa") if flag in rest]
        return "CC " + "-".join(parts)
    if "attribution" in compact or "creativecommons.org/licenses/by" in link:
        path = link.split("/licenses/", 1)[1] if "/licenses/" in link else ""
        parts = ["BY"]
        if "noncommercial" in compact or "-nc" in path:
            parts.append("NC")
        if "noderiv" in compact or "-nd" in path:
            parts.append("ND")
        if "sharealike" in compact or "-sa" in path:
            parts.append("SA")
        return "CC " + "-".join(parts)
    return None


# --- match keys: looser than artist keys, for matching a catalogue against the datasets ---------------------------
_AMPERSAND = re.compile(r"\s*(?:&|\+)\s*|\s+(?:x|×|and|with)\s+", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def match_words(text: str) -> str:
    """The words of `text`'s match key, space-separated: `The Velvet Foxes` → `velvet foxes`, `Кино` → `kino`.
    Fuzzy comparison uses them (word order can be compared); `match_key` joins them."""
    if not text:
        return ""
    folded = fold(text.strip())
    latin = folded if folded.isascii() else unidecode(folded).lower()
    unified = _AMPERSAND.sub(" and ", latin)
    unified = _LEADING_THE.sub("", unified.strip())
    return _NON_ALNUM.sub(" ", unified).strip()


def match_key(text: str) -> str:
    """Loose key for matching names and titles: transliterated, lower case, `&`/`and`/`+`/`x`/`with` unified,
    a leading "The" dropped, punctuation and spaces removed. `The Beatles` = `Beatles`, `Simon & Garfunkel` =
    `Simon and Garfunkel`, `AC/DC` = `ACDC`, `Кино` = `Kino`."""
    if not text:
        return ""
    key = match_words(text).replace(" ", "")
    return key or "".join(fold(text.strip()).split())


# --- a catalogue's artist fields and titles, as people type them ------------------------------------------------
# "A feat. B", "A ft B", "A featuring B", "A (with B)", "A with B": whatever follows is featured.
_ARTIST_FEATURING = re.compile(
    r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring|with|w/)\s+(?P<rest>.+?)\s*[\)\]]?\s*$", re.IGNORECASE)


def split_artist(credit: str) -> tuple[str, list[str]]:
    """An artist field → (main artist, featured artists): `Beyoncé feat. JAY-Z` → (`Beyoncé`, [`JAY-Z`]),
    `Daft Punk (with Pharrell & Nile Rodgers)` → (`Daft Punk`, [`Pharrell`, `Nile Rodgers`]).

    The main part is not split on `&` or `,` (`Simon & Garfunkel` is one act: try `split_names` on it only when
    the whole is not found). A field that starts with the word (`With Confidence`) is a name, not a credit."""
    credit = (credit or "").strip()
    match = _ARTIST_FEATURING.search(credit)
    if not match or not credit[:match.start()].strip():
        return credit, []
    return credit[:match.start()].strip(), split_names(match.group("rest"))


# Bracketed parts and " - suffixes" of a title that name a version of the recording rather than the song.
_BRACKETED = re.compile(r"\s*[\(\[\{]\s*([^()\[\]{}]*?)\s*[\)\]\}]")
_DASH_SUFFIX = re.compile(r"\s+[-–—]\s+([^-–—]+)$")
_WITH_CREDIT = re.compile(r"^(?:with|w/)\s+(.+)$", re.IGNORECASE)
_MAY_SPLIT = re.compile(r"[(\[{]|\s[-–—]\s|\b(?:feat|ft\.|featuring)", re.IGNORECASE)  # else nothing to split
# Tags naming another recording (a live take, a remix, an acoustic version …), each with the word it reports.
_RECORDING_TAGS = (
    ("live", re.compile(r"\b(?:live|unplugged|en vivo|ao vivo|session)\b")),
    ("remix", re.compile(r"\b(?:remix(?:ed)?|rmx|dub|bootleg)\b|(?<!original )\bmix\b")),
    ("acoustic", re.compile(r"\b(?:acoustic|acustico|stripped)\b")),
    ("demo", re.compile(r"\bdemo\b")),
    ("instrumental", re.compile(r"\b(?:instrumental|karaoke|backing track)\b")),
    ("re-recorded", re.compile(r"\b(?:re-?recorded|taylor s version|rerecorded)\b")),
    ("cover", re.compile(r"\bcover\b")),
)
# Tags that name the same recording differently: remasters, edits, the video or lyrics upload it came from.
_SAME_RECORDING = re.compile(
    r"\b(?:remaster(?:ed)?|re-?mastered|edit|version|mono|stereo|extended|explicit|clean|original|deluxe|bonus"
    r"|official|video|audio|lyrics?|visuali[sz]er|hd|hq|4k|mv|m/v|soundtrack)\b|^from\s")


def _is_version_tag(text: str) -> bool:
    folded = fold(text).replace("'", " ")
    return bool(re.fullmatch(r"\d{4}", folded.strip()) or _SAME_RECORDING.search(folded)
                or any(pattern.search(folded) for _, pattern in _RECORDING_TAGS))


def split_title(title: str) -> tuple[str, list[str], list[str]]:
    """A title → (the song's title, featured artists, version tags): `Get Lucky (feat. Pharrell) [Radio Edit]`
    → (`Get Lucky`, [`Pharrell`], [`Radio Edit`]); `Ace of Spades - Live` → (`Ace of Spades`, [], [`Live`]).

    A bracket or ` - suffix` is a version tag when it holds a version word (remaster, live, remix, edit, version,
    official video, lyrics, acoustic, …, or a bare year); any other bracket (`봄날 (Spring Day)`) is kept."""
    if not _MAY_SPLIT.search(title or ""):
        return (title or "").strip(), [], []
    core, featured = split_featured(title)
    versions: list[str] = []

    def bracket(match: re.Match) -> str:
        inner = match.group(1)
        credit = _WITH_CREDIT.match(inner)
        if credit:
            featured.extend(split_names(credit.group(1)))
            return ""
        if inner and _is_version_tag(inner):
            versions.append(inner)
            return ""
        return match.group(0)

    while True:
        found = len(versions)
        stripped = _BRACKETED.sub(bracket, core).strip()
        suffix = _DASH_SUFFIX.search(stripped)
        if suffix and _is_version_tag(suffix.group(1)):
            versions.append(suffix.group(1).strip())
            stripped = stripped[:suffix.start()].strip()
        if not stripped:  # the whole title is a tag ("(Live)"): it is the title, then
            del versions[found:]
            break
        if stripped == core:
            break
        core = stripped
    return core.strip(), featured, versions


@lru_cache(maxsize=1 << 18)
def title_key(title: str) -> tuple[str, tuple[str, ...]]:
    """(match key of the song's title, version tags removed for it): `Ace Of Spades (Remastered 2011)` →
    (`aceofspades`, (`Remastered 2011`,)). Featured credits are dropped from the key too."""
    core, _, versions = split_title(title)
    return match_key(core), tuple(versions)


def recording_versions(versions) -> frozenset[str]:
    """Which version tags name a different recording: (`Live at Wembley`, `Remastered`) → {`live`}.
    Remasters, edits and video/lyrics uploads are the same recording and give nothing."""
    found: set[str] = set()
    for tag in versions:
        folded = fold(tag).replace("'", " ")
        found.update(word for word, pattern in _RECORDING_TAGS if pattern.search(folded))
    return frozenset(found)
