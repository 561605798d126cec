"""What a journalist sees: folded column notes, tables inside their sections, year defaults, charts, integers."""

from __future__ import annotations

import sqlite3
import sys
import urllib.error
import urllib.request
from pathlib import Path

import lxml.html
import pytest
import yaml
from ds_fixture_db import build_db
from ds_server import start_datasette, stop_datasette

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "datasette" / "plugins"))
from nianbao_report import place_tables, section_heading  # noqa: E402

METADATA = Path(__file__).resolve().parents[2] / "datasette" / "metadata.yml"
QUERIES: dict[str, dict] = yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["archive"]["queries"]
TABLES = ("reports", "sections", "statistics", "checks", "sites", "agencies", "captures", "documents")


def _html(served, path: str, **params: str) -> lxml.html.HtmlElement:
    status, _, body = served.get(path, **params)
    assert status == 200, (path, body[:1000])
    return lxml.html.fromstring(body)


def _raw(served, href: str) -> tuple[int, str]:
    """GET an href exactly as a page printed it (already URL-encoded, repeated parameters kept)."""
    try:
        with urllib.request.urlopen(served.base + href, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")  # .xlsx links are binary
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _array(served, name: str, **params: str) -> list[dict]:
    return served.json(f"/{served.db}/{name}.json", **params, _shape="array")


# 1. Column descriptions are folded away, above the data but one line high.


@pytest.mark.parametrize("table", TABLES)
def test_column_descriptions_are_collapsed_but_kept(served, table: str) -> None:
    page = _html(served, f"/{served.db}/{table}")
    details = page.xpath("//details[contains(@class,'nb-column-descriptions')]")
    assert len(details) == 1 and details[0].get("open") is None
    assert "字段说明" in details[0].findtext("summary")
    described = details[0].xpath(".//dl[@class='column-descriptions']/dt/text()")
    assert described and len(described) == len(details[0].xpath(".//dd"))
    assert not page.xpath("//dl[@class='column-descriptions'][not(ancestor::details)]")


def test_reports_page_notes_mention_every_column(served) -> None:
    page = _html(served, f"/{served.db}/reports")
    notes = " ".join(page.xpath("//details[contains(@class,'nb-column-descriptions')]//dd/text()"))
    assert "本年新收政府信息公开申请数量" in notes and "发布机关" in notes


# 2. Tables 2-4 sit inside sections 二-四, as printed.


def _section(page: lxml.html.HtmlElement, no: int) -> lxml.html.HtmlElement:
    return page.xpath(f"//section[@class='nb-sections']//div[@id='section-{no}']")[0]


def test_tables_sit_inside_their_sections(served) -> None:
    page = _html(served, f"/{served.db}/reports/101")
    assert len(_section(page, 2).xpath(".//table[contains(@class,'nb-table2')]")) == 3
    assert len(_section(page, 3).xpath(".//table[contains(@class,'nb-table3')]")) == 1
    assert len(_section(page, 4).xpath(".//table[contains(@class,'nb-table4')]")) == 1
    for no in (1, 5, 6):
        assert not _section(page, no).xpath(".//table")
    # nothing printed twice, nothing left over after section 六
    assert len(page.xpath("//table[contains(@class,'nb-table3')]")) == 1
    assert not page.xpath("//section[contains(@class,'nb-tables')]")
    # the section text still comes before its table, the failed check still marks its cells
    section3 = _section(page, 3)
    assert section3.xpath(".//td[@data-cell='table3.results_total.total' and contains(@class,'nb-failed')]")


def test_2019_heading_still_gets_table3(served) -> None:
    page = _html(served, f"/{served.db}/reports/105")
    assert _section(page, 3).xpath(".//table[contains(@class,'nb-table3')]")
    assert _section(page, 3).findtext(".//h3") == "三、依申请公开政府信息情况"


def test_place_tables_by_heading_then_number_then_after() -> None:
    sections = [
        {"no": 1, "title": "概述"},
        {"no": 2, "title": "主动公开政府信息情况"},
        {"no": 3, "title": "依申请公开政府信息情况"},
        {"no": 4, "title": "政府信息公开的收费及减免情况"},
        {"no": 5, "title": "因政府信息公开申请提起行政复议、行政诉讼的情况"},
    ]
    assert place_tables(sections, ["table2", "table3", "table4"]) == []
    assert [s["tables"] for s in sections] == [[], ["table2"], ["table3"], [], ["table4"]]
    short = [{"no": 1, "title": "总体情况"}, {"no": 2, "title": "其他"}]
    assert place_tables(short, ["table2", "table3", "table4"]) == ["table3", "table4"]
    assert short[1]["tables"] == ["table2"]  # by number when no heading matches
    assert section_heading(2, "主动公开") == "二、主动公开"
    assert section_heading(2, "二、主动公开") == "二、主动公开"
    assert section_heading(None, "附件") == "附件"


def test_unplaced_tables_follow_the_text(tmp_path: Path) -> None:
    """A report with only two sections still shows tables 3 and 4, after the text."""
    path = build_db(tmp_path / "archive.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("delete from sections where report_id = 104 and no > 2")
    conn.close()
    proc, base = start_datasette(path)
    try:
        with urllib.request.urlopen(base + "/archive/reports/104") as response:
            page = lxml.html.fromstring(response.read().decode())
    finally:
        stop_datasette(proc)
    assert page.xpath("//div[@id='section-2']//table[contains(@class,'nb-table2')]")
    after = page.xpath("//section[contains(@class,'nb-tables')]/@data-table")
    assert after == ["table3", "table4"]


def test_passed_checks_are_folded(served) -> None:
    page = _html(served, f"/{served.db}/reports/101")
    box = page.xpath("//section[@class='nb-check-list']")[0]
    assert box.xpath("./table//tr[contains(@class,'nb-failed')]")
    assert not box.xpath("./table//tr[contains(@class,'nb-ok')]")
    assert box.xpath(".//details[contains(@class,'nb-passed-checks')]//tr[contains(@class,'nb-ok')]")


# 3. Empty year = the latest year (2023 in the fixture); all = every year.


def _params(name: str, **given: str) -> dict[str, str]:
    names = {"q", "report_id", "year", "region", "agency", "province"}
    sql = QUERIES[name]["sql"]
    return {p: given.get(p, "") for p in names if f":{p}" in sql}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_page_renders_with_empty_parameters(served, name: str) -> None:
    page = _html(served, f"/{served.db}/{name}", **_params(name))
    assert page.xpath("//h1")
    assert not page.xpath("//*[contains(@class,'message-error')]")
    assert served.get(f"/{served.db}/{name}.json", **_params(name))[0] == 200


def test_every_year_query_covers_every_year_when_the_year_is_empty(served) -> None:
    # issue 12: an empty year silently meant "the latest year" and hid other years' findings
    for name in QUERIES:
        if ":year" not in QUERIES[name]["sql"]:
            continue
        assert _array(served, name, **_params(name)) == _array(served, name, **_params(name, year="all")), (
            name
        )
        described = str(QUERIES[name].get("description") or QUERIES[name].get("description_html"))
        assert "留空或填 all 为全部年度" in described or "留空或填 all 为从未" in described, name
        page = _html(served, f"/{served.db}/{name}", **_params(name))
        assert "全部年度（2018–2023）" in page.xpath("string(//p[@class='nb-years'])"), name
        links = page.xpath("//p[@class='nb-years']//a/text()")
        assert links == ["全部年度 / all years", "2023", "2022", "2018"], name


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        ("", {"haidian/edu"}),  # empty = every year: agencies that never published a report
        ("2023", {"haidian/edu"}),
        ("2022", {"haidian/edu", "shapotou/zwfw"}),
        ("2018", {"haidian/edu", "shapotou/gov", "shapotou/zwfw"}),
        ("all", {"haidian/edu"}),
    ],
)
def test_missing_reports(served, year: str, expected: set[str]) -> None:
    rows = _array(served, "missing_reports", year=year, region="")
    assert {r["agency_id"] for r in rows} == expected
    assert {str(r["year"]) for r in rows} == {year if year not in ("", "all") else "全部年度"}


def test_missing_reports_by_region(served) -> None:
    rows = _array(served, "missing_reports", year="2022", region="宁夏回族自治区")
    assert {r["agency_id"] for r in rows} == {"shapotou/zwfw"}


@pytest.mark.parametrize(
    # 105 (海淀区人民政府 2022, published 2023-02-10) is a government's own report: due 31 March, on time
    ("year", "expected"),
    [("", {103}), ("2023", {103}), ("2022", set()), ("all", {103})],
)
def test_late_reports(served, year: str, expected: set[int]) -> None:
    rows = _array(served, "late_reports", year=year, region="")
    assert {r["report_id"] for r in rows} == expected
    assert all(r["days_late"] > 0 for r in rows)


def test_other_year_queries_for_given_and_empty_years(served) -> None:
    apps = _array(served, "applications", year="2023", region="", agency="")
    assert {r["report_id"]: r["new_received"] for r in apps} == {101: 40, 103: 12, 104: 300}
    assert len(_array(served, "applications", year="", region="", agency="")) == 5
    assert {
        r["report_id"] for r in _array(served, "review_litigation", year="2022", region="", agency="")
    } == {
        102,
        105,
    }
    assert {r["report_id"] for r in _array(served, "failed_checks", year="2022", region="")} == set()
    yoy = _array(served, "year_over_year", year="2023", region="", agency="")
    assert {(r["agency_id"], r["year"]) for r in yoy} == {
        ("shapotou/gov", 2023),
        ("shapotou/zwfw", 2023),
        ("haidian/gov", 2023),
    }
    rollup = _array(served, "region_rollup", year="all", province="北京市")
    assert {(r["year"], r["reports"]) for r in rollup} == {(2023, 1), (2022, 1), (2018, 1)}


# 4. Charts: useful with no parameters at all.


def test_charts_default_to_the_whole_archive_and_the_latest_year(served) -> None:
    page = _html(served, f"/-/charts/{served.db}")
    assert page.xpath("//form[contains(@class,'nb-form')]//input[@name='agency']")
    trend = page.xpath("//section[@id='agency-chart']")[0]
    assert "全部地区" in trend.xpath("string(.//*[local-name()='svg']/*[local-name()='title'])")
    bars = trend.xpath(".//*[local-name()='rect'][@class='nb-bar']/*[local-name()='title']/text()")
    # 2018 has no number (no tables); 2022: 25 + 280; 2023: 40 + 12 + 300
    assert bars == ["2022 2 份报告: 305 件", "2023 3 份报告: 352 件"]
    refusal = page.xpath("//section[@id='refusal-chart']")[0]
    assert "2023年度" in refusal.xpath("string(.//*[local-name()='svg']/*[local-name()='title'])")
    grounds = refusal.xpath(".//*[local-name()='rect'][@class='nb-bar']/*[local-name()='title']/text()")
    expected = {
        r["label"]: r["applications"]
        for r in _array(served, "refusal_grounds", year="2023", region="", agency="")
    }
    assert len(grounds) == len(expected) == 11
    assert {g.rsplit(": ", 1)[0]: int(g.rsplit(": ", 1)[1].split()[0]) for g in grounds} == expected
    assert "<script" not in lxml.html.tostring(page.xpath("//section[@id='refusal-chart']")[0]).decode()


def test_charts_by_region_and_all_years(served) -> None:
    page = _html(served, f"/-/charts/{served.db}", region="北京市", year="all")
    trend = page.xpath("//section[@id='agency-chart']//*[local-name()='rect'][@class='nb-bar']")
    assert len(trend) == 2  # 2022 and 2023; 2018 drawn as 无数据
    title = page.xpath(
        "string(//section[@id='refusal-chart']//*[local-name()='svg']/*[local-name()='title'])"
    )
    assert "北京市" in title and "各年度" in title


# 5. Integers without ".0", money with its decimals.


def test_numbers_are_shown_as_printed(served) -> None:
    rows = _array(served, "report_tables", report_id="101")
    values = {(r["table_name"], r["row_code"], r["col_code"]): r["value"] for r in rows}
    assert values[("table3", "new_received", "total")] == 40
    assert isinstance(values[("table3", "new_received", "total")], int)
    assert values[("table2", "fees", "amount_10k_yuan")] == 12.5
    page = _html(served, f"/{served.db}/reports/101")
    cells = page.xpath("//td[@data-cell]/text()")
    assert cells and not [c for c in cells if c.endswith(".0")]
    assert page.xpath("//td[@data-cell='table2.fees.amount_10k_yuan']/text()") == ["12.5"]
    table = _html(served, f"/{served.db}/statistics", report_id="101", _size="max")
    shown = [td.text_content().strip() for td in table.xpath("//td[contains(@class,'col-value')]")]
    assert "40" in shown and "12.5" in shown and not [v for v in shown if v.endswith(".0")]
    for name in ("applications", "region_rollup", "review_litigation"):
        page = _html(served, f"/{served.db}/{name}", **_params(name, year="all"))
        text = " ".join(page.xpath("//table[contains(@class,'rows-and-columns')]//td/text()"))
        assert ".0 " not in text + " ", name


# 6. No raw JSON in reader-facing cells; no broken links from the pages a journalist starts on.


def test_json_cells_read_as_lists(served) -> None:
    page = _html(served, f"/{served.db}/checks", ok="0")
    cells = page.xpath("//td[contains(@class,'col-cells')]")
    assert cells and all(td.xpath(".//ul[@class='nb-json']/li") for td in cells)
    assert '["table3' not in lxml.html.tostring(page).decode()
    page = _html(served, f"/{served.db}/failed_checks", year="all", region="")
    assert page.xpath("//td[contains(@class,'col-cells')]//ul[@class='nb-json']")
    page = _html(served, f"/{served.db}/reports")
    assert set(page.xpath("//td[contains(@class,'col-errors')]//text()")) == {"无"}
    # exports keep the JSON
    rows = _array(served, "checks", ok="0")
    assert rows[0]["cells"].startswith('["table3')


@pytest.mark.parametrize("start", ["/", "/archive"])
def test_home_page_leads_to_reports_search_and_charts(served, start: str) -> None:
    page = _html(served, start)
    links = page.xpath("//nav[@class='nb-start']/a/@href")
    assert len(links) == 7
    assert f"/-/charts/{served.db}" in links
    assert any(link.startswith(f"/{served.db}/reports?") for link in links)
    for href in links:
        status, body = _raw(served, href.split("#")[0])
        assert status == 200, (href, body[:300])


def test_no_broken_links_on_the_main_pages(served) -> None:
    seen: set[str] = set()
    for start in ("/", f"/{served.db}", f"/{served.db}/reports/101", f"/-/charts/{served.db}"):
        page = _html(served, start)
        for href in page.xpath("//a/@href"):
            if not href.startswith("/") or href.startswith("//"):
                continue
            target = href.split("#")[0]
            if target in seen or target.endswith(("_dl=1", ".db")):
                continue
            seen.add(target)
            status, body = _raw(served, target.replace("&amp;", "&"))
            assert status == 200, (start, href, body[:300])
    assert len(seen) > 20


def test_reader_view_of_reports_and_title_links(served) -> None:
    home = _html(served, "/")
    href = home.xpath("//nav[@class='nb-start']/a[contains(., '全部年报')]/@href")[0]
    status, body = _raw(served, href)
    assert status == 200
    page = lxml.html.fromstring(body)
    columns = page.xpath("//table[contains(@class,'rows-and-columns')]//th/@data-column")
    assert {"title", "agency", "year", "publish_date", "checks_failed"} <= set(columns)
    assert not {"capture_id", "document_url", "content_hash", "search_text", "text"} & set(columns)
    assert set(page.xpath("//td[contains(@class,'col-title')]/a/@href")) == {
        f"/{served.db}/reports/{i}" for i in range(101, 107)
    }
    found = _html(served, f"/{served.db}/search", q="行政复议")
    assert set(found.xpath("//td[contains(@class,'col-title')]/a/@href")) == {
        f"/{served.db}/reports/101",
        f"/{served.db}/reports/102",
    }
    report = _html(served, f"/{served.db}/reports/101")
    agency = report.xpath("//dl[@class='nb-meta']//a/@href")[0]
    assert "agency_id=shapotou/gov" in agency and "_nocol=text" in agency
    assert _raw(served, agency)[0] == 200


def test_report_page_marks_its_year_and_skips_empty_related_tables(served) -> None:
    page = _html(served, f"/{served.db}/reports/106")
    related = " ".join(page.xpath("//section[h2[contains(., '相关数据')]]//a/text()"))
    assert "报告正文各部分" in related and "核验" not in related and "统计表数字" not in related
    page = _html(served, f"/{served.db}/reports/101")
    fills = {
        rect.xpath("string(./*[local-name()='title'])").split(":")[0]: rect.get("fill")
        for rect in page.xpath("//section[@class='nb-years']//*[local-name()='rect']")
    }
    assert fills["2023"] != fills["2022"]


def test_charts_for_one_agency_show_its_own_refusal_grounds(served) -> None:
    page = _html(served, f"/-/charts/{served.db}", agency="shapotou/gov", region="", year="2023")
    title = page.xpath(
        "string(//section[@id='refusal-chart']//*[local-name()='svg']/*[local-name()='title'])"
    )
    assert title.startswith("沙坡头区人民政府 2023年度")
    grounds = page.xpath(
        "//section[@id='refusal-chart']//*[local-name()='rect'][@class='nb-bar']/*[local-name()='title']/text()"
    )
    shown = {g.rsplit(": ", 1)[0]: int(g.rsplit(": ", 1)[1].split()[0]) for g in grounds}
    expected = _array(served, "refusal_grounds", year="2023", region="", agency="沙坡头区人民政府")
    assert shown == {r["label"]: r["applications"] for r in expected}
    data = page.xpath("//section[@id='refusal-chart']//a/@href")[0]
    assert _raw(served, data)[0] == 200 and "agency=%E6%B2%99" in data


def test_headers_and_parameters_carry_chinese_labels(served) -> None:
    page = _html(served, f"/{served.db}/late_reports", year="", region="")
    headers = {th.xpath("string(.//span[@class='nb-zh'])") for th in page.xpath("//table//th")}
    assert {"报告", "标题", "机关", "年度", "逾期天数"} <= headers
    labels = [label.text_content() for label in page.xpath("//form[contains(@class,'sql')]//label")]
    assert labels == ["年度", "地区"]
    assert "查询结果" in page.xpath("string(//form[contains(@class,'sql')]/h3)")
    page = _html(served, f"/{served.db}/reports")
    by_column = {
        th.get("data-column"): th.xpath("string(.//span[@class='nb-zh'])")
        for th in page.xpath("//table[contains(@class,'rows-and-columns')]//th")
    }
    assert by_column["agency"] == "发布机关" and by_column["year"] == "统计年度"
    assert by_column["publish_date"] == "发布日期"  # from the shared list when the description is long
    status, _, body = served.get(f"/{served.db}/reports.json", _shape="array")
    assert status == 200 and '"agency"' in body  # exports keep the English column names


def test_report_page_says_when_tables_are_images_and_what_the_parser_assumed(served) -> None:
    page = _html(served, f"/{served.db}/reports/106")
    assert "统计表以图片发布" in page.xpath("string(//div[contains(@class,'nb-image-tables')])")
    assert page.xpath("//div[contains(@class,'nb-image-tables')]//a/@href") == [f"/-/capture/{served.db}/106"]
    notes = page.xpath("//div[@class='nb-notes']//li/text()")
    assert notes == ["表三表头无法完整读取，按标准列序读取数字"]  # the parser's English note, in Chinese
    page = _html(served, f"/{served.db}/reports/101")
    assert not page.xpath("//div[contains(@class,'nb-image-tables')]") and not page.xpath(
        "//div[@class='nb-notes']"
    )


def test_license_and_source_are_labelled_in_chinese(served) -> None:
    for path in ("/", f"/{served.db}", f"/{served.db}/reports"):
        text = _html(served, path).xpath("string(//section[@class='content'])")
        assert "许可：" in text and "来源：" in text and "Data license" not in text, path
