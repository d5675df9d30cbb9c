"""Each reader on its bundled sample, and on real excerpts of the public data where they are present."""

import shutil
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.build import sample_sources
from ingest.records import Problem, SourceError, Track
from ingest.sources import fma, laion_disco, sleeping_disco, spotify_tracks
from ingest.testdata.publisher_formats import LAION_SCHEMA
from ingest.testdata.samples import LYRICS_MARKER

from .conftest import REAL

SAMPLES = sample_sources()


def split(records):
    records = list(records)
    return [r for r in records if isinstance(r, Track)], [r for r in records if isinstance(r, Problem)]


# --- LAION-DISCO-12M ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("945K plays", 945_000),
        ("14M plays", 14_000_000),
        ("1.2B views", 1_200_000_000),
        ("3B plays", 3_000_000_000),
        ("1 play", 1),
        ("1,234 views", 1_234),
        ("2.5k views", 2_500),
        ("77 views", 77),
        ("No views", None),
        ("—", None),
        ("", None),
        (None, None),
        ("1.2.3M plays", None),
        ("M plays", None),
    ],
)
def test_views_text_parses_to_a_number_or_null(text, expected):
    assert laion_disco.parse_views(text) == expected


def test_laion_reads_every_shard_row_into_a_track_or_a_problem():
    tracks, problems = split(laion_disco.read(SAMPLES["laion-disco-12m"]))
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in laion_disco.shard_files(SAMPLES["laion-disco-12m"]))
    assert len(tracks) + len(problems) == total == 318
    assert len(problems) == 2 and all("song_id" in p.reason for p in problems)
    assert {p.file for p in tracks} == {f"data/train-0000{n}-of-00005.parquet" for n in range(5)}


def test_laion_fields_lists_and_channels():
    tracks, _ = split(laion_disco.read(SAMPLES["laion-disco-12m"]))
    crazy = next(t for t in tracks if t.title.startswith("Crazy In Love"))
    assert [c.name for c in crazy.credits] == ["Beyoncé", "JAY-Z"]
    # artist_ids shorter than artist_names: the second artist simply has no channel
    assert crazy.credits[0].source_artist_id.startswith("UC") and len(crazy.credits[0].source_artist_id) == 24
    assert crazy.credits[0].url == f"https://music.youtube.com/channel/{crazy.credits[0].source_artist_id}"
    assert crazy.credits[1].source_artist_id is None
    assert crazy.url == f"https://www.youtube.com/watch?v={crazy.source_id}"
    assert crazy.views == 650_000_000 and crazy.views_text == "650M views" and crazy.duration_s == 236
    untitled = next(t for t in tracks if t.title == "Untitled Upload")
    assert untitled.credits == [] and untitled.artist_credit is None
    null_views = next(t for t in tracks if t.title == "Null Views")
    assert null_views.views is None and null_views.explicit is None and null_views.duration_s is None
    assert any(t.title == "戦場のメリークリスマス" and t.credits[0].name == "坂本龍一" for t in tracks)


def test_laion_rejects_a_corrupt_shard_naming_the_file(tmp_path):
    shutil.copytree(SAMPLES["laion-disco-12m"], tmp_path / "laion")
    shard = tmp_path / "laion" / "data" / "train-00002-of-00005.parquet"
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    with pytest.raises(SourceError) as error:
        list(laion_disco.read(tmp_path / "laion"))
    assert "train-00002-of-00005.parquet" in str(error.value) and "parquet" in error.value.message


def test_laion_names_a_missing_column(tmp_path):
    (tmp_path / "data").mkdir()
    table = pa.table({"song_id": ["abcdefghijk"], "name": ["x"]})
    pq.write_table(table, tmp_path / "data" / "train-00000-of-00001.parquet")
    with pytest.raises(SourceError) as error:
        list(laion_disco.read(tmp_path))
    assert "missing column(s) title, artist_names" in str(error.value) and "found song_id, name" in str(error.value)


def test_laion_rejects_a_wrongly_typed_list_column(tmp_path):
    (tmp_path / "data").mkdir()
    schema = LAION_SCHEMA.set(2, pa.field("artist_names", pa.string()))
    pq.write_table(
        pa.table({n: [None] for n in schema.names}, schema=schema), tmp_path / "data" / "train-00000-of-00001.parquet"
    )
    with pytest.raises(SourceError, match="artist_names is string, expected list<string>"):
        list(laion_disco.read(tmp_path))


def test_laion_names_a_missing_shard(tmp_path):
    shutil.copytree(SAMPLES["laion-disco-12m"], tmp_path / "laion")
    (tmp_path / "laion" / "data" / "train-00003-of-00005.parquet").unlink()
    with pytest.raises(SourceError, match="missing shard\\(s\\) train-00003-of-00005.parquet"):
        list(laion_disco.read(tmp_path / "laion"))


def test_laion_empty_directory_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no parquet shards found"):
        list(laion_disco.read(tmp_path))


# --- Sleeping-DISCO-9M ----------------------------------------------------------------------------------------
def test_sleeping_reads_every_line_and_records_bad_ones_with_line_numbers():
    tracks, problems = split(sleeping_disco.read(SAMPLES["sleeping-disco-9m"]))
    lines = sum(1 for p in Path(SAMPLES["sleeping-disco-9m"]).glob("*.jsonl") for line in p.open("rb") if line.strip())
    assert len(tracks) + len(problems) == lines == 251
    reasons = {(p.file, p.row): p.reason for p in problems}
    assert reasons[("a.jsonl", 7)].startswith("not valid JSON")
    assert reasons[("a.jsonl", 8)] == "expected a JSON object, found list"
    assert reasons[("a.jsonl", 9)] == "expected a JSON object, found NoneType"
    assert "no song_id" in reasons[("a.jsonl", 10)]


def test_sleeping_never_keeps_lyrics_annotations_or_qna():
    records = list(sleeping_disco.read(SAMPLES["sleeping-disco-9m"]))
    assert LYRICS_MARKER in "".join(p.read_text() for p in Path(SAMPLES["sleeping-disco-9m"]).glob("*.jsonl"))
    for record in records:
        assert LYRICS_MARKER not in repr(record)


def test_sleeping_fields_credits_and_links():
    tracks, _ = split(sleeping_disco.read(SAMPLES["sleeping-disco-9m"]))
    crazy = next(t for t in tracks if t.title == "Crazy in Love")
    assert [(c.name, c.role) for c in crazy.credits] == [
        ("Beyoncé", "primary"),
        ("JAY-Z", "featured"),
        ("Beyoncé", "writer"),
        ("Rich Harrison", "writer"),
        ("JAY-Z", "writer"),
    ]
    assert crazy.artist_credit == "Beyoncé feat. JAY-Z" and crazy.release_year == 2003
    assert crazy.credits[0].source_artist_id == "https://genius.com/artists/Beyoncé"
    ace = next(t for t in tracks if t.title == "Ace of Spades")
    assert ace.release_year == 1980 and ace.genres == ["Rock", "Metal"]
    assert ace.youtube_links[0].startswith("https://music.youtube.com/watch?v=")
    assert next(t for t in tracks if t.title == "Featured As String").credits[1].name == "Luca Rossi"
    assert next(t for t in tracks if t.title == "Featured Null").youtube_links == []
    assert next(t for t in tracks if t.source_id == "777777").title == "String Song Id"
    assert next(t for t in tracks if t.source_id == "424242").title == "Alternative Title Key"
    assert [t.source_id for t in tracks].count("555555") == 2  # duplicates are loaded


def test_sleeping_fails_loudly_when_no_title_key_exists(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(orjson.dumps({"song_id": 1, "songname": "x", "artist": "y"}) + b"\n")
    with pytest.raises(SourceError) as error:
        list(sleeping_disco.read(tmp_path))
    assert "expected one of title, song_title, full_title, name" in str(error.value)
    assert "found keys artist, song_id, songname" in str(error.value)


def test_sleeping_parquet_conversion_reads_the_same_and_skips_lyrics(tmp_path):
    source = Path(SAMPLES["sleeping-disco-9m"]) / "b.jsonl"
    objects = [orjson.loads(line) for line in source.open("rb")]
    (tmp_path / "b" / "train").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(objects), tmp_path / "b" / "train" / "0000.parquet")
    from_parquet = list(sleeping_disco.read(tmp_path))
    from_jsonl = list(sleeping_disco._read_jsonl(source, "b.jsonl"))
    assert [(t.source_id, t.title, t.artist_credit, t.youtube_links) for t in from_parquet] == [
        (t.source_id, t.title, t.artist_credit, t.youtube_links) for t in from_jsonl
    ]
    assert all(LYRICS_MARKER not in repr(t) for t in from_parquet)


# --- Free Music Archive -----------------------------------------------------------------------------------------
def test_fma_reads_tracks_csv_by_column_name_with_raw_urls():
    tracks, problems = split(fma.read(SAMPLES["free-music-archive"]))
    assert len(tracks) == 150 and len(problems) == 2
    assert {p.reason.split(":")[0] for p in problems} == {
        "expected 53 fields, found 4",
        "track_id 'not-a-number' is not a number",
    }
    first = tracks[0]
    assert first.url.startswith("http://freemusicarchive.org/music/AWOL_Collective/")
    assert first.credits[0].latitude == pytest.approx(40.0583238) and first.credits[0].location == "New Jersey"
    assert first.credits[0].source_artist_id == "1"
    licences = {t.licence for t in tracks}
    assert "Attribution-Noncommercial-No Derivative Works 3.0 United States" in licences
    assert all(t.licence_url is None or t.licence_url.startswith("http") for t in tracks)
    assert any(t.genres == ["Experimental"] or "Experimental" in t.genres for t in tracks)
    assert "Ночной звонок" in {t.title for t in tracks} and "夜明け" in {t.title for t in tracks}
    assert {"Дмитрий Шум", "Mélanie Lumière"} <= {t.credits[0].name for t in tracks}


def test_fma_names_missing_files(tmp_path):
    shutil.copytree(SAMPLES["free-music-archive"], tmp_path / "fma_metadata")
    (tmp_path / "fma_metadata" / "raw_tracks.csv").unlink()
    with pytest.raises(SourceError, match="missing raw_tracks.csv"):
        list(fma.read(tmp_path))  # the parent of fma_metadata/ is accepted too


def test_fma_rejects_a_single_level_header(tmp_path):
    shutil.copytree(SAMPLES["free-music-archive"], tmp_path, dirs_exist_ok=True)
    (tmp_path / "tracks.csv").write_text("track_id,title,artist\n1,a,b\n")
    with pytest.raises(SourceError, match="not FMA's tracks.csv"):
        list(fma.read(tmp_path))


def test_fma_non_utf8_is_a_clear_error(tmp_path):
    shutil.copytree(SAMPLES["free-music-archive"], tmp_path, dirs_exist_ok=True)
    text = (tmp_path / "tracks.csv").read_text(encoding="utf-8")
    (tmp_path / "tracks.csv").write_bytes(text.encode("utf-8") + "\n5000,Ébauche\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        list(fma.read(tmp_path))


# --- Spotify Tracks Dataset --------------------------------------------------------------------------------------
def test_spotify_reads_rows_and_keeps_repeats():
    tracks, problems = split(spotify_tracks.read(SAMPLES["spotify-tracks-dataset"]))
    assert len(tracks) == 246 and len(problems) == 2
    ace = [t for t in tracks if t.title == "Ace of Spades"]
    assert len(ace) == 2 and ace[0].source_id == ace[1].source_id and ace[1].genres == ["rock"]
    lucky = next(t for t in tracks if t.title.startswith("Get Lucky"))
    assert [c.name for c in lucky.credits] == ["Daft Punk", "Pharrell Williams", "Nile Rodgers"]
    assert lucky.duration_s == 369.626 and lucky.url == f"https://open.spotify.com/track/{lucky.source_id}"
    assert next(t for t in tracks if t.artist_credit == "Earth, Wind & Fire").credits[0].name == "Earth, Wind & Fire"
    assert next(t for t in tracks if t.title == 'Theme from "Shaft"').explicit is False
    assert next(t for t in tracks if t.title == "Untitled").credits == []


def test_spotify_accepts_resaved_copies(tmp_path):
    path = tmp_path / "dataset.csv"
    path.write_text(
        "\ufeffUnnamed: 0.1,,track_id,artists,album_name,track_name,popularity,duration_ms,explicit\n"
        "0,0,5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino,Comedy,Comedy,73,230666,TRUE\n",
        encoding="utf-8",
    )
    [track] = spotify_tracks.read(path)
    assert (track.source_id, track.title, track.explicit, track.popularity) == (
        "5SuOikwiRyPMVoIQDJUgSV",
        "Comedy",
        True,
        73,
    )


def test_spotify_wrong_header_is_a_clear_error(tmp_path):
    path = tmp_path / "dataset.csv"
    path.write_text("id,name,artist\n1,a,b\n")
    with pytest.raises(SourceError, match="header lacks track_id, artists, track_name"):
        list(spotify_tracks.read(path))


# --- real excerpts of the public data (skipped where they are not on this machine) -------------------------------
real = pytest.mark.skipif(not REAL.is_dir(), reason="real excerpts (../shared/data/real) not present")


@real
@pytest.mark.parametrize(
    "name, rows", [("dataset.head.original-format.csv", 11), ("dataset.head.resaved-copy.csv", 94)]
)
def test_spotify_reader_on_real_rows(name, rows):
    tracks, problems = split(spotify_tracks.read(REAL / "spotify-tracks" / name))
    assert len(tracks) == rows and not problems
    assert tracks[0].source_id == "5SuOikwiRyPMVoIQDJUgSV" and tracks[0].credits[0].name == "Gen Hoshino"
    assert tracks[0].duration_s == 230.666 and tracks[0].explicit is False and tracks[0].genres == ["acoustic"]


@real
def test_fma_raw_file_readers_on_real_files():
    genres = fma.read_genres(REAL / "fma" / "genres.csv")
    assert len(genres) == 163 and genres["21"] == "Hip-Hop"
    raw = fma.read_raw_tracks(REAL / "fma" / "fma_pop_tracks.fadtk.csv")
    assert len(raw) == 4237  # every record, including those with HTML and newlines in quoted fields
    track_url, licence_url, *_ = raw["89433"]
    assert track_url.startswith("http://freemusicarchive.org/music/deef/") and "by-nc-sa" in licence_url
    artists = fma.read_raw_artists(REAL / "fma" / "raw_artists.head.csv")
    assert artists["1"] == "http://freemusicarchive.org/music/AWOL/" and len(artists) == 17


@real
def test_fma_real_licence_titles_all_map_to_a_code():
    import csv

    from ingest.normalize import licence_code

    with (REAL / "fma" / "fma_pop_tracks.fadtk.csv").open(encoding="utf-8", newline="") as handle:
        pairs = {(row["license_title"], row["license_url"]) for row in csv.DictReader(handle)}
    unknown = {title for title, url in pairs if title and licence_code(title, url) is None}
    assert not unknown
