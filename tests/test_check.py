"""The catalogue check: reading a catalogue, every basis of match, the report (hash, CSV safety), the /check
pages and the command line. Rows are checked against the publication built from the bundled samples. The input
forms labels have (encodings, workbooks, delivery sheets, pastes, durations, credits) are in
test_check_input.py; the queue, the column-mapping step and the report page in test_check_web.py."""

import csv
import hashlib
import io
import json
import re
import sqlite3
from html import unescape
from importlib.metadata import version
from pathlib import Path

import pytest
from datasette.plugins import pm

from ingest.__main__ import main
from ingest.check import (
    CatalogueError,
    check_catalogue,
    parse_duration,
    read_catalogue,
    report_csv,
    report_json,
    report_sha256,
    spreadsheet_safe,
)

SAMPLE_CATALOGUE = Path(__file__).resolve().parent.parent / "ingest" / "samples" / "catalogue.csv"


def check(conn, text: str | bytes, **options) -> dict:
    return check_catalogue(conn, read_catalogue(text), **options)


def row_at(body: dict, line: int) -> dict:
    return next(row for row in body["rows"] if row["line"] == line)


def found(row: dict) -> set[tuple[str, str]]:
    return {(match["dataset"], match["basis"]) for match in row.get("matches", [])}


def plugin():
    return next(p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith("catalogue_check.py"))


# --- reading the CSV ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header, columns",
    [
        ("artist,title", {"artist": "artist", "title": "title"}),
        ("ARTIST,Song", {"artist": "ARTIST", "title": "Song"}),
        (
            "Artist Name,Track Title,Album Title,Length,ISRC Code",
            {
                "artist": "Artist Name",
                "title": "Track Title",
                "album": "Album Title",
                "duration": "Length",
                "isrc": "ISRC Code",
            },
        ),
        (
            "performer,track_name,release,duration (s)",
            {"artist": "performer", "title": "track_name", "album": "release", "duration": "duration (s)"},
        ),
        (
            "Artist,Name,YouTube URL,Spotify URI,Genius URL",
            {
                "artist": "Artist",
                "title": "Name",
                "youtube": "YouTube URL",
                "spotify": "Spotify URI",
                "url": "Genius URL",
            },
        ),
        ("video_id", {"youtube": "video_id"}),
        ("spotify track id", {"spotify": "spotify track id"}),
        ("Link", {"url": "Link"}),
    ],
)
def test_header_aliases_are_recognised(header, columns):
    assert read_catalogue(header + "\n").columns == {name: [column] for name, column in columns.items()}


def test_unknown_columns_are_listed_not_silently_dropped():
    catalogue = read_catalogue("artist,title,label,notes\nBjörk,Army of Me,One Little Indian,x\n")
    assert catalogue.ignored_columns == ["label", "notes"]
    assert any("label, notes" in note for note in catalogue.notes)


@pytest.mark.parametrize(
    "data, delimiter, encoding",
    [
        ("artist,title\nBjörk,Army of Me\n".encode(), ",", "UTF-8"),
        ("\ufeffartist;title\r\nBjörk;Army of Me\r\n".encode(), ";", "UTF-8 with BOM"),
        ("artist\ttitle\nBjörk\tArmy of Me\n".encode(), "\t", "UTF-8"),
        ("sep=;\nartist;title\nBjörk;Army of Me\n".encode(), ";", "UTF-8"),
        ("artist\ttitle\nBjörk\tArmy of Me\n".encode("utf-16"), "\t", "UTF-16"),
        ('"artist, name";title\nBjörk;Army of Me\n'.encode(), ";", "UTF-8"),  # a comma inside quotes does not count
    ],
)
def test_encodings_and_delimiters_are_detected(data, delimiter, encoding):
    catalogue = read_catalogue(data)
    assert (catalogue.delimiter, catalogue.encoding) == (delimiter, encoding)
    assert [row.values.get("title") for row in catalogue.rows] == ["Army of Me"]
    assert catalogue.rows[0].values["artist"] == "Björk"


def test_line_numbers_count_the_file_lines():
    catalogue = read_catalogue('sep=,\n\nartist,title\nA,One\n\nB,Two\n,,\nC,"Three"\n')
    assert [(row.line, row.values["title"]) for row in catalogue.rows] == [(4, "One"), (6, "Two"), (8, "Three")]
    assert catalogue.blank_lines == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"label,notes\nx,y\n", "line 1: the header names 'label', 'notes'"),
        (
            b"artist,album\nx,y\n",
            "'artist' is the artist and 'album' the album, but none of 'artist', 'album' is the title",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "an Excel 97–2003 workbook (.xls): save it as .xlsx"),
        (b"%PDF-1.7\n", "the file is a PDF"),
        (b"PK\x03\x04not a zip", "a damaged ZIP archive"),
        (b"\xef\xbb\xbfartist,title\nBj\xf6rk,x\n", "line 2: the file starts as UTF-8 but is not (byte 0xf6)"),
        (b"artist,title\nBj\x00\xf6rk\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "not a text file"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data, message):
    with pytest.raises(CatalogueError, match=re.escape(message)):
        read_catalogue(data)


def test_bad_rows_are_reported_with_their_line_numbers():
    catalogue = read_catalogue(
        "artist,title,youtube\n"  # 1
        "Björk,Army of Me,\n"  # 2 fine
        ",Only A Title,\n"  # 3 no artist
        "Björk,,\n"  # 4 no title
        "Earth, Wind & Fire,September,\n"  # 5 a comma inside an unquoted value
        ",,not a link\n"  # 6 no usable id
        '"Open Quote,Song,\n'  # 7 a quote never closed: swallows line 8
        "Sigur Rós,Hoppípolla,\n"
    )  # 8
    problems = {row.line: row.problem for row in catalogue.rows if row.problem}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "no artist" in problems[3] and "no title" in problems[4]
    assert "4 cells but the header has 3" in problems[5]
    assert "no artist or title and no usable id" in problems[6]
    assert "lines 7–8" in problems[7] and "not closed" in problems[7]
    assert [row.line for row in catalogue.rows if not row.problem] == [2]


def test_unusable_cells_are_noted_and_the_row_still_checked():
    row = read_catalogue(
        "artist,title,duration,isrc,youtube,spotify,url\n"
        "Björk,Army of Me,three minutes,XX,nope,https://youtu.be/WfPo0kVJ8tN,"
        "https://genius.com/artists/Bjork\n"
    ).rows[0]
    assert row.problem is None
    notes = " | ".join(row.notes)
    for expected in (
        "duration 'three minutes'",
        "isrc 'XX' is not an ISRC",
        "youtube 'nope'",
        "spotify 'https://youtu.be/WfPo0kVJ8tN' names youtube video, not a track",
        "url 'https://genius.com/artists/Bjork' names genius artist",
    ):
        assert expected in notes


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("234", 234),
        ("234.5", 234.5),
        ("3:54", 234),
        ("03:54", 234),
        ("1:02:03", 3723),
        ("0:07.5", 7.5),
        ("3:75", None),
        ("abc", None),
        ("-5", None),
        ("", None),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_duration_in_milliseconds():
    assert read_catalogue("artist,title,duration_ms\nA,B,234000\n").rows[0].duration_s == 234


def test_row_limit():
    text = "artist,title\n" + "".join(f"A,Song {n}\n" for n in range(4))
    assert len(read_catalogue(text, max_rows=4).rows) == 4
    with pytest.raises(CatalogueError, match="more than 3 rows") as error:
        read_catalogue(text, max_rows=3)
    assert error.value.too_large


# --- each basis of match ------------------------------------------------------------------------------------------
def test_youtube_id_finds_laion_and_sleeping_disco(db):
    (video,) = db.execute(
        "select source_id from tracks where dataset = 'laion-disco-12m' and title = 'Army of Me' limit 1"
    ).fetchone()
    for cell in (video, f"https://www.youtube.com/watch?v={video}", f"https://youtu.be/{video}?si=x"):
        row = row_at(check(db, f"youtube\n{cell}\n"), 2)
        assert found(row) == {("laion-disco-12m", "youtube_id"), ("sleeping-disco-9m", "youtube_id")}
        assert {m["score"] for m in row["matches"]} == {100}
        assert {m["title"] for m in row["matches"]} == {"Army of Me"}


def test_spotify_id_uri_and_url(db):
    (track,) = db.execute(
        "select source_id from tracks where dataset = 'spotify-tracks-dataset' and title = 'Lemon'"
    ).fetchone()
    text = f"spotify\n{track}\nspotify:track:{track}\nhttps://open.spotify.com/intl-de/track/{track}?si=1\n"
    body = check(db, text)
    for line in (2, 3, 4):
        row = row_at(body, line)
        assert found(row) == {("spotify-tracks-dataset", "spotify_id")}
        assert row["matches"][0]["artist_credit"] == "米津玄師"


def test_genius_links_by_page_and_by_song_id(db):
    song_id, url = db.execute(
        "select source_id, url from tracks where dataset = 'sleeping-disco-9m' and title = 'Hoppípolla'"
    ).fetchone()
    assert url == "https://genius.com/Sigur-Rós-hoppípolla-lyrics"
    body = check(
        db,
        "url\nhttps://genius.com/Sigur-R%C3%B3s-hopp%C3%ADpolla-lyrics\n"
        "http://www.genius.com/Sigur-Rós-hoppípolla-lyrics/\n"
        f"https://genius.com/songs/{song_id}\n",
    )
    assert found(row_at(body, 2)) == found(row_at(body, 3)) == {("sleeping-disco-9m", "genius_url")}
    assert found(row_at(body, 4)) == {("sleeping-disco-9m", "genius_id")}
    assert {row["matches"][0]["source_id"] for row in body["rows"]} == {song_id}


def test_fma_track_page(db):
    track_id, url = db.execute(
        "select source_id, url from tracks where dataset = 'free-music-archive' and title = 'Rain - Live'"
    ).fetchone()
    assert url.startswith("http://freemusicarchive.org/")  # as FMA published it
    row = row_at(check(db, "link\n" + url.replace("http://", "https://") + "\n"), 2)
    assert found(row) == {("free-music-archive", "fma_url")}
    assert row["matches"][0]["source_id"] == track_id


@pytest.mark.parametrize(
    "artist, title",
    [
        ("Sigur Rós", "Hoppípolla"),
        ("SIGUR ROS", "hoppipolla"),  # case and accents
        ("Motorhead", "Ace Of Spades (Remastered 2011)"),  # umlaut, version tag
        ("Beyonce feat. Jay-Z", "Crazy in Love"),  # featured artist in the artist field
        ("Beyoncé", "Crazy In Love (feat. JAY-Z)"),  # and in the title
        ("JAY-Z & Beyoncé", "Crazy in Love"),  # two artists: split when the whole is not an artist
        ("Simon and Garfunkel", "Sound of Silence"),  # and = &, a leading The
        ("KINO", "Gruppa Krovi"),  # transliterated Cyrillic
        ("坂本龍一", "戦場のメリークリスマス"),
        ("Daft Punk", "Get Lucky [Official Video]"),
        ("Earth Wind and Fire", "September"),
    ],
)
def test_normalized_artist_and_title(db, artist, title):
    row = row_at(check(db, f'artist;title\n"{artist}";"{title}"\n'), 2)
    assert row["status"] == "matched"
    assert {m["basis"] for m in row["matches"]} == {"normalized"}
    assert max(m["score"] for m in row["matches"]) == 95


def test_a_normalized_match_reports_versions_and_lowers_the_score_for_another_recording(db):
    body = check(db, "artist,title\nBjörk,Army of Me\nMotörhead,Ace of Spades - Live\n")
    video = next(m for m in row_at(body, 2)["matches"] if m["title"] == "Army of Me (Official Music Video)")
    assert (video["score"], video["note"]) == (95, "dataset's version tag: Official Music Video")
    live = row_at(body, 3)["matches"]
    assert {m["score"] for m in live} == {90}
    assert all("another recording" in m["note"] and "yours: Live" in m["note"] for m in live)


def test_a_normalized_match_with_a_different_duration_scores_lower(db):
    row = row_at(check(db, "artist,title,duration\nBjörk,Jóga,4:00\n"), 2)  # the dataset says 305 s
    assert [(m["basis"], m["score"]) for m in row["matches"]] == [("normalized", 85)]
    assert "durations differ by 65 s" in row["matches"][0]["note"]


def test_fuzzy_title_and_fuzzy_artist(db):
    body = check(db, "artist,title\nBjörk,Hyperbalad\nSigur Ross,Hoppipola\n")
    title_typo, both_typos = row_at(body, 2), row_at(body, 3)
    assert {m["basis"] for m in title_typo["matches"]} == {"fuzzy"}
    assert {m["title"] for m in title_typo["matches"]} == {"Hyperballad"}
    assert all(85 <= m["score"] <= 94 and "title 95% similar" in m["note"] for m in title_typo["matches"])
    assert found(both_typos) == {
        ("laion-disco-12m", "fuzzy"),
        ("sleeping-disco-9m", "fuzzy"),
        ("spotify-tracks-dataset", "fuzzy"),
    }
    assert all("artist 94% similar" in m["note"] for m in both_typos["matches"])


def test_duration_tightens_fuzzy_matches(db):
    body = check(db, "artist,title,duration\nDaft Punk,Get Lucki,\nDaft Punk,Get Lucki,2:00\n")
    assert row_at(body, 2)["status"] == "uncertain"  # a fuzzy match only
    assert row_at(body, 3)["status"] == "unmatched"  # 120 s against 248 s and 370 s


def test_fuzzy_is_not_used_when_a_normalized_match_exists(db):
    row = row_at(check(db, "artist,title\nBjörk,Hyperballad\n"), 2)
    assert {m["basis"] for m in row["matches"]} == {"normalized"}


def test_fuzzy_matches_are_dropped_when_another_artist_gives_a_normalized_one(tiny_db):
    conn = tiny_db([("Golden Hour", ["Alpha"]), ("Golden Hours", ["Beta"]), ("Golden Hours", ["Gamma"])])
    body = check(conn, "artist,title\nAlpha & Beta,Golden Hour\nBeta & Gamma,Golden Hour\n")
    assert [(m["title"], m["basis"]) for m in row_at(body, 2)["matches"]] == [("Golden Hour", "normalized")]
    assert [(m["title"], m["basis"]) for m in row_at(body, 3)["matches"]] == [("Golden Hours", "fuzzy")] * 2


def test_fuzzy_titles_must_have_the_same_numbers(tiny_db):
    conn = tiny_db([("Love Rain 25", ["Anna Berg"]), ("Love Rain 26x", ["Anna Berg"])])
    row = row_at(check(conn, "artist,title\nAnna Berg,Love Rain 26\n"), 2)
    assert [(m["title"], m["basis"]) for m in row["matches"]] == [("Love Rain 26x", "fuzzy")]


def test_ids_and_names_together_keep_the_best_basis_per_track(db):
    (track,) = db.execute(
        "select source_id from tracks where dataset = 'spotify-tracks-dataset' and title = 'Kickstart My Heart'"
    ).fetchone()
    row = row_at(check(db, f"artist,title,spotify\nMötley Crüe,Kickstart My Heart,{track}\n"), 2)
    assert [(m["dataset"], m["basis"], m["score"]) for m in row["matches"]] == [
        ("spotify-tracks-dataset", "spotify_id", 100),
        ("laion-disco-12m", "normalized", 95),
    ]
    assert row["matches"][1]["credit"] == "primary"


def test_nothing_matches_an_unknown_track(db):
    row = row_at(check(db, "artist,title\nNobody Known,Imaginary Song\nBjörk,A Song She Never Wrote\n"), 2)
    assert (row["status"], row["matches"]) == ("unmatched", [])


# --- the sample catalogue, row by row ----------------------------------------------------------------------------
SAMPLE_EXPECTED = {
    # line: (status, {(dataset, basis)}, best score)
    2: ("matched", {("laion-disco-12m", "youtube_id"), ("sleeping-disco-9m", "youtube_id")}, 100),
    3: ("matched", {("spotify-tracks-dataset", "spotify_id"), ("laion-disco-12m", "normalized")}, 100),
    4: ("matched", {("sleeping-disco-9m", "genius_url")}, 100),
    5: ("matched", {("sleeping-disco-9m", "genius_id")}, 100),
    6: ("matched", {("free-music-archive", "fma_url")}, 100),
    7: (
        "matched",
        {
            ("laion-disco-12m", "normalized"),
            ("sleeping-disco-9m", "normalized"),
            ("spotify-tracks-dataset", "normalized"),
        },
        95,
    ),
    8: (
        "matched",
        {
            ("laion-disco-12m", "normalized"),
            ("sleeping-disco-9m", "normalized"),
            ("spotify-tracks-dataset", "normalized"),
        },
        95,
    ),
    9: (
        "matched",
        {
            ("laion-disco-12m", "normalized"),
            ("sleeping-disco-9m", "normalized"),
            ("spotify-tracks-dataset", "normalized"),
        },
        95,
    ),
    10: ("matched", {("laion-disco-12m", "normalized"), ("spotify-tracks-dataset", "normalized")}, 95),
    11: ("matched", {("laion-disco-12m", "normalized"), ("sleeping-disco-9m", "normalized")}, 95),
    12: ("matched", {("laion-disco-12m", "normalized"), ("spotify-tracks-dataset", "normalized")}, 95),
    13: ("matched", {("laion-disco-12m", "normalized")}, 95),
    14: (
        "matched",
        {
            ("laion-disco-12m", "normalized"),
            ("sleeping-disco-9m", "normalized"),
            ("spotify-tracks-dataset", "normalized"),
        },
        90,
    ),
    15: ("uncertain", {("laion-disco-12m", "fuzzy")}, 94),
    16: (
        "uncertain",
        {("laion-disco-12m", "fuzzy"), ("sleeping-disco-9m", "fuzzy"), ("spotify-tracks-dataset", "fuzzy")},
        94,
    ),
    17: ("unmatched", set(), None),
    18: ("matched", {("free-music-archive", "normalized")}, 95),
    19: ("matched", {("free-music-archive", "normalized")}, 95),
    20: ("unmatched", set(), None),
    21: ("unmatched", set(), None),
    22: ("unreadable", set(), None),
    23: ("unreadable", set(), None),
    25: ("unreadable", set(), None),
}


def test_the_sample_catalogue_is_reported_row_by_row(db):
    data = SAMPLE_CATALOGUE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # the nasty case: BOM, semicolons, CRLF
    body = check(db, data)
    assert body["input"]["delimiter"] == ";" and body["input"]["encoding"] == "UTF-8 with BOM"
    got = {
        row["line"]: (row["status"], found(row), max((m["score"] for m in row.get("matches", [])), default=None))
        for row in body["rows"]
    }
    assert got == SAMPLE_EXPECTED
    assert "no artist" in row_at(body, 22)["reason"]
    assert "10 cells but the header has 9" in row_at(body, 23)["reason"]
    assert "lines 25–26" in row_at(body, 25)["reason"]  # the open quote swallowed line 26
    assert any("youtube 'xyz'" in note for note in row_at(body, 18)["notes"])
    assert any("three minutes" in note for note in row_at(body, 19)["notes"])
    summary = body["summary"]
    assert (
        summary["rows"],
        summary["found"],
        summary["matched"],
        summary["uncertain"],
        summary["unmatched"],
        summary["unreadable"],
    ) == (23, 17, 15, 2, 3, 3)
    assert summary["by_best_basis"] == {"id": 5, "normalized": 10, "fuzzy": 2}
    assert summary["by_dataset"] == {
        "laion-disco-12m": 12,
        "sleeping-disco-9m": 9,
        "free-music-archive": 3,
        "spotify-tracks-dataset": 8,
    }
    assert summary["complete"] and summary["stopped"] is None


# --- the report ---------------------------------------------------------------------------------------------------
def test_the_report_is_byte_for_byte_reproducible(sample_db):
    data = SAMPLE_CATALOGUE.read_bytes()
    outputs = []
    for _ in range(2):  # two connections, two runs
        conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
        body = check(conn, data)
        outputs.append((report_json(body), report_csv(body)))
        conn.close()
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0][0])
    canonical = json.dumps(document["report"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert document["sha256"] == hashlib.sha256(canonical.encode()).hexdigest() == report_sha256(document["report"])
    assert document["report"]["input"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_the_report_names_the_datasets_and_the_tool(db):
    body = check(db, "artist,title\nBjörk,Army of Me\n")
    assert body["tool"] == {"name": "ai-music-datasets", "version": version("ai-music-datasets")}
    assert [d["slug"] for d in body["datasets"]] == [
        "laion-disco-12m",
        "sleeping-disco-9m",
        "free-music-archive",
        "spotify-tracks-dataset",
    ]
    expected = {
        slug: (loaded, rejected)
        for slug, loaded, rejected in db.execute("select slug, rows_loaded, rows_rejected from datasets")
    }
    assert {d["slug"]: (d["rows_loaded"], d["rows_rejected"]) for d in body["datasets"]} == expected
    assert all("revision" in d and "rows_published" in d for d in body["datasets"])


def test_the_hash_changes_with_the_input(db):
    one = report_sha256(check(db, "artist,title\nBjörk,Army of Me\n"))
    two = report_sha256(check(db, "artist,title\nBjörk,Jóga\n"))
    assert one != two


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-Live", "'-Live"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("Army of Me", "Army of Me"),
        ("", ""),
        (95, 95),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_exported_csv_cannot_run_formulas(db):
    body = check(db, 'artist,title\n"=cmd|\' /C calc\'!A0",@Harmless\n"-2+3",+Plus\n')
    rows = list(csv.DictReader(io.StringIO(report_csv(body))))
    assert [(r["artist"], r["title"]) for r in rows] == [("'=cmd|' /C calc'!A0", "'@Harmless"), ("'-2+3", "'+Plus")]
    for row in rows:
        assert not any(value[:1] in "=+-@" and value for value in row.values())
    assert json.loads(report_json(body))["report"]["rows"][0]["input"]["artist"] == "=cmd|' /C calc'!A0"


def test_csv_has_one_row_per_match_and_one_per_unmatched_row(db):
    body = check(db, SAMPLE_CATALOGUE.read_bytes())
    rows = list(csv.DictReader(io.StringIO(report_csv(body))))
    assert len(rows) == sum(max(1, len(row.get("matches", []))) for row in body["rows"])
    assert [r["line"] for r in rows] == sorted((r["line"] for r in rows), key=int)
    assert {r["status"] for r in rows if r["line"] == "22"} == {"unreadable"}
    assert {r["line"] for r in rows if r["status"] == "unmatched"} == {"17", "20", "21"}


def test_the_time_budget_stops_the_check_and_says_so(sample_db):
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    (mmap_before,) = conn.execute("pragma mmap_size").fetchone()
    body = check(conn, "artist,title\nBjörk,Army of Me\nSigur Rós,Hoppípolla\n", time_budget_s=1e-9)
    summary = body["summary"]
    assert not summary["complete"]
    assert summary["stopped"] == "the time budget of 1e-09 s ran out: 0 of 2 rows were checked"
    assert {row["status"] for row in body["rows"]} == {"not checked"}
    # the connection is left as it was: no progress handler interrupting the next query, the same mmap size
    assert conn.execute("select count(*) from tracks").fetchone()[0] > 0
    assert conn.execute("pragma mmap_size").fetchone()[0] == mmap_before
    conn.close()


# --- the web pages ------------------------------------------------------------------------------------------------
def report_summary(html: str) -> str:
    headline = re.search(r'<p class="check-headline">(.*?)</p>', html, re.DOTALL).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", headline))


def page_lines(html: str) -> list[int]:
    """The lines of the rows a report page lists, in its order."""
    return [
        int(n)
        for n in re.findall(
            r'<li class="s-[a-z-]+"[^>]*>(?:<details><summary>|<div class="line">)'
            r'<span class="n">(\d+)</span>',
            html,
        )
    ]


@pytest.mark.asyncio
async def test_the_form(ds):
    response = await ds.client.get("/check")
    assert response.status_code == 200
    html = response.text
    form = re.search(r"<form[^>]*>", html).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form and 'action="/check"' in form
    assert 'type="file"' in html and 'name="file"' in html and '<textarea id="check-text" name="text"' in html
    assert "Track Title".lower() in html.lower() and "spotify uri" in html  # the aliases are documented


@pytest.mark.asyncio
async def test_upload_report_and_downloads(ds, db):
    data = SAMPLE_CATALOGUE.read_bytes()
    response = await ds.client.post(
        "/check", files={"file": ("catalogue.csv", data, "text/csv")}, data={"format": "html"}
    )
    assert response.status_code == 200
    html = response.text
    assert "17 of 23 of your tracks appear in at least one dataset" in report_summary(html)
    assert "Army of Me" in html and "Nobody Known" in html and "lines 25–26" in html
    assert 'href="https://genius.com/Sigur-Rós-hoppípolla-lyrics"' in html
    assert "&#39;=cmd" not in html and "=cmd|&#39; /C calc&#39;!A0" in html  # escaped, as written
    catalogue = re.search(r'name="catalogue" value="([^"]+)"', html).group(1)
    expected = check(db, data)

    csv_response = await ds.client.post("/check", data={"catalogue": catalogue, "format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv_response.headers["content-disposition"]
    assert csv_response.content.decode("utf-8") == "\ufeff" + report_csv(expected)

    json_response = await ds.client.post("/check", data={"catalogue": catalogue, "format": "json"})
    document = json_response.json()
    checked_at = csv_response.headers["x-checked-at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", checked_at) and checked_at.replace("T", " ")[:-1] in html
    assert json_response.content == report_json(expected, checked_at)  # the report the page showed, its date
    assert document["report"] == expected and document["checked_at"] == checked_at
    sha256 = document["sha256"]
    assert sha256 in html and csv_response.headers["x-report-sha256"] == sha256
    # the page lists the same rows as the downloads, and for each the best match of every dataset first
    assert page_lines(html) == [row["line"] for row in expected["rows"]]
    listed = [unescape(url) for url in re.findall(r'<ul class="m">(.*?)</ul>', html)]
    shown = plugin()._shown
    assert [re.findall(r'<li><b>[^<]*</b> <a href="([^"]+)"', item) for item in listed] == [
        [match["url"] for match in shown(row["matches"])] for row in expected["rows"] if row.get("matches")
    ]


@pytest.mark.asyncio
async def test_pasted_text_multipart_and_urlencoded(ds):
    text = "artist,title\nSigur Rós,Hoppípolla\n"
    for response in (
        await ds.client.post("/check", files={"file": ("", b"", "application/octet-stream")}, data={"text": text}),
        await ds.client.post("/check", data={"text": text}),
    ):
        assert response.status_code == 200
        assert "1 of 1 of your tracks appear in at least one dataset" in report_summary(response.text)


@pytest.mark.asyncio
async def test_a_browser_multipart_post_with_the_csrf_cookie_works(ds):
    # asgi-csrf 0.11 answers 500 to exactly this (simonw/asgi-csrf#38) unless /check skips CSRF
    token = ds.sign({"a": "x"}, "csrftoken")
    response = await ds.client.post(
        "/check",
        files={"file": ("catalogue.csv", b"artist,title\nBjork,Army of Me\n", "text/csv")},
        data={"csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert response.status_code == 200
    assert "1 of 1 of your tracks" in report_summary(response.text)


@pytest.mark.asyncio
async def test_errors_are_explained(ds):
    empty = await ds.client.post("/check", data={"text": "  "})
    assert empty.status_code == 400 and "Choose a file, or paste your list" in empty.text
    unknown = await ds.client.post("/check", data={"text": "label,notes\nx,y\n"})  # not refused: mapped by hand
    assert unknown.status_code == 200 and "Which column holds what?" in unknown.text
    assert "line 1: the header names" in unknown.text and 'name="map_1"' in unknown.text
    bad = await ds.client.post("/check", data={"text": "artist,title\n" + "a,b\n" * 10_001})
    assert bad.status_code == 413 and "more than 10,000 rows" in bad.text
    assert "artist,title\na,b" in bad.text  # the pasted text is kept in the box
    wrong_format = await ds.client.post("/check", data={"text": "artist,title\nA,B\n", "format": "xml"})
    assert wrong_format.status_code == 400
    damaged = await ds.client.post("/check", data={"catalogue": "not base64!", "format": "csv"})
    assert damaged.status_code == 400 and "damaged" in damaged.text
    put = await ds.client.put("/check", content=b"")
    assert put.status_code == 405


@pytest.mark.asyncio
async def test_an_oversized_upload_gets_a_clear_413(ds):
    limit = plugin().MAX_UPLOAD_BYTES
    assert limit == 5 * 1024 * 1024  # as the README says
    data = b"artist,title\n" + b"A,B\n" * (limit // 4)
    response = await ds.client.post("/check", files={"file": ("big.csv", data, "text/csv")})
    assert response.status_code == 413
    assert "larger than 5 MB" in response.text and "python -m ingest check" in response.text
    # a body far past the limit is refused from its Content-Length, before it is read
    huge = await ds.client.post(
        "/check",
        content=b"x" * (plugin().MAX_BODY_BYTES + 1),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert huge.status_code == 413


@pytest.mark.asyncio
async def test_too_many_rows_gets_a_clear_413(ds):
    rows = plugin().MAX_ROWS
    assert rows == 10_000
    data = "artist,title\n" + "".join(f"A,Song {n}\n" for n in range(rows + 1))
    response = await ds.client.post("/check", files={"file": ("many.csv", data.encode(), "text/csv")})
    assert response.status_code == 413
    assert "more than 10,000 rows" in response.text


@pytest.mark.asyncio
async def test_the_web_check_stops_at_its_time_budget(ds, monkeypatch):
    monkeypatch.setattr(plugin(), "TIME_BUDGET_S", 1e-9)
    response = await ds.client.post("/check", data={"text": "artist,title\nBjörk,Hyperballad\nBudget,Test\n"})
    assert response.status_code == 200
    assert "The check stopped early" in response.text and "0 of 2 rows were checked" in response.text


# --- the command line ---------------------------------------------------------------------------------------------
def test_cli_writes_json_and_csv(sample_db, db, tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["check", str(SAMPLE_CATALOGUE), "--db", str(sample_db), "--out", str(out)]) == 0
    expected = check(db, SAMPLE_CATALOGUE.read_bytes())
    document = json.loads(out.read_bytes())
    assert document["report"] == expected and document["sha256"] == report_sha256(expected)
    assert out.read_bytes() == report_json(expected, document["checked_at"])
    err = capsys.readouterr().err
    assert "17 of 23 of your tracks appear in at least one dataset (2 uncertain" in err
    assert f"checked at {document['checked_at']}" in err

    out = tmp_path / "report.csv"
    assert main(["check", str(SAMPLE_CATALOGUE), "--db", str(sample_db), "--out", str(out)]) == 0
    assert out.read_bytes() == ("\ufeff" + report_csv(expected)).encode()

    assert main(["check", str(SAMPLE_CATALOGUE), "--db", str(sample_db)]) == 0
    captured = capsys.readouterr()
    assert captured.out == report_csv(expected)
    assert "could not be read (3): line 22, 23, 25" in captured.err


def test_cli_errors(sample_db, tmp_path, capsys):
    assert main(["check", str(SAMPLE_CATALOGUE), "--db", str(sample_db), "--out", str(tmp_path / "r.xlsx")]) == 2
    assert main(["check", str(SAMPLE_CATALOGUE), "--db", str(tmp_path / "missing.db")]) == 1
    assert main(["check", str(tmp_path / "missing.csv"), "--db", str(sample_db)]) == 1
    (tmp_path / "bad.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert main(["check", str(tmp_path / "bad.csv"), "--db", str(sample_db)]) == 1
    err = capsys.readouterr().err
    assert "name a .csv or a .json file" in err and "no database at" in err and "cannot read" in err
    assert "bad.csv: the file is an Excel 97–2003 workbook (.xls)" in err
