"""Captures dedupe on url + sha256, JSON round trip, and SqliteSink documents/versions."""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.sink import SqliteSink, op_from_json, op_to_json
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect


def record(body: bytes, url: str = "http://a.gov.cn/t1.html") -> CaptureRecord:
    return CaptureRecord(
        url=url,
        final_url=url,
        method="GET",
        status=200,
        headers={"Content-Type": "text/html"},
        fetched_at="2026-01-01T00:00:00Z",
        body=body,
        content_type="text/html",
        kind="report",
    )


def test_write_capture_dedupes(tmp_path: Path) -> None:
    db = connect(tmp_path / "a.db")
    first, created = write_capture(db, record(b"<p>x</p>" * 200))
    again, created_again = write_capture(db, record(b"<p>x</p>" * 200))
    other, created_other = write_capture(db, record(b"<p>y</p>"))
    assert created and not created_again and created_other
    assert first == again != other
    row = db.execute("SELECT body_codec, size FROM captures WHERE id = ?", [first]).fetchone()
    assert row == ("zlib", 1600)


def test_capture_json_round_trip() -> None:
    original = record(bytes(range(256)))
    copy = CaptureRecord.from_json(original.to_json())
    assert copy == original
    name, payload = op_from_json(op_to_json("capture", original))
    assert name == "capture" and payload == original
    assert op_from_json(op_to_json("event", {"kind": "waf"})) == ("event", {"kind": "waf"})


def test_sink_versions(tmp_path: Path) -> None:
    sink = SqliteSink(tmp_path / "a.db")
    sink.site({"id": "s", "name": "测试"})
    run = sink.start_run("s", "2026-01-01T00:00:00Z", "host")
    v1, v2 = record(b"version one"), record(b"version two")
    v1.site_id = v2.site_id = "s"
    for rec, digest in ((v1, "h1"), (v1, "h1"), (v2, "h2")):
        sink.capture(rec)
        sink.fetch(
            {
                "run_id": run,
                "url": rec.url,
                "fetched_at": "t",
                "status": 200,
                "bytes": 9,
                "capture_url": rec.url,
                "capture_sha256": rec.sha256,
            }
        )
        sink.document(
            {
                "url": rec.url,
                "site_id": "s",
                "kind": "page",
                "checked_at": "t",
                "content_hash": digest,
                "capture_url": rec.url,
                "capture_sha256": rec.sha256,
                "title": "2024年…年度报告",
            }
        )
    db = sink.db
    assert db.execute("SELECT COUNT(*) FROM captures").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0] == 3
    versions, latest = db.execute("SELECT versions, latest_capture_id FROM documents").fetchone()
    assert versions == 2
    assert latest == db.execute("SELECT id FROM captures WHERE body = ?", [b"version two"]).fetchone()[0]
    sink.finish_run(run, {"status": "ok", "errors": {"http_404": 1}, "warnings": []})
    assert db.execute("SELECT errors FROM crawl_runs").fetchone()[0] == '{"http_404": 1}'
    state = sink.load_state("s")
    assert state.documents[v1.url].content_hash == "h2"
    sink.close()
