"""Crash safety: SIGKILL `nianbao crawl` and `nianbao normalize` at random points, restart, check the archive.

The number of kills per test comes from NIANBAO_CRASH_KILLS (default 5, what CI runs); the full run is
`NIANBAO_CRASH_KILLS=20 pytest tests/reliability/test_crash_safety.py` (seed: NIANBAO_CRASH_SEED).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_harness import (
    check_archive,
    check_reports_unique,
    crawl_env,
    diff_rows,
    dump_derived,
    expected_report_urls,
    nianbao,
    run,
    wait_for,
)

from bench.common import settle
from simulator import SimulatedSites

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("NIANBAO_CRASH_KILLS", "5"))
SEED = int(os.environ.get("NIANBAO_CRASH_SEED", str(int(time.time()))))
CONCURRENT_REQUESTS = 16  # crawler.settings: the most a killed crawl can have in flight


@dataclass
class Attempt:
    killed: bool
    returncode: int | None
    requests: int
    bytes: int
    report_bodies: int  # report/attachment URLs answered 200 with a body
    startup: float  # seconds from process start to its first request (0 without requests)
    window: float  # seconds from its first to its last request
    active: float  # seconds from its first request to its exit (what a kill can interrupt)


@dataclass
class World:
    sim: SimulatedSites
    registry: Path
    expected: list[str]
    reference_db: Path
    reference: Attempt
    startup: float  # seconds from process start to its first request
    window: float  # seconds from first to last request of an uninterrupted crawl


def _measure(
    sim: SimulatedSites, start: int, spawned: float, expected: set[str], killed: bool, rc: int | None
) -> Attempt:
    log = sim.request_log[start:]
    bodies = sum(1 for r in log if r.status == 200 and f"http://{r.host}{r.path}" in expected)
    startup = log[0].timestamp - spawned if log else 0.0
    window = log[-1].timestamp - log[0].timestamp if log else 0.0
    active = time.time() - log[0].timestamp if log else 0.0
    return Attempt(killed, rc, len(log), sum(r.bytes for r in log), bodies, startup, window, active)


def _crawl_attempt(
    world_sim: SimulatedSites,
    registry: Path,
    db: Path,
    log: Path,
    kill_at: float | None,
    expected: set[str],
    before_first_request: bool = False,
) -> Attempt:
    """One `nianbao crawl`; SIGKILL it `kill_at` seconds after its first request (or after start)."""
    start = len(world_sim.request_log)
    spawned = time.time()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            nianbao("crawl", "--sites", str(registry), "--db", str(db)),
            env=crawl_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if kill_at is not None and not before_first_request:
            wait_for(
                "the crawl's first request",
                lambda: len(world_sim.request_log) > start or proc.poll() is not None,
            )
        if kill_at is None:
            rc = proc.wait(300)
            return _measure(world_sim, start, spawned, expected, False, rc)
        deadline = time.monotonic() + kill_at
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return _measure(world_sim, start, spawned, expected, True, None)
        return _measure(world_sim, start, spawned, expected, False, proc.returncode)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("crash")
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(tmp / "sites.yml")
        settle(sim)  # attachments pre-rendered: the reference crawl's timing is what later crawls see
        expected = expected_report_urls(sim.expected_reports())
        reference_db = tmp / "reference.db"
        reference = _crawl_attempt(sim, registry, reference_db, tmp / "reference.log", None, set(expected))
        assert reference.returncode in (0, 2), (tmp / "reference.log").read_text()
        assert reference.requests, "the reference crawl made no request"
        check_archive(reference_db, expected).close()
        yield World(
            sim,
            registry,
            expected,
            reference_db,
            reference,
            max(reference.startup, 0.1),
            max(reference.window, 0.2),
        )


def test_crawl_survives_repeated_sigkill(world: World, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    expected = set(world.expected)
    attempts: list[Attempt] = []
    # Kill points are drawn over the request window of an uninterrupted crawl until one run finishes (so
    # the first, full crawl is interrupted), then over the active time of the last run that finished: each
    # resumed run is shorter than the one before, so a fixed window would let later runs finish first.
    active = 0.9 * world.reference.window
    while sum(a.killed for a in attempts) < KILLS:
        assert len(attempts) < KILLS * 3, f"could not land {KILLS} kills (seed {SEED}): {attempts}"
        if rng.random() < 0.15:  # while starting up: imports, migrations, reading the registry
            attempts.append(
                _crawl_attempt(
                    world.sim, world.registry, db, log, rng.uniform(0, world.startup), expected, True
                )
            )
        else:
            attempts.append(
                _crawl_attempt(world.sim, world.registry, db, log, rng.uniform(0, active), expected)
            )
        if not attempts[-1].killed and attempts[-1].active:
            active = attempts[-1].active
    archived_before = 0
    if db.exists():  # after the last kill: intact, maybe incomplete
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        documents = {u for (u,) in conn.execute("select url from documents")}
        archived_before = len(documents & expected)
        conn.close()

    final = _crawl_attempt(world.sim, world.registry, db, log, None, expected)
    summary = (
        f"seed {SEED}: {sum(a.killed for a in attempts)} kills in {len(attempts)} attempts; "
        "requests per attempt "
        f"{[a.requests for a in attempts]}; report bodies per attempt {[a.report_bodies for a in attempts]}; "
        f"final run {final.requests} requests, {final.report_bodies} report bodies, {final.bytes} bytes; "
        f"uninterrupted crawl {world.reference.requests} requests, "
        f"{world.reference.report_bodies} report bodies, "
        f"{world.reference.bytes} bytes"
    )
    print(summary)
    (tmp_path / "summary.txt").write_text(summary)
    assert final.returncode in (0, 2), log.read_text()[-3000:]
    check_archive(db, world.expected).close()
    # Resumed, not restarted: the last run only downloads what the killed runs had not archived ...
    assert final.report_bodies <= len(expected) - archived_before + CONCURRENT_REQUESTS, summary
    # ... and all the runs together download each report about once, plus what each kill had in flight.
    total_bodies = sum(a.report_bodies for a in attempts) + final.report_bodies
    assert total_bodies <= len(expected) + CONCURRENT_REQUESTS * len(attempts), summary
    if archived_before == len(expected):
        assert final.report_bodies == 0, summary
        assert final.bytes < world.reference.bytes, summary


def test_normalize_survives_repeated_sigkill(world: World, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    shutil.copy(world.reference_db, clean)
    shutil.copy(world.reference_db, killed)
    log = tmp_path / "normalize.log"
    began = time.monotonic()
    assert run(nianbao("normalize", "--quiet", "--db", str(clean)), log) == 0, log.read_text()
    duration = time.monotonic() - began
    expected = dump_derived(clean)
    assert expected["reports"], "the uninterrupted normalize produced no report"

    kills = 0
    while kills < KILLS:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                nianbao("normalize", "--quiet", "--db", str(killed)), stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + rng.uniform(0, duration)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert run(nianbao("normalize", "--quiet", "--db", str(killed)), log) == 0, log.read_text()[-3000:]
    conn = check_archive(killed, world.expected)
    check_reports_unique(conn)
    conn.close()
    got = dump_derived(killed)
    for table, rows in expected.items():
        assert got[table] == rows, (
            f"{table} differs after {kills} killed normalize runs (seed {SEED}): "
            f"{diff_rows(rows, got[table])}"
        )
