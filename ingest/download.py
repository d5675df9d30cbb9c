"""Fetch the real files: three Hugging Face datasets at a pinned (or resolved-and-recorded) revision, and FMA's
`fma_metadata.zip`. Both resume after an interruption. Each dataset's folder gets a `download.json` naming the
exact revision, which the build copies into `datasets.revision`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from huggingface_hub import HfApi, hf_hub_download, snapshot_download

# slug → (repository, revision, files). A revision that is a branch name is resolved to its commit when the
# download runs, and that commit is what gets recorded; pass --revision slug=<commit> to reproduce a download.
HUB_DATASETS = {
    "laion-disco-12m": ("laion/LAION-DISCO-12M", "main", ["data/train-*.parquet", "README.md"]),
    "sleeping-disco-9m": ("sleeping-ai/Sleeping-DISCO-9M", "main", ["*.jsonl", "README.md"]),
    # the commit that carries dataset.csv as uploaded on 2023-06-14 (main as of 2023-12-01)
    "spotify-tracks-dataset": (
        "maharshipandya/spotify-tracks-dataset",
        "635b034f69257814eff850a5c2b3346fe458134f",
        ["dataset.csv", "README.md"],
    ),
}
FMA_URL = "https://os.unil.cloud.switch.ch/fma/fma_metadata.zip"
FMA_SHA1 = "f0df49ffe5f2a6008d7dc83c6915b31835dfe733"  # published in mdeff/fma's README
ALL = ("laion-disco-12m", "sleeping-disco-9m", "free-music-archive", "spotify-tracks-dataset")
# Model makers' training lists: model slug → (Hugging Face model repository, file).
ATTRIBUTION_LISTS = {
    "stable-audio-open-1.0": ("stabilityai/stable-audio-open-1.0", "fma_dataset_attribution2.csv"),
}

# Where each dataset's files land under the destination, as the build's options expect them.
BUILD_PATHS = {
    "laion-disco-12m": ("--laion-disco", "laion-disco-12m"),
    "sleeping-disco-9m": ("--sleeping-disco", "sleeping-disco-9m"),
    "free-music-archive": ("--fma", "free-music-archive/fma_metadata"),
    "spotify-tracks-dataset": ("--spotify-tracks", "spotify-tracks-dataset/dataset.csv"),
}


class DownloadError(Exception):
    """A download that could not be made; the message is one line a user can act on."""


def _offline(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return isinstance(error, (URLError, socket.gaierror, ConnectionError, TimeoutError)) or any(
        word in text for word in ("connect", "resolve", "offline", "name or service", "timed out", "network")
    )


def download_hub(slug: str, dest: Path, revision: str | None = None, log=print) -> dict:
    repo, default_revision, patterns = HUB_DATASETS[slug]
    requested = revision or default_revision
    target = dest / slug
    try:
        commit = HfApi().dataset_info(repo, revision=requested).sha
        log(f"{slug}: {repo} at {commit} …")
        snapshot_download(repo_id=repo, repo_type="dataset", revision=commit, local_dir=target, allow_patterns=patterns)
    except Exception as error:  # huggingface_hub raises many kinds; all end the same way for the user
        if _offline(error):
            raise DownloadError(
                f"cannot reach huggingface.co to fetch {repo} ({type(error).__name__}); "
                "check the network connection and run the same command again — it resumes"
            ) from None
        raise DownloadError(f"{repo} at {requested}: {error}") from None
    record = {
        "dataset": slug,
        "repository": f"https://huggingface.co/datasets/{repo}",
        "revision": commit,
        "requested_revision": requested,
    }
    (target / "download.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def download_fma(dest: Path, log=print) -> dict:
    url, sha1 = FMA_URL, FMA_SHA1
    target = dest / "free-music-archive"
    target.mkdir(parents=True, exist_ok=True)
    archive = target / "fma_metadata.zip"
    partial = target / "fma_metadata.zip.part"
    if not archive.exists():
        offset = partial.stat().st_size if partial.exists() else 0
        request = Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
        log(f"free-music-archive: {url}" + (f" (resuming at {offset:,} bytes)" if offset else "") + " …")
        try:
            with urlopen(request, timeout=60) as response:
                # a server that ignores Range answers 200 with the whole file: start over
                mode = "ab" if offset and response.status == 206 else "wb"
                with partial.open(mode) as handle:
                    shutil.copyfileobj(response, handle, length=1 << 20)
        except HTTPError as error:
            if error.code != 416:  # 416: the part file is already complete
                raise DownloadError(f"{url}: HTTP {error.code} {error.reason}") from None
        except (URLError, OSError) as error:
            if _offline(error):
                raise DownloadError(
                    f"cannot reach {url.split('/')[2]} to fetch fma_metadata.zip "
                    f"({getattr(error, 'reason', error)}); run the same command again "
                    "when online — it resumes"
                ) from None
            raise DownloadError(f"{url}: {error}") from None
        digest = hashlib.sha1()
        with partial.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha1:
            partial.unlink()
            raise DownloadError(
                f"fma_metadata.zip has SHA-1 {digest.hexdigest()}, expected {sha1}; "
                "the damaged file was removed, run the command again"
            )
        partial.rename(archive)
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)
    except zipfile.BadZipFile as error:
        raise DownloadError(f"{archive}: not a valid zip ({error}); delete it and run again") from None
    record = {"dataset": "free-music-archive", "repository": url, "revision": f"sha1:{sha1}"}
    (target / "fma_metadata" / "download.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def download_attribution(slug: str, dest: Path, log=print) -> Path | None:
    """A model maker's training list, or None (with the reason logged) when the hub will not give it: the Stable
    Audio Open repository is gated behind a licence agreement and needs a logged-in account that accepted it."""
    repo, filename = ATTRIBUTION_LISTS[slug]
    target = dest / "attribution" / slug
    try:
        commit = HfApi().model_info(repo).sha
        path = Path(hf_hub_download(repo_id=repo, filename=filename, revision=commit, local_dir=target))
    except Exception as error:  # gated (401/403), offline, or moved: say which, and go on without it
        text = f"{type(error).__name__}: {error}".lower()
        if "gated" in text or "401" in text or "403" in text or "unauthorized" in text:
            log(
                f"{slug}: skipped — https://huggingface.co/{repo} is gated: accept its terms there, log in with "
                "`hf auth login`, and run the download again"
            )
        elif _offline(error):
            log(f"{slug}: skipped — cannot reach huggingface.co ({type(error).__name__})")
        else:
            log(f"{slug}: skipped — {type(error).__name__}: {error}")
        return None
    (target / "download.json").write_text(
        json.dumps({"model": slug, "repository": f"https://huggingface.co/{repo}", "revision": commit}, indent=2) + "\n"
    )
    log(f"{slug}: {path} (revision {commit})")
    return path


def download(dest: Path, datasets=ALL, revisions: dict[str, str] | None = None, log=print, attributions=None) -> str:
    """Download `datasets` and model training lists into `dest`; returns the build command to run next."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for slug in datasets:
        if slug == "free-music-archive":
            record = download_fma(dest, log=log)
        else:
            record = download_hub(slug, dest, (revisions or {}).get(slug), log=log)
        option, relative = BUILD_PATHS[slug]
        log(f"{slug}: {dest / relative} (revision {record['revision']})")
    options = " ".join(f"{BUILD_PATHS[slug][0]} {dest / BUILD_PATHS[slug][1]}" for slug in datasets)
    for slug in ATTRIBUTION_LISTS if attributions is None else attributions:
        path = download_attribution(slug, dest, log=log)
        if path:
            options += f" --attribution {path}"
    return f"python -m ingest build {options}"
