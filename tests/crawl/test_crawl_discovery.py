"""Discovery without a list of names: directory candidates, column wordings, the ledger and its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import HOST, MemorySink, make_site, page_response, requests_of
from parsel import Selector

from crawler.crawl.discovery import column_link, directory_candidates, is_column_text
from crawler.crawl.ledger import ledger_line
from crawler.crawl.sink import PastCandidate, SiteState, SqliteSink
from crawler.crawl.status import print_status
from crawler.registry import Politeness
from spiders.static import StaticSpider

DIRECTORY = f"{HOST}/zwgk/bmxxgk/"
# Invented markup (the shape of the simulated 西夏区 directory): nav, breadcrumb, pager, units of any name.
DIRECTORY_HTML = """<html><body><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="http://www.beian.gov.cn/">备案</a></li></ul>
<div class="side"><a href="/zwgk/zn/">政府信息公开指南</a></div><ul class="dept-list">
<li><a href="/zwgk/bmxxgk/dag/">西夏区档案馆</a></li><li><a href="/zwgk/bmxxgk/tzb/">统战部</a></li>
<li><a href="/zwgk/bmxxgk/fl/">妇联</a></li><li><a href="/zwgk/bmxxgk/gxs/">供销社</a></li>
<li><a href="/zwgk/bmxxgk/rmyh/">人民银行西夏区支行</a></li><li><a href="/zwgk/bmxxgk/dag/">档案馆</a></li>
<li><a href="/zwgk/bmxxgk/files/a.pdf">附件</a></li></ul>
<a href="?page=2">下一页</a> <a href="?page=2">2</a></body></html>"""


def test_every_in_scope_link_is_a_candidate() -> None:
    candidates = directory_candidates(
        Selector(text=DIRECTORY_HTML),
        DIRECTORY,
        directory_url=DIRECTORY,
        portal_url=f"{HOST}/",
        in_scope=lambda u: u.startswith(HOST),
        directory_pages=[f"{DIRECTORY}?page=2"],
    )
    units = [c.text for c in candidates if c.not_a_unit is None]
    assert units == ["政府信息公开指南", "西夏区档案馆", "统战部", "妇联", "供销社", "人民银行西夏区支行"]
    decided = {c.text: c.not_a_unit for c in candidates if c.not_a_unit}
    assert set(decided) == {"首页", "政务公开", "附件"}  # the pager is the directory itself; 备案 is off-site


@pytest.mark.parametrize(
    "text",
    ["年报", "年度报告", "信息公开工作年报", "政府信息公开工作年度报告", "政务公开年报", "政府信息公开年报"],
)
def test_column_wordings(text: str) -> None:
    assert is_column_text(text)


@pytest.mark.parametrize("text", ["2023年报", "年报解读", "关于报送年度报告的通知", "政府信息公开指南"])
def test_not_column_wordings(text: str) -> None:
    assert not is_column_text(text)


def test_column_link_skips_site_chrome() -> None:
    html = '<a href="/nb/">政府信息公开年报</a><a href="./ndbg/">年度报告</a><a href="./jgzn/">机构职能</a>'
    unit = f"{HOST}/zwgk/bmxxgk/dag/"
    assert column_link(Selector(text=html), unit, exclude=[f"{HOST}/nb/"]) == f"{unit}ndbg/"


def test_spider_records_every_candidate(sink: MemorySink) -> None:
    site = make_site("static", directory=DIRECTORY, agencies=())
    object.__setattr__(site, "agencies", ())
    spider = StaticSpider(site, sink)
    directory = page_response("trs-directory.html", DIRECTORY, nianbao_kind="discovery", directory_page=0)
    directory = directory.replace(body=DIRECTORY_HTML.encode())
    (following,) = requests_of(spider.parse_directory(directory))
    assert following.url == f"{DIRECTORY}?page=2"  # units are visited once the whole directory is read
    second = page_response("trs-directory.html", following.url, **following.meta)
    units = requests_of(spider.parse_directory(second.replace(body=b"<html><body></body></html>")))
    assert all(r.callback == spider.parse_unit for r in units)
    assert len(units) == 6 and all(r.meta["nianbao_agency"] is None for r in units)
    unit_html = '<h3>西夏区档案馆</h3><a href="./jgzn/">机构职能</a><a href="./ndbg/">年度报告</a>'
    archive = page_response("trs-unit.html", units[1].url, **units[1].meta).replace(body=unit_html.encode())
    (listing,) = requests_of(spider.parse_unit(archive))
    assert listing.url == f"{HOST}/zwgk/bmxxgk/dag/ndbg/" and listing.meta["nianbao_agency"] == "test/dag"
    spider.finish_discovery("finished")
    rows = [row for name, row in sink.ops if name == "discovery"]
    outcomes = {row["link_text"]: row["outcome"] for row in rows}
    assert outcomes["西夏区档案馆"] == "column_found" and outcomes["首页"] == "not_a_unit"
    assert outcomes["妇联"] == "error"  # never answered before the run ended: still a row
    assert len(rows) == 9 and spider.agencies["test/dag"].name == "西夏区档案馆"


def test_ledger_line_in_status(tmp_path: Path) -> None:
    assert ledger_line({"column_found": 37, "no_column": 3, "blocked": 1}) == (
        "directory lists 41 links: 37 columns, 3 without a column, 1 blocked"
    )
    db = tmp_path / "a.db"
    sink = SqliteSink(db)
    sink.site({"id": "s", "name": "测试区人民政府"})
    run = sink.start_run("s", "2026-01-01T00:00:00Z", "h")
    for n, outcome in enumerate(["column_found", "column_found", "no_column", "blocked"]):
        sink.discovery({"run_id": run, "site_id": "s", "url": f"http://x/{n}", "outcome": outcome, "at": "t"})
    sink.finish_run(run, {"ended_at": "2026-01-01T00:05:00Z", "status": "ok", "blocked": 1})
    sink.close()
    lines: list[str] = []
    print_status(db, echo=lines.append)
    assert "    directory lists 4 links: 2 columns, 1 without a column, 1 blocked" in lines
    assert any(
        "directory lists 4 links: 2 columns, 1 without a column, 1 blocked, 0 errors" in x for x in lines
    )


def test_directory_pages_beyond_the_cap_are_an_event_not_silence(sink: MemorySink) -> None:
    from spiders.discover import DIRECTORY_PAGES

    site = make_site("static", directory=DIRECTORY)
    spider = StaticSpider(site, sink)
    last = page_response("trs-directory.html", DIRECTORY, directory_page=DIRECTORY_PAGES - 1)
    requests = requests_of(spider.parse_directory(last.replace(body=DIRECTORY_HTML.encode())))
    assert all(r.callback == spider.parse_unit for r in requests)  # no 11th page
    assert "endless_pagination" in sink.events()


def test_directory_written_by_a_data_island_is_read(sink: MemorySink) -> None:
    """Hanweb directories often list their units as <datastore> records rendered by script (invented markup)."""
    from crawler.crawl.discovery import page_selector

    island = (
        '<div id="u1"><script type="text/xml"><datastore><recordset>'
        '<record><![CDATA[<li><a href="/col/col1229780612/index.html">鹿城区教育局</a></li>]]></record>'
        '<record><![CDATA[<li><a href="/col/col1229780699/index.html">鹿城区档案馆</a></li>]]></record>'
        "</recordset></datastore></script></div>"
    )
    candidates = directory_candidates(
        page_selector(f"<html><body>{island}</body></html>"),
        DIRECTORY,
        directory_url=DIRECTORY,
        portal_url=f"{HOST}/",
        in_scope=lambda u: u.startswith(HOST),
    )
    assert [c.text for c in candidates] == ["鹿城区教育局", "鹿城区档案馆"]


def test_visits_follow_the_ledger_of_earlier_runs(sink: MemorySink) -> None:
    """New links first, then those last errored/blocked/capped, then those last without a column; the rest of
    the queue past `max_pages` is capped (each with its row)."""
    past = {
        f"{HOST}/zwgk/bmxxgk/dag/": PastCandidate("no_column", 7),
        f"{HOST}/zwgk/bmxxgk/tzb/": PastCandidate("capped", 3),
        f"{HOST}/zwgk/bmxxgk/fl/": PastCandidate("blocked", 7),
        f"{HOST}/zwgk/bmxxgk/gxs/": PastCandidate("not_a_unit", 5),
        f"{HOST}/zwgk/zn/": PastCandidate("no_column", 7),
    }
    sink.state = SiteState(discovery=past)
    site = make_site("static", directory=DIRECTORY, agencies=())
    object.__setattr__(site, "agencies", ())
    object.__setattr__(site, "politeness", Politeness(delay=0, max_pages=4))
    spider = StaticSpider(site, sink)
    spider.state = sink.state
    body = DIRECTORY_HTML.replace('<a href="?page=2">下一页</a> <a href="?page=2">2</a>', "").encode()
    directory = page_response("trs-directory.html", DIRECTORY, nianbao_kind="discovery", directory_page=0)
    visits = [r.url for r in requests_of(spider.parse_directory(directory.replace(body=body)))]
    assert visits == [f"{HOST}/zwgk/bmxxgk/rmyh/", *list(past)[1:4]]  # never seen, capped, blocked, no unit
    capped = {row["url"] for name, row in sink.ops if name == "discovery" and row["outcome"] == "capped"}
    assert capped == {f"{HOST}/zwgk/bmxxgk/dag/", f"{HOST}/zwgk/zn/"}
