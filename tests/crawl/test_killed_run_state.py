"""When is a site "interrupted"? A killed run's leftovers belong to the first run that starts after its last fetch.

In distributed mode a peer's run can start while the killed worker is still busy and end after it died; that
run never saw what the dead worker left undone (an attachment whose request was lost, deeper listing pages),
so it must not count as having taken the leftovers up. Found by the two-crawlers e2e test: a Hanweb
attachment behind downfile.jsp lost with a SIGKILLed crawler stayed missing through the next pass.
"""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.sink import SqliteSink


def _sink(tmp_path: Path) -> SqliteSink:
    sink = SqliteSink(tmp_path / "archive.db")
    sink.site({"id": "s", "name": "某区人民政府", "cms": "hanweb"})
    return sink


def _run(sink: SqliteSink, started: str, last_fetch: str | None, ended: str | None) -> int:
    run_id = sink.start_run("s", started, "host")
    if last_fetch:
        sink.fetch(
            {"run_id": run_id, "url": f"http://127.0.0.1/{run_id}", "fetched_at": last_fetch, "status": 200}
        )
    if ended:
        sink.finish_run(run_id, {"ended_at": ended, "status": "ok"})
    return run_id


def test_a_run_that_starts_after_the_kill_and_ends_takes_the_leftovers_up(tmp_path: Path) -> None:
    sink = _sink(tmp_path)
    _run(sink, "2026-12-05T01:00:00Z", "2026-12-05T01:00:30Z", None)  # killed
    assert sink.load_state("s").interrupted
    _run(sink, "2026-12-05T02:00:00Z", "2026-12-05T02:00:10Z", "2026-12-05T02:01:00Z")
    assert not sink.load_state("s").interrupted


def test_a_peer_that_started_before_the_kill_does_not(tmp_path: Path) -> None:
    sink = _sink(tmp_path)
    killed = "2026-12-05T01:00:00Z"
    _run(sink, killed, "2026-12-05T01:00:30Z", None)  # crawler A: busy until 01:00:30, then SIGKILLed
    _run(sink, "2026-12-05T01:00:20Z", "2026-12-05T01:00:50Z", "2026-12-05T01:01:00Z")  # crawler B, joined
    state = sink.load_state("s")
    assert state.interrupted, "a peer that joined while A was busy was taken to have resumed A's work"
    _run(sink, "2026-12-05T01:05:00Z", "2026-12-05T01:05:10Z", "2026-12-05T01:06:00Z")  # the next pass
    assert not sink.load_state("s").interrupted


def test_two_kills_and_a_peer_that_covers_neither(tmp_path: Path) -> None:
    sink = _sink(tmp_path)
    _run(sink, "2026-12-05T01:00:00Z", "2026-12-05T01:00:30Z", None)
    _run(sink, "2026-12-05T01:10:00Z", "2026-12-05T01:10:30Z", None)  # killed again, nothing ended between
    _run(sink, "2026-12-05T01:10:10Z", "2026-12-05T01:10:50Z", "2026-12-05T01:11:00Z")  # covers neither
    killed_since = sink.db.execute(
        "SELECT MIN(started_at) FROM crawl_runs WHERE ended_at IS NULL"
    ).fetchone()[0]
    assert killed_since == "2026-12-05T01:00:00Z"
    assert sink.load_state("s").interrupted
