"""Per-site budgets (issue 14 item 5): one listing linking 200 large pages may not take the whole run.

Invented pages, generated at test time: a column listing 200 report-titled links to 96 KB pages (19 MB in all).
Three sites on one replay server, each with one budget set low, and a fourth small site with the defaults.
One real `nianbao crawl` (real Scrapy engine, real archive.db): each budgeted site stops at its limit with the
failure kind recorded; the fourth site's reports are archived all the same.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from replay import Page, ReplayServer

from crawler.crawl.budget import spent
from crawler.registry import Budget

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
PAGES = 200
PAGE_BYTES = 96 * 1024


def listing(prefix: str, count: int) -> bytes:
    rows = "\n".join(
        f'<li><a href="{prefix}/202402/t20240201_{i}.html">测试单位{i}2023年政府信息公开工作年度报告</a>'
        f"<span>2024-02-01</span></li>"
        for i in range(count)
    )
    return f'<html><head><meta charset="utf-8"><title>年报</title></head><body><ul>{rows}</ul></body></html>'.encode()


def report(i: int) -> bytes:
    head = f'<html><head><meta charset="utf-8"><title>测试单位{i}2023年政府信息公开工作年度报告</title></head><body>'
    filler = "<p>" + "一、总体情况。" * 40 + "</p>"
    body = head + filler * (PAGE_BYTES // len(filler.encode()))
    return (body + "</body></html>").encode()


def site_pages(prefix: str, count: int, delay: float = 0.0) -> dict[str, Page]:
    pages = {f"{prefix}/": Page(listing(prefix, count))}
    pages |= {f"{prefix}/202402/t20240201_{i}.html": Page(report(i), delay=delay) for i in range(count)}
    return pages


def entry(server: ReplayServer, site_id: str, prefix: str, budget: dict | None) -> dict:
    data = {
        "id": site_id,
        "name": f"{site_id}人民政府",
        "region": {"province": "宁夏回族自治区", "city": "中卫市", "district": "沙坡头区", "code": "640502"},
        "portal": server.url("/"),
        "cms": "static",
        "verified": True,
        "politeness": {"delay": 0, "max_pages": 5, "revalidate_days": 0, "concurrency": 2},
        "agencies": [{"name": "测试单位", "slug": "unit", "column": server.url(f"{prefix}/")}],
    }
    if budget:
        data["budget"] = budget
    return data


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("budget")
    pages = site_pages("/bytes", PAGES) | site_pages("/requests", PAGES)
    pages |= site_pages("/time", 40, delay=0.15) | site_pages("/small", 2)
    with ReplayServer(pages) as server:
        sites = [
            entry(server, "bytes-site", "/bytes", {"megabytes": 1}),
            entry(server, "requests-site", "/requests", {"requests": 12}),
            entry(server, "time-site", "/time", {"minutes": 0.02}),
            entry(server, "small-site", "/small", None),
        ]
        registry = tmp / "sites.yml"
        registry.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_PROGRESS": "0", "NIANBAO_TODAY": "2024-03-01"}
        done = subprocess.run(
            [NIANBAO, "crawl", "--sites", str(registry), "--db", str(tmp / "archive.db")],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        served = server.paths()
    con = sqlite3.connect(tmp / "archive.db")
    yield con, served, done.stdout
    con.close()


def _events(con: sqlite3.Connection, site: str) -> dict[str, str]:
    return dict(con.execute("select kind, detail from crawl_events where site_id = ?", (site,)).fetchall())


def _reports_fetched(served: list[str], prefix: str) -> int:
    return sum(1 for path in served if path.startswith(f"{prefix}/2024"))


def test_bytes_budget_stops_the_site(crawled) -> None:
    con, served, _ = crawled
    events = _events(con, "bytes-site")
    assert "budget_bytes" in events and "site stopped" in events["budget_bytes"], events
    fetched = _reports_fetched(served, "/bytes")
    print(f"bytes-site: {fetched} of {PAGES} report pages fetched; {events['budget_bytes']}")
    assert 10 <= fetched <= 15, fetched  # 1 MB / 96 KB ≈ 11, plus at most 4 already past the middlewares
    (nbytes, errors, status) = con.execute(
        "select bytes, errors, status from crawl_runs where site_id = 'bytes-site'"
    ).fetchone()
    assert nbytes < 1.5 * 1024 * 1024 and "budget_bytes" in errors and status == "warning"


def test_requests_budget_stops_the_site(crawled) -> None:
    con, served, _ = crawled
    assert "budget_requests" in _events(con, "requests-site")
    made = sum(1 for path in served if path.startswith("/requests"))
    print(f"requests-site: {made} requests served")
    assert 11 <= made <= 16, made  # 12 responses (robots.txt included) + at most 4 in flight
    (requests,) = con.execute("select requests from crawl_runs where site_id = 'requests-site'").fetchone()
    assert 12 <= requests <= 16


def test_time_budget_stops_the_site(crawled) -> None:
    con, served, _ = crawled
    assert "budget_time" in _events(con, "time-site")
    assert _reports_fetched(served, "/time") < 40  # 40 pages × 0.15 s at 2 in parallel > 1.2 s


def test_the_rest_of_the_run_goes_on(crawled) -> None:
    con, _, line = crawled
    assert not any(k.startswith("budget") for k in _events(con, "small-site"))
    (documents,) = con.execute("select count(*) from documents where site_id = 'small-site'").fetchone()
    assert documents == 2
    assert "budget_bytes=1" in line and "budget_requests=1" in line and "budget_time=1" in line


def test_spent_names_the_first_limit_reached() -> None:
    budget = Budget(megabytes=1, requests=10, minutes=1)
    assert spent(budget, 9, 1024 * 1024 - 1, 59.0) is None
    assert spent(budget, 1, 1024 * 1024, 0)[0] == "budget_bytes"
    assert spent(budget, 10, 0, 0)[0] == "budget_requests"
    assert spent(budget, 0, 0, 60.0)[0] == "budget_time"
