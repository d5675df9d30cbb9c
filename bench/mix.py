"""The fixed request mix, for our publication and for the plain one side by side.

Each item is (name, [our paths], [plain paths]): an item that takes several requests on one side (the plain
publication has one table per dataset, so an artist or a link is looked up in each) costs their sum.
An empty plain list means the plain publication cannot answer that question at all; None, that it is not
measured there (it has nothing quite like it). `exports` lists the whole exports, timed separately.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote, urlencode

import yaml

PLAIN_SEARCHABLE = ("laion_disco_12m", "sleeping_disco_9m", "fma_raw_tracks", "spotify_tracks_dataset")


def _sql(sql: str) -> str:
    """The plain publication's SQL page: an HTML page, like our saved queries' pages."""
    return "/plain?" + urlencode({"sql": sql})


PLAIN_FTS = {
    "laion_disco_12m": ("title", "artist_names"),
    "sleeping_disco_9m": ("title", "primary_artist"),
    "fma_raw_tracks": ("track_title", "artist_name"),
    "spotify_tracks_dataset": ("track_name", "artists"),
}


def _table_searches(q: str) -> list[str]:
    """The plain publication's table search, one table per dataset."""
    return [f"/plain/{table}?" + urlencode({"_search": q}) for table in PLAIN_SEARCHABLE]


def _search_all_fetches(q: str) -> list[str]:
    """What datasette-search-all's page asks for, per searchable table."""
    return [
        f"/plain/{table}.json?" + urlencode({"_search": q, "_size": 5, "_shape": "objects", "_labels": "on"})
        for table in PLAIN_SEARCHABLE
    ]


def pick(db_path) -> dict:
    """Values to ask about, chosen from the built database: a rare word, an artist of middling size, the biggest
    and a small artist, a YouTube and a Spotify id."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    one = lambda sql: db.execute(sql).fetchone()  # noqa: E731
    biggest = one("select key, name from artists order by tracks desc limit 1")
    middle = one("select key, name from artists where tracks between 40 and 60 order by id limit 1") or one(
        "select key, name from artists order by tracks desc limit 1 offset 3"
    )
    small = one("select key, name from artists where tracks = 3 order by id limit 1") or one(
        "select key, name from artists order by tracks, id limit 1"
    )
    rare = one(
        "select name from artists where tracks = 1 and name glob '[A-Z]*' and name not like '% %' order by id limit 1"
    ) or ("Zyx",)
    # ids from inside each dataset's range (a small build has only a few hundred rows per dataset)
    track = one("select min(first_track_id + 4321, last_track_id) from datasets where slug = 'laion-disco-12m'")
    video = one(f"select source_id from tracks where id = {track[0]}")
    spotify = one(
        "select source_id from tracks where id = (select min(first_track_id + 77, last_track_id) "
        "from datasets where slug = 'spotify-tracks-dataset')"
    )
    title = one(
        "select t.title from artists a join track_artists ta on ta.artist_id = a.id "
        "join tracks t on t.id = ta.track_id where a.key = ? and length(t.title) >= 8 "
        "and t.title not like '%feat%' "
        "order by t.id limit 1".replace("?", "'" + middle[0].replace("'", "''") + "'")
    ) or ("Love Song",)
    # a credit exactly as the tracks table shows it (the biggest artist's own name, where it is credited alone),
    # and an id a few thousand matches into the "love" search (a later page of the table search)
    credit = db.execute(
        "select t.artist_credit from tracks_fts f join tracks t on t.id = f.rowid "
        "where tracks_fts match :phrase and t.artist_credit = :name limit 1",
        {"phrase": 'artist_credit : "' + biggest[1].replace('"', '""') + '"', "name": biggest[1]},
    ).fetchone() or (biggest[1],)
    later = one(
        "select rowid from tracks_fts where tracks_fts match '\"love\"' order by rowid limit 1 offset 4999"
    ) or one("select max(rowid) from tracks_fts where tracks_fts match '\"love\"'")
    db.close()
    return {
        "biggest": biggest,
        "middle": middle,
        "small": small,
        "rare": rare[0],
        "video": video[0],
        "spotify": spotify[0],
        "title": title[0],
        "credit": credit[0],
        "love_later": later[0] or 0,
        "track": track[0],
    }


def misspelt(text: str, edits: int = 1) -> str:
    """`text` with typing mistakes a person makes: two letters swapped in its longest word, then one dropped."""
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 4:
        middle = len(word) // 2
        word = word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
        if edits > 1:
            word = word[:-2] + word[-1]
    words[longest] = word
    return " ".join(words)


def requests(values: dict) -> list[tuple[str, list[str], list[str]]]:
    big_key, big = values["biggest"]
    mid_key, mid = values["middle"]
    small_key, small = values["small"]
    rare, video, spotify = values["rare"], values["video"], values["spotify"]

    def artist_pages(name):
        return [
            "/plain/laion_disco_12m?" + urlencode({"artist_names__contains": f'"{name}"'}),
            "/plain/sleeping_disco_9m?" + urlencode({"primary_artist": name}),
            "/plain/fma_raw_tracks?" + urlencode({"artist_name": name}),
            "/plain/spotify_tracks_dataset?" + urlencode({"artists__contains": name}),
        ]

    def q(text):
        return "/search?" + urlencode({"q": text})

    mix = [
        ("search: rare word", [q(rare)], _search_all_fetches(rare)),
        ("search: common word (love)", [q("love")], _search_all_fetches("love")),
        ("search: artist name", [q(mid)], _search_all_fetches(mid)),
        # what people type: the plain publication finds none of these
        ("search: name prefix", [q(mid[: max(4, len(mid) * 2 // 3)].rstrip())], []),
        ("search: misspelt name (1 typo)", [q(misspelt(mid))], []),
        ("search: misspelt name (2 typos)", [q(misspelt(mid, 2))], []),
        ("search: misspelt title + artist", [q(f"{misspelt(values['title'])} {mid}")], []),
        (
            "pasted YouTube link",
            [q(f"https://www.youtube.com/watch?v={video}")],
            [
                f"/plain/laion_disco_12m.json?song_id={video}",
                "/plain/sleeping_disco_9m.json?" + urlencode({"youtube_links__contains": video}),
            ],
        ),
        (
            "pasted Spotify link",
            [q(f"https://open.spotify.com/track/{spotify}?si=x")],
            [f"/plain/spotify_tracks_dataset.json?track_id={spotify}"],
        ),
        ("biggest artist's page", [f"/artist/{quote(big_key)}"], artist_pages(big)),
        ("small artist's page", [f"/artist/{quote(small_key)}"], artist_pages(small)),
        (
            "filtered table page",
            ["/datasets/tracks?dataset=spotify-tracks-dataset&explicit=1"],
            ["/plain/spotify_tracks_dataset?explicit=True"],
        ),
        (
            "filtered CSV export, 1,000 rows",
            ["/datasets/tracks.csv?dataset=laion-disco-12m&explicit=1&_size=1000"],
            ["/plain/laion_disco_12m.csv?isExplicit=1&_size=1000"],
        ),
        ("search-all", ["/-/search?q=love", "/search.json?q=love"], ["/-/search?q=love", *_search_all_fetches("love")]),
        # the saved queries, and what the plain publication would have to run for the same answer
        (
            "query: artist's tracks",
            ["/datasets/artist_tracks?" + urlencode({"artist": mid})],
            [
                _sql(
                    "select 'laion' as d, title from laion_disco_12m where artist_names like '%' || :a || '%' "
                    "union all select 'sleeping', title from sleeping_disco_9m where primary_artist = :a "
                    "or featured_artists like '%' || :a || '%' "
                    "union all select 'spotify', track_name from spotify_tracks_dataset "
                    "where artists like '%' || :a || '%' limit 1000"
                )
                + "&a="
                + quote(mid)
            ],
        ),
        (
            "query: artist's albums",
            ["/datasets/artist_albums?" + urlencode({"artist": mid})],
            [
                _sql(
                    "select album_name, count(*) from laion_disco_12m where artist_names like '%' || :a || '%' "
                    "group by album_name order by 2 desc"
                )
                + "&a="
                + quote(mid)
            ],
        ),
        (
            "query: top artists",
            ["/datasets/top_artists?dataset=laion-disco-12m"],
            [
                _sql(
                    "select artist_names, count(*) from laion_disco_12m group by artist_names order by 2 desc limit 100"
                )
            ],
        ),
        (
            "query: FMA NC/ND licences",
            ["/datasets/fma_restricted_licences?artist="],
            [
                _sql(
                    "select track_title, artist_name, license_title from fma_raw_tracks where license_title like "
                    "'%noncommercial%' or license_title like '%noderiv%' or license_title like '%no deriv%' limit 1000"
                )
            ],
        ),
        (
            "query: FMA licences",
            ["/datasets/fma_licences"],
            [_sql("select license_title, count(*) from fma_raw_tracks group by license_title order by 2 desc")],
        ),
        (
            "query: explicit per dataset",
            ["/datasets/explicit_per_dataset"],
            [
                _sql("select sum(isExplicit) from laion_disco_12m"),
                _sql("select count(*) from spotify_tracks_dataset where explicit = 'True'"),
            ],
        ),
        (
            "query: tracks per genre",
            ["/datasets/tracks_per_genre?dataset="],
            [
                _sql(
                    "select j.value, count(*) from sleeping_disco_9m, json_each(sleeping_disco_9m.tags) j group by 1 "
                    "order by 2 desc limit 1000"
                )
            ],
        ),
        (
            "query: tracks per year",
            ["/datasets/tracks_per_year?dataset="],
            [_sql("select substr(album_release_date, 1, 4), count(*) from sleeping_disco_9m group by 1")],
        ),
        ("query: row counts", ["/datasets/row_counts"], [_sql(f"select count(*) from {t}") for t in PLAIN_SEARCHABLE]),
        ("query: why rows were rejected", ["/datasets/problems_by_reason"], []),
        ("query: most-viewed LAION", ["/datasets/most_viewed_laion"], []),  # views are text ("1.2M plays")
        (
            "query: most popular Spotify",
            ["/datasets/most_popular_spotify"],
            [
                _sql(
                    "select track_name, artists, popularity from spotify_tracks_dataset order by cast(popularity as "
                    "integer) desc limit 100"
                )
            ],
        ),
        # where every search result links, and a dataset's own row
        ("track page", [f"/datasets/tracks/{values['track']}"], [f"/plain/laion_disco_12m/{values['track']}"]),
        ("dataset's row page", ["/datasets/datasets/laion-disco-12m"], None),
        # the tracks table as Datasette invites exploring it: table search, facets, column filters
        ("table search: common word (love)", ["/datasets/tracks?_search=love"], _table_searches("love")),
        ("table search: later page", [f"/datasets/tracks?_search=love&_next={values['love_later']}"], None),
        ("table search: rare word", ["/datasets/tracks?" + urlencode({"_search": rare})], _table_searches(rare)),
        ("table search + dataset facet", ["/datasets/tracks?_search=love&_facet=dataset"], None),
        ("facet: dataset", ["/datasets/tracks?_facet=dataset"], [f"/plain/{t}?_size=1" for t in PLAIN_SEARCHABLE]),
        (
            "facet: licence_code",
            ["/datasets/tracks?_facet=licence_code"],
            ["/plain/fma_raw_tracks?_facet=license_title"],
        ),
        ("facet: year, one dataset", ["/datasets/tracks?dataset=sleeping-disco-9m&_facet=release_year"], None),
        (
            "facet: genres, one dataset",
            ["/datasets/tracks?dataset=sleeping-disco-9m&_facet_array=genres"],
            ["/plain/sleeping_disco_9m?_facet_array=tags"],
        ),
        ("facet: artist_credit (times out)", ["/datasets/tracks?_facet=artist_credit"], None),
        (
            "filter: exact artist credit",
            ["/datasets/tracks?" + urlencode({"artist_credit": values["credit"]})],
            ["/plain/sleeping_disco_9m?" + urlencode({"primary_artist": values["credit"]})],
        ),
        (
            "filter: title contains love",
            ["/datasets/tracks?title__contains=love"],
            [f"/plain/{t}?{c}__contains=love" for t, (c, _) in PLAIN_FTS.items()],
        ),
        (
            "filter: dataset and explicit",
            ["/datasets/tracks?dataset=laion-disco-12m&explicit=1"],
            ["/plain/laion_disco_12m?isExplicit=1"],
        ),
    ]
    return mix + chart_requests()


def chart_requests() -> list[tuple[str, list[str], list[str]]]:
    """Every chart of the overview dashboard, fetched as datasette-dashboards fetches it, and the pages that
    show charts or figures (the plain publication has no such pages)."""
    metadata = yaml.safe_load((Path(__file__).resolve().parent.parent / "metadata.yml").read_text())
    charts = metadata["plugins"]["datasette-dashboards"]["overview"]["charts"]
    return [("landing page (headline figures)", ["/"], ["/"]), ("dashboard page", ["/-/dashboards/overview"], [])] + [
        (f"chart: {slug}", ["/datasets.json?" + urlencode({"sql": chart["query"], "_shape": "objects"})], [])
        for slug, chart in charts.items()
    ]


def exports(values: dict) -> list[tuple[str, str, list[str] | None, str, dict]]:
    """Whole exports: (name, our path, the plain publication's paths or None, SQL counting the rows ours must
    hold, its parameters)."""
    love = "select count(*) from tracks_fts where tracks_fts match '\"love\"'"
    credit = values["credit"]
    return [
        (
            'CSV: every "love" match',
            "/datasets/tracks.csv?_search=love&_labels=on&_stream=on",
            [f"/plain/{t}.csv?_search=love&_stream=on&_size=max" for t in PLAIN_SEARCHABLE],
            love,
            {},
        ),
        ('JSON: every "love" match', "/datasets/tracks.json?_search=love&_stream=on", None, love, {}),
        (
            "CSV: LAION explicit tracks",
            "/datasets/tracks.csv?dataset=laion-disco-12m&explicit=1&_stream=on",
            ["/plain/laion_disco_12m.csv?isExplicit=1&_stream=on&_size=max"],
            "select count(*) from tracks where id between (select first_track_id from datasets where slug = "
            "'laion-disco-12m') and (select last_track_id from datasets where slug = 'laion-disco-12m') "
            "and explicit = 1",
            {},
        ),
        (
            "CSV: an exact artist credit",
            "/datasets/tracks.csv?" + urlencode({"artist_credit": credit, "_stream": "on"}),
            ["/plain/sleeping_disco_9m.csv?" + urlencode({"primary_artist": credit, "_stream": "on", "_size": "max"})],
            "select count(*) from tracks where artist_credit = :credit",
            {"credit": credit},
        ),
        (
            "CSV: title contains love (no index)",
            "/datasets/tracks.csv?title__contains=love&_stream=on",
            None,
            "select count(*) from tracks where title like '%love%'",
            {},
        ),
    ]
