"""The full-size generator, run at a tiny scale: exact formats, the published proportions, determinism."""

import hashlib

import pytest

from ingest.build import build
from ingest.records import Track
from ingest.sources import all_sources
from ingest.testdata.synth import synth


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    return out, synth(out, scale=0.0005, seed=7, lyrics_bytes=50, log=lambda m: None)


def test_every_reader_accepts_the_generated_files_at_the_scaled_counts(tiny):
    _, paths = tiny
    readers = all_sources()
    expected = {
        "laion-disco-12m": 6160,
        "sleeping-disco-9m": 4857,
        "free-music-archive": 53,
        "spotify-tracks-dataset": 57,
    }
    for slug, path in paths.items():
        records = list(readers[slug].read(path))
        assert len(records) == expected[slug]
        assert all(isinstance(r, Track) for r in records), slug


def test_generated_data_has_the_real_shape(tiny, tmp_path):
    _, paths = tiny
    db_path = tmp_path / "synth.db"
    build(db_path, paths, progress=False, log=lambda m: None)
    import sqlite3

    db = sqlite3.connect(db_path)
    # popularity is skewed: the top artist holds far more tracks than the median one
    (top,) = db.execute("select max(tracks) from artist_datasets where dataset = 'laion-disco-12m'").fetchone()
    (median,) = db.execute(
        "select tracks from artist_datasets where dataset = 'laion-disco-12m' order by tracks "
        "limit 1 offset (select count(*) / 2 from artist_datasets where dataset = 'laion-disco-12m')"
    ).fetchone()
    assert top > 3 * median  # (at this tiny scale; at --scale 1 the top artist has tens of thousands)
    # featured credits, several artists, common words, non-Latin names, duplicates, cross-dataset links
    assert db.execute("select count(*) from track_artists where role = 'featured'").fetchone()[0] > 100
    assert db.execute("select count(*) from tracks_fts where tracks_fts match 'love'").fetchone()[0] > 50
    assert db.execute("select count(*) from artists where name glob '*[а-я]*'").fetchone()[0] > 0
    assert db.execute("select count(*) from tracks where duplicate_of is not null").fetchone()[0] > 0
    shared = db.execute(
        "select count(*) from youtube_links y join tracks t on t.dataset = 'laion-disco-12m' "
        "and t.source_id = y.video_id"
    ).fetchone()[0]
    assert shared > 20
    assert (
        db.execute(
            "select count(*) from tracks where dataset = 'laion-disco-12m' and views is null and views_text is not null"
        ).fetchone()[0]
        > 0
    )  # unparsable views text


def test_the_same_seed_writes_the_same_bytes(tiny, tmp_path):
    out, paths = tiny
    again = synth(tmp_path, scale=0.0005, seed=7, lyrics_bytes=50, log=lambda m: None)

    def digest(path):
        files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
        return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()

    for slug in paths:
        assert digest(paths[slug]) == digest(again[slug]), slug
