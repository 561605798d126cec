"""A listing page that failed is walked again: no report stays lost behind it (real engine, simulator).

Run 1: page 2 (`index_1.html`) of 沙坡头区人民政府办公室's column answers 500 to every attempt, so the reports
listed on it and on the pages behind it are never requested; the run records `listing_incomplete`. Run 2, the
page fixed: the column's first page holds nothing new, yet every page is walked again (`relisting`) and those
reports are archived. Run 3: the walk stops at the first page again. Then, without the engine: which
failures count, the state the archive gives back, and the spider's walk past a page with nothing new.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import scrapy
from crawl_helpers import HOST, MemorySink, listing_meta, make_site, page_response, requests_of
from parsel import Selector
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from test_crawl_live import crawl, report_urls
from twisted.python.failure import Failure

from crawler.crawl.sink import KnownDocument, SiteState, SqliteSink
from simulator import SimulatedSites
from spiders.trs import TrsSpider, trs_items

COLUMN = "/xxgk/bmxxgkml/sptqzfb/xxgknb/"
FAILING = COLUMN + "index_1.html"


def _is_listing_page(path: str) -> bool:
    return path == COLUMN or path.startswith(COLUMN + "index")


def _query(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("relist")
    db = work / "archive.db"
    archived: list[set[str]] = []
    listing: list[list[str]] = []
    lines: list[str] = []
    with SimulatedSites(faults=False) as sim:
        assert sim.wait_until_warm()
        registry = sim.write_registry(work / "sites.yml")
        sim.fail_requests("spt", FAILING, times=100)  # every attempt of run 1
        for _ in range(3):
            sim.clear_log()
            line, _seconds = crawl(registry, db, "--site", "spt")
            sim.fail_requests("spt", FAILING, times=0)  # fixed after run 1
            lines.append(line)
            listing.append([r.path for r in sim.request_log if _is_listing_page(r.path)])
            archived.append({url for (url,) in _query(db, "SELECT url FROM documents")})
        expected = report_urls(
            [r for r in sim.expected_reports() if r["site_id"] == "spt" and r["agency_slug"] == "sptqzfb"]
        )
    events = _query(db, "SELECT run_id, kind, url, detail FROM crawl_events ORDER BY id")
    return {
        "db": db,
        "expected": expected,
        "archived": archived,
        "listing": listing,
        "lines": lines,
        "events": events,
        "column": sim.sites["spt"].base_url + COLUMN,
    }


def _events(runs: dict[str, Any], run: int, kind: str) -> list[tuple[Any, ...]]:
    return [e for e in runs["events"] if e[0] == run and e[1] == kind]


def test_run_1_misses_the_reports_behind_the_failed_page_and_records_it(runs: dict[str, Any]) -> None:
    assert any(path.endswith("index_1.html") for path in runs["listing"][0]), runs["listing"][0]
    assert runs["expected"] - runs["archived"][0], "no report sits behind the failing page"
    incomplete = _events(runs, 1, "listing_incomplete")
    assert [e[2] for e in incomplete] == [runs["column"]], runs["events"]
    assert "index_1.html" in incomplete[0][3]


def test_run_2_walks_every_page_again_and_archives_them(runs: dict[str, Any]) -> None:
    missing = runs["expected"] - runs["archived"][1]
    assert not missing, (missing, runs["listing"][1], runs["lines"][1])
    assert [e[2] for e in _events(runs, 2, "relisting")] == [runs["column"]], runs["events"]
    assert not _events(runs, 2, "listing_incomplete")


def test_run_3_stops_at_the_first_page_again(runs: dict[str, Any]) -> None:
    first_page_only = [p for p in runs["listing"][2] if not p.startswith(COLUMN + "index_")]
    assert runs["listing"][2] == first_page_only and len(first_page_only) < len(runs["listing"][1]), runs[
        "listing"
    ]
    assert not _events(runs, 3, "relisting") and not _events(runs, 3, "listing_incomplete")


TRS_COLUMN = f"{HOST}/xxgk/bmxxgkml/sptqzwfwzx/xxgknb_51968/"


def _failure(exc: Exception, url: str, **meta: Any) -> Failure:
    failure = Failure(exc)
    failure.request = scrapy.Request(url, meta=meta)  # as Scrapy hands it to an errback
    return failure


def _http_error(status: int, url: str, kind: str, page: int) -> Failure:
    meta = {**listing_meta(TRS_COLUMN, page), "nianbao_failure": kind}
    response = HtmlResponse(url, status=status, body=b"x", request=scrapy.Request(url, meta=meta))
    return _failure(HttpError(response, "ignored"), url, **meta)


def test_which_failures_leave_a_column_incomplete(sink: MemorySink) -> None:
    spider = TrsSpider(make_site("trs", column=TRS_COLUMN), sink)
    page2, page3 = TRS_COLUMN + "index_1.html", TRS_COLUMN + "index_2.html"
    failures = [
        _http_error(500, page2, "http_5xx", 1),  # counts
        _failure(DownloadTimeoutError("took too long"), page3, **listing_meta(TRS_COLUMN, 2)),  # counts
        _http_error(503, TRS_COLUMN, "http_5xx", 0),  # the first page: nothing of the column was walked
        _http_error(404, page3, "http_404", 2),  # gone: walking again would not reach it
        _failure(DownloadTimeoutError("x"), TRS_COLUMN + "t1.html", nianbao_kind="report"),  # not a listing
    ]
    for failure in failures:
        list(spider.on_error(failure))
    warned = [row for name, row in sink.ops if name == "event" and row["kind"] == "listing_incomplete"]
    assert [row["url"] for row in warned] == [TRS_COLUMN, TRS_COLUMN]
    assert "index_1.html failed (http_5xx)" in warned[0]["detail"]
    assert "index_2.html failed (timeout)" in warned[1]["detail"]
    assert [w["kind"] for w in spider.ctx.warnings] == ["listing_incomplete"] * 2


def test_relist_follows_the_latest_listing_event(tmp_path: Path) -> None:
    sink = SqliteSink(tmp_path / "a.db")
    sink.site({"id": "s", "name": "测试"})
    sink.site({"id": "other", "name": "别处"})
    a, b = "http://a.gov.cn/a/", "http://a.gov.cn/b/"
    for site, kind, url, detail in [
        ("s", "listing_incomplete", a, "a: page 2 failed"),
        ("s", "listing_incomplete", b, "b: page 2 failed"),
        ("other", "listing_incomplete", "http://b.gov.cn/c/", "another site's"),
        ("s", "relisting", a, "a walked again"),  # the next run: a walked again without a failure …
        ("s", "relisting", b, "b walked again"),
        ("s", "listing_incomplete", b, "b: page 3 failed"),  # … b failed again, deeper
    ]:
        sink.event({"site_id": site, "kind": kind, "url": url, "detail": detail, "at": "t"})
    assert sink.load_state("s").relist == {b: "b: page 3 failed"}
    sink.close()


def test_a_relisted_column_is_walked_past_a_page_with_nothing_new(sink: MemorySink) -> None:
    response = page_response("trs-listing.html", TRS_COLUMN, **listing_meta(TRS_COLUMN))
    known = {
        item.url: KnownDocument(item.url, "test/unit", "page", 2024, "h", None, None, "2999-01-01", 1)
        for item in trs_items(Selector(text=response.text), TRS_COLUMN)
    }
    sink.state = SiteState(documents=known, relist={TRS_COLUMN: "page 2 failed"})
    spider = TrsSpider(make_site("trs", column=TRS_COLUMN), sink)
    spider.state = sink.load_state("test")
    assert [r.url for r in requests_of(spider.parse_listing(response))] == [TRS_COLUMN + "index_1.html"]
    assert sink.events() == ["relisting"]
