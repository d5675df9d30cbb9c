"""One reader module per dataset. Each knows one publisher format and nothing else: it exposes `DATASET` (its
entry in the registry, `ingest.datasets`) and `read(path)`, a generator of `Track` or `Problem`, one per row of the
publisher's files."""

from __future__ import annotations

import importlib

from ..datasets import DATASETS


def all_sources():
    """slug → reader module, in the order the build loads them."""
    return {info.slug: importlib.import_module(f"{__name__}.{info.reader}") for info in DATASETS}
