"""The journalist's walk in real Chromium, on a desktop and a 390 px phone, over real reports normalized by the
real pipeline: home search → filter → report → a number → where it was printed in the archived original →
download the original → Excel export opened with openpyxl. Screenshots go to test-artifacts/walk-*.png."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from ds_real_db import FIXTURES, HUAIAN, PINGTAN
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, browser) -> Iterator[tuple[str, object]]:
    context = browser.new_context(**SCREENS[request.param], accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    yield request.param, page
    context.close()


def _fits(page, where: str) -> None:
    """No sideways scrolling: the page is no wider than the screen (wide tables scroll inside their box)."""
    # Against the screen, not window.innerWidth: a phone widens its layout viewport to fit a too-wide page.
    width = page.viewport_size["width"]
    overflow = page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)") - width
    assert overflow <= 1, f"{where}: page is {overflow}px wider than the {width}px screen"


def _shot(page, artifacts: Path, name: str, screen: str) -> None:
    page.screenshot(path=str(artifacts / f"walk-{screen}-{name}.png"), full_page=False)


def test_search_filter_report_cell_original_download_excel(
    real_served, real_archive, screen, artifacts
) -> None:
    name, page = screen
    _, ids = real_archive
    page.goto(real_served.url("/"))
    _fits(page, "home")
    assert page.locator(".nb-counts").inner_text().count("份年度报告") == 1
    _shot(page, artifacts, "01-home", name)

    # search from the home page's box
    page.fill("form.nb-search input[name=q]", "复议")
    page.locator("form.nb-search input[type=submit]").click()
    page.wait_for_url("**/search?q=*")
    _fits(page, "search")
    assert page.locator("a", has_text=HUAIAN.title).count() >= 1
    _shot(page, artifacts, "02-search", name)

    # filter: every report, then the 江苏省 facet
    page.goto(real_served.url(f"/{real_served.db}/reports"))
    page.locator("#facet-province a", has_text="江苏省").click()
    page.wait_for_url("**province=*")
    _fits(page, "filtered reports")
    assert "1 行" in page.locator("h3").first.inner_text()
    _shot(page, artifacts, "03-filter", name)

    # the report
    page.locator("a", has_text=HUAIAN.title).first.click()
    page.wait_for_url(f"**/reports/{ids[HUAIAN.file]}")
    _fits(page, "report")
    cell = page.locator("td[data-cell='table3.new_received.total'] a")
    assert cell.inner_text() == "3119"
    cell.scroll_into_view_if_needed()
    _shot(page, artifacts, "04-report", name)

    # the number → the PDF page it was printed on, boxed
    cell.click()
    page.wait_for_url("**/page?page=4*")
    box = page.locator("#nb-cell")
    box.wait_for()
    _fits(page, "pdf page")
    image = page.locator("img.nb-page-image").bounding_box()
    outline = box.bounding_box()
    assert image and outline and image["x"] <= outline["x"] <= image["x"] + image["width"]
    box.scroll_into_view_if_needed()
    _shot(page, artifacts, "05-pdf-cell", name)

    # download the archived original: its own name, the bytes archived
    with page.expect_download() as info:
        page.locator("a.nb-download").first.click()
    download = info.value
    assert download.suggested_filename == "szfgs2024.pdf"
    saved = artifacts / f"walk-{name}-original.pdf"
    download.save_as(saved)
    assert (
        hashlib.sha256(saved.read_bytes()).hexdigest()
        == hashlib.sha256((FIXTURES / HUAIAN.file).read_bytes()).hexdigest()
    )
    assert page.locator("code.nb-sha").inner_text() == hashlib.sha256(saved.read_bytes()).hexdigest()

    # back on the report: its tables as Excel, opened with openpyxl
    page.goto(real_served.url(f"/{real_served.db}/reports/{ids[HUAIAN.file]}"))
    with page.expect_download() as info:
        page.locator("a.nb-xlsx").click()
    assert info.value.suggested_filename == "淮安市人民政府_2024年度_一份报告的全部统计表.xlsx"
    target = artifacts / f"walk-{name}-tables.xlsx"
    info.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes()))["数据"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    found = [dict(zip(header, r, strict=True)) for r in rows[1:] if "一、本年新收政府信息公开申请数量" in r]
    assert {(f["列"], f["数值"]) for f in found} >= {("总计", 3119)}


def test_html_cell_is_highlighted_on_screen(real_served, real_archive, screen, artifacts) -> None:
    name, page = screen
    _, ids = real_archive
    page.goto(real_served.url(f"/{real_served.db}/reports/{ids[PINGTAN.file]}"))
    _fits(page, "html report")
    page.locator("td[data-cell='table3.new_received.total'] a").click()
    page.wait_for_url("**view=html*")
    marked = page.locator("#nb-cell")
    assert marked.inner_text().strip() == "70"
    _fits(page, "archived page")
    page.wait_for_timeout(200)
    seen = marked.bounding_box()
    viewport = page.viewport_size
    assert seen and 0 <= seen["y"] < viewport["height"], "the anchor brings the cell on screen"
    assert page.evaluate("getComputedStyle(document.getElementById('nb-cell')).backgroundColor") == (
        "rgb(255, 243, 163)"
    )
    _shot(page, artifacts, "06-html-cell", name)


def test_rank_agency_page_report_and_its_feed(real_served, real_archive, screen, artifacts) -> None:
    """Rankings → the agency's page (its years side by side) → its report; the agency's Atom feed, linked from
    the page head, parses and lists that report."""
    from lxml import etree

    name, page = screen
    _, ids = real_archive
    page.goto(real_served.url(f"/-/rankings/{real_served.db}"))
    _fits(page, "rankings")
    _shot(page, artifacts, "07-rankings", name)
    page.locator("table.nb-ranking th a", has_text="淮安市人民政府").click()
    page.wait_for_url("**/-/agency/**")
    _fits(page, "agency page")
    assert page.locator("h1").first.inner_text().startswith("淮安市人民政府")
    feeds = page.locator("link[rel=alternate][type='application/atom+xml']")
    feed = next(
        h for h in (feeds.nth(i).get_attribute("href") for i in range(feeds.count())) if "agency" in h
    )
    _shot(page, artifacts, "08-agency", name)

    page.locator("a", has_text=f"报告 #{ids[HUAIAN.file]}").first.click()
    page.wait_for_url(f"**/reports/{ids[HUAIAN.file]}")
    assert page.locator("article.nb-report h1").inner_text() == HUAIAN.title

    response = page.request.get(feed if feed.startswith("http") else real_served.base + feed)
    assert response.ok
    atom = etree.fromstring(response.body())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = atom.xpath("//a:entry/a:title/text()", namespaces=ns)
    assert titles == ["淮安市人民政府 2024 年度报告"], titles  # this agency's report, and only its
