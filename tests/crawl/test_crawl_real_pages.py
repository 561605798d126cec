"""Real saved pages (tests/crawl/pages/README.md): each `<page>.expected.json` beside a saved page says, read by
hand from that page, what the spider must find on it — links, which are reports, next pages, events — and how
a whole crawl over the replayed site must end. Two levels: the archetype spider on the page, and the real
`nianbao crawl` (real Scrapy engine, real archive.db) against tests/crawl/replay.py serving the saved pages at
their original URL paths on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from crawl_helpers import PAGES, MemorySink, listing_meta, make_site, page_response, requests_of
from replay import Page, ReplayServer

from spiders import spider_for

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
EXPECTED = sorted(PAGES.glob("*.expected.json"))


def _expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "expected_path", EXPECTED, ids=[p.name.removesuffix(".expected.json") for p in EXPECTED]
)
def test_spider_on_saved_page(expected_path: Path) -> None:
    expected = _expected(expected_path)
    url = expected["url"]
    sink = MemorySink()
    spider = spider_for(expected["archetype"])(make_site(expected["archetype"], column=url), sink)
    response = page_response(expected["page"], url, **listing_meta(url))
    out = requests_of(spider.parse_listing(response))
    from parsel import Selector

    items = spider.listing_items(response, Selector(text=response.text), response.text)
    assert [{"url": i.url, "title": i.title, "date": i.date} for i in items] == expected["links"]
    assert [r.url for r in out if r.meta.get("nianbao_kind") == "report"] == expected["reports"]
    assert [r.url for r in out if r.meta.get("nianbao_kind") == "listing"] == expected["next_pages"]
    assert sink.events() == expected["events"]


def _replay_pages(expected_path: Path) -> dict[str, Page]:
    replay = _expected(expected_path)["replay"]["pages"]
    return {path: Page((expected_path.parent / name).read_bytes()) for path, name in replay.items()}


@pytest.fixture(scope="module")
def pingtan(tmp_path_factory: pytest.TempPathFactory):
    """The real Pingtan 年报 column replayed and crawled once by `nianbao crawl` (TRS spider)."""
    expected_path = PAGES / "pingtan-list-zfxxgknb.expected.json"
    expected = _expected(expected_path)
    tmp = tmp_path_factory.mktemp("real-trs")
    column_path = urlsplit(expected["url"]).path
    with ReplayServer(_replay_pages(expected_path)) as server:
        registry = tmp / "sites.yml"
        site = {
            "id": "fujian-pingtan",
            "name": "平潭综合实验区管委会",
            "region": {"province": "福建省", "city": "", "district": "平潭综合实验区", "code": "350128"},
            "portal": server.url("/"),
            "cms": "trs",
            "verified": True,
            "politeness": {"delay": 0, "max_pages": 5, "revalidate_days": 0, "concurrency": 2},
            "agencies": [{"name": "平潭综合实验区管委会", "slug": "gwh", "column": server.url(column_path)}],
        }
        registry.write_text(yaml.safe_dump({"sites": [site]}, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_PROGRESS": "0", "NIANBAO_TODAY": "2026-03-20"}
        done = subprocess.run(
            [NIANBAO, "crawl", "--sites", str(registry), "--db", str(tmp / "archive.db")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        served = server.paths()
    con = sqlite3.connect(tmp / "archive.db")
    yield con, served, expected["replay"], server
    con.close()


def test_replayed_reports_become_documents(pingtan) -> None:
    con, _, replay, server = pingtan
    documents = con.execute("select url, year, kind from documents order by year").fetchall()
    assert [(urlsplit(u).path, y, k) for u, y, k in documents] == [
        (d["path"], d["year"], "page") for d in replay["documents"]
    ]


def test_every_listed_report_ends_in_an_outcome(pingtan) -> None:
    """Ten reports listed: two archived as documents, eight not saved here → http_404 events, none silent."""
    con, served, replay, _ = pingtan
    missing = {
        urlsplit(u).path for (u,) in con.execute("select url from crawl_events where kind = 'http_404'")
    }
    assert missing >= set(replay["http_404"])
    assert set(replay["http_404"]) | {d["path"] for d in replay["documents"]} <= set(served)


def test_the_unfollowed_script_pagination_is_recorded(pingtan) -> None:
    con, *_ = pingtan
    (detail,) = con.execute("select detail from crawl_events where kind = 'pagination_unfollowed'").fetchone()
    assert detail.startswith("listing declares 20 records, 10 on this static page")
