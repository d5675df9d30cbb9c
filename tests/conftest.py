import json
import os
import sqlite3
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from datasette.app import Datasette

from ingest.build import build, sample_attributions, sample_sources

ROOT = Path(__file__).resolve().parent.parent
# Real excerpts of the public data live outside the repository (they are never committed).
REAL = next((path for path in (Path(os.environ.get("REAL_DATA_DIR", "/nonexistent")),
                               ROOT.parent / "shared" / "data" / "real", Path("/work/shared/data/real"))
             if path.is_dir()), ROOT.parent / "shared" / "data" / "real")


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
    """Datasette configured exactly as `datasette .` configures it from the repository root."""
    inspect_file = db_path.parent / "inspect-data.json"
    return Datasette(
        immutables=[str(db_path)],
        inspect_data=json.loads(inspect_file.read_text()) if inspect_file.exists() else None,
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text()),
        settings=json.loads((ROOT / "settings.json").read_text()),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
    )


@pytest_asyncio.fixture
async def ds(sample_db):
    datasette = make_datasette(sample_db)
    await datasette.invoke_startup()
    return datasette
