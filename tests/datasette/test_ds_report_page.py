"""The report page: metadata, links, sections, tables laid out like the original, failed checks, other years."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path

import lxml.html
import pytest
from ds_fixture_db import build_db
from ds_server import start_datasette, stop_datasette


@pytest.fixture(scope="module")
def page(served) -> lxml.html.HtmlElement:
    status, _, body = served.get(f"/{served.db}/reports/101")
    assert status == 200, body[:1000]
    return lxml.html.fromstring(body)


def test_header_shows_title_agency_region_year_date(page) -> None:
    assert page.findtext(".//article//h1") == "沙坡头区人民政府2023年政府信息公开工作年度报告"
    meta = page.xpath("string(//dl[@class='nb-meta'])")
    for text in ("沙坡头区人民政府", "宁夏回族自治区", "中卫市", "沙坡头区", "2023", "2024-01-20"):
        assert text in meta


def test_links_to_live_original_archived_capture_and_csv(served, page) -> None:
    live = page.xpath("//a[contains(@class,'nb-live')]/@href")
    assert live == ["http://127.0.0.1:9/shapotou/gov/2023.html"]
    archived = page.xpath("//a[contains(@class,'nb-archived')]/@href")
    assert archived == [f"/-/capture/{served.db}/101"]
    csv_href = page.xpath("//a[contains(@class,'nb-csv')]/@href")[0]
    status, headers, body = served.get(
        csv_href.split("?")[0], **dict(p.split("=") for p in csv_href.split("?")[1].split("&"))
    )
    assert status == 200 and "attachment" in headers.get("content-disposition", "")
    assert body.startswith("\ufeff")  # opens as UTF-8 in Excel; headers in Chinese
    assert {row["报告"] for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))} == {"101"}


def test_sections_are_shown(page) -> None:
    headings = [h.text_content() for h in page.xpath("//section[@class='nb-sections']//h3")]
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert "行政复议3件" in page.xpath("string(//section[@class='nb-sections'])")


def test_table3_has_the_2021_layout(page) -> None:
    table = page.xpath("//table[contains(@class,'nb-table3')]")[0]
    heading = table.xpath(".//th[text()='三、本年度办理结果']")[0]
    assert heading.get("rowspan") == "22"  # 予以公开 … 总计 with 三（六） split in three rows
    assert table.xpath(".//th[text()='（三）不予公开']/@rowspan") == ["8"]
    assert table.xpath(".//th[text()='（四）无法提供']/@rowspan") == ["3"]
    assert table.xpath(".//th[text()='（六）其他处理']/@rowspan") == ["3"]
    assert table.xpath(".//thead//th[text()='申请人情况']/@colspan") == ["7"]
    assert len(table.xpath(".//tbody/tr")) == 25
    total = table.xpath(".//td[@data-cell='table3.new_received.total']")[0]
    assert total.text == "40"


def test_2019_report_uses_single_other_handling_row(served) -> None:
    _, _, body = served.get(f"/{served.db}/reports/105")
    table = lxml.html.fromstring(body).xpath("//table[contains(@class,'nb-table3')]")[0]
    assert table.xpath(".//th[text()='三、本年度办理结果']/@rowspan") == ["20"]
    assert table.xpath(".//td[@data-cell='table3.other_handling.total']")


def test_failed_check_cells_are_highlighted(page) -> None:
    failed = {td.get("data-cell") for td in page.xpath("//td[contains(@class,'nb-failed')]")}
    assert failed == {
        "table3.new_received.total",
        "table3.carried_over.total",
        "table3.results_total.total",
        "table3.carried_forward.total",
    }
    cell = page.xpath("//td[@data-cell='table3.results_total.total']")[0]
    assert "表三：新收 + 上年结转 = 办理结果总计 + 结转下年" in cell.get("title")
    assert "表三：新收 + 上年结转" in page.xpath("string(//div[@class='nb-warn'])")


def test_table4_and_table2(page) -> None:
    t4 = page.xpath("//table[contains(@class,'nb-table4')]")[0]
    assert t4.xpath(".//thead//th[text()='行政诉讼']/@colspan") == ["10"]
    assert len(t4.xpath(".//tbody//td")) == 15
    assert t4.xpath(".//td[@data-cell='table4.review.corrected']")[0].text == "1"
    assert len(page.xpath("//table[contains(@class,'nb-table2')]")) == 3


def test_other_years_of_the_same_agency_and_chart(served, page) -> None:
    links = page.xpath("//section[@class='nb-years']//li/a/@href")
    assert links == [f"/{served.db}/reports/102"]
    assert len(page.xpath("//section[@class='nb-years']//*[local-name()='rect']")) == 2


def test_report_without_tables_still_renders(served) -> None:
    status, _, body = served.get(f"/{served.db}/reports/106")
    assert status == 200 and "没有标准统计表" in body


def test_reports_table_links_each_report_to_its_archived_capture(served) -> None:
    status, _, body = served.get(f"/{served.db}/reports")
    assert status == 200 and f'href="/-/capture/{served.db}/103"' in body


def test_other_tables_keep_the_default_row_page(served) -> None:
    status, _, body = served.get(f"/{served.db}/sites/beijing-haidian")
    assert status == 200 and "nb-report" not in body and "海淀区人民政府" in body


def test_same_metadata_under_another_database_name(tmp_path: Path) -> None:
    path = build_db(tmp_path / "demo.db")
    proc, base = start_datasette(path)
    try:
        with urllib.request.urlopen(base + "/demo/search.json?q=%E8%AF%89%E8%AE%BC&_shape=array") as response:
            assert {row["report_id"] for row in json.load(response)} == {101, 102, 105}
        with urllib.request.urlopen(base + "/demo/reports/101") as response:
            assert "nb-table3" in response.read().decode()
    finally:
        stop_datasette(proc)
