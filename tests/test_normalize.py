import pytest
from unidecode import unidecode

from ingest.links import Link, parse_link
from ingest.normalize import (
    artist_key,
    fold,
    licence_code,
    match_key,
    match_words,
    recording_versions,
    split_artist,
    split_featured,
    split_title,
    title_key,
    transliterate,
)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Björk", "bjork"),
        ("Sigur Rós", "sigur ros"),
        ("Motörhead", "motorhead"),
        ("Mötley Crüe", "motley crue"),
        ("Øyvind Ærø", "oyvind aero"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Beyonce\u0301", "beyonce"),
        ("Кино", "кино"),
        ("ガガ", "ガガ"),
        ("坂本龍一", "坂本龍一"),
        ("हिन्दी", "हिन्दी"),
        ("ＡＢＣ", "abc"),
    ],
)
def test_fold_removes_latin_diacritics_only(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "name, key",
    [
        ("Sigur Rós", "sigur-ros"),
        ("AC/DC", "ac-dc"),
        ("  Björk ", "bjork"),
        ("Björk - Topic", "bjork"),
        ("Simon & Garfunkel", "simon-garfunkel"),
        ("!!!", "!!!"),
        ("坂本龍一", "坂本龍一"),
        ("Виктор Цой", "виктор-цой"),
        ("BTS (방탄소년단)", "bts-방탄소년단"),
        ("JAY-Z", "jay-z"),
        ("Jay Z", "jay-z"),
        ("...", "x2e-2e-2e"),
        ("?", "x3f"),
    ],
)
def test_artist_key(name, key):
    assert artist_key(name) == key


@pytest.mark.parametrize(
    "title, stripped, featured",
    [
        ("Crazy In Love (feat. JAY-Z)", "Crazy In Love", ["JAY-Z"]),
        ("Get Lucky (feat. Pharrell Williams & Nile Rodgers)", "Get Lucky", ["Pharrell Williams", "Nile Rodgers"]),
        ("Song [ft. A, B and C]", "Song", ["A", "B", "C"]),
        ("Song featuring Someone", "Song", ["Someone"]),
        ("Featuring Nobody", "Featuring Nobody", []),
        ("Left Feat", "Left Feat", []),
    ],
)
def test_split_featured(title, stripped, featured):
    assert split_featured(title) == (stripped, featured)


@pytest.mark.parametrize(
    "title, url, code",
    [
        ("Attribution-NonCommercial-ShareAlike 3.0 International", None, "CC BY-NC-SA"),
        ("Attribution-Noncommercial-No Derivative Works 3.0 United States", None, "CC BY-NC-ND"),
        ("Attribution-NonCommercial-NoDerivatives (aka Music Sharing) 3.0 International", None, "CC BY-NC-ND"),
        ("Attribution-Noncommercial-Share Alike 2.0 UK: England ", None, "CC BY-NC-SA"),
        ("Attribution 4.0 International", None, "CC BY"),
        ("Creative Commons CC0 1.0 Universal", None, "CC0"),
        ("", "http://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
        ("Public Domain Mark 1.0", None, "PD"),
        ("FMA-Limited: Download Only", None, "FMA-Limited"),
        ("ccby", None, "CC BY"),
        ("cc0", None, "CC0"),
        ("ccbyncsa", None, "CC BY-NC-SA"),
        ("Sampling Plus", "http://creativecommons.org/licenses/sampling+/1.0/", "CC Sampling+"),
        ("Noncommercial Sampling Plus", "http://creativecommons.org/licenses/nc-sampling+/1.0/", "CC NC-Sampling+"),
        ("Art Libre", "http://artlibre.org/licence/lal/en", "Free Art License"),
        ("Music Sharing", "http://freemusicarchive.org/music-sharing", "CC BY-NC-ND"),
        ("Public Domain / Sound Recording Common Law Protection", None, "Sound Recording Common Law"),
        ("Orphan Work", "http://en.wikipedia.org/wiki/Orphan_work", "Orphan Work"),
        ("All rights reserved", None, None),
        (None, None, None),
    ],
)
def test_licence_code(title, url, code):
    assert licence_code(title, url) == code


@pytest.mark.parametrize(
    "text, link",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
        ("youtube.com/watch?v=dQw4w9WgXcQ&t=42s", Link("youtube_video", "dQw4w9WgXcQ")),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", Link("youtube_video", "dQw4w9WgXcQ")),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RDAMVM", Link("youtube_video", "dQw4w9WgXcQ")),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
        (
            "https://music.youtube.com/channel/UCxxxxxxxxxxxxxxxxxxxx_-",
            Link("youtube_channel", "UCxxxxxxxxxxxxxxxxxxxx_-"),
        ),
        ("dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
        (
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1a2b3c",
            Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC"),
        ),
        (
            "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC",
            Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC"),
        ),
        ("spotify:track:4uLU6hMCjMI75M1A2tKUQC", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
        ("4uLU6hMCjMI75M1A2tKUQC", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
        (
            "https://genius.com/Bjork-army-of-me-lyrics",
            Link("genius_song", "https://genius.com/Bjork-army-of-me-lyrics"),
        ),
        ("https://genius.com/songs/378195", Link("genius_song", "378195")),
        ("https://genius.com/artists/Bjork/", Link("genius_artist", "https://genius.com/artists/Bjork")),
        ("https://freemusicarchive.org/music/AWOL/", Link("fma_artist", "https://freemusicarchive.org/music/AWOL")),
        (
            "http://freemusicarchive.org/music/AWOL/AWOL_-_A_Way_Of_Life/Food",
            Link("fma_track", "https://freemusicarchive.org/music/AWOL/AWOL_-_A_Way_Of_Life/Food"),
        ),
        ("Christopher", None),
        ("bjork", None),
        ("https://example.com/watch?v=dQw4w9WgXcQ", None),
        ("", None),
        ("https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC", None),
    ],
)
def test_parse_link(text, link):
    assert parse_link(text) == link


# --- match keys and the catalogue check's splitting of artist fields and titles ---------------------------------
@pytest.mark.parametrize(
    "a, b",
    [
        ("The Beatles", "Beatles"),
        ("Simon & Garfunkel", "Simon and Garfunkel"),
        ("AC/DC", "ACDC"),
        ("Кино", "Kino"),
        ("Björk", "BJORK"),
        ("Motörhead", "Motorhead"),
        ("Earth, Wind & Fire", "Earth Wind and Fire"),
        ("Florence + the Machine", "Florence and The Machine"),
        ("Silk Sonic", "SILK  SONIC!"),
        ("坂本龍一", " 坂本龍一 "),
    ],
)
def test_match_key_treats_these_as_the_same(a, b):
    assert match_key(a) == match_key(b) != ""


@pytest.mark.parametrize("a, b", [("Nirvana", "Nirvana UK"), ("The Band", "Band X"), ("Kino", "Kina")])
def test_match_key_keeps_these_apart(a, b):
    assert match_key(a) != match_key(b)


@pytest.mark.parametrize("text, key", [("!!!", "!!!"), ("", ""), ("The The", "the"), ("Sigur Rós", "sigurros")])
def test_match_key_values_the_build_stores(text, key):
    assert match_key(text) == key


def test_match_words_keeps_word_boundaries_for_fuzzy_comparison():
    assert match_words("The Velvet Foxes") == "velvet foxes"
    assert match_words("Anna  Berg!") == "anna berg"
    assert match_words("Кино") == "kino"
    assert match_words("Simon & Garfunkel").replace(" ", "") == match_key("Simon & Garfunkel")


@pytest.mark.parametrize(
    "credit, main, featured",
    [
        ("Beyoncé feat. JAY-Z", "Beyoncé", ["JAY-Z"]),
        ("Eminem ft. Rihanna", "Eminem", ["Rihanna"]),
        ("Eminem ft Rihanna", "Eminem", ["Rihanna"]),
        ("Daft Punk featuring Pharrell Williams & Nile Rodgers", "Daft Punk", ["Pharrell Williams", "Nile Rodgers"]),
        ("Daft Punk (with Pharrell, Nile Rodgers)", "Daft Punk", ["Pharrell", "Nile Rodgers"]),
        ("Ariana Grande with The Weeknd", "Ariana Grande", ["The Weeknd"]),
        ("Simon & Garfunkel", "Simon & Garfunkel", []),  # one act: not split here
        ("With Confidence", "With Confidence", []),  # a band whose name starts with the word
        ("Craft Work", "Craft Work", []),
        ("  ", "", []),
    ],
)
def test_split_artist(credit, main, featured):
    assert split_artist(credit) == (main, featured)


@pytest.mark.parametrize(
    "title, core, featured, versions",
    [
        ("Ace Of Spades (Remastered 2011)", "Ace Of Spades", [], ["Remastered 2011"]),
        ("Ace of Spades - Live", "Ace of Spades", [], ["Live"]),
        ("Army of Me (Official Video)", "Army of Me", [], ["Official Video"]),
        ("Army of Me (Official Music Video)", "Army of Me", [], ["Official Music Video"]),
        ("Love Song [Lyrics]", "Love Song", [], ["Lyrics"]),
        ("Moon (Radio Edit)", "Moon", [], ["Radio Edit"]),
        ("Song (Live) - 2011 Remaster", "Song", [], ["Live", "2011 Remaster"]),
        (
            "Get Lucky (feat. Pharrell Williams & Nile Rodgers) [Radio Edit]",
            "Get Lucky",
            ["Pharrell Williams", "Nile Rodgers"],
            ["Radio Edit"],
        ),
        ("Save Your Tears (with Ariana Grande)", "Save Your Tears", ["Ariana Grande"], []),
        ("Sans titre (démo)", "Sans titre", [], ["démo"]),
        ("Shake It Off (Taylor's Version)", "Shake It Off", [], ["Taylor's Version"]),
        ("Yesterday (1965)", "Yesterday", [], ["1965"]),
        # brackets and dashes that are part of the song's name stay
        ("봄날 (Spring Day)", "봄날 (Spring Day)", [], []),
        ("Kino - Gruppa krovi (Romanized)", "Kino - Gruppa krovi (Romanized)", [], []),
        ('Theme from "Shaft"', 'Theme from "Shaft"', [], []),
        ("(Live)", "(Live)", [], []),  # a title made only of a tag is the title
    ],
)
def test_split_title(title, core, featured, versions):
    assert split_title(title) == (core, featured, versions)


def test_title_key_removes_versions_and_credits_but_reports_the_versions():
    assert title_key("Ace Of Spades (Remastered 2011)") == ("aceofspades", ("Remastered 2011",))
    assert title_key("The Sound of Silence")[0] == title_key("Sound Of Silence")[0] == "soundofsilence"
    assert title_key("Crazy In Love (feat. JAY-Z)") == ("crazyinlove", ())
    assert title_key("Группа крови")[0] == title_key("Gruppa Krovi")[0]
    assert title_key("Hoppípolla")[0] == title_key("HOPPIPOLLA")[0]


@pytest.mark.parametrize(
    "versions, recording",
    [
        ((), set()),
        (("Remastered 2011",), set()),
        (("Official Music Video", "Lyrics"), set()),
        (("Radio Edit",), set()),
        (("Live at Wembley",), {"live"}),
        (("Acoustic",), {"acoustic"}),
        (("Remix",), {"remix"}),
        (("Original Mix",), set()),
        (("Extended Mix",), {"remix"}),
        (("Taylor's Version",), {"re-recorded"}),
        (("Live", "Remastered"), {"live"}),
        (("Instrumental",), {"instrumental"}),
        (("Demo",), {"demo"}),
    ],
)
def test_recording_versions_names_only_other_recordings(versions, recording):
    assert recording_versions(versions) == recording


@pytest.mark.parametrize(
    "text",
    [
        "Sigur Rós — Ágætis byrjun",
        "Кино: Группа крови",
        "坂本龍一 / ヨルシカ",
        "Αρβανιτάκη",
        "فيروز",
        "방탄소년단 (BTS)",
        "n\u0308 and e\u0301",  # combining marks, which unidecode drops
        "Ⅻ ½ ﬁ ß Œ",
        "🎵 \U000f0001 \ue000",  # an emoji, and private-use characters unidecode has no data for
        "plain ASCII, unchanged",
        "",
    ],
)
def test_transliterate_is_unidecode(text):
    assert transliterate(text) == unidecode(text)
    assert transliterate(text) == unidecode(text)  # a second time, from the filled table
