"""End to end: simulator → `nianbao crawl` (real Scrapy) → `nianbao normalize` → real Datasette over HTTP.

Every report the simulated district serves must come out of Datasette's JSON API with the right numbers
and the right check results.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from crawler.serve import datasette_command
from simulator import SimulatedSites

ROOT = Path(__file__).resolve().parents[2]
NIANBAO = [sys.executable, "-m", "crawler.cli"]
ENV = {**os.environ, "NIANBAO_FAST": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("e2e")
    db = work / "archive.db"
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(work / "sites.yml")
        crawl = subprocess.run(
            [*NIANBAO, "crawl", "--sites", str(registry), "--db", str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=ENV,
            timeout=600,
        )
        expected = sim.expected_reports()
    assert crawl.returncode in (0, 2), crawl.stdout + crawl.stderr[-3000:]
    normalize = subprocess.run(
        [*NIANBAO, "normalize", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        timeout=600,
    )
    assert normalize.returncode == 0, normalize.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(
        datasette_command(db, port=port, host="127.0.0.1"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/-/versions.json", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail(f"Datasette did not start: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.3)
    try:
        yield {"base": f"{base}/archive", "expected": expected, "crawl": crawl, "normalize": normalize}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _sql(pipeline: dict[str, Any], sql: str, **params: Any) -> list[dict[str, Any]]:
    response = requests.get(
        f"{pipeline['base']}.json", params={"sql": sql, "_shape": "objects", **params}, timeout=30
    )
    assert response.ok, response.text[:500]
    return response.json()["rows"]


def _report_for(pipeline: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    rows = _sql(
        pipeline,
        "select * from reports where agency_id like :agency and year = :year and is_latest = 1",
        agency=f"%/{want['agency_slug']}",
        year=want["year"],
    )
    assert len(rows) == 1, f"{want['agency']} {want['year']}: {len(rows)} reports in Datasette"
    return rows[0]


def test_every_simulated_report_is_published(pipeline):
    published = _sql(pipeline, "select count(*) as n from reports where is_latest = 1")[0]["n"]
    assert published == len(pipeline["expected"])
    for want in pipeline["expected"]:
        got = _report_for(pipeline, want)
        assert got["title"] == want["title"]
        assert got["format"] == want["format"]
        assert got["parse_status"] == "ok", got["errors"]
        assert got["source_format"] == want["source_format"]


def test_every_number_matches_the_source(pipeline):
    for want in pipeline["expected"]:
        report = _report_for(pipeline, want)
        cells = _sql(
            pipeline,
            "select table_name, row_code, col_code, value, value_text from statistics where report_id = :id",
            id=report["id"],
        )
        got = {(c["table_name"], c["row_code"], c["col_code"]): c for c in cells}
        for table in ("table2", "table3", "table4"):
            for row_code, columns in (want.get(table) or {}).items():
                for col_code, value in columns.items():
                    cell = got.get((table, row_code, col_code))
                    assert cell is not None, f"{want['title']}: {table}.{row_code}.{col_code} missing"
                    actual = cell["value"] if cell["value"] is not None else cell["value_text"]
                    assert actual == value, f"{want['title']}: {table}.{row_code}.{col_code}"


def test_check_results_match_the_deliberate_errors(pipeline):
    for want in pipeline["expected"]:
        report = _report_for(pipeline, want)
        failed = {
            c["rule"]
            for c in _sql(
                pipeline, "select rule from checks where report_id = :id and ok = 0", id=report["id"]
            )
        }
        assert failed == {c["rule"] for c in want["checks"] if not c["ok"]}, want["title"]


def test_sections_are_published(pipeline):
    for want in pipeline["expected"]:
        report = _report_for(pipeline, want)
        titles = [
            s["title"]
            for s in _sql(
                pipeline, "select title from sections where report_id = :id order by no", id=report["id"]
            )
        ]
        assert titles == [s["title"] for s in want["sections"]]


def test_seed_report_text_is_exact(pipeline):
    seed = next(
        w for w in pipeline["expected"] if w["agency"] == "沙坡头区政务服务中心" and w["year"] == 2024
    )
    report = _report_for(pipeline, seed)
    assert "主动公开部门动态信息 16 条、文件 13 条" in report["text"]
    assert "电子邮箱：sptqzwzx@163.com" in report["text"]
    rows = _sql(
        pipeline,
        "select count(*) as n, sum(value) as total from statistics where report_id = :id "
        "and table_name = 'table3'",
        id=report["id"],
    )
    assert rows[0]["n"] == 25 * 7 and rows[0]["total"] == 0  # 2021 format: 25 rows × 7 columns, all zero


def test_raw_captures_carry_provenance(pipeline):
    rows = _sql(pipeline, "select url, sha256, fetched_at, headers, status from captures limit 50")
    assert rows
    for row in rows:
        assert len(row["sha256"]) == 64 and row["fetched_at"] and json.loads(row["headers"]) is not None
