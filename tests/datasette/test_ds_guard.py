"""Issue 14 item 1: one anonymous request must not take the public server down.

A real Datasette (`crawler.serve`) over a small archive that also holds a 5 MB archived original. Huge values
(`zeroblob`, `printf('%.*c')`, `hex`), many large values, many columns and raw capture bodies are refused or
nulled with a clear message; the capture route still serves the whole original; debug pages and absolute
paths are not public. A bounded load test on loopback runs hostile queries beside ordinary readers: the
readers' p95 stays within a bound of their own baseline measured here, and the server's resident memory stays
bounded (sampled from /proc)."""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ds_fixture_db import build_db
from ds_server import start_datasette, stop_datasette

MB = 1024 * 1024
RECURSE = "with recursive r(n) as (select 1 union all select n + 1 from r where n < {n}) "
HOSTILE_SQL = [
    "select zeroblob(999999999)",
    "select zeroblob(150000000)",
    "select printf('%.*c', 999999999, 'x')",
    "select replace(hex(zeroblob(100000000)), '0', 'ab')",
    RECURSE.format(n=2000) + "select zeroblob(1000000) from r",  # many values just under the value limit
    RECURSE.format(n=2000) + "select replace(zeroblob(1000000), x'00', char(1)) from r",  # JSON: \u0001 each
    "select " + ", ".join(["zeroblob(1000000)"] * 60),  # one wide row
    "select body from captures",
    "select * from captures",
]
HOSTILE_PATHS = [
    "/archive/captures.json?_col=body",
    "/archive/captures.json?_shape=array&_size=max",
    "/archive/reports.json?_size=max&_shape=array",
    "/archive/captures/1.blob?_blob_column=body",
]
PRIVATE = ["/-/threads", "/-/messages", "/-/allow-debug", "/-/actor", "/-/permissions"]
READERS = [
    "/archive/reports.json?_size=10",
    "/archive/reports?_size=10",
    "/archive.json?sql=select id, title, year from reports order by id limit 20",
    "/-/versions.json",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path, bytes]]:
    path = tmp_path_factory.mktemp("guard") / "archive.db"
    build_db(path)
    original = random.Random(14).randbytes(5 * MB)  # incompressible: stored as is
    import sqlite3

    conn = sqlite3.connect(path)
    capture_id = conn.execute(
        "insert into captures (url, final_url, method, status, headers, fetched_at, sha256, content_type, size, "
        "body, body_codec, kind) values ('http://127.0.0.1:9/a.pdf', 'http://127.0.0.1:9/a.pdf', 'GET', 200, "
        "'{}', '2025-02-01T00:00:00Z', 'x', 'application/pdf', ?, ?, 'identity', 'other')",
        [len(original), original],
    ).lastrowid
    conn.commit()
    conn.close()
    proc, base = start_datasette(path)
    try:
        yield base, proc.pid, path, original if capture_id else b""
        assert proc.poll() is None, "the server died"
    finally:
        stop_datasette(proc)


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def _get(client: httpx.Client, base: str, path: str, **params: str) -> httpx.Response:
    return client.get(base + path, params=params or None, timeout=60)


def test_huge_values_refused_with_a_clear_message(server) -> None:
    base, *_ = server
    with httpx.Client() as client:
        for sql in HOSTILE_SQL[:4]:
            printf = "printf" in sql
            expected = (
                ("不可用", "printf and format are not available")
                if printf
                else ("值过大", "over the 1 MB limit")
            )
            response = _get(client, base, "/archive.json", sql=sql)
            assert response.status_code == 400, (sql, response.text[:300])
            assert all(e in response.json()["error"] for e in expected), response.text[:300]
            html = _get(client, base, "/archive", sql=sql)
            assert all(e in html.text for e in expected), html.text[:300]
        for sql in HOSTILE_SQL[4:7]:
            response = _get(client, base, "/archive.json", sql=sql)
            assert response.status_code == 400, (sql, response.text[:300])
            error = response.json()["error"]
            assert "结果过大" in error and "over the 8 MB limit" in error, error


def test_raw_bodies_only_through_the_capture_route(server) -> None:
    base, _, _, original = server
    with httpx.Client() as client:
        for sql in HOSTILE_SQL[7:]:
            rows = _get(client, base, "/archive.json", sql=sql, _shape="array").json()
            assert rows and all(row["body"] is None for row in rows)
        rows = _get(client, base, "/archive/captures.json", _col="body", _shape="array").json()
        assert rows and all(row.get("body") is None for row in rows)
        capture_id = _get(
            client, base, "/archive.json", sql="select max(id) as id from captures", _shape="array"
        )
        download = _get(client, base, f"/-/capture/archive/{capture_id.json()[0]['id']}", view="download")
        assert download.status_code == 200 and download.content == original


def test_debug_pages_and_absolute_paths_not_public(server) -> None:
    base, _, path, _ = server
    with httpx.Client() as client:
        for page in PRIVATE:
            for suffix in ("", ".json"):
                response = _get(client, base, page + suffix)
                assert response.status_code == 404, (page + suffix, response.text[:200])
        for page in [
            "/",
            "/.json",
            "/archive",
            "/archive.json",
            "/-/versions.json",
            "/-/settings.json",
            "/-/plugins.json",
            "/-/metadata.json",
            "/archive/reports.json",
            "/-/databases",
            "/-/databases.json",
        ]:
            response = _get(client, base, page)
            assert str(path.parent) not in response.text, page
        assert [d["path"] for d in _get(client, base, "/-/databases.json").json()] == ["archive.db"]


def _readers(base: str, rounds: int, times: list[float], errors: list[str]) -> None:
    with httpx.Client() as client:
        for i in range(rounds):
            path = READERS[i % len(READERS)]
            started = time.monotonic()
            response = client.get(base + path, timeout=60)
            times.append(time.monotonic() - started)
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code}")


def _hostile(base: str, stop: threading.Event, count: list[int]) -> None:
    urls = [("/archive.json", {"sql": sql}) for sql in HOSTILE_SQL] + [(p, None) for p in HOSTILE_PATHS]
    with httpx.Client() as client:
        i = 0
        while not stop.is_set():
            path, params = urls[i % len(urls)]
            client.get(base + path, params=params, timeout=60)
            i += 1
            count[0] = i


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


@pytest.mark.slow
def test_hostile_load_leaves_readers_and_memory_bounded(server) -> None:
    base, pid, _, _ = server
    rounds, readers = 40, 2
    baseline: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_readers, args=(base, rounds, baseline, errors)) for _ in range(readers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rss_before = _rss(pid)

    loaded: list[float] = []
    stop, count, peak = threading.Event(), [0], [rss_before]
    attackers = [threading.Thread(target=_hostile, args=(base, stop, count)) for _ in range(2)]

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    for t in attackers:
        t.start()
    time.sleep(1)  # the attack is under way before the readers measure
    threads = [threading.Thread(target=_readers, args=(base, rounds, loaded, errors)) for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in [*attackers, sampler]:
        t.join()
    ratio = _p95(loaded) / _p95(baseline)
    print(
        f"readers p95 {_p95(baseline) * 1000:.0f} ms alone, {_p95(loaded) * 1000:.0f} ms under {count[0]} hostile "
        f"requests (x{ratio:.1f}); server RSS {rss_before // MB} MB before, peak {peak[0] // MB} MB"
    )
    assert not errors, errors
    assert count[0] >= 2 * len(HOSTILE_SQL)
    # 3 SQL threads x (64 columns x 1 MB, copied once from SQLite to Python) = 384 MB, plus rendering
    assert peak[0] < rss_before + 600 * MB
    assert ratio < 10  # a busy shared machine: the baseline itself varies 4x between runs
    assert os.path.exists(f"/proc/{pid}")
