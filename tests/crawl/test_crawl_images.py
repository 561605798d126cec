"""Which images of a report page the crawler fetches: only those the parser would OCR as tables."""

from __future__ import annotations

import re
from pathlib import Path

import scrapy
from crawl_helpers import HOST, MemorySink, make_site, requests_of
from scrapy.http import HtmlResponse, Response

from crawler.crawl.images import MAX_IMAGES_PER_PAGE, is_chrome, report_images
from crawler.parse.html_source import read_html, table_image_srcs
from spiders.static import StaticSpider

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
CMS_PAGES = Path(__file__).resolve().parent / "pages"
URL = "http://www.example.gov.cn/xxgk/xxgknb/202301/t20230112_700001.html"


def test_table_images_of_a_report_page_resolved_against_the_page() -> None:
    html = (REPORTS / "image-tables-2022.html").read_text(encoding="utf-8")  # constructed page, 3 <img>
    found = report_images(html, URL)
    assert found.urls == [f"http://www.example.gov.cn/u/cms/{n}.png" for n in (2, 3, 4)]
    assert not found.chrome and not found.capped


def test_a_page_with_its_tables_in_html_fetches_no_image() -> None:
    html = (REPORTS / "pingtan-2021.html").read_text(encoding="utf-8")  # real page, HTML tables
    assert report_images(html.replace("</p>", '<img src="/u/cms/photo.jpg"></p>', 1), URL).urls == []


def test_chrome_left_out_and_the_count_capped() -> None:
    body = "".join(f'<p><img src="./W0{n:04d}.png"></p>' for n in range(MAX_IMAGES_PER_PAGE + 3))
    html = (
        '<html><body><div class="header"><img src="/images/logo.png"></div><div class="TRS_Editor">'
        "<p>一、总体情况</p><p>本机关2024年政府信息公开工作年度报告。</p>"
        f'<p><img src="/images/icon_pdf.gif"><img src="/r/ewm.jpg"></p>{body}'
        '<p><img src="data:image/png;base64,AAAA"></p></div></body></html>'
    )
    found = report_images(html, URL)
    assert len(found.urls) == MAX_IMAGES_PER_PAGE and len(found.capped) == 3
    assert found.urls[0] == "http://www.example.gov.cn/xxgk/xxgknb/202301/W00000.png"
    assert found.chrome == [
        "http://www.example.gov.cn/images/icon_pdf.gif",
        "http://www.example.gov.cn/r/ewm.jpg",
    ]


def test_the_crawler_and_the_parser_agree_on_every_saved_page() -> None:
    """`table_image_srcs` is the crawler's cheap path to `read_html(...).image_srcs`: the same answer on every
    saved report page (real and constructed), on the crawler's saved CMS pages, and on pages with their tables
    made images (the real Pingtan report with each table replaced by an <img>, inside and outside the body)."""
    pages = [*sorted(REPORTS.glob("*.htm*")), *sorted(CMS_PAGES.rglob("*.htm*"))]
    pingtan = (REPORTS / "pingtan-2021.html").read_text(encoding="utf-8")
    as_images = re.sub(r"<table.*?</table>", '<img src="/u/cms/t.png">', pingtan, flags=re.S)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in pages] + [
        as_images,
        as_images.replace("<body>", '<body><img src="/images/logo.png">', 1),
    ]
    assert len(texts) > 20
    with_images = 0
    for text in texts:
        expected = read_html(text).image_srcs
        assert table_image_srcs(text) == expected
        with_images += bool(expected)
    assert with_images >= 2  # the constructed image-table page and the rewritten Pingtan page


def test_chrome_names() -> None:
    assert is_chrome("http://h/images/logo.png") and is_chrome("http://h/img/gaba.png")
    assert not is_chrome("http://h/xxgk/202301/W020230112123456789012.png")


def _spider_and_page() -> tuple[StaticSpider, MemorySink, HtmlResponse]:
    sink = MemorySink()
    spider = StaticSpider(make_site("static", column=f"{HOST}/xxgk/xxgknb/"), sink)
    url = f"{HOST}/xxgk/xxgknb/202301/t20230112_700001.html"
    meta = {
        "nianbao_kind": "report",
        "nianbao_agency": "test/unit",
        "doc_url": url,
        "nianbao_capture": (url, "x"),
    }
    body = (REPORTS / "image-tables-2022.html").read_bytes()
    headers = {"Content-Type": b"text/html; charset=utf-8"}
    return spider, sink, HtmlResponse(url, body=body, headers=headers, request=scrapy.Request(url, meta=meta))


def test_report_page_requests_its_table_images_as_image_documents() -> None:
    spider, sink, page = _spider_and_page()
    out = list(spider.parse_report(page))
    assert out[0]["kind"] == "page"
    images = requests_of(out)
    assert [r.url for r in images] == [f"{HOST}/u/cms/{n}.png" for n in (2, 3, 4)]
    assert {r.meta["nianbao_kind"] for r in images} == {"image"}
    assert {r.meta["parent_url"] for r in images} == {page.url}
    assert requests_of(spider.parse_report(page)) == []  # asked once per run

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    request = images[1].replace(meta={**images[1].meta, "nianbao_capture": (images[1].url, "y")})
    (doc,) = spider.parse_image(Response(images[1].url, body=png, request=request))
    assert doc["kind"] == "image" and doc["parent_url"] == page.url and doc["content_hash"]
    html = HtmlResponse(images[0].url, body=b"<html>login</html>", request=images[0])
    assert list(spider.parse_image(html)) == [] and sink.events() == ["not_an_image"]


def test_pages_past_the_cap_record_it() -> None:
    spider, sink, page = _spider_and_page()
    many = "".join(f'<p><img src="/u/cms/t{n}.png"></p>' for n in range(MAX_IMAGES_PER_PAGE + 2))
    page = page.replace(
        body=page.body.replace(b"<p>\xe5\x9b\x9b\xe3\x80\x81", many.encode() + b"<p>\xe5\x9b\x9b\xe3\x80\x81")
    )
    assert len(requests_of(spider.parse_report(page))) == MAX_IMAGES_PER_PAGE
    assert sink.events() == ["images_capped"]
