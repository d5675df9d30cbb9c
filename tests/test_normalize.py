import pytest

from ingest.links import Link, parse_link
from ingest.normalize import artist_key, fold, licence_code, split_featured


@pytest.mark.parametrize("text, folded", [
    ("Björk", "bjork"), ("Sigur Rós", "sigur ros"), ("Motörhead", "motorhead"), ("Mötley Crüe", "motley crue"),
    ("Øyvind Ærø", "oyvind aero"), ("Straße", "strasse"), ("Łódź", "lodz"), ("Beyonce\u0301", "beyonce"),
    ("Кино", "кино"), ("ガガ", "ガガ"), ("坂本龍一", "坂本龍一"), ("हिन्दी", "हिन्दी"), ("ＡＢＣ", "abc"),
])
def test_fold_removes_latin_diacritics_only(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("name, key", [
    ("Sigur Rós", "sigur-ros"), ("AC/DC", "ac-dc"), ("  Björk ", "bjork"), ("Björk - Topic", "bjork"),
    ("Simon & Garfunkel", "simon-garfunkel"), ("!!!", "!!!"), ("坂本龍一", "坂本龍一"), ("Виктор Цой", "виктор-цой"),
    ("BTS (방탄소년단)", "bts-방탄소년단"), ("JAY-Z", "jay-z"), ("Jay Z", "jay-z"),
    ("...", "x2e-2e-2e"), ("?", "x3f"),
])
def test_artist_key(name, key):
    assert artist_key(name) == key


@pytest.mark.parametrize("title, stripped, featured", [
    ("Crazy In Love (feat. JAY-Z)", "Crazy In Love", ["JAY-Z"]),
    ("Get Lucky (feat. Pharrell Williams & Nile Rodgers)", "Get Lucky", ["Pharrell Williams", "Nile Rodgers"]),
    ("Song [ft. A, B and C]", "Song", ["A", "B", "C"]),
    ("Song featuring Someone", "Song", ["Someone"]),
    ("Featuring Nobody", "Featuring Nobody", []),
    ("Left Feat", "Left Feat", []),
])
def test_split_featured(title, stripped, featured):
    assert split_featured(title) == (stripped, featured)


@pytest.mark.parametrize("title, url, code", [
    ("Attribution-NonCommercial-ShareAlike 3.0 International", None, "CC BY-NC-SA"),
    ("Attribution-Noncommercial-No Derivative Works 3.0 United States", None, "CC BY-NC-ND"),
    ("Attribution-NonCommercial-NoDerivatives (aka Music Sharing) 3.0 International", None, "CC BY-NC-ND"),
    ("Attribution-Noncommercial-Share Alike 2.0 UK: England ", None, "CC BY-NC-SA"),
    ("Attribution 4.0 International", None, "CC BY"),
    ("Creative Commons CC0 1.0 Universal", None, "CC0"),
    ("", "http://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
    ("Public Domain Mark 1.0", None, "PD"),
    ("FMA-Limited: Download Only", None, "FMA-Limited"),
    ("ccby", None, "CC BY"), ("cc0", None, "CC0"), ("ccbyncsa", None, "CC BY-NC-SA"),
    ("Sampling Plus", "http://creativecommons.org/licenses/sampling+/1.0/", "CC Sampling+"),
    ("Noncommercial Sampling Plus", "http://creativecommons.org/licenses/nc-sampling+/1.0/", "CC NC-Sampling+"),
    ("Art Libre", "http://artlibre.org/licence/lal/en", "Free Art License"),
    ("Music Sharing", "http://freemusicarchive.org/music-sharing", "CC BY-NC-ND"),
    ("Public Domain / Sound Recording Common Law Protection", None, "Sound Recording Common Law"),
    ("Orphan Work", "http://en.wikipedia.org/wiki/Orphan_work", "Orphan Work"),
    ("All rights reserved", None, None), (None, None, None),
])
def test_licence_code(title, url, code):
    assert licence_code(title, url) == code


@pytest.mark.parametrize("text, link", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
    ("youtube.com/watch?v=dQw4w9WgXcQ&t=42s", Link("youtube_video", "dQw4w9WgXcQ")),
    ("https://youtu.be/dQw4w9WgXcQ?si=abc", Link("youtube_video", "dQw4w9WgXcQ")),
    ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RDAMVM", Link("youtube_video", "dQw4w9WgXcQ")),
    ("https://m.youtube.com/shorts/dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
    ("https://music.youtube.com/channel/UCxxxxxxxxxxxxxxxxxxxx_-", Link("youtube_channel", "UCxxxxxxxxxxxxxxxxxxxx_-")),
    ("dQw4w9WgXcQ", Link("youtube_video", "dQw4w9WgXcQ")),
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1a2b3c", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
    ("https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
    ("spotify:track:4uLU6hMCjMI75M1A2tKUQC", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
    ("4uLU6hMCjMI75M1A2tKUQC", Link("spotify_track", "4uLU6hMCjMI75M1A2tKUQC")),
    ("https://genius.com/Bjork-army-of-me-lyrics", Link("genius_song", "https://genius.com/Bjork-army-of-me-lyrics")),
    ("https://genius.com/songs/378195", Link("genius_song", "378195")),
    ("https://genius.com/artists/Bjork/", Link("genius_artist", "https://genius.com/artists/Bjork")),
    ("https://freemusicarchive.org/music/AWOL/", Link("fma_artist", "https://freemusicarchive.org/music/AWOL")),
    ("http://freemusicarchive.org/music/AWOL/AWOL_-_A_Way_Of_Life/Food",
     Link("fma_track", "https://freemusicarchive.org/music/AWOL/AWOL_-_A_Way_Of_Life/Food")),
    ("Christopher", None), ("bjork", None), ("https://example.com/watch?v=dQw4w9WgXcQ", None), ("", None),
    ("https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC", None),
])
def test_parse_link(text, link):
    assert parse_link(text) == link
