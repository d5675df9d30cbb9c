import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import pytest_asyncio
from datasette.app import Datasette

from ingest.build import build, build_from_records, sample_attributions, sample_sources
from ingest.records import Credit, Track

ROOT = Path(__file__).resolve().parent.parent
# Real excerpts of the public data live outside the repository (they are never committed).
REAL = next(
    (
        path
        for path in (
            Path(os.environ.get("REAL_DATA_DIR", "/nonexistent")),
            ROOT.parent / "shared" / "data" / "real",
            Path("/work/shared/data/real"),
        )
        if path.is_dir()
    ),
    ROOT.parent / "shared" / "data" / "real",
)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The publication built from the bundled samples, once per test session."""
    path = tmp_path_factory.mktemp("publication") / "datasets.db"
    build(path, sample_sources(), attributions=sample_attributions(), progress=False, log=lambda message: None)
    return path


@pytest.fixture
def db(sample_db):
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def make_datasette(db_path: Path) -> Datasette:
    """Datasette configured exactly as `datasette .` configures it: the database's directory made a configuration
    directory with this repository's configuration."""
    return Datasette([], config_dir=configuration_directory(db_path.parent))


@pytest_asyncio.fixture
async def ds(sample_db):
    datasette = make_datasette(sample_db)
    await datasette.invoke_startup()
    return datasette


# --- a real `datasette .` and a real browser (test_browser.py, test_security.py) -------------------------------
CONFIGURATION = ("metadata.yml", "settings.json", "plugins", "templates", "static")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags Chromium keeps trying to reach Google, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


def configuration_directory(directory: Path) -> Path:
    """Make `directory` (holding a datasets.db) a `datasette .` configuration directory with this repository's
    configuration."""
    for name in CONFIGURATION:
        if not (directory / name).is_symlink():
            (directory / name).symlink_to(ROOT / name)
    return directory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def datasette_server(directory: Path, *options: str):
    """`datasette <directory> [options]` on a free port, until the block ends; yields its base URL. Its log goes to a
    file beside the directory: a pipe nobody reads would stall the server once full (refused SQL logs a lot)."""
    port = free_port()
    log = directory.parent / f"{directory.name}-server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "datasette", str(directory), "-p", str(port), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(log.read_text())
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # a query still running holds a thread
            process.kill()
            process.wait()


def playwright_or_skip(allow_module_level: bool = False):
    """Playwright's `sync_playwright`; skips where Chromium or Playwright is missing, except in CI (`CI=true`),
    where a missing browser is a failure: `.ci/run` installs Debian's chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        sync_playwright = None
    if not (CHROMIUM and sync_playwright):
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium and Playwright for the browser tests", pytrace=False)
        pytest.skip("Chromium or Playwright not installed", allow_module_level=allow_module_level)
    return sync_playwright


@contextlib.contextmanager
def chromium_browser():
    """Debian's Chromium driven by Playwright (skipped where either is missing, a failure in CI), closed on leaving."""
    sync_playwright = playwright_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def tracks_to_fold(path: Path) -> Path:
    """A database holding only a `tracks` table of one track with diacritics: what the full-text step's folding
    processes (ingest/search_index.FoldedAhead) read."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("create table tracks (id integer primary key, title text, artist_credit text, album text)")
        conn.execute("insert into tracks values (1, 'Jón', 'Björk', null)")
    return path


@pytest.fixture
def tiny_db(tmp_path):
    """A database built as the publication is, holding just the LAION tracks a test needs: (title, artists) each."""

    def make(tracks: list[tuple[str, list[str]]]) -> sqlite3.Connection:
        records = [
            Track(
                "laion-disco-12m",
                "tiny.parquet",
                row,
                f"video{row:06d}",
                title,
                ", ".join(names),
                [Credit(name) for name in names],
            )
            for row, (title, names) in enumerate(tracks, 1)
        ]
        build_from_records(tmp_path / "tiny.db", {"laion-disco-12m": records})
        return sqlite3.connect(tmp_path / "tiny.db")

    return make
