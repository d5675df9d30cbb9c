"""The dataset registry: everything the project knows about each of the four datasets, in one place.

The build, the readers, the command line, the catalogue check, the synthetic data and the pages all read it, so
adding a fifth dataset means adding one entry here and one reader module under `ingest/sources/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


@dataclass(frozen=True)
class DatasetInfo:
    slug: str  # the stable identifier in URLs and in tracks.dataset
    name: str  # as the publisher names it
    short_name: str  # for chart labels and narrow screens
    publisher: str
    licence: str
    terms: str
    source_url: str
    rows_published: int
    description: str
    reader: str  # module under ingest.sources
    option: str  # `python -m ingest build --<option> PATH`
    option_help: str
    sample: str  # the bundled sample, relative to ingest/samples
    id_label: str  # what tracks.source_id holds
    # The original, made from source_id (and then not stored: tracks.url is generated from it), or None when the
    # dataset publishes its own page URL (Genius, FMA: stored in tracks.page_url).
    derived_url: str | None
    # A link for a bare source_id, where the id alone names a page (Genius: genius.com/songs/<id>).
    id_url: str | None
    original_name: str  # link text for the original: "YouTube", "Genius", …
    artist_source_name: str | None  # what artist_sources.source_artist_id is in this dataset
    colour: str  # one colour per dataset across the site (Okabe–Ito, safe for colour-blind readers)
    # The site every page URL the dataset publishes starts with (Genius: https://genius.com): tracks.page_url
    # keeps only the path after it (186 MB less over 9.7 million Genius songs, in the table and in its index);
    # tracks.url puts the site back.
    page_site: str | None = None

    @property
    def option_dest(self) -> str:
        return self.option.replace("-", "_")

    @property
    def sample_path(self) -> Path:
        return SAMPLES / self.sample

    def original_url(self, source_id: str) -> str | None:
        template = self.derived_url or self.id_url
        return template.format(source_id) if template else None


DATASETS: tuple[DatasetInfo, ...] = (
    DatasetInfo(
        slug="laion-disco-12m",
        name="LAION-DISCO-12M",
        short_name="LAION-DISCO",
        publisher="LAION e.V.",
        licence="Apache-2.0 (dataset card; MIT until card commit 9552f57, 2024-11-14)",
        terms="Released 'for research purposes'; LAION advises against industrial use. The card's licence covers "
        "the list of links, not the recordings they point to.",
        source_url="https://huggingface.co/datasets/laion/LAION-DISCO-12M",
        rows_published=12_320_916,
        description="12.3 million YouTube Music links to songs, with titles, artists, albums, views and durations, "
        "crawled from YouTube Music's 'Fans might also like' recommendations starting from chart artists.",
        reader="laion_disco",
        option="laion-disco",
        option_help="LAION-DISCO-12M download (parquet shards)",
        sample="laion-disco-12m",
        id_label="YouTube video id",
        derived_url="https://www.youtube.com/watch?v={}",
        id_url=None,
        original_name="YouTube",
        artist_source_name="YouTube Music channel",
        colour="#0072B2",
    ),
    DatasetInfo(
        slug="sleeping-disco-9m",
        name="Sleeping-DISCO-9M",
        short_name="Sleeping-DISCO",
        publisher="Sleeping AI (Ahmed, Radonjic, Rabby; arXiv 2506.14293)",
        licence="None declared on the Hugging Face page",
        terms="No licence is stated. Built from Genius song pages (lyrics, annotations) plus YouTube links; "
        "we store only the metadata and links, never the lyrics.",
        source_url="https://huggingface.co/datasets/sleeping-ai/Sleeping-DISCO-9M",
        rows_published=9_713_413,
        description="9.7 million Genius songs with artists, albums, tags and YouTube links to the recordings.",
        reader="sleeping_disco",
        option="sleeping-disco",
        option_help="Sleeping-DISCO-9M download (*.jsonl)",
        sample="sleeping-disco-9m",
        id_label="Genius song id",
        derived_url=None,
        id_url="https://genius.com/songs/{}",
        original_name="Genius",
        artist_source_name="Genius artist page",
        colour="#D55E00",
        page_site="https://genius.com",
    ),
    DatasetInfo(
        slug="free-music-archive",
        name="Free Music Archive (FMA)",
        short_name="FMA",
        publisher="EPFL LTS2 (Defferrard, Benzi, Vandergheynst, Bresson; ISMIR 2017, arXiv 1612.01840)",
        licence="Metadata: CC BY 4.0. Audio: each artist's own Creative Commons licence, per track",
        terms="Many tracks carry NonCommercial or NoDerivatives licences: free to stream is not free to train on. "
        "The per-track licence is in tracks.licence.",
        source_url="https://github.com/mdeff/fma",
        rows_published=106_574,
        description="106,574 tracks by 16,341 artists downloaded from freemusicarchive.org in 2016, each with its "
        "Creative Commons licence; used by Google, and a 13,874-track subset by Stability AI.",
        reader="fma",
        option="fma",
        option_help="FMA's fma_metadata/ directory",
        sample="fma_metadata",
        id_label="FMA track id",
        derived_url=None,
        id_url=None,
        original_name="FMA page",
        artist_source_name="Free Music Archive artist",
        colour="#009E73",
    ),
    DatasetInfo(
        slug="spotify-tracks-dataset",
        name="Spotify Tracks Dataset",
        short_name="Spotify",
        publisher="Hugging Face user maharshipandya (uploaded by sedlyf); 'assembled by an unknown developer'",
        licence="'bsd' on the dataset card (no variant named); the data come from Spotify's Web API",
        terms="The card's licence is not a grant from Spotify; Spotify's developer terms cover the underlying data.",
        source_url="https://huggingface.co/datasets/maharshipandya/spotify-tracks-dataset",
        rows_published=114_000,
        description="114,000 Spotify tracks, 1,000 for each of 114 genres, with audio features and popularity.",
        reader="spotify_tracks",
        option="spotify-tracks",
        option_help="Spotify Tracks Dataset's dataset.csv",
        sample="spotify-tracks-dataset/dataset.csv",
        id_label="Spotify track id",
        derived_url="https://open.spotify.com/track/{}",
        id_url=None,
        original_name="Spotify",
        artist_source_name=None,
        colour="#CC79A7",
    ),
)

BY_SLUG: dict[str, DatasetInfo] = {info.slug: info for info in DATASETS}
# Each dataset's track ids are a block of their own: the k-th dataset's start at k × ID_BLOCK + 1. A track's dataset
# is then its id's block (tracks.dataset is computed, not stored: 350 MB less at full size), and a track keeps its
# id when another dataset is rebuilt with more or fewer rows.
ID_BLOCK = 100_000_000
assert all(info.rows_published < ID_BLOCK // 2 for info in DATASETS)
SLUGS: tuple[str, ...] = tuple(BY_SLUG)


def dataset(slug: str) -> DatasetInfo:
    return BY_SLUG[slug]


def first_track_id(slug: str) -> int:
    return SLUGS.index(slug) * ID_BLOCK + 1


def dataset_sql(column: str = "id") -> str:
    """SQL for the dataset of a track id (a `case … end` over the id blocks)."""
    whens = " ".join(f"when {position} then '{info.slug}'" for position, info in enumerate(DATASETS))
    return f"case {column} / {ID_BLOCK} {whens} end"


def derived_url_sql(column: str = "source_id") -> str:
    """SQL for the original's URL of the datasets whose URL is made from the id (a `case dataset … end`)."""
    whens = []
    for info in DATASETS:
        if info.derived_url:
            prefix, suffix = info.derived_url.split("{}")
            whens.append(f"when '{info.slug}' then '{prefix}' || {column}" + (f" || '{suffix}'" if suffix else ""))
    return f"case dataset {' '.join(whens)} end"


def stored_page_url(slug: str, url: str) -> str:
    """A page URL as tracks.page_url stores it: without the dataset's site (`https://genius.com/Adele-hello-lyrics`
    → `/Adele-hello-lyrics`); any other URL as it is."""
    site = BY_SLUG[slug].page_site
    if site and url.startswith(site + "/"):
        return url[len(site) :]
    return url


def page_url_sql(column: str = "page_url") -> str:
    """SQL for the page URL a stored `page_url` stands for: the dataset's site before a path (a `case … end`)."""
    whens = " ".join(f"when '{info.slug}' then '{info.page_site}' || {column}" for info in DATASETS if info.page_site)
    return f"case when substr({column}, 1, 1) = '/' then case dataset {whens} else {column} end else {column} end"
