"""Write the bundled samples: a few hundred rows per dataset in each publisher's exact format.

    python -m ingest.testdata.samples        # rewrites ingest/samples/*, deterministically

Hand-written rows carry the cases a reader must survive (diacritics, Cyrillic/CJK/Arabic/Korean names, several
and featured artists, empty lists, nulls, unparsable views, duplicated ids, a broken JSON line, a short CSV row,
HTML in a title, lyrics that must never be stored); generated rows around them give volume and shape.
Every name and title here is written by this project; none is copied from the real datasets.
"""

from __future__ import annotations

import base64
import hashlib
import random
import shutil
from pathlib import Path

from ..datasets import SAMPLES
from .publisher_formats import FmaWriter, sleeping_letter, write_laion, write_sleeping, write_spotify

ROOT = SAMPLES
LYRICS_MARKER = "LYRICS-MUST-NEVER-BE-STORED"


def video_id(seed: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(("v" + seed).encode()).digest()).decode()[:11]


def channel_id(seed: str) -> str:
    return "UC" + base64.urlsafe_b64encode(hashlib.sha256(("c" + seed).encode()).digest()).decode()[:22]


def spotify_id(seed: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(hashlib.sha256(("s" + seed).encode()).digest(), "big")
    return "".join(alphabet[(number >> (6 * i)) % 62] for i in range(22))


# --- the generated filler: invented artists and titles, with common words people search for -------------------
FIRST = [
    "Anna",
    "Luca",
    "Mia",
    "Jonas",
    "Sofía",
    "Mateo",
    "Zoë",
    "Noah",
    "Léa",
    "Ivan",
    "Aiko",
    "Omar",
    "Freya",
    "Tomás",
    "Nina",
    "Kofi",
    "Elif",
    "Rafael",
    "Ingrid",
    "Hugo",
]
LAST = [
    "Berg",
    "Rossi",
    "Nováková",
    "Müller",
    "García",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Lindqvist",
    "Okafor",
    "Silva",
    "Jensen",
    "Moreau",
    "Petrov",
    "Çelik",
]
BANDS = [
    "The Velvet Foxes",
    "Midnight Static",
    "Paper Lanterns",
    "Los Hermanos Luna",
    "Neon Harbour",
    "Salt & Signal",
    "Echo Valley",
    "Die Blauen Stunden",
    "Kite Machine",
    "Golden Ratio Club",
    "Северный Ветер",
    "青い鳥",
    "Sunset Syndicate",
    "Velvet Riot",
    "Oktober Skies",
]
WORDS = [
    "Love",
    "Night",
    "Heart",
    "Fire",
    "Dream",
    "River",
    "Gold",
    "Summer",
    "Rain",
    "Home",
    "Light",
    "Dance",
    "Ghost",
    "Paradise",
    "Ocean",
    "Moon",
    "City",
    "Wild",
    "Forever",
    "Blue",
]
SUFFIXES = [
    "",
    "",
    "",
    "",
    " (Remix)",
    " - Live",
    " (Acoustic)",
    " (Radio Edit)",
    " (Remastered 2011)",
    " (Official Video)",
    " [Lyrics]",
]


def _filler_artists(rng: random.Random) -> list[str]:
    solo = sorted({f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(40)})
    return solo + BANDS


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.choice([1, 2, 2, 3]))
    return " ".join(words) + rng.choice(SUFFIXES)


# --- LAION-DISCO-12M ----------------------------------------------------------------------------------------
def laion_rows(rng: random.Random, artists: list[str]) -> list[dict]:
    def row(title, names, *, seed=None, ids=None, album=None, explicit=False, views="1.2M plays", duration=200):
        return {
            "song_id": video_id(seed or f"{names}{title}"),
            "title": title,
            "artist_names": names,
            "artist_ids": [channel_id(name) for name in names] if ids is None else ids,
            "album_name": album,
            "album_id": "MPREb_" + video_id(f"album{album}")[:11] if album else None,
            "isExplicit": explicit,
            "views": views,
            "duration": duration,
        }

    army = row("Army of Me", ["Björk"], album="Post", views="45M plays", duration=234)
    rows = [
        army,
        row("Hyperballad", ["Björk"], album="Post", views="12M plays", duration=321),
        row("Jóga", ["Björk"], album="Homogenic", views="8.9M plays", duration=305),
        row("Army of Me (Official Music Video)", ["Björk"], seed="army-video", views="31M views", duration=237),
        dict(army),  # the same song_id published twice: loaded twice, flagged as a duplicate
        row("Hoppípolla", ["Sigur Rós"], album="Takk...", views="61M plays", duration=268),
        row("Ace of Spades", ["Motörhead"], album="Ace of Spades", views="210M views", duration=169),
        row(
            "戦場のメリークリスマス",
            ["坂本龍一"],
            album="Merry Christmas Mr. Lawrence",
            views="3.4M plays",
            duration=300,
        ),
        row("Группа крови", ["Кино"], album="Группа крови", views="27M views", duration=286),
        row("لبيروت", ["فيروز"], views="1.1M plays", duration=293),
        row("Dynamite", ["BTS"], album="Dynamite (DayTime Version)", views="1.8B views", duration=199),
        row("봄날 (Spring Day)", ["방탄소년단"], views="480M views", duration=274),
        # two credited artists, but channel ids only for the first
        row(
            "Crazy In Love (feat. JAY-Z)",
            ["Beyoncé", "JAY-Z"],
            ids=[channel_id("Beyoncé")],
            album="Dangerously In Love",
            views="650M views",
            duration=236,
        ),
        # featured artists only in the title
        row(
            "Get Lucky (feat. Pharrell Williams & Nile Rodgers)",
            ["Daft Punk"],
            album="Random Access Memories",
            views="1B views",
            duration=248,
        ),
        row("The Sound of Silence", ["Simon & Garfunkel"], album="Sounds of Silence", views="300M plays", duration=185),
        row("Earth Song", ["Earth, Wind & Fire"], seed="ewf", views="2.1M plays"),
        # homonyms: one name, two different YouTube Music channels
        row(
            "Smells Like Teen Spirit",
            ["Nirvana"],
            ids=[channel_id("Nirvana US")],
            album="Nevermind",
            views="1.9B views",
            duration=301,
        ),
        row(
            "Rainbow Chaser",
            ["Nirvana"],
            ids=[channel_id("Nirvana UK 1967")],
            album="The Story of Simon Simopath",
            views="120K plays",
            duration=160,
        ),
        row("Highway to Hell", ["AC/DC"], album="Highway to Hell", views="900M views", duration=208),
        row("Me and Giuliani Down by the School Yard", ["!!!"], views="1.5M plays", duration=549),
        row("Kickstart My Heart", ["Mötley Crüe"], views="140M views", duration=283, explicit=True),
        row("Love Song", ["Various Artists"], views="3B plays"),
        row("Hyperballad", ["Björk - Topic"], seed="topic", views="1 play"),
        # views that do not parse, and other gaps
        row("No Views Yet", ["Anna Berg"], views="No views"),
        row("Dash Views", ["Anna Berg"], views="—"),
        row("Null Views", ["Anna Berg"], views=None, explicit=None, duration=None),
        row("Comma Views", ["Anna Berg"], views="1,234 views"),
        row("Lost Album", ["Anna Berg"], album=None, views="945K plays"),
        row("Untitled Upload", [], ids=[], views="14M plays"),  # no artists at all
        row("<script>alert('xss')</script> Love Me Tender", ["<b>Bold</b> & Co"], views="10 views"),
        row("🔥 Fire Remix 🔥", ["DJ Ünïcödé"], views="77K plays"),
        # names people type without their letters: ø æ œ ß ł đ ð, other scripts, full-width, &, apostrophes, dots
        row("Eple", ["Røyksopp"], album="Melody A.M.", views="22M views", duration=219),
        row("Final Song", ["MØ"], views="96M views", duration=236),
        row("Fjærlett", ["Sæbjørg Næss"], views="12K plays", duration=201),
        row("Comme des enfants", ["Cœur de pirate"], views="31M views", duration=174),
        row("Weißes Rauschen", ["Die Straßenmusikanten"], views="4.2K plays", duration=188),
        row("Złota Rzeka", ["Łukasz Wróbel"], views="88K plays", duration=245),
        row("Ljóð", ["Guðrún Đorđević"], views="2.1K plays", duration=199),
        row("Το Παράπονο", ["Ελευθερία Αρβανιτάκη"], views="5.5M views", duration=230),
        row("שיר אהבה", ["עומר אדם"], views="18M views", duration=205),
        row("マリーゴールド", ["あいみょん"], views="230M views", duration=305),
        row("ただ君に晴れ", ["ヨルシカ"], views="160M views", duration=198),
        row("夜に駆ける", ["ＹＯＡＳＯＢＩ"], views="310M views", duration=261),
        row("I Don't Care", ["Aoife O'Brien"], views="640K plays", duration=187),
        row(
            "Sweet Child O' Mine", ["Guns N' Roses"], album="Appetite for Destruction", views="1.5B views", duration=356
        ),
        row("Losing My Religion", ["R.E.M."], album="Out of Time", views="1.2B views", duration=269),
        row("Salt Water Hymn", ["Salt & Signal"], views="3.3K plays", duration=240),
        row("Plus Minus", ["+/-"], views="9K plays", duration=212),
        {**row("No Id Here", ["Anna Berg"]), "song_id": None},  # cannot be cited: rejected
        {**row("Blank Id", ["Anna Berg"]), "song_id": "  "},  # likewise
    ]
    for n in range(268):
        names = [rng.choice(artists)]
        title = _title(rng)
        if rng.random() < 0.15:
            featured = rng.choice(artists)
            if featured != names[0]:
                if rng.random() < 0.5:
                    names.append(featured)
                title += f" (feat. {featured})"
        views = rng.choice(
            [
                f"{rng.randint(1, 999)}K plays",
                f"{rng.randint(1, 99)}.{rng.randint(0, 9)}M views",
                f"{rng.randint(2, 999)} plays",
                f"{rng.randint(1, 9)}B views",
            ]
        )
        rows.append(
            row(
                title,
                names,
                seed=f"filler{n}",
                album=rng.choice([None, _title(rng)]),
                explicit=rng.random() < 0.1,
                views=views,
                duration=rng.randint(90, 420),
            )
        )
    return rows


# --- Sleeping-DISCO-9M --------------------------------------------------------------------------------------
def sleeping_rows(rng: random.Random, artists: list[str], laion: list[dict]) -> list[tuple[str, dict | bytes]]:
    yt = {r["title"]: r["song_id"] for r in laion if r["song_id"]}
    song_ids = iter(range(100_001, 1_000_000))

    def row(
        title,
        primary,
        *,
        featured=(),
        writers=(),
        tags=(),
        album=None,
        date=None,
        language="en",
        links=(),
        song_id=None,
    ):
        song_id = song_id if song_id is not None else next(song_ids)
        slug = (primary or "unknown").replace(" ", "-")
        return sleeping_letter(primary), {
            "song_id": song_id,
            "title": title,
            "song_url": f"https://genius.com/{slug}-{title.replace(' ', '-').lower()}-lyrics",
            "primary_artist": primary,
            "artist_url": f"https://genius.com/artists/{slug}",
            "featured_artists": list(featured),
            "lyricists": list(writers),
            "tags": list(tags),
            "album_name": album,
            "album_url": f"https://genius.com/albums/{slug}/{album}" if album else None,
            "album_release_date": date,
            "language": language,
            "youtube_links": list(links),
            "lyrics": f"{LYRICS_MARKER} la la la\nsecond verse",
            "genius_annotation": f"{LYRICS_MARKER} notes",
            "qna": [{"question": "What is it about?", "answer": LYRICS_MARKER}],
        }

    rows = [
        row(
            "Army of Me",
            "Björk",
            writers=["Björk", "Graham Massey"],
            tags=["Electronic", "Pop"],
            album="Post",
            date="1995-02-13",
            links=[f"https://www.youtube.com/watch?v={yt['Army of Me']}"],
        ),
        row(
            "Hoppípolla",
            "Sigur Rós",
            writers=["Jón Þór Birgisson"],
            tags=["Post-Rock"],
            album="Takk...",
            date="2005",
            language="is",
            links=[f"https://youtu.be/{yt['Hoppípolla']}"],
        ),
        row(
            "Ace of Spades",
            "Motörhead",
            writers=["Lemmy", "Phil Taylor", "Eddie Clarke"],
            tags=["Rock", "Metal"],
            album="Ace of Spades",
            date="November 8, 1980",
            links=[f"https://music.youtube.com/watch?v={yt['Ace of Spades']}&feature=share"],
        ),
        row(
            "Crazy in Love",
            "Beyoncé",
            featured=["JAY-Z"],
            writers=["Beyoncé", "Rich Harrison", "JAY-Z"],
            tags=["R&B", "Pop"],
            album="Dangerously in Love",
            date="2003-05-18",
        ),
        row(
            "Группа крови",
            "Кино",
            writers=["Виктор Цой"],
            tags=["Rock", "Русский рок"],
            album="Группа крови",
            date="1988",
            language="ru",
            links=[f"https://www.youtube.com/watch?v={yt['Группа крови']}"],
        ),
        row("Kino - Gruppa krovi (Romanized)", "Genius Romanizations", tags=["Romanization"], language="ru"),
        row("BTS - Dynamite (English Translation)", "Genius English Translations", tags=["Translation"]),
        row("لبيروت", "فيروز", tags=["Arabic"], language="ar", date="1984"),
        row(
            "Smells Like Teen Spirit",
            "Nirvana",
            writers=["Kurt Cobain", "Krist Novoselic", "Dave Grohl"],
            tags=["Grunge", "Rock"],
            album="Nevermind",
            date="1991-09-10",
        ),
        # odd shapes that are still loaded
        ("a", {**row("Featured As String", "Anna Berg")[1], "featured_artists": "Luca Rossi"}),
        ("a", {**row("Featured Null", "Anna Berg")[1], "featured_artists": None, "youtube_links": None}),
        row(
            "Odd Links",
            "Anna Berg",
            links=[
                "https://example.com/not-youtube",
                "not a url at all",
                "https://www.youtube.com/embed/" + video_id("embed"),
            ],
        ),
        row("String Song Id", "Anna Berg", song_id="777777"),
        row("Duplicate Song", "Anna Berg", song_id=555555),
        row("Duplicate Song", "Anna Berg", song_id=555555),
        row("<img src=x onerror=alert(1)>", "<script>alert(2)</script>"),
        (
            "0",
            {
                "song_id": 424242,
                "song_title": "Alternative Title Key",
                "primary_artist": "Zoë Dubois",
                "lyrics": LYRICS_MARKER,
            },
        ),
        # rejected rows: recorded in problems with their line numbers
        ("a", b'{"song_id": 999999, "title": "Broken line, cut off mid-'),
        ("a", b"[1, 2, 3]"),
        ("a", b"null"),
        ("a", {"title": "No Song Id", "primary_artist": "Anna Berg", "lyrics": LYRICS_MARKER}),
    ]
    for n in range(230):
        primary = rng.choice(artists)
        featured = [rng.choice(artists)] if rng.random() < 0.15 else []
        writers = rng.sample(artists, rng.choice([0, 1, 1, 2]))
        year = rng.randint(1960, 2024)
        date = rng.choice([f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", str(year), None, f"May 4, {year}"])
        links = [f"https://www.youtube.com/watch?v={video_id(f'sleep{n}')}"] if rng.random() < 0.6 else []
        rows.append(
            row(
                _title(rng),
                primary,
                featured=featured,
                writers=writers,
                tags=rng.sample(["Pop", "Rock", "Rap", "Electronic", "Jazz", "Folk", "R&B"], 2),
                album=rng.choice([None, _title(rng)]),
                date=date,
                language=rng.choice(["en", "en", "en", "de", "es", "fr", "ja"]),
                links=links,
            )
        )
    return rows


# --- Free Music Archive ----------------------------------------------------------------------------------------
LICENCES = [
    ("Attribution-NonCommercial-ShareAlike 3.0 International", "http://creativecommons.org/licenses/by-nc-sa/3.0/"),
    (
        "Attribution-Noncommercial-No Derivative Works 3.0 United States",
        "http://creativecommons.org/licenses/by-nc-nd/3.0/us/",
    ),
    (
        "Attribution-NonCommercial-NoDerivatives (aka Music Sharing) 3.0 International",
        "http://creativecommons.org/licenses/by-nc-nd/3.0/",
    ),
    ("Attribution 4.0 International", "http://creativecommons.org/licenses/by/4.0/"),
    ("Attribution-ShareAlike 4.0 International", "http://creativecommons.org/licenses/by-sa/4.0/"),
    ("Creative Commons CC0 1.0 Universal", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("Attribution-Noncommercial-Share Alike 2.0 UK: England ", "http://creativecommons.org/licenses/by-nc-sa/2.0/uk/"),
    ("FMA-Limited: Download Only", ""),
]
GENRES = [
    (1, 8693, 38, "Avant-Garde", 38),
    (2, 5271, 0, "International", 2),
    (12, 32923, 0, "Rock", 12),
    (15, 34413, 0, "Electronic", 15),
    (17, 12706, 0, "Folk", 17),
    (21, 8389, 0, "Hip-Hop", 21),
    (38, 38154, 0, "Experimental", 38),
    (76, 1567, 15, "Experimental Pop", 15),
    (178, 0, 4, "Be-Bop", 4),
    (4, 4126, 0, "Jazz", 4),
]
FMA_ARTISTS = [
    # id, name, location, latitude, longitude, bio (HTML, with newlines and quotes)
    (
        1,
        "AWOL Collective",
        "New Jersey",
        "40.058323800000",
        "-74.405661200000",
        '<p>A "collective" of hip-hop &amp; beats from NJ.</p>\n<p>Second paragraph.</p>',
    ),
    (2, "Mélanie Lumière", "Paris, France", "48.856614000000", "2.352222000000", "<p>Chanson &eacute;lectro.</p>"),
    (3, "Ólafur Vindur", "Reykjavík", "64.146582000000", "-21.942635000000", ""),
    (4, "Дмитрий Шум", "Москва", "55.755826000000", "37.617300000000", "<p>Шумовая музыка</p>"),
    (5, "Kai Nakamura", "東京", "35.689487000000", "139.691706000000", ""),
    (6, "The Velvet Foxes", "", "", "", ""),  # no location: not on the map
    (7, "Lee Morrow", "Toronto, Ontario", "43.653226000000", "-79.383184000000", "<p>Ambient</p>"),
    (8, "Anna Berg", "Oslo", "59.913869000000", "10.752245000000", ""),
]


def write_fma(directory: Path, rng: random.Random) -> None:
    with FmaWriter(directory) as fma:
        for genre in GENRES:
            fma.genre(*genre)
        for artist_id, name, location, lat, lon, bio in FMA_ARTISTS:
            handle = name.replace(" ", "_")
            fma.artist(
                {
                    "artist_id": artist_id,
                    "artist_active_year_begin": 2006,
                    "artist_active_year_end": "0000",
                    "artist_bio": bio,
                    "artist_comments": 0,
                    "artist_date_created": "11/26/2008 01:42:32 AM",
                    "artist_favorites": rng.randint(0, 50),
                    "artist_handle": handle,
                    "artist_images": "[{'image_id': '1955', 'image_caption': None}]",
                    "artist_latitude": lat,
                    "artist_location": location,
                    "artist_longitude": lon,
                    "artist_name": name,
                    "artist_url": f"http://freemusicarchive.org/music/{handle}/",
                    "tags": "['experimental']",
                }
            )
        albums = {}
        track_id = 1
        for n in range(150):
            track_id += rng.choice([1, 1, 1, 2, 7])  # real ids have gaps
            artist_id, name, location, lat, lon, bio = FMA_ARTISTS[n % len(FMA_ARTISTS)]
            handle = name.replace(" ", "_")
            album_id = 100 + artist_id * 10 + n % 3
            album_title = {0: "Field Recordings", 1: "Nocturnes & Échos", 2: "Live at WFMU"}[n % 3]
            album_url = f"http://freemusicarchive.org/music/{handle}/{album_title.replace(' ', '_')}/"
            albums[album_id] = (album_title, album_url, name, handle)
            title = (
                _title(rng)
                if n % 5
                else {
                    0: "Sans titre (démo)",
                    1: "Ночной звонок",
                    2: "夜明け",
                    3: "Love, Again",
                    4: 'Theme from "Nowhere"',
                }[(n // 5) % 5]
            )
            licence, licence_url = LICENCES[n % len(LICENCES)]
            genre_ids = rng.sample([1, 2, 12, 15, 17, 21, 38, 76], rng.choice([0, 1, 2]))
            minutes, seconds = divmod(rng.randint(30, 900), 60)
            created = (
                f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/20{rng.randint(8, 16):02d} 0{rng.randint(1, 9)}:"
                f"1{rng.randint(0, 9)}:3{rng.randint(0, 9)} {rng.choice(['AM', 'PM'])}"
            )
            track_url = f"{album_url}{title.replace(' ', '_')}"
            columns = {
                ("album", "id"): album_id,
                ("album", "title"): album_title,
                ("album", "type"): "Album",
                ("album", "date_released"): f"20{rng.randint(8, 16):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} "
                "00:00:00"
                if n % 4
                else "",
                ("album", "tags"): "[]",
                ("album", "listens"): rng.randint(0, 90000),
                ("artist", "id"): artist_id,
                ("artist", "name"): name,
                ("artist", "location"): location,
                ("artist", "latitude"): lat,
                ("artist", "longitude"): lon,
                ("artist", "bio"): bio,
                ("artist", "tags"): "['experimental']",
                ("artist", "active_year_end"): "",
                ("set", "split"): rng.choice(["training", "validation", "test"]),
                ("set", "subset"): rng.choice(["small", "medium", "large"]),
                ("track", "bit_rate"): 256000,
                ("track", "duration"): minutes * 60 + seconds,
                ("track", "genre_top"): "Experimental" if 38 in genre_ids else "",
                ("track", "genres"): str(genre_ids),
                ("track", "genres_all"): str(genre_ids),
                ("track", "license"): licence,
                ("track", "listens"): rng.randint(0, 200000),
                ("track", "language_code"): rng.choice(["en", "", "fr"]),
                ("track", "tags"): "['lo-fi', 'diy']",
                ("track", "title"): title,
                ("track", "number"): n % 12 + 1,
                ("track", "date_created"): "2008-11-26 01:48:12",
            }
            raw = {
                "track_id": track_id,
                "album_id": album_id,
                "album_title": album_title,
                "album_url": album_url,
                "artist_id": artist_id,
                "artist_name": name,
                "artist_url": f"http://freemusicarchive.org/music/{handle}/",
                "license_title": licence,
                "license_url": licence_url,
                "tags": "[]",
                "track_date_created": created,
                "track_duration": f"{minutes:02d}:{seconds:02d}",
                "track_explicit": rng.choice(["Radio-Safe", "Radio-Unsafe", ""]),
                "track_genres": str([{"genre_id": str(g), "genre_title": "x", "genre_url": None} for g in genre_ids]),
                "track_information": "<p>Recorded live.\nSecond line &amp; more.</p>" if n % 7 == 0 else "",
                "track_listens": columns[("track", "listens")],
                "track_title": title,
                "track_url": track_url,
            }
            fma.track(track_id, columns, raw)
        # rows that cannot be loaded: a short row, and a track id that is not a number
        fma.raw_line("tracks.csv", "999991,0,2009-01-05 00:00:00,cut short")
        fma.raw_line("tracks.csv", "not-a-number" + "," * 52)
        for album_id, (album_title, album_url, name, handle) in sorted(albums.items()):
            fma.album(
                {
                    "album_id": album_id,
                    "album_title": album_title,
                    "album_url": album_url,
                    "album_date_released": "01/05/2009",
                    "artist_name": name,
                    "artist_url": f"http://freemusicarchive.org/music/{handle}/",
                    "album_type": "Album",
                    "tags": "[]",
                    "album_images": "[]",
                }
            )


# --- Spotify Tracks Dataset --------------------------------------------------------------------------------------
def spotify_rows(rng: random.Random, artists: list[str]) -> list[dict | str]:
    def row(
        title, artists_text, *, album=None, genre="pop", popularity=50, duration_ms=210000, explicit=False, seed=None
    ):
        return {
            "track_id": spotify_id(seed or f"{artists_text}{title}{album}"),
            "artists": artists_text,
            "album_name": album if album is not None else title,
            "track_name": title,
            "popularity": popularity,
            "duration_ms": duration_ms,
            "explicit": explicit,
            "danceability": 0.676,
            "energy": 0.461,
            "key": 1,
            "loudness": -6.746,
            "mode": 0,
            "speechiness": 0.143,
            "acousticness": 0.0322,
            "instrumentalness": "1.01e-06",
            "liveness": 0.358,
            "valence": 0.715,
            "tempo": 87.917,
            "time_signature": 4,
            "track_genre": genre,
        }

    ace = row(
        "Ace of Spades",
        "Motörhead",
        album="Ace Of Spades (Expanded Edition)",
        genre="heavy-metal",
        popularity=71,
        duration_ms=168800,
    )
    rows = [
        row("Army of Me", "Björk", album="Post", genre="electronic", popularity=55, duration_ms=234000),
        row("Hoppípolla", "Sigur Rós", album="Takk...", genre="ambient", popularity=62, duration_ms=268000),
        ace,
        {**ace, "track_genre": "rock"},  # the same track_id under a second genre: kept, flagged as a repeat
        row(
            "Crazy In Love (feat. Jay-Z)",
            "Beyoncé;JAY-Z",
            album="Dangerously In Love",
            genre="r-n-b",
            popularity=80,
            duration_ms=236133,
        ),
        row(
            "Get Lucky (feat. Pharrell Williams & Nile Rodgers)",
            "Daft Punk;Pharrell Williams;Nile Rodgers",
            album="Random Access Memories",
            genre="dance",
            popularity=83,
            duration_ms=369626,
        ),
        row("The Sound of Silence", "Simon & Garfunkel", genre="folk", popularity=77, duration_ms=185000),
        row("September", "Earth, Wind & Fire", genre="funk", popularity=85, duration_ms=215093),
        row('Theme from "Shaft"', "Isaac Hayes", genre="soul", popularity=60, duration_ms=280000),
        row("Lemon", "米津玄師", genre="j-pop", popularity=70, duration_ms=255000),
        row("Merry Christmas Mr. Lawrence", "Ryuichi Sakamoto;坂本龍一", genre="piano", popularity=65),
        row("Kickstart My Heart", "Mötley Crüe", genre="hard-rock", popularity=74, explicit=True),
        row("Untitled", "", genre="ambient", popularity=0),  # the one row with no artists
    ]
    # the same recording under several track ids (compilation copies, popularity 0)
    for copy in range(3):
        rows.append(
            row(
                "You and Me on the Rock",
                "Brandi Carlile",
                album=f"Acoustic Hits Vol. {copy + 1}",
                genre="acoustic",
                popularity=0,
                duration_ms=230893,
                seed=f"rock{copy}",
            )
        )
    for n in range(230):
        names = [rng.choice(artists)] + ([rng.choice(artists)] if rng.random() < 0.2 else [])
        rows.append(
            row(
                _title(rng),
                ";".join(dict.fromkeys(names)),
                album=rng.choice([None, _title(rng)]),
                genre=rng.choice(["pop", "rock", "acoustic", "jazz", "k-pop", "chill"]),
                popularity=rng.randint(0, 100),
                duration_ms=rng.randint(60000, 420000),
                explicit=rng.random() < 0.1,
                seed=f"filler{n}",
            )
        )
    rows.append("999,SHORTROWxxxxxxxxxxxxx,Someone,Too Short")  # a short row: recorded as a problem
    rows.append(",".join(["1000", "", "Nobody", "No Id", "No Id"] + ["0"] * 16))  # no track id: rejected
    return rows


# --- a model's attribution list, in Stability AI's format (fma_dataset_attribution2.csv) ----------------------
ATTRIBUTION_ROWS = [
    # FMA tracks of the sample, as the list gives them (some authors spelled as the model maker spelled them)
    (
        "5",
        "Gold Heart",
        "Дмитрий Шум",
        "ccby",
        "https://freemusicarchive.org/music/Дмитрий_Шум/Field_Recordings/Gold_Heart/",
    ),
    (
        "8",
        "Ночной звонок",
        "The Velvet Foxes",
        "cc0",
        "https://freemusicarchive.org/music/The_Velvet_Foxes/Live_at_WFMU/",
    ),
    ("38", "Gold Dream (Remastered 2011)", "Dmitry Shum", "ccby", "https://freemusicarchive.org/music/Dmitry_Shum/x/"),
    ("40", "Light (Official Video)", "Velvet Foxes", "cc0", "https://freemusicarchive.org/music/Velvet_Foxes/y/"),
    # listed as CC BY, but FMA's 2016 metadata gives these tracks a NonCommercial licence
    ("2", "Sans titre (démo)", "AWOL Collective", "ccby", "https://freemusicarchive.org/music/AWOL_Collective/z/"),
    ("3", "Moon (Radio Edit)", "Various Artists [Droplift]", "ccby", "https://freemusicarchive.org/music/Droplift/m/"),
    # ids beyond the 2017 dataset: taken from the FMA website later, in none of the four datasets
    (
        "160001",
        "Midnight Drive",
        "Anna Berg",
        "ccby",
        "https://freemusicarchive.org/music/Anna_Berg/Night/Midnight_Drive/",
    ),
    (
        "171234",
        "Paper Boats",
        "Kai Nakamura",
        "cc0",
        "https://freemusicarchive.org/music/Kai_Nakamura/Boats/Paper_Boats/",
    ),
    ("198765", 'Ölfusá, "Morgun"', "Ólafur Vindur", "ccby", "https://freemusicarchive.org/music/Olafur_Vindur/M/"),
    ("200000", "Cello Study No. 2", "Mina Park", "cc0", "https://freemusicarchive.org/music/Mina_Park/Studies/Cello/"),
]


def write_attribution(path: Path) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # the published file has CRLF line endings
        writer.writerow(["id", "title", "author", "license", "url"])
        writer.writerows(ATTRIBUTION_ROWS[:5])
        handle.write("12,Too few,fields\r\n")  # rejected: recorded in problems
        writer.writerows(ATTRIBUTION_ROWS[5:8])
        writer.writerow(["abc", "Not an id", "Someone", "ccby", "https://freemusicarchive.org/"])  # rejected
        writer.writerows(ATTRIBUTION_ROWS[8:])


def main() -> None:
    rng = random.Random(2026)
    artists = _filler_artists(rng)
    laion_dir = ROOT / "laion-disco-12m"
    shutil.rmtree(laion_dir, ignore_errors=True)
    laion = laion_rows(rng, artists)
    write_laion(laion_dir, laion, len(laion))

    sleeping_dir = ROOT / "sleeping-disco-9m"
    shutil.rmtree(sleeping_dir, ignore_errors=True)
    write_sleeping(sleeping_dir, sleeping_rows(rng, artists, laion))

    fma_dir = ROOT / "fma_metadata"
    shutil.rmtree(fma_dir, ignore_errors=True)
    write_fma(fma_dir, rng)

    write_spotify(ROOT / "spotify-tracks-dataset" / "dataset.csv", spotify_rows(rng, artists))
    write_attribution(ROOT / "attribution" / "fma_dataset_attribution2.csv")
    for path in sorted(ROOT.rglob("*")):
        if path.is_file() and path.suffix in (".parquet", ".jsonl", ".csv") and path.name != "catalogue.csv":
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
