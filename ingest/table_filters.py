"""A table page's filters as SQL that stays fast on the 22-million-row tracks table, shared by the table page
(`plugins/tracks_table.py`), its counts (`plugins/table_counts.py`) and whole exports (`plugins/exports.py`).

Datasette turns `?_search=love` into `id in (select rowid from tracks_fts where tracks_fts match …)`, which
materializes every match (1.16 million for "love") before it returns a row, on every page and again for the
count. Here the full-text index drives instead: its matches come in rowid order, each joined to its track, the
other filters applied to the track, and reading stops at the page's last row. An exact filter on a text column
the index covers (`?artist_credit=Cowboys`) is narrowed the same way, by the phrase in that column (every row
equal to the value contains its words in that order, so nothing is lost), then compared exactly.

Counts: exact from `track_counts` when every filter is on its columns; for a search alone, from the index up to
COUNT_LIMIT and past it exactly for one word (the index's own word counts); otherwise counted up to COUNT_LIMIT
within a time budget, or not at all, and the page says which.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from datasette.filters import Filters
from datasette.utils import escape_fts, escape_sqlite

from . import track_counts
from .normalize import search_text

TABLE = "tracks"
FTS_TABLE = "tracks_fts"
FTS_COLUMNS = ("title", "artist_credit", "album")  # what tracks_fts indexes, as content="tracks"
COUNT_LIMIT = 10_000
# arguments that filter in ways these plans do not reproduce: such requests are left to Datasette as they are
UNSUPPORTED = ("_through", "_fts_table", "_fts_pk")


class AtLeast(int):
    """A count that stopped at its limit: formats as "more than 10,000" wherever Datasette's templates format the
    number ("{:,}".format(count))."""

    def __format__(self, spec):
        return "more than " + format(int(self), spec)


def table_request(scope, database_path: str) -> str | None:
    """`<table>` or `<table>.<format>` when an ASGI scope is a GET of one of a database's tables
    (`/datasets/tracks.csv` → `tracks.csv`), else None: what the plugins wrapping Datasette's table pages look for."""
    if scope["type"] != "http" or scope.get("method") != "GET":
        return None
    prefix = database_path + "/"
    path = scope.get("path", "")
    rest = path[len(prefix) :]
    return rest if path.startswith(prefix) and rest and "/" not in rest else None


def arg_pairs(args) -> list[tuple[str, str]]:
    """Every (key, value) of a request's arguments (Datasette's MultiParams)."""
    return [(key, value) for key in args for value in args.getlist(key)]


def filtering(pairs) -> bool:
    """Whether arguments filter a table's rows (so that Datasette would count them, not take the whole table's
    count from the inspect file)."""
    for key, value in pairs:
        if not key.startswith("_") or "__" in key or key in ("_where", "_through"):
            return True
        if key.startswith("_search") and key != "_searchmode" and value:
            return True
    return False


def table_clauses(table: str, args, fts_table: str | None, raw_search: bool = False) -> tuple[list[str], dict] | None:
    """Any table's filters as Datasette builds them: column filters, `_where` and `_search` (its own clause).
    None when the arguments use filters only Datasette knows (`_through`, `_search_<column>`, …)."""
    if any(key in args for key in UNSUPPORTED) or any(key.startswith("_search_") for key in args):
        return None
    clauses, params = Filters(filter_pairs(args)).build_where_clauses(table)
    clauses += args.getlist("_where")
    search = args.get("_search")
    if search and search.strip() and fts_table:  # Datasette ignores a search on a table without an index
        mode = args.get("_searchmode")
        raw = mode == "raw" or (raw_search and mode != "escaped")
        fts = escape_sqlite(fts_table)
        clauses.append(
            f"{escape_sqlite(table)}.rowid in (select rowid from {fts} where {fts} match "
            f"{':search' if raw else 'escape_fts(:search)'})"
        )
        params["search"] = search
    return clauses, params


def search_description(search: str) -> str:
    """A table search as a page heading words it: `search matches "love"`; a raw query that is already one quoted
    phrase (the search page links with `"love"`) is not quoted again."""
    quoted = len(search) > 1 and search.startswith('"') and search.endswith('"') and '"' not in search[1:-1]
    return f"search matches {search}" if quoted else f'search matches "{search}"'


def filter_pairs(args) -> list[tuple[str, str]]:
    """The (key, value) pairs Datasette treats as column filters: every argument but `_special` ones."""
    return sorted(
        (key, value) for key in args if not (key.startswith("_") and "__" not in key) for value in args.getlist(key)
    )


def _renamed(clauses: list[str], params: dict, prefix: str) -> tuple[list[str], dict]:
    """Filters names its parameters p0, p1 … like Datasette's own: rename ours so both can share one query."""
    rename = lambda sql: re.sub(r":p(\d+)\b", rf":{prefix}p\1", sql)  # noqa: E731
    return [rename(clause) for clause in clauses], {f"{prefix}{key}": value for key, value in params.items()}


def _has_token(text: str) -> bool:
    # unicode61 makes a token of every run of letters and digits: a value with none of them has no phrase
    return any(ch.isalnum() for ch in text)


_ONE_QUOTED_WORD = re.compile(r'\(?"([A-Za-z0-9]+)"\)?')


def single_term(fts: str | None) -> str | None:
    """The word, as the index holds it, of a full-text query that is one plain word (`"love"`, `("Love")`);
    None for anything else (several words, a prefix, a column filter, other scripts)."""
    found = _ONE_QUOTED_WORD.fullmatch(fts or "")
    return found.group(1).lower() if found else None


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass
class Plan:
    """How to run one request's filters on the tracks table."""

    clauses: list[str] = field(default_factory=list)  # SQL over the columns of tracks
    params: dict = field(default_factory=dict)
    search: str = ""  # `_search`, unless blank (nothing to search for: no filter)
    fts: str | None = None  # a tracks_fts query every matching row matches (search and exact-text narrowing)
    search_only: bool = False  # the rows are exactly the search's matches (in the dataset's range)
    dataset: str | None = None  # an exact dataset filter: its id range bounds everything
    id_range: tuple[int, int] | None = None
    counts_clauses: list[str] | None = None  # the same filters on track_counts, when they all apply there
    counts_params: dict = field(default_factory=dict)
    supported: bool = True  # False: arguments only Datasette's own clauses handle (leave the request to it)

    @property
    def all_params(self) -> dict:
        params = dict(self.params)
        if self.fts:
            params["tf_fts"] = self.fts
        if self.id_range:
            params["tf_lo"], params["tf_hi"] = self.id_range
        return params

    def bounds(self, after: int | None = None, descending: bool = False) -> tuple[int | None, int | None]:
        """The ids to read: the dataset's range narrowed to what comes after `after`. One bound on each side:
        given two lower bounds SQLite seeks to either, and the wrong one reads from the dataset's first row."""
        low, high = self.id_range or (None, None)
        if after is not None:
            if descending:
                high = after - 1 if high is None else min(high, after - 1)
            else:
                low = after + 1 if low is None else max(low, after + 1)
        return low, high

    def fts_source(self, after: int | None = None, limit: int | None = None, descending: bool = False) -> str:
        """The full-text matches (after `after`, the first `limit` of them in rowid order), joined to their tracks:
        a FROM clause whose `_m._rid` is the track id."""
        low, high = self.bounds(after, descending)
        bounds = (f" and rowid >= {int(low)}" if low is not None else "") + (
            f" and rowid <= {int(high)}" if high is not None else ""
        )
        first = f" order by rowid {'desc' if descending else ''} limit {int(limit)}" if limit else ""
        return (
            f"(select rowid as _rid from {FTS_TABLE} where {FTS_TABLE} match :tf_fts{bounds}{first}) "
            f"as _m join {TABLE} on {TABLE}.id = _m._rid"
        )

    def where(self, extra: tuple[str, ...] | list[str] = (), ranged: bool = True) -> str:
        """The filters on tracks (with the dataset's id range, unless the caller bounds the ids itself)."""
        clauses = list(self.clauses) + list(extra)
        if self.id_range and not self.fts and ranged:
            clauses.append(f"{TABLE}.id between :tf_lo and :tf_hi")
        return (" where " + " and ".join(f"({c})" for c in clauses)) if clauses else ""

    def rows_sql(self, columns: str = f"{TABLE}.*") -> str:
        """Every matching row, unordered and unbounded (for counts and facets)."""
        if self.fts:
            return f"select {columns} from {self.fts_source()}{self.where()}"
        return f"select {columns} from {TABLE}{self.where()}"

    def window_sql(self, limit: int, after: int | None = None, descending: bool = False) -> str:
        """The ids of the next `limit` matching rows after `after`, read from the full-text index in id order and
        stopped there: `id in (…)` of this is what a page needs."""
        return (
            f"select {TABLE}.id from {self.fts_source(after, descending=descending)}{self.where()} "
            f"order by _m._rid {'desc' if descending else ''} limit {int(limit)}"
        )

    def fts_count_sql(self, limit: int) -> str:
        """The index's matches (in the dataset's range), counted up to limit + 1."""
        bounds = " and rowid between :tf_lo and :tf_hi" if self.id_range else ""
        sql = f"select 1 from {FTS_TABLE} where {FTS_TABLE} match :tf_fts{bounds}"
        return f"select count(*) from ({sql} limit {int(limit) + 1})"

    def counts_where(self) -> str:
        return (" where " + " and ".join(f"({c})" for c in self.counts_clauses)) if self.counts_clauses else ""


def plan(args, ranges: dict[str, tuple[int, int]], fts_ok: bool = True, raw_search: bool = False) -> Plan:
    """The plan for a request's arguments (`request.args`). `ranges` gives each dataset's id range; `fts_ok` says
    whether tracks_fts indexes the tracks columns as they are (see `fts_matches_tracks`)."""
    result = Plan()
    if any(key in args for key in UNSUPPORTED) or any(k.startswith("_search_") for k in args):
        result.supported = False
    pairs = filter_pairs(args)
    filters = Filters(pairs)
    clauses, params = filters.build_where_clauses(TABLE)
    result.clauses, result.params = _renamed(clauses, params, "tf_")
    wheres = args.getlist("_where")
    result.clauses += wheres

    fts_parts = []
    search = args.get("_search") or ""
    mode = args.get("_searchmode")
    expression = search if mode == "raw" or (raw_search and mode != "escaped") else escape_fts(search)
    if expression.strip():
        result.search = search
        fts_parts.append(f"({expression})")
    else:
        search = ""
    selections = list(filters.selections())
    for column, lookup, value in selections:
        # the index holds each value as search_text folds it (ingest/search_index.py): so does the phrase
        if column in FTS_COLUMNS and lookup == "exact" and _has_token(search_text(value) or ""):
            fts_parts.append(f"{column} : {_phrase(search_text(value) or '')}")
        if column == "dataset" and lookup == "exact":
            if result.dataset not in (None, value):  # two datasets: no row
                result.id_range = (1, 0)
            else:
                result.dataset = value
                result.id_range = result.id_range or ranges.get(value, (1, 0))
    if search and not fts_ok:
        result.supported = False
    if fts_ok and fts_parts:
        result.fts = " AND ".join(fts_parts)
        only_datasets = all(column == "dataset" and lookup == "exact" for column, lookup, _ in selections)
        result.search_only = bool(search) and not wheres and only_datasets
    if (
        result.supported
        and not search
        and not wheres
        and all(
            column in track_counts.NAMES
            and lookup in track_counts.FLAG_LOOKUPS.get(column, {lookup})
            and lookup in Filters._filters_by_key
            for column, lookup, _ in selections
        )
    ):
        clauses, params = Filters(pairs).build_where_clauses("track_counts")
        result.counts_clauses, result.counts_params = _renamed(clauses, params, "tc_")
    return result


def fts_matches_tracks(create_sql: str | None) -> bool:
    """Whether tracks_fts is an index of tracks' own title, artist_credit and album (external content), so that
    a phrase from a column's value is found in that column: the condition for narrowing exact filters with it."""
    if not create_sql:
        return False
    sql = " ".join(create_sql.lower().split())
    columns = re.search(r"using fts5\s*\((.*)\)", sql)
    if not columns or not re.search(r"""content\s*=\s*["'\[]?tracks["'\]]?""", sql):
        return False
    names = [part.strip() for part in columns.group(1).split(",") if "=" not in part]
    return all(name in names for name in FTS_COLUMNS) and "content_rowid" in sql


@dataclass
class TracksInfo:
    ranges: dict[str, tuple[int, int]]  # dataset → (first, last) track id
    fts_ok: bool  # tracks_fts indexes the tracks columns as they are (see fts_matches_tracks)
    has_counts: bool  # the build made track_counts
    rows: int | None  # tracks in the table (from the inspect file)


_INFO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def tracks_info(db) -> TracksInfo:
    """What the plans need to know about a database, read once (the database is immutable)."""
    info = _INFO.get(db)
    if info is None:
        ranges = {
            row["slug"]: (row["first_track_id"], row["last_track_id"])
            for row in (
                await db.execute(
                    "select slug, first_track_id, last_track_id from datasets where first_track_id is not null"
                )
            ).rows
        }
        create = (await db.execute(f"select sql from sqlite_master where name = '{FTS_TABLE}'")).first()
        counted = (await db.execute("select count(*) from sqlite_master where name = 'track_counts'")).single_value()
        inspected = ((db.ds.inspect_data or {}).get(db.name) or {}).get("tables", {}).get(TABLE, {}).get("count")
        info = _INFO[db] = TracksInfo(
            ranges, fts_matches_tracks(create[0] if create else None), bool(counted), inspected
        )
    return info
