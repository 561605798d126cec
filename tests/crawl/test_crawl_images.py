"""Which images of a report page the crawler fetches: only those the parser would OCR as tables."""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.images import MAX_IMAGES_PER_PAGE, is_chrome, report_images

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
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


def test_chrome_names() -> None:
    assert is_chrome("http://h/images/logo.png") and is_chrome("http://h/img/gaba.png")
    assert not is_chrome("http://h/xxgk/202301/W020230112123456789012.png")
