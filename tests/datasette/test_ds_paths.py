"""`nianbao serve` on an archive whose path holds URI characters ('#', '?', '%'): Datasette must serve that file,
not the file an unquoted `file:` URI names (issue 14 item 6)."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

from ds_server import start_datasette, stop_datasette

from crawler.store.schema import connect


def _archive(path: Path, captures: int) -> None:
    db = connect(path)
    with db.conn:
        for i in range(captures):
            db["captures"].insert(
                {"url": f"http://x/{i}", "fetched_at": "t", "sha256": f"{i:064x}", "body": b"x"}
            )
    db.conn.close()


def test_serve_a_path_with_a_hash_serves_that_file(tmp_path: Path) -> None:
    _archive(tmp_path / "a#b.db", captures=3)
    _archive(tmp_path / "a", captures=1)  # what 'file:/…/a#b.db' would open: the name ends at '#'
    proc, base = start_datasette(tmp_path / "a#b.db")
    try:
        with urllib.request.urlopen(base + "/-/databases.json", timeout=30) as response:
            names = [d["name"] for d in json.load(response)]
        assert names == ["a_b"]
        with urllib.request.urlopen(
            base + "/a_b/captures.json?_shape=array&_col=url", timeout=30
        ) as response:
            rows = json.load(response)
        assert len(rows) == 3
        # a write to the real file reaches the server (the served name is a symlink to it, WAL included)
        conn = sqlite3.connect(tmp_path / "a#b.db")
        conn.execute(
            "insert into captures (url, fetched_at, sha256, body) values ('http://x/9', 't', 'f', x'00')"
        )
        conn.commit()
        conn.close()
        with urllib.request.urlopen(
            base + "/a_b/captures.json?_shape=array&_col=url", timeout=30
        ) as response:
            assert len(json.load(response)) == 4
    finally:
        stop_datasette(proc)
