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
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from crawl_helpers import PAGES, MemorySink, listing_meta, make_site, page_response, requests_of
from parsel import Selector
from replay import Page, ReplayServer

from spiders import spider_for

NIANBAO = str(Path(sys.executable).with_name("nianbao"))
EXPECTED = sorted(PAGES.rglob("*.expected.json"))
IDS = [str(p.relative_to(PAGES)).removesuffix(".expected.json") for p in EXPECTED]


def _expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _target(url: str) -> str:
    """Path and query of a URL, as the replay server saw the request."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("expected_path", EXPECTED, ids=IDS)
def test_spider_on_saved_page(expected_path: Path) -> None:
    expected = _expected(expected_path)
    url = expected["url"]
    sink = MemorySink()
    spider = spider_for(expected["archetype"])(make_site(expected["archetype"], column=url), sink)
    name = str(expected_path.parent.relative_to(PAGES) / expected["page"])
    response = page_response(name, url, **listing_meta(url))
    out = requests_of(spider.parse_listing(response))
    items = spider.listing_items(response, Selector(text=response.text), response.text)
    assert [{"url": i.url, "title": i.title, "date": i.date} for i in items] == expected["links"]
    assert [r.url for r in out if r.meta.get("nianbao_kind") == "report"] == expected["reports"]
    assert [r.url for r in out if r.meta.get("nianbao_kind") == "listing"] == expected["next_pages"]
    offsite = set(expected["replay"]["offsite"])
    documents = [r.url for r in out if r.meta.get("nianbao_kind") != "listing"]
    assert documents == [link["url"] for link in expected["links"] if link["url"] not in offsite]
    assert sink.events() == expected["events"]


def _crawl(expected_path: Path, tmp: Path) -> dict[str, Any]:
    """Replay the saved pages and run `nianbao crawl` over them once with the archetype's spider."""
    expected = _expected(expected_path)
    replay = expected["replay"]
    server = ReplayServer({})
    for path, name in replay["pages"].items():
        body = (expected_path.parent / name).read_bytes()
        if replay.get("rehost"):  # a page whose links are absolute: its origin stands for the replay server's
            body = body.replace(replay["rehost"].encode(), server.url("").encode())
        server.pages[path] = Page(body)
    column = _target(expected["url"])
    with server:
        registry = tmp / "sites.yml"
        site = {
            "id": f"real-{expected['archetype']}",
            "name": expected["site_name"],
            "region": expected["region"],
            "portal": server.url("/"),
            "cms": expected["archetype"],
            "verified": True,
            "politeness": {"delay": 0, "max_pages": 5, "revalidate_days": 0, "concurrency": 2},
            "agencies": [{"name": expected["site_name"], "slug": "unit", "column": server.url(column)}],
        }
        registry.write_text(yaml.safe_dump({"sites": [site]}, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "NIANBAO_FAST": "1", "NIANBAO_PROGRESS": "0", "NIANBAO_TODAY": replay["today"]}
        done = subprocess.run(
            [NIANBAO, "crawl", "--sites", str(registry), "--db", str(tmp / "archive.db")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert "crawl: 1 sites" in done.stdout, (done.stdout + done.stderr)[-3000:]  # ran (exit 2 = warnings)
        served = server.paths()
    con = sqlite3.connect(tmp / "archive.db")
    try:
        documents = con.execute("select url, year, kind from documents order by year").fetchall()
        events = con.execute("select kind, url, detail from crawl_events").fetchall()
    finally:
        con.close()
    return {"expected": expected, "served": served, "documents": documents, "events": events}


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory):
    """Each real page's site crawled once (lazily, per test module)."""
    done: dict[str, dict[str, Any]] = {}

    def crawl(expected_path: Path) -> dict[str, Any]:
        key = str(expected_path)
        if key not in done:
            done[key] = _crawl(expected_path, tmp_path_factory.mktemp("real"))
        return done[key]

    return crawl


@pytest.mark.parametrize("expected_path", EXPECTED, ids=IDS)
def test_replayed_reports_become_documents(crawls, expected_path: Path) -> None:
    run = crawls(expected_path)
    assert [(urlsplit(u).path, y, k) for u, y, k in run["documents"]] == [
        (d["path"], d["year"], "page") for d in run["expected"]["replay"]["documents"]
    ]


@pytest.mark.parametrize("expected_path", EXPECTED, ids=IDS)
def test_every_listed_entry_ends_in_an_outcome(crawls, expected_path: Path) -> None:
    """Every entry the page lists is archived, answers 404 (recorded http_404) or is off the site (recorded
    offsite_link, never fetched) — none silent."""
    run = crawls(expected_path)
    replay = run["expected"]["replay"]
    missing = {_target(u) for kind, u, _ in run["events"] if kind == "http_404"}
    assert missing >= set(replay["http_404"])
    assert set(replay["http_404"]) | {d["path"] for d in replay["documents"]} <= set(run["served"])
    offsite = {u for kind, u, _ in run["events"] if kind == "offsite_link"}
    assert offsite == set(replay["offsite"])


@pytest.mark.parametrize("expected_path", EXPECTED, ids=IDS)
def test_the_page_events_reach_the_archive(crawls, expected_path: Path) -> None:
    run = crawls(expected_path)
    assert set(run["expected"]["events"]) <= {kind for kind, _, _ in run["events"]}


def test_the_unfollowed_script_pagination_is_recorded(crawls) -> None:
    run = crawls(PAGES / "pingtan-list-zfxxgknb.expected.json")
    (detail,) = [d for kind, _, d in run["events"] if kind == "pagination_unfollowed"]
    assert detail.startswith("listing declares 20 records, 10 on this static page")
