"""The catalogue check reads the files labels have: every encoding, a workbook, a delivery sheet, a paste, columns
mapped by hand, durations in every unit, credits of several artists, a version column. Each file is written here,
in exactly that encoding or format, and checked against the publication built from the bundled samples."""

import csv
import datetime
import io
import json
import re
import sqlite3

import openpyxl
import pytest

from ingest import build_info
from ingest.__main__ import main
from ingest.check import (
    CatalogueError,
    check_catalogue,
    read_catalogue,
    report_csv,
    report_json,
    report_sha256,
    template_csv,
)
from ingest.check.reading import ALIASES, FIELDS, header_field, preview, read_duration

# Names with the letters each legacy encoding has (and the Windows-1252 punctuation Excel writes).
WESTERN = [
    ("Björk", "Army of Me"),
    ("Sigur Rós", "Hoppípolla"),
    ("Motörhead", "Ace of Spades"),
    ("Mélanie Lumière", "Moon"),
    ("Beyoncé", "Crazy in Love"),
]


def check(conn, data, **options) -> dict:
    return check_catalogue(conn, read_catalogue(data, **options))


def found(body: dict) -> list[str]:
    return [row["status"] for row in body["rows"]]


def write_csv(rows, delimiter=",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- encodings -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "codec, name",
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16 LE without BOM"),
        ("utf-16-be", "UTF-16 BE without BOM"),
        ("cp1252", "Windows-1252"),
        ("latin-1", "Windows-1252"),
        ("mac_roman", "Mac Roman"),
    ],
)
def test_every_encoding_of_a_western_catalogue_is_read_and_named(db, codec, name):
    text = write_csv([("Artist", "Title")] + WESTERN, ";")
    catalogue = read_catalogue(text.encode(codec))
    assert catalogue.encoding.startswith(name)
    assert [(row.values["artist"], row.values["title"]) for row in catalogue.rows] == WESTERN
    body = check_catalogue(db, catalogue)
    assert body["input"]["encoding"] == catalogue.encoding
    assert found(body) == ["matched"] * 5
    detected = codec in ("cp1252", "latin-1", "mac_roman", "utf-16-le", "utf-16-be")
    assert any("(detected; if names look wrong, choose the encoding)" in note for note in body["notes"]) == detected


def test_windows_1252_punctuation_and_letters_that_latin_1_lacks():
    text = "artist,title\r\nSinéad O’Connor,Nothing Compares 2 U – Live\r\nŽeljko Joksimovic,Lane moje\r\n"
    catalogue = read_catalogue(text.encode("cp1252"))
    assert catalogue.encoding.startswith("Windows-1252")
    assert catalogue.rows[0].values == {"artist": "Sinéad O’Connor", "title": "Nothing Compares 2 U – Live"}
    assert catalogue.rows[1].values["artist"] == "Željko Joksimovic"


@pytest.mark.parametrize(
    "codec, text",
    [
        ("mac_roman", "Künstler;Titel\rDie Ärzte;Schrei nach Liebe\rMotörhead;Ace of Spades\r"),  # old Mac line ends
        ("cp1252", "Künstler;Titel\r\nDie Ärzte;Schrei nach Liebe\r\nMotörhead;Ace of Spades\r\n"),
    ],
)
def test_mac_roman_and_windows_1252_are_told_apart_on_a_short_file(codec, text):
    catalogue = read_catalogue(text.encode(codec))
    assert catalogue.rows[0].values == {"artist": "Die Ärzte", "title": "Schrei nach Liebe"}
    assert catalogue.rows[1].values["artist"] == "Motörhead"
    assert catalogue.columns == {"artist": ["Künstler"], "title": ["Titel"]}


@pytest.mark.parametrize(
    "codec, rows, name",
    [
        ("cp1251", [("Кино", "Группа крови"), ("Земфира", "Хочешь")], "Windows-1251"),
        ("cp932", [("坂本龍一", "戦場のメリークリスマス"), ("米津玄師", "Lemon")], "Shift-JIS"),
    ],
)
def test_cyrillic_and_japanese_spreadsheet_exports(db, codec, rows, name):
    catalogue = read_catalogue(write_csv([("artist", "title")] + rows).encode(codec))
    assert catalogue.encoding.startswith(name)
    assert [(row.values["artist"], row.values["title"]) for row in catalogue.rows] == rows
    assert found(check_catalogue(db, catalogue))[0] == "matched"


def test_an_encoding_can_be_imposed_and_a_wrong_one_is_explained():
    data = write_csv([("artist", "title"), ("Björk", "Jóga")]).encode("cp1252")
    assert read_catalogue(data, encoding="latin_1").rows[0].values["artist"] == "Björk"
    assert read_catalogue(data, encoding="latin_1").encoding == "Latin-1 (ISO 8859-1)"
    assert read_catalogue(data, encoding="mac_roman").rows[0].values["artist"] == "Bjˆrk"  # as asked
    with pytest.raises(CatalogueError, match=r"line 2: the file is not UTF-8 \(byte 0xf6\)"):
        read_catalogue(data, encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown encoding 'klingon'"):
        read_catalogue(data, encoding="klingon")


# --- headers -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header, field",
    [
        ("Track Artist", "artist"),
        ("Display Artist", "artist"),
        ("Artist(s)", "artist"),
        ("Main Artist(s)", "artist"),
        ("Primary Artists", "artist"),
        ("Release Artist", "artist"),
        ("Featured Artist(s)", "featured"),
        ("Track Name", "title"),
        ("Song Name", "title"),
        ("Duration (mm:ss)", "duration"),
        ("Track Length", "duration"),
        ("Duration (ms)", "duration_ms"),
        ("Version", "version"),
        ("Mix/Version", "version"),
        ("UPC", "upc"),
        ("Catalog Number", "catalog_number"),
        ("Catalogue No.", "catalog_number"),
        ("ISRC", "isrc"),
        ("INTERPRÈTE", "artist"),
        ("Künstler", "artist"),
        ("Titel", "title"),
        ("Dauer (ms)", "duration_ms"),
        ("Track Length (sec)", "duration"),
        ("Länge", "duration"),
    ],
)
def test_delivery_sheet_headers_are_recognised(header, field):
    assert header_field(header)[0] == field
    assert header in read_catalogue(f"{header},Artist,Title\n").columns[field]


def test_a_delivery_sheet_reads_every_column_and_the_release_artist_fills_an_empty_track_artist(db):
    text = write_csv(
        [
            (
                "Release Artist",
                "Track Artist",
                "Featured Artist(s)",
                "Track Name",
                "Mix/Version",
                "Duration (mm:ss)",
                "ISRC",
                "UPC",
                "Catalog Number",
                "Label",
            ),
            ("Various", "Björk", "", "Army of Me", "", "3:54", "GBAAA9500001", "0602547000001", "TPLP51", "OLI"),
            ("Motörhead", "", "", "Ace of Spades", "Live", "2:49", "", "", "", "Bronze"),
            ("Beyoncé", "Beyoncé", "JAY-Z", "Crazy in Love", "", "", "", "", "", ""),
        ]
    )
    catalogue = read_catalogue(text)
    assert catalogue.columns == {
        "artist": ["Track Artist", "Release Artist"],
        "featured": ["Featured Artist(s)"],
        "title": ["Track Name"],
        "version": ["Mix/Version"],
        "isrc": ["ISRC"],
        "upc": ["UPC"],
        "catalog_number": ["Catalog Number"],
        "duration": ["Duration (mm:ss)"],
    }
    assert catalogue.ignored_columns == ["Label"]
    assert catalogue.rows[1].values["artist"] == "Motörhead"  # its Track Artist is empty
    body = check_catalogue(db, catalogue)
    assert found(body) == ["matched", "matched", "matched"]
    assert body["rows"][0]["input"]["upc"] == "0602547000001" and body["rows"][0]["input"]["catalog_number"] == "TPLP51"
    # Version "Live" is a version tag: the datasets' studio recordings are another recording
    assert {m["score"] for m in body["rows"][1]["matches"]} == {90}
    assert all("yours: Live" in m["note"] for m in body["rows"][1]["matches"])
    assert any("'Track Artist', and where it is empty 'Release Artist'" in note for note in body["notes"])


def test_the_header_may_follow_a_title_block():
    text = "Catalogue export;;\r\nLabel: One Little Indian;;\r\n;;\r\nArtist;Title;Year\r\nBjörk;Army of Me;1995\r\n"
    catalogue = read_catalogue(text)
    assert catalogue.header_line == 4 and catalogue.rows[0].line == 5
    assert any("lines 1–2 before the header (a title block?) not read" in note for note in catalogue.notes)


def test_the_template_csv_holds_every_column_the_check_reads():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").strip().split(",")
    assert {header_field(name)[0] for name in header} == {
        "artist",
        "title",
        "version",
        "album",
        "duration",
        "isrc",
        "upc",
        "youtube",
        "spotify",
        "url",
    }
    assert set(ALIASES) == set(FIELDS)


# --- columns mapped by hand ----------------------------------------------------------------------------------------
def test_an_unrecognised_header_asks_for_the_columns_with_a_preview():
    text = "Interpret\tWerk\tJahr\nBjörk\tArmy of Me\t1995\nSigur Rós\tHoppípolla\t2005\n"
    with pytest.raises(CatalogueError, match="choose which column holds what") as error:
        read_catalogue(text)
    shown = error.value.preview
    assert shown.header == ["Interpret", "Werk", "Jahr"] and shown.header_line == 1
    assert shown.rows[1] == ["Sigur Rós", "Hoppípolla", "2005"]
    with pytest.raises(CatalogueError) as partly:  # what is recognised comes chosen
        read_catalogue("Interpret;Werk;Dauer (ms)\nBjörk;Army of Me;234000\n")
    assert partly.value.preview.recognised == {0: "artist", 2: "duration_ms"}
    # the message names what was recognised and what is missing, as the page shows it preselected
    assert str(partly.value).startswith(
        "line 1: 'Interpret' is the artist and 'Dauer (ms)' the duration in "
        "milliseconds, but none of 'Interpret', 'Werk', 'Dauer (ms)' is the title"
    )
    with pytest.raises(CatalogueError, match="'A', 'B', none of them a column the check reads"):
        read_catalogue("A;B\nx;y\n")
    catalogue = read_catalogue(text, columns={"artist": "interpret", "title": 2})
    assert catalogue.columns == {"artist": ["Interpret"], "title": ["Werk"]}
    assert catalogue.ignored_columns == ["Jahr"]
    assert [row.values for row in catalogue.rows][0] == {"artist": "Björk", "title": "Army of Me"}


def test_mapped_columns_replace_the_recognised_ones_and_a_headerless_file_is_numbered():
    text = "Artist,Title,Original Title\nBjörk,Army Of Me (Remix),Army of Me\n"
    catalogue = read_catalogue(text, columns={"title": "Original Title"})
    assert catalogue.columns == {"artist": ["Artist"], "title": ["Original Title"]}
    only = read_catalogue(text, columns={"artist": 1, "title": 3}, recognise=False)
    assert only.columns == {"artist": ["Artist"], "title": ["Original Title"]}
    headerless = read_catalogue(
        "Björk,Army of Me\nSigur Rós,Hoppípolla\n", columns={"artist": 1, "title": 2}, header=False
    )
    assert [row.line for row in headerless.rows] == [1, 2] and headerless.header_line is None
    assert headerless.columns == {"artist": ["column 1"], "title": ["column 2"]}
    with pytest.raises(CatalogueError, match="no column 'Performer' to map to artist"):
        read_catalogue(text, columns={"artist": "Performer"})
    with pytest.raises(CatalogueError, match="cannot map 'composer'"):
        read_catalogue(text, columns={"composer": 1})
    with pytest.raises(CatalogueError, match="the columns chosen hold no artist and title") as error:
        read_catalogue(text, columns={"album": 3}, recognise=False)
    assert error.value.preview.recognised == {2: "album"}


def test_preview_shows_what_was_recognised():
    shown = preview("Track Artist;Track Name;Label\nBjörk;Army of Me;OLI\n")
    assert shown.recognised == {0: "artist", 1: "title"} and shown.encoding == "UTF-8"
    assert preview("Björk - Army of Me\nSigur Rós - Hoppípolla\n") is None  # a paste has no columns


# --- workbooks -----------------------------------------------------------------------------------------------------
def test_an_xlsx_workbook_with_a_title_block_excel_times_numbers_and_several_sheets(db):
    data = workbook(
        ("Read me", [["This workbook lists our releases"]]),
        (
            "Tracks",
            [
                ["Catalogue export, Nov 2026"],
                [],
                ["Display Artist", "Song Name", "Duration", "UPC", "Plays"],
                ["Björk", "Army of Me", datetime.time(3, 54), 602547000001, 1.0],  # a typed 3:54: 3 h 54 min
                ["Sigur Rós", "Hoppípolla", datetime.timedelta(minutes=4, seconds=28), None, 2.5],
                [None, None, None],
                ["坂本龍一", "戦場のメリークリスマス", datetime.time(0, 5, 0), None, None],
            ],
        ),
    )
    catalogue = read_catalogue(data)
    assert (catalogue.format, catalogue.sheet, catalogue.header_line, catalogue.delimiter) == (
        "xlsx",
        "Tracks",
        3,
        None,
    )
    assert [row.line for row in catalogue.rows] == [4, 5, 7] and catalogue.blank_lines >= 1
    assert [row.duration_s for row in catalogue.rows] == [234, 268, 300]
    assert catalogue.rows[0].values["upc"] == "602547000001"
    assert any("read as 3:54: Excel turns a typed m:ss into hours and minutes" in n for n in catalogue.rows[0].notes)
    assert any("read the sheet 'Tracks'; not read: 'Read me'" in note for note in catalogue.notes)
    assert any("row 1 before the header" in note for note in catalogue.notes)
    body = check_catalogue(db, catalogue)
    assert found(body) == ["matched", "matched", "matched"]
    assert body["input"]["format"] == "xlsx" and body["input"]["sheet"] == "Tracks"
    assert read_catalogue(data, sheet="Tracks").sheet == "Tracks"
    with pytest.raises(CatalogueError, match="no sheet 'Nope'; its sheets: Read me, Tracks"):
        read_catalogue(data, sheet="Nope")


def test_a_workbook_that_is_not_one_is_explained():
    ods = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(CatalogueError, match=r"OpenDocument spreadsheet \(.ods\)"):
        read_catalogue(ods.getvalue())
    with pytest.raises(CatalogueError, match="the sheet 'Empty' is empty"):
        read_catalogue(workbook(("Empty", [])))
    # a sheet formatted far down: reading stops after 1,000 empty rows in a row, and says so
    far = workbook(("Tracks", [["artist", "title"], ["Björk", "Jóga"]] + [[None]] * 1_200 + [["Late", "Row"]]))
    catalogue = read_catalogue(far)
    assert [row.values["artist"] for row in catalogue.rows] == ["Björk"]
    assert any("was read up to row 1,002: its last 1,000 rows were empty" in note for note in catalogue.notes)


# --- a pasted list -------------------------------------------------------------------------------------------------
def test_a_headerless_paste_of_artist_title_lines(db):
    text = (
        "Artist - Title\n"
        "1. Björk - Army of Me\n"
        "Sigur Rós – Hoppípolla\n"
        "\n"
        "Motörhead - Ace of Spades - Live\n"  # the title keeps its own " - "
        "Beyoncé; JAY-Z - Crazy in Love\n"
        "just a line without a dash\n"
    )
    catalogue = read_catalogue(text)
    assert catalogue.format == "paste" and catalogue.blank_lines == 1
    assert [(row.line, row.values.get("artist"), row.values.get("title")) for row in catalogue.rows] == [
        (2, "Björk", "Army of Me"),
        (3, "Sigur Rós", "Hoppípolla"),
        (5, "Motörhead", "Ace of Spades - Live"),
        (6, "Beyoncé; JAY-Z", "Crazy in Love"),
        (7, None, None),
    ]
    assert catalogue.rows[-1].problem == "expected 'Artist - Title'"
    assert any("'Artist - Title' taken as a header" in note for note in catalogue.notes)
    body = check_catalogue(db, catalogue)
    assert found(body) == ["matched", "matched", "matched", "matched", "unreadable"]
    assert body["input"]["format"] == "paste"


def test_a_paste_in_a_legacy_encoding_names_it():
    catalogue = read_catalogue("Björk - Army of Me\nSigur Rós - Hoppípolla\n".encode("cp1252"))
    assert catalogue.format == "paste" and catalogue.encoding.startswith("Windows-1252")


# --- durations -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, unit, seconds, rule",
    [
        ("234", "s", 234, "seconds"),
        ("234,5", "s", 234.5, "seconds"),
        ("234000", "ms", 234, "milliseconds"),
        ("3:54", "s", 234, "m:ss"),
        ("03:54.5", "s", 234.5, "m:ss"),
        ("1:02:03", "s", 3723, "h:mm:ss"),
        ("0:03:54", "s", 234, "h:mm:ss"),
        ("3:54:00", "s", 234, "h:mm:00 read as m:ss (Excel's reading of a typed m:ss)"),
        ("PT3M54S", "s", 234, "ISO 8601"),
        ("pt1h2m3.5s", "s", 3723.5, "ISO 8601"),
        ("PT45S", "s", 45, "ISO 8601"),
        ("P0DT0H3M54S", "s", 234, "ISO 8601"),
        ("PT", "s", None, None),
        ("3:75", "s", None, None),
        ("three minutes", "s", None, None),
        ("-5", "s", None, None),
    ],
)
def test_read_duration(text, unit, seconds, rule):
    assert read_duration(text, unit) == (seconds, rule)


def test_durations_in_milliseconds_by_column_name_or_by_size_and_the_rule_is_reported(db):
    named = read_catalogue("artist,title,Duration (ms)\nBjörk,Army of Me,234000\n")
    assert named.rows[0].duration_s == 234 and named.durations == {"milliseconds": 1}
    assert any("'Duration (ms)' is in milliseconds" in note for note in named.notes)
    sized = read_catalogue(
        "artist,title,Duration\nBjörk,Army of Me,234000\nSigur Rós,Hoppípolla,268000\nBjörk,Jóga,305000\n"
    )
    assert [row.duration_s for row in sized.rows] == [234, 268, 305]
    assert any("milliseconds: their median, 268,000, is too large to be seconds" in note for note in sized.notes)
    seconds = read_catalogue("artist,title,Duration\nBjörk,Army of Me,234\n")
    assert seconds.rows[0].duration_s == 234 and seconds.durations == {"seconds": 1}
    body = check(db, "artist,title,Duration\nBjörk,Jóga,305000\n")  # 305 s: as the datasets have it
    assert {m["score"] for m in body["rows"][0]["matches"]} == {95}
    assert body["rows"][0]["duration_s"] == 305 and body["input"]["durations"] == {"milliseconds": 1}


# --- credits -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "credit",
    [
        "Léa Berg;Aiko Kowalski",
        "Beyoncé; JAY-Z",
        "Beyoncé / JAY-Z",
        "Beyoncé, JAY-Z",
        "Beyoncé & JAY-Z",
        "Beyoncé x JAY-Z",
        "JAY-Z;Beyoncé",
        "Beyoncé feat. JAY-Z",
    ],
)
def test_credits_of_several_artists_are_split_and_reported_under_the_primary_artist(db, credit):
    title = "River Gold" if credit.startswith("Léa") else "Crazy in Love"
    row = check(db, write_csv([("artist", "title"), (credit, title)]))["rows"][0]
    assert row["status"] == "matched"
    assert {m["basis"] for m in row["matches"]} == {"normalized"}
    if title == "Crazy in Love":
        assert {m["dataset"] for m in row["matches"]} == {
            "laion-disco-12m",
            "sleeping-disco-9m",
            "spotify-tracks-dataset",
        }
        assert {m["credit"] for m in row["matches"]} == {"primary"}  # Beyoncé's song, even found through JAY-Z


def test_the_whole_credit_is_tried_first(tiny_db):
    conn = tiny_db(
        [
            ("September", ["Earth, Wind & Fire"]),
            ("September", ["Fire"]),
            ("The Boxer", ["Simon & Garfunkel"]),
            ("The Boxer", ["Simon"]),
        ]
    )
    body = check(
        conn, 'artist,title\n"Earth, Wind & Fire",September\nSimon & Garfunkel,The Boxer\n"Wind, Fire",September\n'
    )
    assert [m["artist_credit"] for m in body["rows"][0]["matches"]] == ["Earth, Wind & Fire"]
    assert [m["artist_credit"] for m in body["rows"][1]["matches"]] == ["Simon & Garfunkel"]
    assert [m["artist_credit"] for m in body["rows"][2]["matches"]] == ["Fire"]  # not a name: split


def test_a_featured_column_and_a_version_column(db):
    body = check(
        db,
        "artist,featured,title,version\nDaft Punk,Pharrell Williams; Nile Rodgers,Get Lucky,"
        "Radio Edit\nMotörhead,,Ace of Spades,Live at Wembley\nBjörk,,Army of Me,\n",
    )
    assert found(body) == ["matched", "matched", "matched"]
    assert {m["score"] for m in body["rows"][0]["matches"]} == {95}  # a radio edit is the same recording
    assert {m["score"] for m in body["rows"][1]["matches"]} == {90}  # a live one is not
    assert body["rows"][0]["input"]["featured"] == "Pharrell Williams; Nile Rodgers"


# --- the evidence and the citation ---------------------------------------------------------------------------------
def test_every_match_cites_the_publishers_file_row_revision_and_original(db):
    body = check(db, "artist,title\nBjörk,Army of Me\n")
    rows = {
        (s, f, r)
        for s, f, r in db.execute(
            "select t.id, f.path, t.source_row from tracks t join source_files f on f.id = t.source_file"
        )
    }
    for match in body["rows"][0]["matches"]:
        assert (match["track_id"], match["source_file"], match["source_row"]) in rows
        assert match["source_unit"] == ("row" if match["source_file"].endswith(".parquet") else "line")
        assert match["url"].startswith("https://") and "revision" in match
    flat = list(csv.DictReader(io.StringIO(report_csv(body))))
    assert {"dataset_revision", "source_file", "source_unit", "source_row", "matched_url"} <= set(flat[0])
    assert {(r["source_file"], r["source_row"]) for r in flat} == {
        (m["source_file"], str(m["source_row"])) for m in body["rows"][0]["matches"]
    }


def test_the_report_names_the_build_and_the_date_lies_outside_the_hash(db, sample_db):
    body = check(db, "artist,title\nBjörk,Army of Me\n")
    conn = sqlite3.connect(sample_db)
    assert body["database"]["build_id"] == build_info.read(conn)["id"]
    conn.close()
    one = json.loads(report_json(body, "2026-01-01T00:00:00Z"))
    two = json.loads(report_json(body, "2026-06-30T12:00:00Z"))
    assert one["report"] == two["report"] and one["sha256"] == two["sha256"] == report_sha256(body)
    assert (one["checked_at"], two["checked_at"]) == ("2026-01-01T00:00:00Z", "2026-06-30T12:00:00Z")


# --- the command line ----------------------------------------------------------------------------------------------
def test_cli_maps_columns_reads_workbooks_and_imposes_an_encoding(sample_db, tmp_path, capsys):
    interpret = tmp_path / "interpret.csv"
    interpret.write_bytes("Interpret;Werk\r\nBjörk;Army of Me\r\n".encode("cp1252"))
    assert main(["check", str(interpret), "--db", str(sample_db)]) == 1
    err = capsys.readouterr().err
    assert "choose which column holds what" in err and "'Interpret'" in err and "--map artist=1,title=2" in err
    out = tmp_path / "report.json"
    assert (
        main(
            [
                "check",
                str(interpret),
                "--db",
                str(sample_db),
                "--map",
                "artist=Interpret,title=2",
                "--encoding",
                "cp1252",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())["report"]
    assert report["rows"][0]["status"] == "matched" and report["input"]["encoding"].startswith("Windows-1252")
    headerless = tmp_path / "list.csv"
    headerless.write_text("Björk,Army of Me\n")
    assert (
        main(
            [
                "check",
                str(headerless),
                "--db",
                str(sample_db),
                "--no-header",
                "--map",
                "artist=1",
                "--map",
                "title=2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads(out.read_text())["report"]["rows"][0]["line"] == 1
    book = tmp_path / "tracks.xlsx"
    book.write_bytes(workbook(("Other", [["x"]]), ("Tracks", [["Track Artist", "Track Name"], ["Björk", "Jóga"]])))
    assert main(["check", str(book), "--db", str(sample_db), "--sheet", "Tracks", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["report"]["summary"]["found"] == 1
    assert main(["check", str(headerless), "--db", str(sample_db), "--no-header"]) == 2
    assert main(["check", str(headerless), "--db", str(sample_db), "--map", "artist"]) == 2
    assert re.search(r"--map 'artist': expected FIELD=COLUMN", capsys.readouterr().err)
