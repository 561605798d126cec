"""Discovery visits in ledger order: a directory with more column-less units than `max_pages` does not starve
the units listed after them (real Scrapy engine, `nianbao crawl` subprocesses, a simulated directory)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from simulator.sites.server import RequestLog, SiteServer
from simulator.sites.units import DirUnit, UnitsSite

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
MAX_PAGES = 3
# Invented units: five without a 年报 column, then the one unit with a column, last in the directory.
UNITS = [DirUnit(f"nocol{n}", f"西夏区第{n}事务中心") for n in "abcde"] + [
    DirUnit("last", "西夏区最后一个单位", "ndbg", "年度报告")
]
RUNS = 3  # the bound for this directory: the last unit is capped twice at most
# Then the first column-less unit gains a column: found within two more runs.
GAINED = [DirUnit("nocola", "西夏区第a事务中心", "nb", "年报"), *UNITS[1:]]
GAINED_RUNS = 2


def crawl(registry: Path, db: Path) -> None:
    env = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_PROGRESS": "0", "NIANBAO_TODAY": "2025-02-10"}
    result = subprocess.run(
        [NIANBAO, "crawl", "--sites", str(registry), "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 2), result.stderr[-3000:]


def test_units_after_column_less_ones_are_found_within_the_bound(tmp_path: Path) -> None:
    site = UnitsSite("order", seed=1, faults=False, units=UNITS)
    stop = threading.Event()
    server = SiteServer(site.id, site.handle, RequestLog(), stop)
    site.base_url = server.base_url
    server.start()
    try:
        entry = {**site.registry_entry(), "verified": True}
        entry["politeness"] = {"delay": 0, "max_pages": MAX_PAGES, "revalidate_days": 0, "concurrency": 2}
        registry = tmp_path / "sites.yml"
        registry.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
        db = tmp_path / "archive.db"
        for _ in range(RUNS):
            crawl(registry, db)
        gained = UnitsSite("order", seed=1, faults=False, units=GAINED)
        gained.base_url = site.base_url
        server.handler = gained.handle
        for _ in range(GAINED_RUNS):
            crawl(registry, db)
    finally:
        stop.set()
        server.stop()
    con = sqlite3.connect(db)
    runs = [r for (r,) in con.execute("SELECT id FROM crawl_runs ORDER BY id")]
    assert len(runs) == RUNS + GAINED_RUNS
    last = site.url(site.directory_link(site.units["last"]))
    first = site.url(site.directory_link(site.units["nocola"]))
    expected = site.expected_ledger()
    outcomes, firsts, previous = [], [], {}
    for run in runs:
        rows = dict(con.execute("SELECT url, outcome FROM discovery WHERE run_id = ?", [run]).fetchall())
        (count,) = con.execute("SELECT COUNT(*) FROM discovery WHERE run_id = ?", [run]).fetchone()
        assert count == len(rows) and set(expected) <= set(rows)  # every link of the directory, once
        (known,) = con.execute(
            "SELECT COUNT(*) FROM discovery WHERE run_id = ? AND detail = 'known column'", [run]
        ).fetchone()
        visits = [u for u in expected if rows[u] != "capped"]
        assert len(visits) == MAX_PAGES + known  # more links to visit than max_pages, every run
        rechecked = [u for u in visits if previous.get(u) in ("no_column", "not_a_unit")]
        starved = [u for u in expected if previous.get(u) == "capped" and rows[u] == "capped"]
        assert not (rechecked and starved), (rechecked, starved)  # capped links go before re-checks
        outcomes.append(rows[last])
        firsts.append(rows[first])
        previous = rows
    # never-seen links in directory order: the last unit does not fit; capped ones first from then on
    assert outcomes[:RUNS] == ["capped", "capped", "column_found"]
    assert firsts[:RUNS] == ["no_column", "capped", "no_column"]  # re-checked in its turn
    assert firsts[RUNS:] == ["capped", "column_found"]  # the column it gains is found within the bound
    archived = {url for (url,) in con.execute("SELECT url FROM documents")}
    wanted = [r["url"] for r in site.expected_reports() if r["agency_name"] == "西夏区最后一个单位"]
    wanted += [r["url"] for r in gained.expected_reports() if r["agency_name"] == "西夏区第a事务中心"]
    assert len(wanted) == 2 and set(wanted) <= archived  # their reports are archived
