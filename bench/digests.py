"""Compare two builds table by table: `python bench/digests.py A.db B.db`.

Each table's rows are hashed in primary-key order (file bytes differ by page layout, so whole files cannot be
compared), and each table's and index's SQL with its whitespace collapsed. Prints the tables and indexes that
differ, or that all are identical; exits 1 on a difference. Streams, so it works on full-size builds.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys


def digests(path: str) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = {}
    for kind, name, sql in conn.execute(
        "select type, name, sql from sqlite_master where type in ('table', 'index') "
        "and name not like 'sqlite_%' order by name"
    ).fetchall():
        digest = hashlib.sha256(" ".join((sql or "").split()).encode())
        if kind == "table" and not (sql or "").lower().startswith("create virtual"):
            columns = len(conn.execute(f"pragma table_info([{name}])").fetchall())
            order = ", ".join(map(str, range(1, columns + 1))) if "without rowid" in sql.lower() else "rowid"
            for row in conn.execute(f"select * from [{name}] order by {order}"):
                digest.update(repr(row).encode())
        found[f"{kind} {name}"] = digest.hexdigest()
    conn.close()
    return found


def main(a: str, b: str) -> int:
    first, second = digests(a), digests(b)
    differ = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
    for name in differ:
        print(f"differs: {name}" + ("" if name in first and name in second else " (only in one)"))
    if not differ:
        print(f"identical: {len(first)} tables and indexes")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
