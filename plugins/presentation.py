"""How things read: links in cells, readable lists, licence flags, provenance and the caveat on every page,
template filters, and the SQL functions the saved queries use (`artist_key`, `match_key`, `fold`)."""

from __future__ import annotations

import json
from urllib.parse import quote

from datasette import hookimpl
from datasette.version import __version__
from markupsafe import Markup, escape

from ingest import CAVEAT, DATABASE, build_info
from ingest.datasets import DATASETS
from ingest.normalize import artist_key, fold, match_key

# a source_id cell links to the original where the id alone names it
ID_LINKS = {info.slug: info for info in DATASETS if info.derived_url or info.id_url}
RESTRICTIVE = ("NC", "ND")


@hookimpl
def startup(datasette):
    # the templates do not change while a server runs (`datasette --reload` restarts it): without this Jinja reads
    # the time of every template file on every page it renders (4 % of a busy server's main thread)
    datasette.jinja_env.auto_reload = False


@hookimpl
def prepare_connection(conn):
    conn.create_function("artist_key", 1, lambda name: artist_key(name) if name else None, deterministic=True)
    conn.create_function("match_key", 1, lambda text: match_key(text) if text else None, deterministic=True)
    conn.create_function("fold", 1, lambda text: fold(text) if text else None, deterministic=True)


def duration(seconds) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def restrictive(licence_code) -> list[str]:
    """Which licence terms forbid commercial use (NC) or derivatives (ND)."""
    return [term for term in RESTRICTIVE if licence_code and term in licence_code.split(" ")[-1].split("-")]


def genres_text(value) -> str:
    try:
        items = json.loads(value) if value else []
    except (TypeError, ValueError):
        return str(value)
    return " · ".join(str(item) for item in items) if isinstance(items, list) else str(value)


def web_url(value) -> bool:
    """Whether a link from the data is safe to put in an href: only http(s), never javascript: or data:."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["duration"] = duration
    env.filters["thousands"] = lambda n: "" if n is None else f"{n:,}"
    env.filters["percent"] = lambda x: "" if x is None else (f"{x:.2%}" if x >= 0.0001 else f"{x:.4%}")
    env.filters["restrictive"] = restrictive
    env.filters["genres_text"] = genres_text
    env.globals["caveat"] = CAVEAT
    env.globals["database"] = DATABASE  # for urls.table(database, …) in templates
    # the footer names it; Datasette's error pages render without it ("Datasette v")
    env.globals["datasette_version"] = __version__
    env.tests["web_url"] = web_url  # {% if url is web_url %}


def _link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}" rel="nofollow noopener">{escape(text)}</a>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None or database != DATABASE:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if table == "tracks" and column == "source_id" and "dataset" in keys:
        dataset = row["dataset"]
        dataset = dataset.get("value") if isinstance(dataset, dict) else dataset  # with _labels=on
        if dataset in ID_LINKS:
            return _link(ID_LINKS[dataset].original_url(quote(str(value), safe="")), str(value))
    if column == "genres" and table == "tracks":
        return genres_text(value)
    if column == "licence_code":
        flags = restrictive(value)
        if flags:
            return Markup(
                f'{escape(value)} <span class="flag" title="NonCommercial / NoDerivatives">{"·".join(flags)}</span>'
            )
    if table == "artists" and column in ("key", "name") and "key" in keys:
        return _link(datasette.urls.path(f"/artist/{quote(row['key'], safe='')}"), str(value))
    if table == "tracks" and column == "used_to_train" and "id" in keys:
        return Markup(
            f'<a class="trained" href="{escape(datasette.urls.table(DATABASE, "training_use"))}?track_id='
            f'{int(row["id"])}">Used to train: {escape(value)}</a>'
        )
    if table == "tracks" and column == "artist_credit":
        return _link(datasette.urls.path(f"/search?q={quote(str(value))}"), str(value))
    return None


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/static/explorer.css")]


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if template == "index.html":
        return _build_of(datasette)
    if view_name != "row" or database != DATABASE or table != "tracks":
        return {}

    async def provenance():
        # the row page's primary key is the track id
        track_id = request.url_vars.get("pks")
        db = datasette.get_database(DATABASE)
        rows = await db.execute(
            "select d.name, d.publisher, d.licence, d.terms, d.source_url, d.revision, f.path, t.source_row, "
            "t.duplicate_of, t.dataset, t.used_to_train from tracks t join datasets d on d.slug = t.dataset "
            "left join source_files f on f.id = t.source_file where t.id = ?",
            [track_id],
        )
        return {"provenance": dict(rows.first()) if rows.first() else None}

    return provenance


def _build_of(datasette):
    async def build():
        """The database build's id (`ingest/build_info.py`), shown on the home page for reports to cite."""
        db = datasette.get_database(DATABASE)
        return {"build": await db.execute_fn(build_info.read)}

    return build
