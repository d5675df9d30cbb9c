"""Search finds people the way they type: every variant class on the sample build (prefixes, typos, accents and
letters that do not decompose, other scripts in Latin letters, `&`/`and`, apostrophes and punctuation, full-width
forms, surnames), the same resolution in the saved queries and on `/artist/<key>`, and links the datasets cannot
hold."""

import re
import sqlite3
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from ingest import search_index
from ingest.links import parse_link, unsupported_link
from ingest.normalize import consonant_skeleton, latin_readings, match_key, search_text, search_words, spelled_out

from .conftest import tracks_to_fold


async def search(ds, q: str) -> dict:
    response = await ds.client.get("/search.json", params={"q": q})
    assert response.status_code == 200
    return response.json()


def names(artists) -> list[str]:
    return [a["name"] for a in artists]


# --- one folding for index and query ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, words",
    [
        ("Jón Þór Birgisson", "jon thor birgisson"),
        ("Røyksopp", "royksopp roeyksopp"),
        ("Straße", "strasse"),
        ("Łukasz", "lukasz"),
        ("Guðrún Đorđević", "gudrun dordevic guthrun djordjevic"),
        ("Cœur", "coeur"),
        ("Sæbjørg Næss", "saebjorg naess saebjoerg naess"),
        ("Ｂｊｏｒｋ", "bjork"),
        ("Salt & Signal", "salt and signal"),
        ("Salt+Signal", "salt and signal"),
        ("I Don't Care", "i don't care dont"),
        ("JAY-Z", "jay-z jayz"),
        ("R.E.M.", "r.e.m. rem"),
        ("AC/DC", "ac/dc acdc"),
        ("Кино", "кино kino"),
    ],
)
def test_the_index_holds_folded_words_beside_joined_and_spelled_out_forms(text, words):
    assert search_text(text) == words


def test_plain_ascii_is_left_to_the_tokenizer():
    assert search_text("Love Night 2") == "Love Night 2"
    assert search_text(None) is None and search_text("") == ""


# the build folds in processes of its own ahead of the statement filling tracks_fts (search_index.FoldedAhead)
NASTY_TEXTS = [
    "Love Night 2",
    "Jón Þór Birgisson",
    "Salt & Signal",
    "Salt+Signal",
    "I Don't Care",
    "JAY-Z",
    "R.E.M.",
    "AC/DC",
    "Кино",
    "坂本龍一",
    "Ｂｊｏｒｋ",
    "a`b",
    "Mr. Brown - Live",
    "tab\there",
    "nul\x00é",
    "",
    None,
]


def test_sql_sends_every_text_that_needs_folding_to_python():
    conn = sqlite3.connect(":memory:")
    chars = [chr(i) for i in range(0x3000)] + ["\U0001f600", "\U00020000"]
    texts = [t for ch in chars if not 0xD800 <= ord(ch) < 0xE000 for t in (ch, f"a{ch}b", f"1{ch}2", f"\x00{ch}")]
    passed = [
        text
        for text in texts
        if not conn.execute(f"select {search_index._maybe_folded('?')}", [text] * 2).fetchone()[0]
    ]
    assert passed and all(search_text(text) == text for text in passed)


def test_the_folding_processes_fill_the_index_as_folding_here_does(tmp_path):
    def index(path, fill):
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("create table tracks (id integer primary key, title text, artist_credit text, album text)")
        rows = [(n, NASTY_TEXTS[n % 17], NASTY_TEXTS[n * 7 % 17], NASTY_TEXTS[n * 3 % 17]) for n in range(1, 9000)]
        rows += [(n + 100_000_000, title, credit, album) for n, title, credit, album in rows[:50]]  # a second block
        conn.executemany("insert into tracks values (?, ?, ?, ?)", rows)
        conn.executescript(search_index.SCHEMA)
        conn.execute("begin")
        fill(conn)
        conn.execute("commit")
        shadow = conn.execute("select * from tracks_fts_data order by id").fetchall()
        conn.close()
        return shadow

    def here(conn):
        conn.create_function("search_text", 1, search_text)
        conn.execute(
            "insert into tracks_fts(rowid, title, artist_credit, album) "
            "select id, search_text(title), search_text(artist_credit), search_text(album) from tracks"
        )

    assert index(tmp_path / "a.db", search_index._fill_tracks_fts) == index(tmp_path / "b.db", here)


def test_a_text_the_folding_processes_did_not_read_is_folded_here(tmp_path):
    path = tracks_to_fold(tmp_path / "t.db")
    with search_index.FoldedAhead(str(path), [(1, 1)]) as folded:
        assert folded("Jón") == "jon"
        assert folded("Sigur Rós") == "sigur ros"  # in no chunk: all chunks are taken, then folded here
        assert folded("Plain Words") == "Plain Words"


@pytest.mark.parametrize(
    "text, words",
    [
        ("Salt & Signal", ["salt", "and", "signal"]),
        ("Ｂｊｏｒｋ", ["bjork"]),
        ("JAY-Z", ["jay", "z"]),
        ("jon thor", ["jon", "thor"]),
        ("Jón Þór", ["jon", "thor"]),
        ("!!!", []),
        ("кино", ["кино"]),
    ],
)
def test_a_query_is_folded_as_the_index_is(text, words):
    assert search_words(text) == words


def test_other_scripts_are_read_in_latin_letters():
    assert latin_readings("Кино") == ("kino",)
    assert latin_readings("Дмитрий Шум") == ("dmitrii shum", "dmitry shum")  # unidecode's, and as usually spelled
    assert "sakamoto ryuichi" in latin_readings("坂本龍一") and "ban ben long yi" in latin_readings("坂本龍一")
    assert "aimyon" in latin_readings("あいみょん") and "yorushika" in latin_readings("ヨルシカ")
    assert "eleftheria arvanitaki" in latin_readings("ελευθερία αρβανιτάκη")
    assert latin_readings("Björk") == ()
    # the catalogue check's match key keeps unidecode's reading
    assert match_key("Кино") == "kino" and match_key("坂本龍一") == "banbenlongyi"


def test_names_in_arabic_or_hebrew_letters_are_matched_by_their_consonants():
    assert consonant_skeleton("Fairuz") == consonant_skeleton("Fayrouz") == consonant_skeleton("fyrwz") == "frz"
    assert "~frz" in search_index.artist_keys("فيروز")
    assert spelled_out("MØ") == "moe" and spelled_out("Bjork") is None


def test_fts_queries_quote_every_word_and_make_prefixes():
    assert search_index.fts_query(["army", "of", "me"]) == '"army"* AND "of" AND "me"'
    assert search_index.typed_words(["elif", "b"]) == (["elif"], "b")
    assert search_index.typed_words(["bj"]) == (["bj"], None)
    assert search_index.fts_query(['a"b']) == '"a""b"*'
    assert search_index.fts_query([["live", "love"], "heart"]) == '("live" OR "love") AND "heart"*'
    assert search_index.fts_query([]) is None


def test_tracks_are_ranked_as_bm25_3_2_1_would_rank_them():
    score = search_index.match_score
    # where the word is: title above credit above album
    assert score("love", "Love Song", "Ana", "Blue") > score("love", "Blue Song", "Love", "Ana")
    assert score("love", "Blue Song", "Love", "Ana") > score("love", "Blue Song", "Ana", "Love")
    # a shorter row, and a word met twice, rank higher; a prefix counts as its words
    assert score("love", "Love", "Ana", None) > score("love", "Love", "Ana Maria de la Cruz y los Hermanos", None)
    assert score("love", "Love Love", "Ana", None) > score("love", "Love Song", "Ana", None)
    assert score("lov", "Lovely", "Ana", None) > 0
    # other scripts count by the readings the index holds
    assert score("kino", "Song", "Кино", None) > 0 == score("kino", "Song", "Мама", None)


def test_the_title_tier_puts_a_whole_title_with_its_artist_first():
    assert search_index.title_tier("Army of Me", "Björk", "army of me bjork") == 0
    assert search_index.title_tier("Army of Me", "Björk", "army of") == 1
    assert search_index.title_tier("Army of Me", "Björk", "army of me sigur") == 2
    assert search_index.title_tier("Army of Me", "Björk", "me army") == 2
    assert search_index.title_tier("愛", "宇多田ヒカル", "ai utada hikaru") == 0


# --- every variant class, through the search page -----------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "typed, artist",
    [
        # prefixes and a name's first letters
        ("bjor", "Björk"),
        ("Bj", "Björk"),
        ("sigur r", "Sigur Rós"),
        ("Elif B", "Elif Berg"),
        # dropped accents
        ("sigur ros", "Sigur Rós"),
        ("motley crue", "Mötley Crüe"),
        ("mELANIE lumiere", "Mélanie Lumière"),
        # letters that do not decompose, typed plainly or spelled out
        ("royksopp", "Røyksopp"),
        ("roeyksopp", "Røyksopp"),
        ("mo", "MØ"),
        ("moe", "MØ"),
        ("saebjorg naess", "Sæbjørg Næss"),
        ("die strassenmusikanten", "Die Straßenmusikanten"),
        ("lukasz wrobel", "Łukasz Wróbel"),
        ("gudrun dordevic", "Guðrún Đorđević"),
        ("guthrun djordjevic", "Guðrún Đorđević"),
        ("coeur de pirate", "Cœur de pirate"),
        # other scripts in Latin letters
        ("kino", "Кино"),
        ("dmitry shum", "Дмитрий Шум"),
        ("dmitrii shum", "Дмитрий Шум"),
        ("sakamoto ryuichi", "坂本龍一"),
        ("aimyon", "あいみょん"),
        ("yorushika", "ヨルシカ"),
        ("eleftheria arvanitaki", "Ελευθερία Αρβανιτάκη"),
        ("кино", "Кино"),
        ("坂本", "坂本龍一"),
        # & and and, apostrophes, hyphens, dots, slashes, punctuation-only names
        ("Salt and Signal", "Salt & Signal"),
        ("salt & signal", "Salt & Signal"),
        ("simon and garfunkel", "Simon & Garfunkel"),
        ("aoife obrien", "Aoife O'Brien"),
        ("guns n roses", "Guns N' Roses"),
        ("jayz", "JAY-Z"),
        ("jay z", "JAY-Z"),
        ("rem", "R.E.M."),
        ("acdc", "AC/DC"),
        ("!!!", "!!!"),
        ("+/-", "+/-"),
        # full-width letters, either way round
        ("Ｂｊｏｒｋ", "Björk"),
        ("YOASOBI", "ＹＯＡＳＯＢＩ"),
        # a surname alone
        ("sakamoto", "坂本龍一"),
        ("lindqvist", "Rafael Lindqvist"),
        ("birgisson", "Jón Þór Birgisson"),
    ],
)
async def test_a_name_typed_as_people_type_it_finds_the_artist(ds, typed, artist):
    data = await search(ds, typed)
    assert artist in names(data["artists"]), (typed, names(data["artists"]))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "typed, title",
    [
        ("i dont care", "I Don't Care"),
        ("sweet child o mine", "Sweet Child O' Mine"),
        ("salt and signal", None),
        ("Ｂｊｏｒｋ", "Army of Me"),
        ("gruppa krovi", "Группа крови"),
        ("weisses rauschen", "Weißes Rauschen"),
        ("zlota rzeka", "Złota Rzeka"),
        ("ljod", "Ljóð"),
        ("marigold aimyon", None),
        ("!!!", None),
        ("senjo no merry christmas", "戦場のメリークリスマス"),
        ("jon thor", "Hoppípolla"),
    ],
)
async def test_a_title_or_credit_typed_plainly_finds_the_tracks(ds, typed, title):
    data = await search(ds, typed)
    if title is None:  # the artist's own tracks
        assert data["tracks"], typed
    else:
        assert title in [t["title"] for t in data["tracks"]], (typed, [t["title"] for t in data["tracks"]])


@pytest.mark.asyncio
async def test_a_writer_found_by_name_shows_the_tracks_crediting_them(ds):
    data = await search(ds, "viktor tsoi")
    assert names(data["artists"]) == ["Виктор Цой"] and data["artists"][0]["match"] == "exact"
    assert data["tracks_of"]["name"] == "Виктор Цой"
    assert [t["title"] for t in data["tracks"]] == ["Группа крови"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "typed, artist, corrected",
    [
        ("bejonce", "Beyoncé", "beyonce"),
        ("rafael lindqvst", "Rafael Lindqvist", "rafael lindqvist"),
        ("rafal lindqvst", "Rafael Lindqvist", None),
        ("teh velvet foxes", "The Velvet Foxes", None),
        ("fairuz", "فيروز", None),
        ("omer adam", "עומר אדם", None),
    ],
)
async def test_a_typo_is_offered_as_did_you_mean_never_as_a_match(ds, typed, artist, corrected):
    data = await search(ds, typed)
    assert artist not in names(data["artists"])
    suggested = data["did_you_mean"]["artists"]
    assert artist in names(suggested), (typed, data["did_you_mean"])
    assert all(a["tracks"] > 0 and a["datasets"] for a in suggested)  # with their track counts
    if corrected:
        assert data["did_you_mean"]["query"] == corrected


@pytest.mark.asyncio
async def test_typos_in_a_title_are_corrected_with_the_titles_deciding_between_equally_close_words(ds):
    data = await search(ds, "lmve meart (radio edit) Kofi Tanaka")
    assert data["tracks"] == [] and data["did_you_mean"]["query"] == "love heart radio edit kofi tanaka"
    assert data["did_you_mean"]["tracks"][0]["title"] == "Love Heart (Radio Edit)"
    # a word no name holds, not even nearly, is left out
    data = await search(ds, "Rafael Jensen dance bodl night")
    assert "Dance Gold Night" in [t["title"] for t in data["did_you_mean"]["tracks"]]


@pytest.mark.asyncio
@pytest.mark.parametrize("typed", ["Qorvexi Blamuto", "zzqqxx nonexistent", "Xylofrump", "Bafoxu Kelimo Tu"])
async def test_nonsense_finds_nothing_and_claims_nothing(ds, typed):
    data = await search(ds, typed)
    assert data["artists"] == [] and data["tracks"] == [] and data["did_you_mean"] is None


@pytest.mark.asyncio
async def test_did_you_mean_is_shown_as_such_on_the_page(ds):
    html = (await ds.client.get("/search", params={"q": "bejonce"})).text
    assert "Nothing matches <strong>bejonce</strong> exactly." in html
    assert "Did you mean" in html and 'href="/artist/beyonce"' in html and "3 tracks" in html
    assert "No artist or track matches" not in html
    # no word to correct (a name in Arabic letters typed in Latin ones): the heading names the artist itself
    html = (await ds.client.get("/search", params={"q": "fairuz"})).text
    assert re.search(r'<h2>Did you mean <a href="/artist/[^"]+">فيروز</a>\?</h2>', html)


@pytest.mark.asyncio
async def test_an_exact_title_ranks_first_and_repeats_are_marked(ds):
    data = await search(ds, "gold heart")
    assert data["tracks"][0]["title"] == "Gold Heart"
    data = await search(ds, "army of me bjork")
    assert data["tracks"][0]["title"] == "Army of Me" and data["tracks"][0]["artist_credit"] == "Björk"
    html = (await ds.client.get("/search", params={"q": "army of me"})).text
    assert "(repeat)" in html


@pytest.mark.asyncio
async def test_see_every_match_gives_the_table_search_the_same_query(ds):
    html = (await ds.client.get("/search", params={"q": "Salt & Signal"})).text
    link = re.search(r'href="(/datasets/tracks\?_search=[^"]+)">see every match', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["_searchmode"] == ["raw"] and '"salt"' in query["_search"][0] and '"and"' in query["_search"][0]
    page = await ds.client.get(link + "&_size=max")
    assert page.status_code == 200 and "Salt Water Hymn" in page.text


# --- the same resolution everywhere -------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["artist_tracks", "artist_albums", "shared_recordings", "fma_restricted_licences"])
async def test_saved_queries_resolve_a_typed_name_as_search_does(ds, db, query):
    expected = {
        "artist_tracks": "Velvet Foxes",
        "artist_albums": "Velvet Foxes",
        "shared_recordings": "Björk",
        "fma_restricted_licences": "melanie lumiere",
    }[query]
    rows = (await ds.client.get(f"/datasets/{query}.json", params={"artist": expected, "_shape": "array"})).json()
    assert rows, query
    none = (await ds.client.get(f"/datasets/{query}.json", params={"artist": "bejonce", "_shape": "array"})).json()
    assert none == []
    html = (await ds.client.get(f"/datasets/{query}", params={"artist": "bejonce"})).text
    assert "No artist in the four datasets is named <strong>bejonce</strong>" in html
    assert "Did you mean" in html and 'href="?artist=Beyonc%C3%A9"' in html


@pytest.mark.asyncio
@pytest.mark.parametrize("typed", ["bjor", "Sakamoto", "jayz", "!!!", "Bj", "bejonce"])
async def test_saved_queries_take_exactly_the_artists_search_resolves(ds, db, typed):
    search_index.register_functions(db)
    status, ids = search_index.resolve_artists(db, typed)
    assert (status == "none") == (typed == "bejonce")
    rows = (
        await ds.client.get(
            "/datasets.json",
            params={
                "sql": "select value from json_each(resolved_artists(:artist))",
                "artist": typed,
                "_shape": "array",
            },
        )
    ).json()
    assert [row["value"] for row in rows] == ids
    tracks = (await ds.client.get("/datasets/artist_tracks.json", params={"artist": typed, "_shape": "array"})).json()
    expected = (
        {
            row[0]
            for row in db.execute(
                f"select track_id from track_artists where artist_id in ({', '.join('?' * len(ids))})", ids
            )
        }
        if ids
        else set()
    )
    assert {row["track_id"] for row in tracks} == expected


@pytest.mark.asyncio
async def test_artist_tracks_takes_every_spelling(ds, db):
    def count(artist):
        return len(ds_rows[artist])

    ds_rows = {}
    for typed in (
        "The Velvet Foxes",
        "Velvet Foxes",
        "velvet foxes",
        "Salt and Signal",
        "Salt & Signal",
        "Sakamoto",
        "dmitry shum",
        "Дмитрий Шум",
    ):
        ds_rows[typed] = (
            await ds.client.get("/datasets/artist_tracks.json", params={"artist": typed, "_shape": "array"})
        ).json()
    assert count("The Velvet Foxes") == count("Velvet Foxes") == count("velvet foxes") == 35
    assert count("Salt and Signal") == count("Salt & Signal") > 0
    assert count("dmitry shum") == count("Дмитрий Шум") > 0
    # a surname alone: the tracks of every artist whose name holds it, and the page says whose
    assert {r["artist_credit"] for r in ds_rows["Sakamoto"]} == {"Ryuichi Sakamoto;坂本龍一", "坂本龍一"}
    html = (await ds.client.get("/datasets/artist_tracks", params={"artist": "Sakamoto"})).text
    assert "No artist is named <strong>Sakamoto</strong> exactly" in html and "坂本龍一" in html
    # an empty name is still "all artists" where the query allows it
    assert (await ds.client.get("/datasets/shared_recordings.json", params={"artist": ""})).json()["rows"]


@pytest.mark.asyncio
async def test_artist_pages_read_an_unknown_key_as_a_typed_name(ds):
    response = await ds.client.get("/artist/velvet-foxes")
    assert response.status_code == 302 and response.headers["location"] == "/artist/the-velvet-foxes"
    response = await ds.client.get("/artist/velvet-foxes.json?after=3")
    assert response.headers["location"] == "/artist/the-velvet-foxes.json?after=3"
    response = await ds.client.get("/artist/" + quote("sakamoto ryuichi"))
    assert response.headers["location"] == "/artist/" + quote("坂本龍一")
    several = await ds.client.get("/artist/sakamoto")
    assert several.status_code == 404 and "坂本龍一" in several.text and "Ryuichi Sakamoto" in several.text
    typo = await ds.client.get("/artist/bejonce")
    assert typo.status_code == 404 and "Did you mean" in typo.text and 'href="/artist/beyonce"' in typo.text
    data = (await ds.client.get("/artist/bejonce.json")).json()
    assert data["resolution"]["status"] == "none" and data["resolution"]["suggestions"][0]["key"] == "beyonce"


# --- links ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url, kind, name",
    [
        ("https://open.spotify.com/artist/7w29UYBi0qsHi5RTCkNwFd?si=x", "spotify_artist", ""),
        ("open.spotify.com/intl-de/album/3XA7bgs1ydcPPv5lNaMPZJ", "spotify_album", ""),
        ("spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", "spotify_playlist", ""),
        ("https://music.apple.com/us/artist/bj%C3%B6rk/295015", "apple_music", "björk"),
        ("https://music.apple.com/gb/album/post/1441164495?i=1441164766", "apple_music", "post"),
        ("https://soundcloud.com/sigur-ros/hoppipolla", "soundcloud", "sigur ros"),
        ("https://www.deezer.com/en/artist/1234", "deezer", ""),
        ("https://tidal.com/browse/album/123456", "tidal", ""),
        ("https://salt-and-signal.bandcamp.com/album/tides", "bandcamp", "salt and signal"),
    ],
)
def test_links_the_datasets_cannot_hold_are_recognised_with_the_name_they_hold(url, kind, name):
    assert parse_link(url) is None
    link = unsupported_link(url)
    assert (link.kind, link.name) == (kind, name)


def test_links_the_datasets_hold_are_not_unsupported():
    assert unsupported_link("https://open.spotify.com/track/5SuOikwiRyPMVoIQDJUgSX") is None
    assert unsupported_link("https://example.com/page") is None and unsupported_link("bjork") is None


@pytest.mark.asyncio
async def test_an_unsupported_link_says_so_and_offers_the_name_search(ds):
    data = await search(ds, "https://open.spotify.com/artist/7w29UYBi0qsHi5RTCkNwFd")
    assert data["link"]["unsupported"] is True and data["artists"] == [] and data["tracks"] == []
    assert data["link"]["message"] == (
        "This kind of link (Spotify artist) cannot be looked up in these datasets: search by name."
    )
    html = (await ds.client.get("/search", params={"q": "https://music.apple.com/us/artist/bj%C3%B6rk/295015"})).text
    assert "cannot be looked up in these datasets: search by name." in html
    assert 'value="björk"' in html  # the name box, prefilled
    assert "in none of the four datasets" not in html and "No artist or track matches" not in html


@pytest.mark.asyncio
async def test_a_youtube_music_channel_goes_to_the_artist_whose_laion_ids_hold_it(ds, db):
    channel = db.execute(
        "select s.source_artist_id from artist_sources s join artists a on a.id = s.artist_id "
        "where a.key = 'beyonce' and s.dataset = 'laion-disco-12m'"
    ).fetchone()[0]
    response = await ds.client.get("/search", params={"q": f"https://music.youtube.com/channel/{channel}"})
    assert response.status_code == 302 and response.headers["location"] == "/artist/beyonce"
