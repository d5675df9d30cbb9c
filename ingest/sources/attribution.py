"""Model attribution lists: what a model maker says it trained on.

Stability AI ships `fma_dataset_attribution2.csv` with Stable Audio Open 1.0: one row per Free Music Archive
track, header `id,title,author,license,url` (`id` is the FMA track id, `license` is `ccby` or `cc0`), CRLF line
endings. More lists can follow the same shape: a known file name gives the model, or a `<file>.model.json`
beside the file describes it (the keys of `ModelInfo`).

Like a dataset reader, this yields one record per row: a `TrainingUse` (the row as listed) or a `Problem`.
Matching the listed tracks to the datasets is the build's work.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..records import Problem, SourceError, not_utf8

HEADER = ("id", "title", "author", "license", "url")


@dataclass(frozen=True)
class ModelInfo:
    slug: str
    name: str
    maker: str
    released: str
    source_url: str  # where the maker publishes the list
    licence_claims: str  # what the maker says about the licences of what it trained on
    dataset: str  # which dataset the list's ids refer to


KNOWN_LISTS = {
    "fma_dataset_attribution2.csv": ModelInfo(
        slug="stable-audio-open-1.0",
        name="Stable Audio Open 1.0",
        maker="Stability AI",
        released="2024-06-05",
        source_url="https://huggingface.co/stabilityai/stable-audio-open-1.0",
        licence_claims="Stability AI's list gives each Free Music Archive track as CC0 or CC BY (license column: "
        "cc0 / ccby); the model card says the training audio is under CC0, CC BY or CC Sampling+ licences.",
        dataset="free-music-archive",
    ),
}


@dataclass(slots=True)
class TrainingUse:
    model: str
    file: str
    row: int
    source_id: str  # the id the list gives (an FMA track id)
    title: str | None
    author: str | None
    licence: str | None  # as the maker states it
    url: str | None


def model_info(path: Path) -> ModelInfo:
    path = Path(path)
    sidecar = path.with_name(path.name + ".model.json")
    if sidecar.is_file():
        try:
            return ModelInfo(**json.loads(sidecar.read_text()))
        except (ValueError, TypeError) as error:
            raise SourceError(
                sidecar,
                f"not a model description ({error}); expected the keys {', '.join(ModelInfo.__dataclass_fields__)}",
            ) from None
    for name, info in KNOWN_LISTS.items():
        if path.name.endswith(name):  # copies are often renamed: stability_fma_dataset_attribution2.csv
            return info
    raise SourceError(
        path, f"unknown attribution list; known: {', '.join(KNOWN_LISTS)}, or describe the model in {sidecar.name}"
    )


def revision(path: Path) -> str:
    """The revision `download` recorded, or else the file's SHA-256: a list is cited by exactly what it held."""
    marker = Path(path).parent / "download.json"
    try:
        return json.loads(marker.read_text())["revision"]
    except (OSError, ValueError, KeyError):
        return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read(path: Path) -> Iterator[TrainingUse | Problem]:
    path = Path(path)
    info = model_info(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise SourceError(path, f"cannot open ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None or tuple(name.strip().lower() for name in header) != HEADER:
                raise SourceError(
                    path,
                    f"expected the header {','.join(HEADER)}; found "
                    f"{','.join(header)[:200] if header else 'an empty file'}",
                )
            line = reader.line_num
            for fields in reader:
                start, line = line + 1, reader.line_num
                if len(fields) <= 1 and not "".join(fields).strip():
                    continue  # a blank line; a line of empty cells (`,,,,`) is a row, and a problem
                if len(fields) != len(HEADER):
                    yield Problem(
                        info.slug,
                        path.name,
                        start,
                        f"expected {len(HEADER)} fields, found {len(fields)}",
                        ",".join(fields),
                    )
                    continue
                source_id, title, author, licence, url = (field.strip() or None for field in fields)
                if not source_id or not source_id.isdecimal():
                    yield Problem(
                        info.slug,
                        path.name,
                        start,
                        f"id {source_id!r} is not an FMA track id: the row cannot be matched or cited",
                        ",".join(fields),
                    )
                    continue
                yield TrainingUse(info.slug, path.name, start, source_id, title, author, licence, url)
        except UnicodeDecodeError:
            raise not_utf8(path) from None
        except csv.Error as error:
            raise SourceError(path, f"line {reader.line_num}: {error}") from None
