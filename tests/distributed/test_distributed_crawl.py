"""Two `nianbao crawl --redis` processes + one `nianbao ingest` writer against the simulator, with SIGKILLs.

Crawler A starts; crawler B joins the pass; A is SIGKILLed while it holds in-flight requests; B must finish
the job. The writer is
SIGKILLed mid-run and restarted. Every report the simulator serves must end up archived exactly once. Then a
second pass (a third crawler, still without archive.db) revalidates from the state the writer published to
Redis: conditional requests only, no report body downloaded again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from crawler.distributed.ingest import OPS_FAILED
from crawler.distributed.keys import OPS, OPS_PROCESSING, frontier
from crawler.distributed.state import state_key
from crawler.registry import load_registry
from simulator import SimulatedSites

pytestmark = pytest.mark.slow

NIANBAO = [sys.executable, "-m", "crawler.cli"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NIANBAO_FAST="1",
        NIANBAO_PROGRESS="0",
        NIANBAO_HEARTBEAT_TTL="3",  # a SIGKILLed crawler's requests are reclaimed 3 s later
        NIANBAO_MAX_IDLE="30",
        NIANBAO_WRITER_LOCK_TTL="3",
        # Cluster-wide pacing (ClusterPolitenessMiddleware): ≤ 12 requests/s per simulated host, so the
        # first pass lasts long enough for the second crawler to join before the first is killed mid-run.
        NIANBAO_CLUSTER_DELAY="0.08",
    )
    return env


def _wait(what: str, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])
    finally:
        conn.close()


def _count_or_zero(db: Path, table: str) -> int:
    try:
        return _count(db, table)
    except sqlite3.OperationalError:  # no file or no schema yet
        return 0


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_two_crawlers_one_killed_writer_killed_nothing_lost(redis_url: str, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    server = redis.Redis.from_url(redis_url)
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("ab")
        proc = subprocess.Popen([*NIANBAO, *args], env=_env(), stdout=log, stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    def writer() -> subprocess.Popen[bytes]:
        return start(["ingest", "--redis", redis_url, "--db", str(db)], "writer")

    def log(name: str) -> str:
        return (tmp_path / f"{name}.log").read_text(errors="replace")

    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(tmp_path / "sites.yml")
        expected = [r for r in sim.expected_reports() if r["reachable"]]
        sites = load_registry(registry)
        frontiers = [frontier(f"{site.cms}:{site.id}") for site in sites]
        states = [state_key(site.id) for site in sites]

        def drained() -> bool:
            return server.llen(OPS) == 0 and server.llen(OPS_PROCESSING) == 0

        try:
            ingest = writer()
            crawl = [
                "crawl",
                "--redis",
                redis_url,
                "--sites",
                str(registry),
                "--db",
                str(tmp_path / "unused.db"),
            ]

            def holds_requests(proc: subprocess.Popen[bytes]) -> bool:
                patterns = [f"{keys['inflight_prefix']}*:{proc.pid}:*" for keys in frontiers]
                return any(server.hlen(k) for p in patterns for k in server.scan_iter(match=p))

            def joined(proc: subprocess.Popen[bytes]) -> bool:
                return all(
                    any(f":{proc.pid}:" in m.decode() for m in server.zrange(keys["workers"], 0, -1))
                    for keys in frontiers
                )

            a = start(crawl, "crawler-a")
            _wait("crawler A to hold in-flight requests", lambda: holds_requests(a) or a.poll() is not None)
            b = start(crawl, "crawler-b")
            _wait(
                "crawler B to join the pass",
                lambda: joined(b) or b.poll() is not None or a.poll() is not None,
            )
            assert a.poll() is None, f"crawler A finished before it could be killed:\n{log('crawler-a')}"
            assert holds_requests(a), "crawler A holds no in-flight request to lose"
            a.send_signal(signal.SIGKILL)  # B must take over A's in-flight requests and finish the pass
            a.wait()

            _wait("the writer to have archived something", lambda: _count_or_zero(db, "captures") > 0, 60)
            ingest.send_signal(signal.SIGKILL)
            ingest.wait()
            _wait(
                "ops to queue up while the writer is down",
                lambda: server.llen(OPS) > 0 or b.poll() is not None,
            )
            ingest = writer()

            _wait("crawler B to finish", lambda: b.poll() is not None, 180)
            assert b.returncode in (0, 2), f"crawler B failed ({b.returncode}):\n{log('crawler-b')}"
            left = [k for keys in frontiers for k in server.scan_iter(match=f"{keys['inflight_prefix']}*")]
            assert not left, (
                f"the first pass ended with the killed crawler's requests still in flight: {left}"
            )
            _wait("the writer to drain the op queue", drained, 120)
            _wait(
                "the writer to publish every site's state", lambda: all(server.exists(k) for k in states), 60
            )

            # Next nightly pass: one crawler, no archive.db, revalidating from the state the writer published.
            second_pass = len(sim.request_log)
            documents_before = _count(db, "documents")
            c = start(crawl, "crawler-c")
            _wait("the second pass to finish", lambda: c.poll() is not None, 180)
            assert c.returncode in (0, 2), f"crawler C failed ({c.returncode}):\n{log('crawler-c')}"
            _wait("the writer to drain the op queue", drained, 120)
            served = [
                (f"http://{r.host}{r.path}", r.status, r.headers) for r in sim.request_log[second_pass:]
            ]
            ingest.send_signal(signal.SIGTERM)
            assert ingest.wait(60) == 0, log("writer")
        finally:
            for proc in procs:
                _stop(proc)

    assert not (tmp_path / "unused.db").exists(), "a distributed crawler opened an archive of its own"
    reclaimed = sum(int(server.get(keys["reclaimed"]) or 0) for keys in frontiers)
    assert reclaimed > 0, "no request of the killed crawler was reclaimed"
    assert server.llen(OPS_FAILED) == 0, server.lrange(OPS_FAILED, 0, -1)
    assert "stopped: SIGTERM" in log("writer")
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dupes = conn.execute(
            "select count(*) from (select url, sha256 from captures group by 1, 2 having count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
        documents = dict(conn.execute("select url, count(*) from documents group by url").fetchall())
        missing = [r["url"] for r in expected if documents.get(r["url"]) != 1]
        assert not missing, f"reports not archived exactly once: {missing}"
        with_body = {
            url
            for (url,) in conn.execute(
                "select d.url from documents d join captures c on c.id = d.latest_capture_id where c.size > 0"
            )
        }
        assert not [r["url"] for r in expected if r["url"] not in with_body]
        runs = conn.execute("select count(*) from crawl_runs").fetchone()[0]
        assert runs >= 2 * len(frontiers)  # one run per site per crawler process
        expected_urls = {r["url"] for r in expected}
        # (URL, the validators the crawler sent): none sent means the state it read did not know the report
        bodies = [
            (u, {k: v for k, v in headers.items() if k.lower().startswith("if-")})
            for u, status, headers in served
            if u in expected_urls and status == 200
        ]
        assert not bodies, f"the second pass downloaded known reports again: {bodies}\n{log('crawler-c')}"
        assert any(status == 304 for _, status, _ in served), "the second pass revalidated nothing"
        assert _count(db, "documents") == documents_before, "the second pass found documents it already had"
    finally:
        conn.close()
