"""archive.db schema: migrations, WAL, foreign keys, the (url, sha256) capture uniqueness."""

import sqlite3

import pytest

from crawler.store.bodies import decode_body, encode_body, sha256
from crawler.store.schema import MIGRATIONS, connect


def test_connect_creates_every_table_in_wal_mode(tmp_path):
    db = connect(tmp_path / "a.db")
    tables = set(db.table_names())
    for name in (
        "sites",
        "agencies",
        "crawl_runs",
        "captures",
        "fetches",
        "documents",
        "crawl_events",
        "reports",
        "sections",
        "statistics",
        "checks",
    ):
        assert name in tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_migrations_are_idempotent(tmp_path):
    path = tmp_path / "a.db"
    connect(path).conn.close()
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_identical_capture_of_a_url_is_rejected(tmp_path):
    db = connect(tmp_path / "a.db")
    row = {"url": "http://x/a.html", "fetched_at": "2025-01-01T00:00:00Z", "sha256": "ab", "status": 200}
    db["captures"].insert(row)
    with pytest.raises(sqlite3.IntegrityError):
        db["captures"].insert(row)


def test_foreign_keys_are_enforced(tmp_path):
    db = connect(tmp_path / "a.db")
    with pytest.raises(sqlite3.IntegrityError):
        db["agencies"].insert({"id": "x/y", "site_id": "missing", "name": "某局"})


@pytest.mark.parametrize("body", [b"", b"short", "政府信息公开".encode() * 400, bytes(range(256)) * 8])
def test_bodies_round_trip_and_compress_when_it_pays(body):
    stored, codec = encode_body(body)
    assert decode_body(stored, codec) == body
    if codec == "zlib":
        assert len(stored) < len(body)
    assert len(sha256(body)) == 64
