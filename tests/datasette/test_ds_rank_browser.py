"""Real headless Chromium, desktop and a 390 px phone: search → filter → rank → agency page (issue 12 item 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(params=sorted(SIZES))
def sized(request, browser) -> Iterator[tuple[str, object]]:
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield request.param, context.new_page()
    context.close()


def _fits(page) -> None:
    """Nothing makes the page itself scroll sideways (wide tables scroll inside their own box)."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_search_filter_rank_agency(rank_served, sized, artifacts: Path) -> None:
    size, page = sized
    page.goto(rank_served.url(f"/{rank_served.db}/search", q="复议 败诉"))
    help_ = page.locator("div.nb-search-help")
    assert "同时" in help_.inner_text()
    help_.get_by_role("link", name="复议").click()
    assert page.locator("td.col-excerpt mark").first.inner_text() == "复议"
    page.screenshot(path=str(artifacts / f"30-search-{size}.png"), full_page=True)

    page.locator("details.nav-menu summary").click()
    page.get_by_role("link", name="机关排名 / Agency rankings").click()
    page.select_option("select[name=year]", "2023")
    page.fill("input[name=region]", "鹿城")
    page.locator("form.nb-rank-filters input[type=submit]").click()
    page.wait_for_url("**region=*")
    page.get_by_role("link", name="不予公开率").click()
    page.wait_for_url("**sort=refusal_rate*")
    first = page.locator("table.nb-ranking tbody tr").first
    assert first.locator("th a").inner_text() == "鹿城区教育局"
    assert "49.5%" in first.inner_text()
    _fits(page)
    page.screenshot(path=str(artifacts / f"31-rankings-{size}.png"), full_page=True)

    first.locator("th a").click()
    page.wait_for_url("**/-/agency/**/lucheng/edu")
    assert page.locator("h1").inner_text() == "鹿城区教育局"
    assert page.locator("table.nb-years-table thead th").all_inner_texts()[1:4] == ["2017", "2022", "2023"]
    assert page.locator("#chart-requests svg rect.nb-bar").count() == 2  # 2022 and 2023; 2017 has no tables
    feeds = page.locator("link[rel=alternate][type='application/atom+xml']")
    assert "agency_feed.atom?agency=lucheng%2Fedu" in feeds.first.get_attribute("href")
    _fits(page)
    page.screenshot(path=str(artifacts / f"32-agency-{size}.png"), full_page=True)


def test_deadlines_print_as_a_clean_table(rank_served, browser, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(rank_served.url(f"/{rank_served.db}/deadlines", year="", region="鹿城", agency=""))
        assert page.locator("input[name=region]").is_visible()
        page.emulate_media(media="print")
        assert not page.locator("header").is_visible() and not page.locator("input[name=region]").is_visible()
        assert not page.locator(".nb-year-links").is_visible()
        assert page.locator("p.nb-print-only").inner_text() == "条件：地区 “鹿城”"
        assert page.locator("table.rows-and-columns").is_visible()
        assert "2008年《条例》第三十一条" in page.locator("table.rows-and-columns").inner_text()
        page.pdf(path=str(artifacts / "33-deadlines-print.pdf"))
    finally:
        context.close()
