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


class _FoldTable(dict):
    """str.translate's table for `fold`, filled one character at a time as characters are met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


class _TransliterationTable(dict):
    """str.translate's table for `transliterate`: unidecode's replacement of each character, filled as characters
    are met."""

    def __missing__(self, code: int) -> str:
        replaced = self[code] = unidecode(chr(code))
        return replaced


_TRANSLITERATION_TABLE = _TransliterationTable()


def transliterate(text: str) -> str:
    """`unidecode(text)`, in one C loop: unidecode replaces each character on its own, whatever surrounds it, but
    looks each one up in Python (measured on full-size titles: 2.9 µs a text, of the 26 folding takes; 0.9 here)."""
    return text.translate(_TRANSLITERATION_TABLE)


# combining marks that can follow a Latin letter with no precomposed form (n̈): `fold` drops them there
_LATIN_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of `text`; non-Latin scripts are kept as they are."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    if not _LATIN_MARKS.search(text):
        return text.translate(_FOLD_TABLE)  # the common case, one C loop
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
    latin = folded if folded.isascii() else transliterate(folded).lower()
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
    r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring|with|w/)\s+(?P<rest>.+?)\s*[\)\]]?\s*$", re.IGNORECASE
)


def split_artist(credit: str) -> tuple[str, list[str]]:
    """An artist field → (main artist, featured artists): `Beyoncé feat. JAY-Z` → (`Beyoncé`, [`JAY-Z`]),
    `Daft Punk (with Pharrell & Nile Rodgers)` → (`Daft Punk`, [`Pharrell`, `Nile Rodgers`]).

    The main part is not split on `&` or `,` (`Simon & Garfunkel` is one act: try `split_names` on it only when
    the whole is not found). A field that starts with the word (`With Confidence`) is a name, not a credit."""
    credit = (credit or "").strip()
    match = _ARTIST_FEATURING.search(credit)
    if not match or not credit[: match.start()].strip():
        return credit, []
    return credit[: match.start()].strip(), split_names(match.group("rest"))


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
    r"|official|video|audio|lyrics?|visuali[sz]er|hd|hq|4k|mv|m/v|soundtrack)\b|^from\s"
)


def _is_version_tag(text: str) -> bool:
    folded = fold(text).replace("'", " ")
    return bool(
        re.fullmatch(r"\d{4}", folded.strip())
        or _SAME_RECORDING.search(folded)
        or any(pattern.search(folded) for _, pattern in _RECORDING_TAGS)
    )


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
            stripped = stripped[: suffix.start()].strip()
        if not stripped:  # the whole title is a tag ("(Live)"): it is the title, then
            del versions[found:]
            break
        if stripped == core:
            break
        core = stripped
    return core.strip(), featured, versions


# LAION-DISCO's 12.3 million rows hold 1.7 million distinct titles: a cache of 262,144 answers 74 % of the calls, one
# of a million 86 %
@lru_cache(maxsize=1 << 20)
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


# --- search: what the full-text indexes hold and what a query looks for --------------------------------------------
# One folding for both sides: the build indexes `search_text(x)` for every name and title, and a query is cut into
# `search_words(q)`, so whatever is folded here (case, accents, ø æ œ ß ł đ þ ð, full-width forms, `&`/`+`/`and`,
# apostrophes and other joiners inside names) is folded identically in the index and in what people type. Names in
# other scripts are indexed as written *and* in Latin letters (`latin_readings`), so `kino` finds Кино and
# `sakamoto` finds 坂本龍一; the original text is what pages show.
_SEARCH_AMPERSAND = re.compile(r"\s*[&+]\s*")
# word characters joined by an apostrophe, hyphen, dot or slash (`Don't`, `JAY-Z`, `R.E.M.`, `AC/DC`): indexed as
# their parts and joined, so `dont`, `jayz`, `rem` and `acdc` are words too
_JOINED = re.compile(r"[^\W_]+(?:['’‘`´ʼ.\-/][^\W_]+)+")
_JOINERS = re.compile(r"['’‘`´ʼ.\-/]")
_ASCII_NEEDS_WORK = re.compile(r"[&+]|[A-Za-z0-9]['`./-][A-Za-z0-9]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufefc]")
# Japanese long vowels as people type them: Ryuuichi → Ryuichi, Toukyou → Tokyo
_LONG_VOWELS = re.compile(r"(?<=[ou])u|(?<=o)o")


@lru_cache(maxsize=2)
def _cutlet(foreign: bool):
    import cutlet  # loaded only when a Japanese name is met (its dictionary takes a moment to open)

    romaji = cutlet.Cutlet()
    romaji.use_foreign_spelling = foreign
    return romaji


def _kana_reading(text: str) -> str:
    import jaconv

    return jaconv.kata2alphabet(jaconv.hira2kata(text)).replace("-", "")


# Modern Greek as it is typed in Latin letters (ELOT 743): Αρβανιτάκη → arvanitaki, where unidecode gives arbanitake.
_GREEK_PAIRS = {"αυ": "av", "ευ": "ev", "ηυ": "iv", "ου": "ou", "μπ": "b", "ντ": "nt", "γκ": "gk", "γγ": "ng"}
_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split()))
_GREEK_VOICELESS = set("θκξπστφχψ")


def _greek_reading(text: str) -> str:
    text = "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _GREEK_PAIRS:
            latin = _GREEK_PAIRS[pair]
            if pair in ("αυ", "ευ", "ηυ") and (i + 2 == len(text) or text[i + 2] in _GREEK_VOICELESS):
                latin = latin[0] + "f"
            out.append(latin)
            i += 2
            continue
        out.append(_GREEK_LETTERS.get(text[i], text[i]))
        i += 1
    return transliterate("".join(out)).lower()


# Russian as it is usually spelled in Latin letters (BGN/PCGN-like: Дмитрий → dmitry, Мумий Тролль → mumiy troll),
# beside unidecode's ISO-like reading (dmitrii, mumii troll')
_CYRILLIC_ENDINGS = re.compile(r"(?:ий|ый)(?![а-яё])")
_CYRILLIC_LETTERS = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g w".split(),
    )
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cyrillic_reading(text: str) -> str:
    text = _CYRILLIC_ENDINGS.sub("y", text.lower())
    return transliterate("".join(_CYRILLIC_LETTERS.get(ch, ch).replace("_", "") for ch in text)).lower()


@lru_cache(maxsize=1 << 16)
def latin_readings(text: str) -> tuple[str, ...]:
    """Ways `text` is written in Latin letters, lower case, the first the one `match_words` uses (unidecode):
    `Кино` → (`kino`,); `坂本龍一` → (`ban ben long yi`, `sakamoto ryuuichi`, `sakamoto ryuichi`), the Chinese and
    the Japanese readings of its characters; `ヨルシカ` → (`yorushika`, `yoru shika`); `Αρβανιτάκη` →
    (`arbanitake`, `arvanitaki`). Empty for text already in Latin letters.

    Cyrillic, Greek, Arabic, Hebrew, Korean and other scripts go through unidecode (the catalogue check's
    transliteration); Japanese kana and kanji are read by cutlet (MeCab with UniDic), Greek also as ELOT 743 and
    Cyrillic also as it is usually spelled (`Дмитрий` → `dmitrii` and `dmitry`)."""
    if not text or fold(text).isascii():
        return ()
    readings = [transliterate(text).lower()]
    if _KANA.search(text) or _HAN.search(text):
        # kana are Japanese; characters alone may be Chinese (unidecode's pinyin) or Japanese: both are kept
        japanese = [_cutlet(True).romaji(text, capitalize=False).lower()]
        if _KATAKANA.search(text):  # loanwords: メリー as merry and as merii
            japanese.append(_cutlet(False).romaji(text, capitalize=False).lower())
        if not _HAN.search(text):
            japanese.append(_kana_reading(text))
        readings += japanese + [_LONG_VOWELS.sub("", reading) for reading in japanese]
    if _GREEK.search(text):
        readings.append(_greek_reading(text))
    if _CYRILLIC.search(text):
        readings.append(_cyrillic_reading(text))
    return tuple(dict.fromkeys(r.strip() for r in readings if r.strip()))


# How the letters fold cannot be typed is one convention; the other spells them out: Björk → Bjoerk, MØ → Moe,
# Guðrún → Guthrun, Đorđe → Djordje, Åse → Aase.
_SPELLED_OUT = str.maketrans({"ø": "oe", "ö": "oe", "ä": "ae", "ü": "ue", "å": "aa", "ð": "th", "đ": "dj"})
_SPELLED_OUT_LETTERS = re.compile("[øöäüåðđ]")


def spelled_out(text: str) -> str | None:
    """`text` with ø ö ä ü å ð đ spelled out as people type them without those keys (oe, oe, ae, ue, aa, th, dj),
    folded; None when it holds none of them."""
    lowered = unicodedata.normalize("NFC", text).lower()
    if not _SPELLED_OUT_LETTERS.search(lowered):
        return None
    return fold(lowered.translate(_SPELLED_OUT))


def consonant_skeleton(latin: str) -> str:
    """The consonants of a Latin spelling, for names written in Arabic or Hebrew letters, which leave most vowels
    out: `Fairuz`, `Fayrouz` and unidecode's `fyrwz` (فيروز) all give `frz`. Good for suggestions, never for an
    exact match (many names share a skeleton)."""
    letters = re.sub(r"[^a-z]", "", latin.lower())
    letters = re.sub(r"[aeiouywvh]", "", letters)
    return re.sub(r"(.)\1+", r"\1", letters)


def has_abjad(text: str) -> bool:
    return bool(_ABJAD.search(text or ""))


def search_text(text: str | None) -> str | None:
    """What the full-text index holds for a name or title: folded, `&` and `+` as `and`, joined words also whole,
    letters spelled out (`spelled_out`) and Latin readings of other scripts appended. `Jón Þór` → `jon thor`;
    `I Don't Care` → `i don't care dont`; `Salt & Signal` → `salt and signal`; `Кино` → `кино kino`. Plain ASCII
    words come back as they are (the tokenizer lower-cases them)."""
    if not text or is_plain_text(text):
        return text
    return _search_text(text)


def is_plain_text(text: str) -> bool:
    """Whether `search_text(text)` is `text` itself, known without folding: plain ASCII words."""
    return text.isascii() and not _ASCII_NEEDS_WORK.search(text)


@lru_cache(maxsize=1 << 18)
def _search_text(text: str) -> str:
    folded = _SEARCH_AMPERSAND.sub(" and ", fold(text))
    parts = [folded]
    parts += [_JOINERS.sub("", match.group()) for match in _JOINED.finditer(folded)]
    if (spelled := spelled_out(text)) and spelled != folded:
        parts.append(_SEARCH_AMPERSAND.sub(" and ", spelled))
    for reading in latin_readings(folded):
        if reading == folded:
            continue
        parts.append(reading)
        parts += [_JOINERS.sub("", match.group()) for match in _JOINED.finditer(reading)]
    return " ".join(parts)


def search_words(text: str | None) -> list[str]:
    """The words a query looks for, folded as `search_text` folds the index: `Salt & Signal` → [salt, and, signal],
    `Ｂｊｏｒｋ` → [bjork], `JAY-Z` → [jay, z] (the index holds `jayz` as well). Punctuation alone gives none."""
    if not text:
        return []
    folded = _SEARCH_AMPERSAND.sub(" and ", fold(text))
    words, word = [], []
    for ch in folded:
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words
