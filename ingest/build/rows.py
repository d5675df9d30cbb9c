"""Records → row values: the per-row work of the reader process (artist keys, featured credits from titles, licence
codes, video ids, title keys), so that the process owning SQLite only gives out ids and inserts."""

from __future__ import annotations

import orjson

from ..datasets import DATASETS, stored_page_url
from ..links import youtube_video_id
from ..normalize import artist_key, fold, licence_code, split_featured, title_key
from ..records import Credit, Problem, Track

# Made from the id by the generated column tracks.url, so not stored.
DERIVED_URLS = {info.slug: info.derived_url for info in DATASETS if info.derived_url}
ARTIST_KEY_CACHE = 2_000_000  # spellings whose keys are kept: the same names recur millions of times


def prepare(record: Track | Problem, keys: dict[str, str]) -> tuple:
    """A record as one row ready to load, a plain tuple:

        (file, row, track, credits, links, title_key, reason, raw)

    - `track`: the values of TRACK_VALUE_COLUMNS, in that order; None for a problem, which has a `reason` and its
      `raw` text instead;
    - `credits`: (artist key, name, role, source artist id, url, location, latitude, longitude) per artist,
      deduplicated by (artist key, role), with featured artists from the title added;
    - `links`: (video id, url when the link names no video) per YouTube link; `title_key`: the title's match key.

    Plain tuples because they cross from the reader process by pickle, which rebuilds a named tuple 15 times
    slower (3 µs a row more on the loading process: a minute over 22 million rows). `keys` caches artist keys by
    spelling.
    """
    if isinstance(record, Problem):
        return record.file, record.row, None, (), (), "", record.reason, record.raw
    credits = record.credits
    title = record.title
    if title and ("feat" in title or "Feat" in title or "ft." in title or "FEAT" in title or "Ft." in title):
        featured = split_featured(title)[1]
        if featured:
            folded = {fold(name) for name in featured}
            credits = [
                Credit(c.name, "featured", c.source_artist_id, c.url, c.location, c.latitude, c.longitude)
                if c.role == "primary" and fold(c.name) in folded
                else c
                for c in credits
            ]
            credited = {fold(c.name) for c in credits}
            credits += [Credit(name, "featured") for name in featured if fold(name) not in credited]
    out = []
    # (key, role) pairs met: a lone credit cannot repeat one
    seen: set[tuple[str, str]] | None = set() if len(credits) > 1 else None
    for credit in credits:
        name = credit.name
        key = keys.get(name)
        if key is None:
            if len(keys) > ARTIST_KEY_CACHE:
                keys.clear()
            key = keys[name] = artist_key(name)
        if seen is not None:
            if (key, credit.role) in seen:
                continue
            seen.add((key, credit.role))
        out.append(
            (
                key,
                name,
                credit.role,
                credit.source_artist_id,
                credit.url,
                credit.location,
                credit.latitude,
                credit.longitude,
            )
        )
    links = (
        tuple((video, None if video else link) for link in record.youtube_links for video in (youtube_video_id(link),))
        if record.youtube_links
        else ()
    )
    url = record.url
    if url and record.dataset in DERIVED_URLS and url == DERIVED_URLS[record.dataset].format(record.source_id):
        url = None
    elif url:
        url = stored_page_url(record.dataset, url)
    values = (  # TRACK_VALUE_COLUMNS
        record.source_id,
        title,
        record.artist_credit,
        record.album,
        record.duration_s,
        url,
        record.release_year,
        None if record.explicit is None else int(record.explicit),
        record.views,
        record.views_text,
        record.popularity,
        record.listens,
        orjson.dumps(record.genres).decode() if record.genres else None,
        record.licence,
        licence_code(record.licence, record.licence_url) if record.licence or record.licence_url else None,
        record.licence_url,
        record.language,
        record.album_id,
        record.album_url,
    )
    return record.file, record.row, values, tuple(out), links, title_key(title)[0] if title else "", None, None
