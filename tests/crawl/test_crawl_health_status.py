"""Silent-failure warnings, re-discovery of moved columns, the run summary and `nianbao status`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import scrapy
from crawl_helpers import HOST, MemorySink, make_site, requests_of
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.crawl.health import health_warnings, overdue_year
from crawler.crawl.runner import CrawlSummary, DistributedModeUnavailable, SiteResult, run_crawl
from crawler.crawl.sink import SqliteSink
from crawler.crawl.status import print_status
from spiders.trs import TrsSpider


def warnings(**overrides: object) -> list[str]:
    args: dict[str, object] = {
        "today": date(2025, 2, 10),
        "requests": 20,
        "listing_ok": 3,
        "reports_listed": 4,
        "reports_seen": 4,
        "known_documents": 10,
        "agency_years": {"s/a": {2023, 2024}},
        "agency_names": {"s/a": "某局"},
        "listed_agencies": {"s/a"},
        "previous_runs": [{"reports_listed": 4}],
    }
    args.update(overrides)
    return [kind for kind, _ in health_warnings(**args)]  # type: ignore[arg-type]


def test_deadline_is_31_january_plus_a_month() -> None:
    assert overdue_year(date(2025, 2, 10)) is None
    assert overdue_year(date(2025, 3, 5)) == 2024


def test_a_governments_own_report_is_due_31_march() -> None:
    # 2019 regulations art. 49: departments by 31 January, a government's overall report by 31 March
    assert overdue_year(date(2025, 3, 5), "沙坡头区人民政府") is None
    assert overdue_year(date(2025, 5, 1), "沙坡头区人民政府") == 2024
    gov = {"agency_years": {"s/a": {2023}}, "agency_names": {"s/a": "沙坡头区人民政府"}}
    assert warnings(today=date(2025, 4, 1), **gov) == []
    assert warnings(today=date(2025, 5, 1), **gov) == ["missing_report"]


def test_silent_failures() -> None:
    assert warnings() == []
    assert warnings(reports_seen=0, reports_listed=0, known_documents=0, previous_runs=[]) == ["empty_site"]
    assert warnings(today=date(2025, 4, 1), agency_years={"s/a": {2023}}) == ["missing_report"]
    assert warnings(today=date(2025, 4, 1)) == []
    assert warnings(reports_listed=1, previous_runs=[{"reports_listed": 6}]) == ["report_count_drop"]


def test_moved_column_is_rediscovered(sink: MemorySink) -> None:
    site = make_site("trs", column=f"{HOST}/old/xxgknb/", directory=f"{HOST}/xxgk/bmxxgkml/")
    spider = TrsSpider(site, sink)
    request = scrapy.Request(
        f"{HOST}/old/xxgknb/", meta={"nianbao_kind": "listing", "nianbao_agency": "test/unit", "page": 0}
    )
    response = HtmlResponse(request.url, status=404, body=b"<h1>404</h1>", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    (directory,) = requests_of(spider.on_error(failure))
    assert directory.url == f"{HOST}/xxgk/bmxxgkml/" and directory.meta["targets"] == ["test/unit"]
    assert "column_moved" in sink.events()
    assert requests_of(spider.on_error(failure)) == []  # only once per run


def test_summary_line_and_exit_codes() -> None:
    ok = SiteResult("a", "ok", 10, 2048, 3, 1, 5, 4, {"http_404": 2}, 0, [])
    summary = CrawlSummary([ok])
    assert summary.exit_code == 0
    assert "reports 3 new / 1 changed / 5 unchanged" in summary.line() and "http_404=2" in summary.line()
    warned = SiteResult("b", "warning", 1, 1, 0, 0, 0, 0, {}, 0, [{"kind": "empty_site", "detail": "x"}])
    assert CrawlSummary([ok, warned]).exit_code == 2
    assert CrawlSummary([ok], crashed=["c"]).exit_code == 1


def test_redis_mode_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DistributedModeUnavailable, match="distributed mode"):
        run_crawl("sites.yml", tmp_path / "a.db", redis_url="redis://localhost:6390")


def test_status_prints_runs_and_attention(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    lines: list[str] = []
    print_status(db, limit=5, echo=lines.append)
    assert "no archive yet" in lines[0]
    sink = SqliteSink(db)
    sink.site({"id": "s", "name": "测试区人民政府"})
    run = sink.start_run("s", "2026-01-01T00:00:00Z", "h")
    sink.finish_run(
        run,
        {
            "ended_at": "2026-01-01T00:05:00Z",
            "status": "warning",
            "requests": 7,
            "errors": {"waf": 2},
            "blocked": 2,
            "warnings": [{"kind": "empty_site", "detail": "no listing page could be read"}],
        },
    )
    sink.close()
    lines.clear()
    print_status(db, limit=5, echo=lines.append)
    text = "\n".join(lines)
    assert "#1 s" in text and "waf=2" in text and "1 sites need attention" in text and "empty_site" in text


def test_validators_expire() -> None:
    from datetime import UTC, datetime

    from crawler.crawl.incremental import conditional_headers
    from crawler.crawl.sink import KnownDocument

    now = datetime(2026, 3, 1, tzinfo=UTC)
    doc = KnownDocument("u", None, "page", 2025, "h", '"e1"', "Sat, 01 Feb 2026 00:00:00 GMT", None, 1)
    assert conditional_headers(doc, now) == {}  # never fully fetched: download it
    doc.last_full_fetch = "2026-02-20T00:00:00Z"
    assert conditional_headers(doc, now) == {
        "If-None-Match": '"e1"',
        "If-Modified-Since": "Sat, 01 Feb 2026 00:00:00 GMT",
    }
    doc.last_full_fetch = "2026-01-01T00:00:00Z"
    assert conditional_headers(doc, now) == {}  # too long ago: the content hash decides


def test_tls_failure_falls_back_to_http_once(sink: MemorySink) -> None:
    class SSLError(Exception):
        pass

    site = make_site("trs", column="https://sim.example/xxgknb/")
    spider = TrsSpider(site, sink)
    request = scrapy.Request("https://sim.example/xxgknb/", meta={"nianbao_kind": "listing", "page": 0})
    failure = Failure(SSLError("handshake failure"))
    failure.request = request  # type: ignore[attr-defined]
    (retry,) = requests_of(spider.on_error(failure))
    assert retry.url == "http://sim.example/xxgknb/" and retry.meta["scheme_fallback"]
    failure.request = retry  # type: ignore[attr-defined]
    assert requests_of(spider.on_error(failure)) == []
    assert sink.events() == ["tls_fallback"]


def test_a_site_refusing_everything_is_blocked_not_failed(sink: MemorySink) -> None:
    from crawler.crawl.context import RunContext

    ctx = RunContext(sink=sink, site_id="s")  # type: ignore[arg-type]
    ctx.requests = 1  # robots.txt itself: "User-agent: * / Disallow: /"
    for url in ("http://x/dir/", "http://x/col/"):
        ctx.event("robots_disallowed", url, "Forbidden by robots.txt")
    assert ctx.status() == "blocked" and ctx.blocked == 2
    ctx.event("dns", "http://x/other/")
    assert ctx.status() == "failed"  # not only refusals: the run failed
    result = SiteResult("s", "blocked", 1, 10, 0, 0, 0, 0, {"robots_disallowed": 2}, 2, [])
    assert CrawlSummary([result]).exit_code == 2
