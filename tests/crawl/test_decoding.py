"""One decoder (crawler/decoding.py) for the crawler, the parser and the capture view; bad bytes replaced, not
the charset abandoned (issue 14 item 4).

The damaged GBK page is derived at test time from a real page: the Pingtan 2019 report as archived
(tests/fixtures/reports/pingtan-2019.html = ../shared/corpus/pingtan-2019.html, UTF-8 on the original server), transcoded to GBK with its <meta charset>
changed to gbk, then three bytes 0xFF (never valid in GBK/GB18030) written into body paragraphs. No real GBK
capture was found in public sources; the text, markup and tables are the real page's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from crawl_helpers import MemorySink, make_site

from crawler.decoding import decode_bytes
from crawler.parse import parse_bytes

REAL_UTF8 = Path(__file__).resolve().parents[1] / "fixtures" / "reports" / "pingtan-2019.html"
TEXT = "沙坡头区2024年政府信息公开工作年度报告"


def damaged_gbk_page() -> tuple[bytes, bytes]:
    """(clean GBK page, the same page with three 0xFF bytes in body paragraphs)."""
    html = REAL_UTF8.read_text(encoding="utf-8").replace('<meta charset="utf-8"', '<meta charset="gbk"', 1)
    clean = html.encode("gbk")
    damaged = bytearray(clean)
    anchors = ["总体情况", "主动公开政府信息情况", "存在的主要问题及改进情况"]
    for anchor in anchors:
        at = damaged.index(anchor.encode("gbk")) + len(anchor.encode("gbk"))
        damaged[at:at] = b"\xff"
    return clean, bytes(damaged)


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding", "problem"),
    [
        (
            f'<meta charset="gb2312">{TEXT}'.encode("gbk"),
            None,
            f'<meta charset="gb2312">{TEXT}',
            "gb18030",
            None,
        ),
        (TEXT.encode("gbk"), "text/html", TEXT, "gb18030", "no charset in header or meta; read as GB18030"),
        (
            f'<meta charset="gb2312">{TEXT}'.encode(),
            None,
            f'<meta charset="gb2312">{TEXT}',
            "utf-8",
            "declared gb18030 but the body is UTF-8",  # w3lib reads gb2312 as gb18030
        ),
        (TEXT.encode(), "text/html; charset=utf-8", TEXT, "utf-8", None),
        (TEXT.encode("gbk"), "text/html; charset=GBK", TEXT, "gb18030", None),
        ("\ufeff".encode() + TEXT.encode(), "text/html; charset=gbk", TEXT, "utf-8", None),  # a BOM wins
        (TEXT.encode("utf-16"), None, TEXT, "utf-16-le", None),
    ],
)
def test_precedence(body: bytes, content_type: str | None, text: str, encoding: str, problem: str | None):
    decoded = decode_bytes(body, content_type)
    assert (decoded.text, decoded.encoding, decoded.problem) == (text, encoding, problem)


def test_a_few_bad_bytes_keep_the_declared_charset() -> None:
    clean, damaged = damaged_gbk_page()
    decoded = decode_bytes(damaged, "text/html")
    assert decoded.encoding == "gb18030" and decoded.replaced == 3
    assert decoded.problem == "3 invalid bytes for the declared gb18030 replaced"
    assert decoded.text.replace("\ufffd", "") == decode_bytes(clean).text
    undeclared = re.sub(rb'<meta charset="gbk"', b"<meta", damaged, count=1)
    assert decode_bytes(undeclared).encoding == "gb18030"  # nothing declared: still GB18030, not detection


def test_gbk_read_as_utf8_is_not_a_few_bad_bytes() -> None:
    """GBK bytes fail as UTF-8 on most characters: never accepted as 'UTF-8 with a few bad bytes'."""
    decoded = decode_bytes(("<p>" + TEXT * 3 + "</p>").encode("gbk"))
    assert decoded.encoding == "gb18030" and decoded.text == "<p>" + TEXT * 3 + "</p>"


def test_the_parser_keeps_the_report_and_warns() -> None:
    clean, damaged = damaged_gbk_page()
    expected = parse_bytes(clean, filename="t20200120_80576.htm")
    report = parse_bytes(damaged, filename="t20200120_80576.htm")
    assert expected.parse_status in ("ok", "partial") and expected.cells
    assert report.parse_status == expected.parse_status
    assert report.cells == expected.cells and report.year == 2019
    assert "3 invalid bytes for the declared gb18030 replaced" in report.warnings


def test_the_crawler_records_a_charset_event() -> None:
    from scrapy.http import HtmlResponse, Request

    from spiders.trs import TrsSpider

    _, damaged = damaged_gbk_page()
    sink = MemorySink()
    spider = TrsSpider(make_site("trs", column="http://sim.example/col/"), sink)
    url = "http://sim.example/col/t1.htm"
    request = Request(url, meta={"nianbao_capture": (url, "x")})
    response = HtmlResponse(url, body=damaged, headers={"Content-Type": "text/html"}, request=request)
    assert "平潭综合实验区" in spider.decode(response)
    (event,) = [row for name, row in sink.ops if name == "event"]
    assert event["kind"] == "charset" and "3 invalid bytes" in event["detail"]


def test_the_capture_view_decodes_the_same_way() -> None:
    import sys

    from crawler.serve import PLUGINS_DIR

    sys.path.insert(0, str(PLUGINS_DIR))
    from nianbao_web.capture import body_text

    _, damaged = damaged_gbk_page()
    assert body_text(damaged, None, "text/html") == decode_bytes(damaged).text
