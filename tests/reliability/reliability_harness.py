"""Shared helpers of the reliability tests: `nianbao` subprocesses, bounded waits and archive invariants."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

DERIVED_TABLES = ("reports", "sections", "statistics", "checks")


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def crawl_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NIANBAO_FAST="1", NIANBAO_PROGRESS="0", **extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 120.0, step: float = 0.02) -> None:
    """Poll `condition` until true; fail the test with a clear message after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


def run(cmd: list[str], log: Path, timeout: float = 300.0, **kwargs: Any) -> int:
    """Run a command to completion, output appended to `log`; return its exit code."""
    with log.open("ab") as out:
        return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, **kwargs).returncode


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def expected_report_urls(expected: Iterable[dict[str, Any]]) -> list[str]:
    return sorted(r["url"] for r in expected if r.get("reachable", True))


def check_archive(db: Path, expected_urls: list[str]) -> sqlite3.Connection:
    """Integrity, no duplicate capture, every expected report archived exactly once with a body."""
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    dupes = conn.execute(
        "select url, sha256, count(*) from captures group by 1, 2 having count(*) > 1"
    ).fetchall()
    assert not dupes, f"duplicate captures: {dupes[:5]}"
    documents = dict(conn.execute("select url, count(*) from documents group by url").fetchall())
    with_body = {
        u
        for (u,) in conn.execute(
            "select d.url from documents d join captures c on c.id = d.latest_capture_id where c.size > 0"
        )
    }
    hops: dict[str, set[str]] = {}  # a redirected attachment is archived under the URL it leads to
    for url, final, headers in conn.execute("select url, final_url, headers from captures"):
        targets = hops.setdefault(url, set())
        if final and final != url:
            targets.add(final)
        location = {k.lower(): v for k, v in json.loads(headers or "{}").items()}.get("location")
        if location:
            targets.add(urljoin(url, location))
    wrong, bodiless = {}, []
    for url in expected_urls:
        names, frontier = {url}, [url]
        while frontier:
            for target in hops.get(frontier.pop(), set()) - names:
                names.add(target)
                frontier.append(target)
        rows = sum(documents.get(n, 0) for n in names)
        if rows != 1:
            wrong[url] = rows
        elif not names & with_body:
            bodiless.append(url)
    assert not wrong, f"reports not archived exactly once (url: documents rows): {wrong}"
    assert not bodiless, f"reports without an archived body: {bodiless}"
    return conn


def check_reports_unique(conn: sqlite3.Connection) -> None:
    """After normalize: at most one latest report per document, and no report twice."""
    dupes = conn.execute(
        "select document_url, count(*) from reports where is_latest = 1 group by 1 having count(*) > 1"
    ).fetchall()
    assert not dupes, f"documents with several latest reports: {dupes[:5]}"


def dump_derived(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the derived tables, in a stable order (to compare two normalize runs)."""
    conn = sqlite3.connect(db)
    try:
        dump = {}
        for table in DERIVED_TABLES:
            # checks.id is a surrogate key: a rewritten report's checks get new ids, same content
            cols = [
                r[1] for r in conn.execute(f"pragma table_info({table})") if (table, r[1]) != ("checks", "id")
            ]
            names = ", ".join(cols)
            dump[table] = conn.execute(f"select {names} from {table} order by {names}").fetchall()
        return dump
    finally:
        conn.close()


def diff_rows(expected: list[tuple[Any, ...]], got: list[tuple[Any, ...]], limit: int = 3) -> str:
    """A short, readable difference between two dumps of one table."""
    missing = [r for r in expected if r not in set(got)][:limit]
    extra = [r for r in got if r not in set(expected)][:limit]
    short = lambda rows: [[str(v)[:60] for v in r] for r in rows]  # noqa: E731
    return (
        f"{len(expected)} rows expected, {len(got)} got; missing {short(missing)}; unexpected {short(extra)}"
    )
