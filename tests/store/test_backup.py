"""`nianbao backup`: a consistent copy, taken while another connection keeps writing."""

import sqlite3
import threading

import pytest

from crawler.store.backup import backup_database
from crawler.store.schema import connect


def _insert_captures(path, start, count):
    db = connect(path)
    for i in range(start, start + count):
        with db.conn:
            db["captures"].insert({"url": f"http://x/{i}", "fetched_at": "t", "sha256": f"{i:064x}"})
    db.conn.close()


def test_backup_while_writing_keeps_every_committed_row(tmp_path):
    source = tmp_path / "archive.db"
    _insert_captures(source, 0, 200)
    writer = threading.Thread(target=_insert_captures, args=(source, 200, 2000))
    writer.start()
    summary = backup_database(source, tmp_path / "copy.db")
    writer.join()
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in copy.execute("select url from captures")]
    assert len(ids) >= 200 and len(ids) == len(set(ids))
    # a snapshot: every row up to the snapshot point, none missing in between
    numbers = sorted(int(u.rsplit("/", 1)[1]) for u in ids)
    assert numbers == list(range(len(numbers)))
    assert "ok" in summary


def test_backup_refuses_to_overwrite(tmp_path):
    connect(tmp_path / "a.db").conn.close()
    (tmp_path / "b.db").write_bytes(b"x")
    with pytest.raises(FileExistsError):
        backup_database(tmp_path / "a.db", tmp_path / "b.db")
