"""Exports that open right: Excel with Chinese headers and a data dictionary, an Excel-ready CSV (BOM, Chinese
headers), file names that say what they hold, and the full text only when asked for."""

from __future__ import annotations

import csv
import io
import sys
import urllib.parse
import urllib.request

import lxml.html
from ds_real_db import HUAIAN
from openpyxl import Workbook, load_workbook

from crawler.serve import PLUGINS_DIR


def _download(served, path: str, **params: str) -> tuple[bytes, str]:
    url = served.url(path, **params)
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read(), response.headers.get("Content-Disposition", "")


def _filename(disposition: str) -> str:
    return urllib.parse.unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_report_tables_open_in_excel_with_chinese(real_served, real_archive) -> None:
    _, ids = real_archive
    data, disposition = _download(
        real_served, f"/{real_served.db}/report_tables.xlsx", report_id=str(ids[HUAIAN.file])
    )
    assert _filename(disposition) == "淮安市人民政府_2024年度_一份报告的全部统计表.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["数据", "数据字典"]
    rows = list(book["数据"].iter_rows(values_only=True))
    header = rows[0]
    assert {"机关", "年度", "行", "列", "数值"} <= set(header)
    record = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(record) == 200  # every cell of the report's three tables
    received = [r for r in record if r["行"] == "一、本年新收政府信息公开申请数量" and r["列"] == "总计"]
    assert [(r["机关"], r["年度"], r["数值"]) for r in received] == [("淮安市人民政府", 2024, 3119)]
    guide = {row[1]: row for row in book["数据字典"].iter_rows(values_only=True)}
    assert guide["row_name"][0] == "行" and guide["value"][0] == "数值"


def test_excel_ready_csv_has_a_bom_chinese_headers_and_no_full_text(real_served) -> None:
    data, disposition = _download(
        real_served, f"/{real_served.db}/reports.csv", _size="max", _bom="1", _dl="1"
    )
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = table[0]
    assert "发布机关" in header and "统计年度" in header and "agency" not in header
    assert not {"报告全文", "分词索引"} & set(header)  # the full text only when asked for (?_col=text)
    assert {row[header.index("省级行政区")] for row in table[1:]} == {"江苏省", "福建省"}
    assert _filename(disposition) == "年度报告.csv"
    data, _ = _download(real_served, f"/{real_served.db}/reports.csv", province="江苏省", _bom="1", _dl="1")
    plain, plain_disposition = _download(real_served, f"/{real_served.db}/reports.csv", province="江苏省")
    assert plain.startswith(b"id,") and b"\xef\xbb\xbf" not in plain  # the machine CSV keeps its codes
    assert "Content-Disposition" not in plain_disposition


def test_every_table_and_query_page_offers_excel_and_the_excel_ready_csv(real_served) -> None:
    for path in (
        f"/{real_served.db}/reports",
        f"/{real_served.db}/statistics",
        f"/{real_served.db}/report_tables",
    ):
        status, _, body = (
            real_served.get(path, report_id="1") if "report_tables" in path else real_served.get(path)
        )
        assert status == 200
        page = lxml.html.fromstring(body)
        xlsx = page.xpath("//a[@class='nb-export-xlsx']/@href")
        bom = page.xpath("//a[@class='nb-export-csv']/@href")
        assert xlsx and ".xlsx" in xlsx[0] and bom and "_bom=1" in bom[0], path
        data, _ = _download(
            real_served,
            urllib.parse.unquote(xlsx[0].split("?")[0]),
            **dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(xlsx[0]).query)),
        )
        assert load_workbook(io.BytesIO(data))["数据"].max_row >= 2, path


def test_archived_text_never_becomes_an_excel_formula() -> None:
    sys.path.insert(0, str(PLUGINS_DIR))
    from nianbao_export import _put

    sheet = Workbook().active
    _put(sheet, ['=HYPERLINK("http://evil")', "+1", 3, "正常\x07文字"])
    cells = list(sheet[1])
    assert cells[0].data_type == "s" and cells[0].value.startswith("=")
    assert cells[2].value == 3 and cells[3].value == "正常文字"
