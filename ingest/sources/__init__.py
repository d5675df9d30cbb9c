"""One reader module per dataset. Each knows one publisher format and nothing else: it exposes `DATASET`
(who publishes it, under what licence, how many rows) and `read(path)`, a generator of `Track` or `Problem`,
one per row of the publisher's files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetInfo:
    slug: str
    name: str
    publisher: str
    licence: str
    terms: str
    source_url: str
    rows_published: int
    description: str


def all_sources():
    """slug → reader module, in the order the build loads them."""
    from . import fma, laion_disco, sleeping_disco, spotify_tracks

    return {module.DATASET.slug: module for module in (laion_disco, sleeping_disco, fma, spotify_tracks)}
