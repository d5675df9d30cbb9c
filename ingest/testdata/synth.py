"""Full-size synthetic datasets in the publishers' exact formats: `python -m ingest synth --scale 1.0 --out DIR`.

The shape follows the real data: Zipf-like artist popularity (a few artists with tens of thousands of tracks, a
quarter of a million LAION artists, a long tail), multi-artist and featured credits, multilingual names and titles,
common words (love, remix, live, feat.), realistic views and durations, duplicates, and the same recordings across
datasets (a Sleeping-DISCO song links to the YouTube id LAION uses for that recording). Deterministic for a given
`--seed`; streamed, so memory does not grow with the scale.

A recording is (artist number, title number). Its title, its YouTube id and its Spotify id are pure functions of
those two numbers, so two datasets that draw the same pair hold the same recording without sharing any state.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Iterator
from pathlib import Path

from ..datasets import DATASETS
from .publisher_formats import FmaWriter, sleeping_letter, write_laion, write_sleeping, write_spotify
from .samples import GENRES as FMA_GENRES
from .samples import LICENCES as FMA_LICENCES

PUBLISHED = {info.slug: info.rows_published for info in DATASETS}
CORE_ARTISTS = 250_000  # LAION's artists at scale 1.0
GENIUS_ONLY_ARTISTS = 600_000  # Sleeping-DISCO's long tail of Genius-only artists
FMA_ARTISTS = 16_341

# --- names ----------------------------------------------------------------------------------------------------
FIRST = (
    "Anna Luca Mia Jonas Sofía Mateo Zoë Noah Léa Ivan Aiko Omar Freya Tomás Nina Kofi Elif Rafael Ingrid Hugo "
    "Chloé Mika Yusuf Amara Björn Daniela Kenji Priya Malik Astrid Diego Hana Oskar Leila Theo Mei Santiago "
    "Esther Felix Aaliyah Viktor Camila Jin Nadia Pablo Saoirse Emil Zara Ravi Ines Marcus Yara Lukas Sasha "
    "Olivia Rhys Fatima Arjun Greta Julien"
).split()
LAST = (
    "Berg Rossi Nováková Müller García Dubois Kowalski Haddad Tanaka Lindqvist Okafor Silva Jensen Moreau Petrov "
    "Çelik Nakamura Fernández O'Brien Schmidt Kim Nguyen Hansen Costa Horváth Ivanova Mendes Novak Sato Yilmaz "
    "Andersson Romero Duarte Kaur Abara Weber Laurent Popescu Jovanović Eriksen Park Ali Cohen Fischer Brennan "
    "Dahl Moreno Ricci Svensson Wójcik Lehmann Chen Santos Vargas Holm Kovač Nieminen Delacroix Osei Petrović "
    "Quinn Rahman Sørensen Takahashi Umarov Valdés Watanabe Xu Young Zielińska"
).split()
ADJECTIVES = (
    "Velvet Midnight Paper Neon Golden Silent Electric Crimson Wild Hollow Lunar Broken Electric Static "
    "Frozen Burning Quiet Savage Lucky Lonely Cosmic Rusty Sacred Distant Glass Iron Secret Little Northern "
    "Southern Atomic Fading Sleepy Analog Digital Liquid Violet Scarlet Bitter Sweet Magnetic Arctic "
    "Tropical Infinite Empty Heavy"
).split()
NOUNS = (
    "Foxes Static Lanterns Harbour Signal Valley Machine Ratio Syndicate Riot Skies Wolves Mirrors Tigers "
    "Rivers Ghosts Engines Satellites Pilots Orchids Comets Hearts Kings Queens Saints Sailors Monks Vandals "
    "Dreamers Drifters Echoes Shadows Strangers Pharaohs Ravens Owls Cowboys Robots Twins Sisters Brothers "
    "Lovers Giants Crowns Embers Horizons Tides"
).split()
BAND_FORMS = (
    "{a} {n}",
    "The {a} {n}",
    "{a} {n}",
    "{n} of {n2}",
    "{a} {n} Orchestra",
    "DJ {f}",
    "MC {l}",
    "{f} & the {n}",
    "{a} {n} Collective",
    "Lil {f}",
    "{f} {l} Trio",
    "{n}",
)
CYRILLIC = (
    "Александр Мария Дмитрий Анна Сергей Ольга Иван Елена Кино Земфира Мумий Тролль Сплин Алиса Ночные Снайперы".split()
)
CJK = "坂本 龍一 米津 玄師 宇多田 ヒカル 椎名 林檎 周 杰倫 王 菲 久石 譲 星野 源 中島 みゆき".split()
ARABIC = "فيروز عمرو دياب أم كلثوم نانسي عجرم كاظم الساهر محمد منير".split()
KOREAN = "방탄소년단 블랙핑크 아이유 빅뱅 트와이스 세븐틴 뉴진스 엑소".split()

WORDS = (
    "Love Night Heart Fire Dream River Gold Summer Rain Home Light Dance Ghost Paradise Ocean Moon City Wild "
    "Forever Blue Baby Time World Life Girl Boy World Money Sky Star Sun Road Song Soul Angel Tonight Alone "
    "Crazy Dark Fever Honey Magic Memory Mirror Shadow Silence Storm Tears Thunder Wine Winter Youth Diamond "
    "Butterfly Highway Lullaby Midnight Morning Rainbow Revolution Sugar Sweet Velvet Wonder"
).split()
LOCAL_WORDS = (
    "Amor Corazón Noche Liebe Nacht Herz Amour Cœur Nuit Любовь Ночь Сердце 愛 夜 心 사랑 밤 حب ليل "
    "Saudade Fiesta Vida Sehnsucht Étoile"
).split()
VERSION_SUFFIXES = (
    " (Remix)",
    " - Live",
    " (Live)",
    " (Acoustic)",
    " (Radio Edit)",
    " (Remastered 2011)",
    " (Official Video)",
    " [Lyrics]",
    " (Official Music Video)",
    " - Remastered",
    " (Extended Mix)",
    " (Instrumental)",
    " (Slowed + Reverb)",
)
TAGS = (
    "Pop Rock Rap Hip-Hop R&B Electronic Dance Country Folk Jazz Blues Soul Funk Metal Punk Indie Alternative "
    "Latin K-Pop J-Pop Reggae Reggaeton Gospel Classical Soundtrack Ambient House Techno Trap Drill Afrobeats "
    "Singer-Songwriter Acoustic Emo Grunge Disco Synthpop Lo-Fi Experimental Russian Pop French Pop "
    "Deutschrap Translation Romanization"
).split()
SPOTIFY_GENRES = [
    f"{g}"
    for g in (
        "acoustic afrobeat alt-rock alternative ambient anime black-metal bluegrass blues "
        "brazil breakbeat british cantopop chicago-house children chill classical club comedy country "
        "dance dancehall death-metal deep-house detroit-techno disco disney drum-and-bass dub dubstep edm "
        "electro electronic emo folk forro french funk garage german gospel goth grindcore groove grunge "
        "guitar happy hard-rock hardcore hardstyle heavy-metal hip-hop honky-tonk house idm indian indie "
        "indie-pop industrial iranian j-dance j-idol j-pop j-rock jazz k-pop kids latin latino malay "
        "mandopop metal metalcore minimal-techno mpb new-age opera pagode party piano pop pop-film "
        "power-pop progressive-house psych-rock punk punk-rock r-n-b reggae reggaeton rock rock-n-roll "
        "rockabilly romance sad salsa samba sertanejo show-tunes singer-songwriter ska sleep songwriter "
        "soul spanish study swedish synth-pop tango techno trance trip-hop turkish world-music"
    ).split()
]


def _mix(*numbers: int) -> int:
    """A fast, well-spread 64-bit hash of some integers (splitmix64 finaliser)."""
    h = 0x9E3779B97F4A7C15
    for number in numbers:
        h = (h ^ (number & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
        h = h * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 29
    return h


_B64 = string.ascii_letters + string.digits + "-_"
_B62 = string.ascii_letters + string.digits


def _encode(h: int, length: int, alphabet: str) -> str:
    out = []
    base = len(alphabet)
    for _ in range(length):
        h, digit = divmod(h, base)
        out.append(alphabet[digit])
        if h == 0:
            h = _mix(length, len(out))
    return "".join(out)


class World:
    """Everything that must agree across datasets: artists, recordings, ids."""

    def __init__(self, scale: float, seed: int):
        self.seed = seed
        self.core = max(200, int(CORE_ARTISTS * scale))
        self.genius_only = max(100, int(GENIUS_ONLY_ARTISTS * scale))
        # Zipf–Mandelbrot weights: the most popular artist holds ~0.2% of a dataset, the tail one track or none.
        self.core_cum = list(itertools.accumulate((rank + 60) ** -1.0 for rank in range(self.core)))
        self.tail_cum = list(itertools.accumulate((rank + 400) ** -0.9 for rank in range(self.genius_only)))

    # artists are numbered: 0 … core-1 shared by all, core … core+genius_only-1 only on Genius
    def artist_name(self, artist: int) -> str:
        h = _mix(self.seed, 1, artist)
        if h % 100 == 0 and artist > 1000:
            return self.artist_name(artist - 997)  # a homonym: same name, another artist (another channel)
        form = (h >> 8) % 20
        if form < 9:
            name = f"{FIRST[(h >> 16) % len(FIRST)]} {LAST[(h >> 24) % len(LAST)]}"
            if artist >= len(FIRST) * len(LAST) // 2 and (h >> 40) % 3:
                name = (
                    f"{FIRST[(h >> 16) % len(FIRST)]} {FIRST[(h >> 32) % len(FIRST)][0]}. {LAST[(h >> 24) % len(LAST)]}"
                )
            return name
        if form < 16:
            return BAND_FORMS[(h >> 16) % len(BAND_FORMS)].format(
                a=ADJECTIVES[(h >> 24) % len(ADJECTIVES)],
                n=NOUNS[(h >> 32) % len(NOUNS)],
                n2=NOUNS[(h >> 40) % len(NOUNS)],
                f=FIRST[(h >> 48) % len(FIRST)],
                l=LAST[(h >> 52) % len(LAST)],
            )
        script = (CYRILLIC, CJK, ARABIC, KOREAN)[form - 16]
        return (
            " ".join(script[(h >> shift) % len(script)] for shift in (16, 28))
            if form < 19
            else script[(h >> 16) % len(script)] + str((h >> 30) % 100 or "")
        )

    def channel_id(self, artist: int) -> str:
        return "UC" + _encode(_mix(self.seed, 2, artist), 22, _B64)

    def titles_of(self, artist: int) -> int:
        return max(12, 3000 // (1 + artist // 40)) if artist < self.core else 12

    def title(self, artist: int, number: int) -> str:
        h = _mix(self.seed, 3, artist, number)
        words = [WORDS[(h >> shift) % len(WORDS)] for shift in (0, 8, 16)][: 1 + (h >> 24) % 3]
        if (h >> 28) % 12 == 0:
            words[-1] = LOCAL_WORDS[(h >> 32) % len(LOCAL_WORDS)]
        title = " ".join(dict.fromkeys(words))
        if (h >> 36) % 9 == 0:
            title = f"{title} {(h >> 40) % 99 + 1}"
        return title

    def video_id(self, artist: int, number: int, variant: int = 0) -> str:
        return _encode(_mix(self.seed, 4, artist, number, variant), 11, _B64)

    def spotify_id(self, artist: int, number: int, copy: int = 0) -> str:
        return _encode(_mix(self.seed, 5, artist, number, copy), 22, _B62)

    def duration(self, artist: int, number: int) -> int:
        return 90 + _mix(self.seed, 6, artist, number) % 330

    def core_artists(self, rng: random.Random, k: int) -> list[int]:
        return rng.choices(range(self.core), cum_weights=self.core_cum, k=k)

    def tail_artists(self, rng: random.Random, k: int) -> list[int]:
        return [self.core + a for a in rng.choices(range(self.genius_only), cum_weights=self.tail_cum, k=k)]


def _views(rng: random.Random) -> str:
    if rng.random() < 0.002:
        return rng.choice(["No views", "", "—", "views"])
    count = int(rng.lognormvariate(11, 2.6))
    noun = rng.choice(("plays", "views"))
    if count == 1:
        return f"1 {noun[:-1]}"
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if count >= limit:
            value = count / limit
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{int(value)}"
            return f"{text}{suffix} {noun}"
    return f"{count} {noun}"


def laion_rows(world: World, rows: int, rng: random.Random) -> Iterator[dict]:
    chunk = 10_000
    produced = 0
    while produced < rows:
        n = min(chunk, rows - produced)
        artists = world.core_artists(rng, n)
        for artist in artists:
            number = rng.randrange(world.titles_of(artist))
            title = world.title(artist, number)
            variant = 0
            r = rng.random()
            if r < 0.07:
                variant = 1
                title += rng.choice(VERSION_SUFFIXES)
            credited = [artist]
            r = rng.random()
            if r < 0.12:
                credited.append(world.core_artists(rng, 1)[0])
                if r < 0.03:
                    credited.append(world.core_artists(rng, 1)[0])
            elif r < 0.20:
                title += f" (feat. {world.artist_name(world.core_artists(rng, 1)[0])})"
            names = [world.artist_name(a) for a in credited]
            ids = [world.channel_id(a) for a in credited]
            if rng.random() < 0.01:
                ids = ids[:-1]  # channel ids missing for the last artist, as in the real data
            album = None if rng.random() < 0.15 else world.title(artist, 10_000 + number % 40)
            yield {
                "song_id": world.video_id(artist, number, variant),
                "title": title,
                "artist_names": names,
                "artist_ids": ids,
                "album_name": album,
                "album_id": "MPREb_" + world.video_id(artist, 10_000 + number % 40) if album else None,
                "isExplicit": rng.random() < 0.08,
                "views": _views(rng),
                "duration": world.duration(artist, number) + (7 if variant else 0),
            }
        produced += n


LYRICS_WORDS = (
    "la da oh yeah baby night light heart fire go we you I the and of to in my your love never always"
).split()


def sleeping_rows(world: World, rows: int, rng: random.Random, lyrics_bytes: int) -> Iterator[tuple[str, dict]]:
    filler = " ".join(rng.choice(LYRICS_WORDS) for _ in range(max(1, lyrics_bytes // 4)))[:lyrics_bytes]
    song_id = 0
    chunk = 10_000
    produced = 0
    while produced < rows:
        n = min(chunk, rows - produced)
        core = world.core_artists(rng, n)
        tail = world.tail_artists(rng, n)
        for i in range(n):
            song_id += rng.choice((1, 1, 1, 2, 3, 17))
            artist = core[i] if rng.random() < 0.6 else tail[i]
            number = rng.randrange(world.titles_of(artist))
            title = world.title(artist, number)
            primary = world.artist_name(artist)
            r = rng.random()
            if r < 0.01:
                title = f"{primary} - {title} (English Translation)"
                primary = "Genius English Translations"
            elif r < 0.015:
                title = f"{primary} - {title} (Romanized)"
                primary = "Genius Romanizations"
            featured = [world.artist_name(a) for a in world.core_artists(rng, 1)] if rng.random() < 0.15 else []
            writers = [world.artist_name(a) for a in world.core_artists(rng, rng.choice((0, 1, 1, 2, 3)))]
            links = []
            r = rng.random()
            if r < 0.7 and artist < world.core:
                links.append(f"https://www.youtube.com/watch?v={world.video_id(artist, number)}")
            if r < 0.1:
                links.append(f"https://youtu.be/{world.video_id(artist, number, 1)}")
            year = 1950 + _mix(world.seed, 7, artist) % 75
            slug = primary.replace(" ", "-")
            letter = sleeping_letter(primary)
            yield (
                letter,
                {
                    "song_id": song_id if rng.random() < 0.999 else song_id - 1,  # a few duplicated ids
                    "title": title,
                    "song_url": f"https://genius.com/{slug}-{title.replace(' ', '-').lower()}-lyrics",
                    "primary_artist": primary,
                    "artist_url": f"https://genius.com/artists/{slug}",
                    "featured_artists": featured,
                    "lyricists": writers,
                    "tags": rng.sample(TAGS, rng.choice((0, 1, 2, 3))),
                    "album_name": None if rng.random() < 0.3 else world.title(artist, 10_000 + number % 40),
                    "album_url": None,
                    "album_release_date": rng.choice(
                        (f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", str(year), None, f"May 4, {year}")
                    ),
                    "language": rng.choice(("en", "en", "en", "en", "es", "de", "fr", "ru", "ja", "ko", "pt")),
                    "youtube_links": links,
                    "lyrics": filler,
                    "genius_annotation": None,
                    "qna": [],
                },
            )
        produced += n


def spotify_rows(world: World, rows: int, rng: random.Random) -> Iterator[dict]:
    recent: list[dict] = []
    per_genre = max(1, rows // len(SPOTIFY_GENRES))
    produced = 0
    for genre in itertools.cycle(SPOTIFY_GENRES):
        for _ in range(per_genre):
            if produced >= rows:
                return
            produced += 1
            if recent and rng.random() < 0.2:
                yield {**rng.choice(recent), "track_genre": genre}  # the same track id under another genre
                continue
            artist = world.core_artists(rng, 1)[0]
            number = rng.randrange(world.titles_of(artist))
            names = [world.artist_name(artist)]
            if rng.random() < 0.15:
                names.append(world.artist_name(world.core_artists(rng, 1)[0]))
            copy = 0 if rng.random() < 0.95 else rng.randint(1, 5)  # compilation copies under other ids
            row = {
                "track_id": world.spotify_id(artist, number, copy),
                "artists": ";".join(dict.fromkeys(names)),
                "album_name": world.title(artist, 10_000 + number % 40),
                "track_name": world.title(artist, number),
                "popularity": 0 if copy else rng.randint(0, 100),
                "duration_ms": world.duration(artist, number) * 1000 + rng.randint(0, 999),
                "explicit": rng.random() < 0.09,
                "danceability": round(rng.random(), 3),
                "energy": round(rng.random(), 3),
                "key": rng.randint(0, 11),
                "loudness": round(-rng.random() * 30, 3),
                "mode": rng.randint(0, 1),
                "speechiness": round(rng.random() / 5, 4),
                "acousticness": round(rng.random(), 4),
                "instrumentalness": f"{rng.random() / 1000:.2e}",
                "liveness": round(rng.random(), 3),
                "valence": round(rng.random(), 3),
                "tempo": round(60 + rng.random() * 140, 3),
                "time_signature": 4,
                "track_genre": genre,
            }
            recent = (recent + [row])[-200:]
            yield row


def write_fma(world: World, rows: int, directory: Path, rng: random.Random) -> None:
    artists = max(20, int(FMA_ARTISTS * rows / PUBLISHED["free-music-archive"]))
    genre_ids = [g[0] for g in FMA_GENRES]
    cities = [
        ("New York", 40.7128, -74.006),
        ("Berlin", 52.52, 13.405),
        ("Paris", 48.8566, 2.3522),
        ("Montréal", 45.5017, -73.5673),
        ("São Paulo", -23.5505, -46.6333),
        ("Москва", 55.7558, 37.6173),
        ("東京", 35.6762, 139.6503),
        ("Lagos", 6.5244, 3.3792),
        ("Reykjavík", 64.1466, -21.9426),
        ("Melbourne", -37.8136, 144.9631),
    ]
    with FmaWriter(directory) as fma:
        for genre in FMA_GENRES:
            fma.genre(*genre)
        for artist in range(1, artists + 1):
            name = (
                world.artist_name(world.core + world.genius_only + artist) if artist % 20 else world.artist_name(artist)
            )  # one FMA artist in twenty is also a LAION/Genius artist
            city, lat, lon = cities[artist % len(cities)] if artist % 5 else ("", None, None)
            handle = name.replace(" ", "_")
            fma.artist(
                {
                    "artist_id": artist,
                    "artist_name": name,
                    "artist_location": city,
                    "artist_latitude": f"{lat + rng.uniform(-0.5, 0.5):.12f}" if lat else "",
                    "artist_longitude": f"{lon + rng.uniform(-0.5, 0.5):.12f}" if lon else "",
                    "artist_url": f"http://freemusicarchive.org/music/{handle}/",
                    "tags": "[]",
                    "artist_bio": "<p>Biography.\nMore.</p>",
                    "artist_images": "[]",
                }
            )
        track_id = 1
        for n in range(rows):
            track_id += rng.choice((1, 1, 1, 2, 5))
            artist = min(artists, int(rng.paretovariate(1.2)) if rng.random() < 0.3 else rng.randint(1, artists))
            name = (
                world.artist_name(world.core + world.genius_only + artist) if artist % 20 else world.artist_name(artist)
            )
            handle = name.replace(" ", "_")
            city, lat, lon = cities[artist % len(cities)] if artist % 5 else ("", None, None)
            title = world.title(world.core + world.genius_only + artist, n % 50)
            album_id = artist * 10 + n % 4
            album = world.title(artist, 20_000 + n % 4)
            album_url = f"http://freemusicarchive.org/music/{handle}/{album.replace(' ', '_')}/"
            licence, licence_url = FMA_LICENCES[_mix(world.seed, 8, artist) % len(FMA_LICENCES)]
            genres = rng.sample(genre_ids, rng.choice((0, 1, 1, 2)))
            seconds = rng.randint(30, 900)
            fma.track(
                track_id,
                {
                    ("album", "id"): album_id,
                    ("album", "title"): album,
                    ("album", "type"): "Album",
                    ("album", "date_released"): f"20{rng.randint(5, 16):02d}-01-05 00:00:00",
                    ("artist", "id"): artist,
                    ("artist", "name"): name,
                    ("artist", "location"): city,
                    ("artist", "latitude"): lat or "",
                    ("artist", "longitude"): lon or "",
                    ("set", "subset"): rng.choice(("small", "medium", "large", "large")),
                    ("track", "duration"): seconds,
                    ("track", "genres"): str(genres),
                    ("track", "license"): licence,
                    ("track", "listens"): int(rng.paretovariate(1.1) * 100),
                    ("track", "title"): title,
                    ("track", "date_created"): "2012-03-01 10:00:00",
                    ("track", "tags"): "[]",
                },
                {
                    "track_id": track_id,
                    "album_id": album_id,
                    "album_title": album,
                    "album_url": album_url,
                    "artist_id": artist,
                    "artist_name": name,
                    "artist_url": f"http://freemusicarchive.org/music/{handle}/",
                    "license_title": licence,
                    "license_url": licence_url,
                    "track_duration": f"{seconds // 60:02d}:{seconds % 60:02d}",
                    "track_explicit": rng.choice(("Radio-Safe", "Radio-Unsafe", "")),
                    "track_title": title,
                    "track_url": f"{album_url}{title.replace(' ', '_')}",
                },
            )
        for album_id in range(10, artists * 10 + 4):
            fma.album({"album_id": album_id, "album_url": f"http://freemusicarchive.org/album/{album_id}/"})


def synth(out: Path, scale: float = 1.0, seed: int = 1, lyrics_bytes: int = 1500, log=print) -> dict[str, Path]:
    """Write the four datasets under `out`; returns slug → path to pass to the build."""
    out = Path(out)
    world = World(scale, seed)
    counts = {slug: max(10, round(rows * scale)) for slug, rows in PUBLISHED.items()}
    paths = {
        "laion-disco-12m": out / "laion-disco-12m",
        "sleeping-disco-9m": out / "sleeping-disco-9m",
        "free-music-archive": out / "fma_metadata",
        "spotify-tracks-dataset": out / "spotify-tracks-dataset" / "dataset.csv",
    }
    log(f"laion-disco-12m: {counts['laion-disco-12m']:,} rows …")
    write_laion(
        paths["laion-disco-12m"],
        laion_rows(world, counts["laion-disco-12m"], random.Random(seed * 10 + 1)),
        counts["laion-disco-12m"],
    )
    log(f"sleeping-disco-9m: {counts['sleeping-disco-9m']:,} rows …")
    write_sleeping(
        paths["sleeping-disco-9m"],
        sleeping_rows(world, counts["sleeping-disco-9m"], random.Random(seed * 10 + 2), lyrics_bytes),
    )
    log(f"free-music-archive: {counts['free-music-archive']:,} rows …")
    write_fma(world, counts["free-music-archive"], paths["free-music-archive"], random.Random(seed * 10 + 3))
    log(f"spotify-tracks-dataset: {counts['spotify-tracks-dataset']:,} rows …")
    write_spotify(
        paths["spotify-tracks-dataset"],
        spotify_rows(world, counts["spotify-tracks-dataset"], random.Random(seed * 10 + 4)),
    )
    return paths
