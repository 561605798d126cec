"""Live crawls against the simulator, each `nianbao crawl` run as a subprocess (Twisted's reactor can't restart).

One module-scoped simulator and archive: run 1 (everything), run 2 (nothing changed: zero report bodies),
run 3 after an edit and a new report (forced revalidation). Tests read the archive and the request log.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from simulator import SimulatedSites

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
TIMEOUT_DELAY = 8.0  # the simulator's slow article; the crawler's timeout is 5 s


def crawl(registry: Path, db: Path, *extra: str, **env: str) -> tuple[str, float]:
    environment = {
        **os.environ,
        "NIANBAO_FAST": "1",
        "NIANBAO_DOWNLOAD_TIMEOUT": "5",
        "NIANBAO_TODAY": "2025-02-10",
        "NIANBAO_PROGRESS": "0",
        **env,
    }
    started = time.monotonic()
    result = subprocess.run(
        [NIANBAO, "crawl", "--sites", str(registry), "--db", str(db), *extra],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 2), result.stderr[-3000:]
    return result.stdout.strip(), time.monotonic() - started


class World:
    """The simulator, the archive and what each run left behind."""

    def __init__(self, sim: SimulatedSites, registry: Path, db: Path) -> None:
        self.sim = sim
        self.registry = registry
        self.db = db
        self.logs: list[list[Any]] = []
        self.lines: list[str] = []

    def run(self, *extra: str, **env: str) -> str:
        self.sim.clear_log()
        line, seconds = crawl(self.registry, self.db, *extra, **env)
        log = self.sim.request_log
        self.logs.append(log)
        self.lines.append(line)
        print(f"run {len(self.logs)}: {len(log)} requests served in {seconds:.1f}s: {line}")
        return line

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("live")
    with SimulatedSites(timeout_delay=TIMEOUT_DELAY) as sim:
        assert sim.wait_until_warm()  # attachments rendered before the 5 s download timeout meets them
        registry = sim.write_registry(tmp / "sites.yml")
        w = World(sim, registry, tmp / "archive.db")
        w.run()
        w.run()
        yield w


def report_urls(expected: list[dict[str, Any]]) -> set[str]:
    urls: set[str] = set()
    for e in expected:
        urls.add(e["page_url"])
        urls.update(e["attachment_urls"])
    return urls


def test_every_reachable_report_archived_exactly_once(world: World) -> None:
    expected = world.sim.expected_reports()
    documents = Counter(url for (url,) in world.query("SELECT url FROM documents"))
    reachable = [e for e in expected if e["reachable"]]
    missing = [e["url"] for e in reachable if documents[e["url"]] != 1]
    assert not missing, missing
    by_site = Counter(e["site_id"] for e in reachable)
    assert set(by_site) == {
        "spt",
        "lucheng",
        "dayu",
        "yantian",
        "faults",
        "xixia",
    }  # every archetype, completely
    for e in reachable:  # a report that is a page AND an attachment: both archived, linked
        for attachment in e["attachment_urls"]:
            if e["source_format"] == "html":
                parent = world.query("SELECT parent_url FROM documents WHERE url = ?", attachment)
                assert parent == [(e["page_url"],)]


def test_no_junk_archived_as_a_report(world: World) -> None:
    allowed = report_urls(world.sim.expected_reports())
    # /hostile/ lists parser-hostile files under report titles on purpose: archived like any report.
    junk = [
        url
        for (url,) in world.query("SELECT url FROM documents")
        if url not in allowed and "/hostile/" not in url
    ]
    assert not junk, junk
    unreachable = [e["url"] for e in world.sim.expected_reports() if not e["reachable"]]
    assert not world.query(
        f"SELECT url FROM documents WHERE url IN ({','.join('?' * len(unreachable))})", *unreachable
    )
    failed_as_report = world.query(
        "SELECT d.url FROM documents d JOIN captures c ON c.id = d.latest_capture_id "
        "WHERE c.failure_kind IS NOT NULL"
    )
    assert not failed_as_report


def test_second_run_downloads_no_report_body(world: World) -> None:
    first, second = world.logs[0], world.logs[1]
    print(f"first run: {len(first)} requests, {sum(r.bytes for r in first)} bytes")
    print(f"second run: {len(second)} requests, {sum(r.bytes for r in second)} bytes")
    reports = {urlsplit(u).path for u in report_urls(world.sim.expected_reports())}
    bodies = [r for r in second if urlsplit(r.path).path in reports and r.status == 200 and r.bytes]
    assert not bodies, [(r.path, r.status) for r in bodies]
    assert len(second) < len(first) / 2
    second_runs = [r for (r,) in world.query("SELECT id FROM crawl_runs ORDER BY id LIMIT 6 OFFSET 6")]
    bodies_fetched = world.query(
        f"SELECT f.url FROM fetches f JOIN captures c ON c.id = f.capture_id "
        f"WHERE f.run_id IN ({','.join('?' * len(second_runs))}) AND c.kind IN ('report', 'attachment') "
        "AND f.status = 200",
        *second_runs,
    )
    assert not bodies_fetched, bodies_fetched
    conditional = world.query(
        f"SELECT SUM(status = 304), SUM(status = 200) FROM fetches WHERE conditional = 1 "
        f"AND run_id IN ({','.join('?' * len(second_runs))})",
        *second_runs,
    )[0]
    assert (
        conditional[0] >= 55 and conditional[1] == 0
    )  # every known document revalidated: 304 (after 3xx hops)
    assert "0 new / 0 changed" in world.lines[1]


def test_robots_and_scope_respected(world: World) -> None:
    paths = [r.path for log in world.logs for r in log]
    assert not [p for p in paths if p.startswith("/xxgk/backup/")]
    hosts = {r.host for log in world.logs for r in log}
    registry_hosts = {urlsplit(info.base_url).netloc for info in world.sim.sites.values()}
    assert hosts <= registry_hosts
    moved = urlsplit(world.sim.sites["moved"].base_url).netloc
    assert moved not in hosts  # the off-registry redirect target was never fetched
    agents = {r.headers.get("user-agent", "") for log in world.logs for r in log}
    assert all("Nianbao" in a for a in agents)


def test_every_failure_kind_recorded(world: World) -> None:
    events = world.query(
        "SELECT kind, url, detail FROM crawl_events WHERE site_id IN ('faults', 'lucheng', 'xixia')"
    )
    kinds = Counter(kind for kind, _, _ in events)
    by_url: dict[str, set[str]] = {}
    for kind, url, _ in events:
        by_url.setdefault(url or "", set()).add(kind)
    missing = []
    for fault in world.sim.expected_faults():
        kind, url = fault["kind"], fault["url"]
        if kind == "hostile":
            continue  # checked below: nothing from it is a report and the run went on
        if kind not in by_url.get(url, set()):
            missing.append((kind, url))
    assert not missing, (missing, kinds)
    errors = world.query(
        "SELECT errors, blocked FROM crawl_runs WHERE site_id = 'faults' ORDER BY id LIMIT 1"
    )
    assert '"waf"' in errors[0][0] and errors[0][1] >= 5
    assert world.query("SELECT COUNT(*) FROM documents WHERE url LIKE '%gzip-bomb%'") == [(0,)]
    assert kinds["oversized"] >= 1


def test_runs_recorded(world: World) -> None:
    rows = world.query(
        "SELECT site_id, status, requests, bytes, new_reports, unchanged_reports FROM crawl_runs"
    )
    assert len(rows) == 12  # 6 sites x 2 runs
    first = {r[0]: r for r in rows[:6]}
    assert first["spt"][4] > 0 and first["spt"][2] > 0 and first["spt"][3] > 0
    health = world.query("SELECT site_id, needs_attention FROM site_health")
    assert dict(health)["faults"] == 1


def test_edit_becomes_version_two_and_new_report_found(world: World) -> None:
    target = next(
        e for e in world.sim.expected_reports() if e["site_id"] == "spt" and e["source_format"] == "html"
    )
    world.sim.edit_report(target["agency_slug"], target["year"], "（更正：本报告数据已更新）")
    added = world.sim.add_report("sptqzwfwzx", 2025)
    line = world.run("--site", "spt", NIANBAO_REVALIDATE="all")
    assert "1 new / 1 changed" in line
    versions = world.query("SELECT versions FROM documents WHERE url = ?", target["url"])
    assert versions == [(2,)]
    captures = world.query("SELECT COUNT(*) FROM captures WHERE url = ? AND status = 200", target["url"])
    assert captures == [(2,)]  # the old version stays
    assert world.query("SELECT COUNT(*) FROM documents WHERE url = ?", added["url"]) == [(1,)]


def test_discovery_ledger_accounts_for_every_unit(world: World) -> None:
    """A directory-only site: every unit found whatever its name, every link of the directory has a row."""
    expected = world.sim.site("xixia").expected_ledger()
    first_run = world.query("SELECT MIN(id) FROM crawl_runs WHERE site_id = 'xixia'")[0][0]
    rows = world.query("SELECT url, outcome, link_text FROM discovery WHERE run_id = ?", first_run)
    by_url = {url: (outcome, text) for url, outcome, text in rows}
    assert len(by_url) == len(rows)  # one row per link
    for url, want in expected.items():
        assert by_url.get(url) == (want["outcome"], want["name"]), url
    assert {o for u, (o, _) in by_url.items() if u not in expected} == {"not_a_unit"}  # 首页, 政务公开
    named = dict(
        world.query(
            "SELECT d.url, a.name FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.site_id = 'xixia'"
        )
    )
    for report in world.sim.expected_reports():
        if report["site_id"] == "xixia" and report["reachable"]:
            assert named[report["url"]] == report["agency_name"]
    (line,) = world.query("SELECT discovery FROM site_health WHERE site_id = 'xixia'")[0]
    assert line.startswith("directory lists 21 links: 15 columns, 2 without a column, 1 blocked, 0 errors")
    second = world.query(
        "SELECT outcome, COUNT(*) FROM discovery WHERE run_id = "
        "(SELECT MAX(id) FROM crawl_runs WHERE site_id = 'xixia') GROUP BY outcome"
    )
    assert dict(second)["column_found"] == 15  # the second run knows the columns and still lists every link
