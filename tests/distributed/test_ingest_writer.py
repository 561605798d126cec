"""The single writer: ops pushed by RedisSink land in archive.db exactly once, across writer crashes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import redis

import crawler.crawl.sink as sink_module
from crawler.crawl.sink import KnownDocument, SiteState
from crawler.distributed.ingest import Writer, run_ingest
from crawler.distributed.keys import OPS, OPS_PROCESSING
from crawler.distributed.redis_sink import RedisSink
from crawler.distributed.state import fetch_state, state_from_json, state_to_json
from crawler.store.captures import CaptureRecord

SITE = {
    "id": "s1",
    "name": "测试区人民政府",
    "province": "P",
    "city": "C",
    "district": "D",
    "region_code": "640502",
    "portal_url": "http://127.0.0.1/",
    "cms": "static",
    "verified": 0,
    "config": "{}",
}


def _crawl(sink: RedisSink, n: int) -> int:
    sink.site(SITE)
    run = sink.start_run("s1", "2026-01-01T00:00:00Z", "h")
    for i in range(n):
        url = f"http://127.0.0.1/r{i}.html"
        body = f"<html>report {i}</html>".encode() * 40
        record = CaptureRecord(
            url=url,
            final_url=url,
            method="GET",
            status=200,
            headers={},
            fetched_at="2026-01-01T00:00:01Z",
            body=body,
            kind="report",
            site_id="s1",
            run_id=run,
        )
        sink.capture(record)
        sink.fetch(
            {
                "run_id": run,
                "url": url,
                "fetched_at": record.fetched_at,
                "status": 200,
                "bytes": len(body),
                "capture_url": url,
                "capture_sha256": record.sha256,
            }
        )
        sink.document(
            {
                "url": url,
                "site_id": "s1",
                "kind": "page",
                "checked_at": record.fetched_at,
                "capture_url": url,
                "capture_sha256": record.sha256,
                "content_hash": str(i),
                "etag": f'"e{i}"',
            }
        )
    sink.finish_run(run, {"ended_at": "2026-01-01T00:01:00Z", "status": "ok", "requests": n})
    return run


def _counts(db: Path) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(
            conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("captures", "fetches", "documents", "crawl_runs")
        )
    finally:
        conn.close()


def test_ops_applied_once_and_state_published(redis_url: str, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    sink = RedisSink(redis_url)
    _crawl(sink, 30)
    summary = run_ingest(redis_url, db, idle_exit=0.5)
    assert "stopped: idle" in summary and " 0 failed" in summary, summary
    assert _counts(db) == (30, 30, 30, 1)
    conn = sqlite3.connect(db)
    run_ids = {r[0] for r in conn.execute("select distinct run_id from fetches")}
    assert run_ids == {conn.execute("select id from crawl_runs").fetchone()[0]}
    assert conn.execute("select status, requests from crawl_runs").fetchone() == ("ok", 30)
    conn.close()
    state = fetch_state(redis.Redis.from_url(redis_url), "s1")
    assert state.documents["http://127.0.0.1/r7.html"].etag == '"e7"'
    # A second pass of the same bytes: new fetches, no new captures.
    _crawl(sink, 30)
    run_ingest(redis_url, db, idle_exit=0.5)
    assert _counts(db) == (30, 60, 30, 2)


def test_writer_killed_between_commit_and_ack_loses_and_duplicates_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    server = redis.Redis.from_url(redis_url)
    _crawl(RedisSink(redis_url), 10)
    total = server.llen(OPS)
    # Simulate a writer that moved 7 ops, committed 4 of them, and died before acknowledging any.
    writer = Writer(server, db)
    moved = [server.lmove(OPS, OPS_PROCESSING, "RIGHT", "LEFT") for _ in range(7)]
    for raw in moved[:4]:
        writer.apply(raw)
    writer.close()
    assert server.llen(OPS_PROCESSING) == 7 and server.llen(OPS) == total - 7
    summary = run_ingest(redis_url, db, idle_exit=0.5)
    assert "4 already applied, 7 recovered" in summary, summary
    assert _counts(db) == (10, 10, 10, 1)
    assert server.llen(OPS) == 0 and server.llen(OPS_PROCESSING) == 0


def test_crawler_waits_when_the_writer_falls_behind(redis_url: str, tmp_path: Path) -> None:
    server = redis.Redis.from_url(redis_url)
    sink = RedisSink(redis_url, max_backlog=150)
    done = threading.Event()

    def crawl() -> None:
        for i in range(300):
            sink.event({"run_id": None, "site_id": None, "kind": "notice", "at": f"{i}"})
        done.set()

    thread = threading.Thread(target=crawl, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while server.llen(OPS) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.llen(OPS) == 200, "the sink did not stop at the first check above its backlog limit"
    assert not done.is_set()
    writer = Writer(server, tmp_path / "archive.db")
    while not done.is_set():  # the writer drains; the crawler resumes once the queue is below half the limit
        writer.drain_once(timeout=0.2)
        assert time.monotonic() < deadline + 60, "the crawler never resumed"
    thread.join(10)
    while writer.drain_once(timeout=0.2):
        pass
    writer.close()
    assert writer.stats.applied == 300 and writer.stats.failed == 0


def test_site_state_survives_the_trip_through_redis() -> None:
    state = SiteState(
        documents={"u": KnownDocument("u", "s1/a", "page", 2023, "h", '"e"', None, None, 1, title="报告")},
        columns={"s1/a": "http://127.0.0.1/col/"},
        agency_names={"s1/a": "某局"},
        previous_runs=[{"id": 1, "status": "ok"}],
    )
    for name in ("seen", "aliases", "relist"):  # fields the crawler added later travel too
        if hasattr(state, name):
            setattr(state, name, {"http://127.0.0.1/x": "other"})
    page = getattr(sink_module, "ArchivedPage", None)
    if page is not None and hasattr(state, "resume_pages"):  # nested dataclasses holding bytes
        state.interrupted = True
        state.resume_pages = {"http://127.0.0.1/p": page("http://127.0.0.1/p", "text/html", b"\x00\xff<a>")}
    assert state_from_json(state_to_json(state)) == state
