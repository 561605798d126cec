"""Real headless Chromium: the reports table starts on the first screen; tables sit between their sections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"]


def test_reports_table_starts_on_the_first_screen(served, page, artifacts: Path) -> None:
    page.goto(served.url(f"/{served.db}/reports"))
    notes = page.locator("details.nb-column-descriptions")
    assert notes.count() == 1
    assert not page.locator("dl.column-descriptions dd").first.is_visible()
    assert _top(page, "input[name=_search]") < 450  # the search box and filters, not 28 column notes
    assert _top(page, "table.rows-and-columns") < 1800
    page.screenshot(path=str(artifacts / "10-reports-table.png"))
    page.locator("details.nb-column-descriptions summary").click()
    assert page.locator("dl.column-descriptions dd").first.is_visible()
    assert "本年新收政府信息公开申请数量" in page.locator("details.nb-column-descriptions").inner_text()


def test_report_tables_between_their_section_headings(served, page, artifacts: Path) -> None:
    page.goto(served.url(f"/{served.db}/reports/101"))
    heads = {n: _top(page, f"#section-{n} h3") for n in range(1, 7)}
    assert heads[2] < _top(page, "table.nb-table2") < heads[3]
    assert heads[3] < _top(page, "table.nb-table3") < heads[4]
    assert heads[4] < _top(page, "table.nb-table4") < heads[5]
    table3 = page.locator("table.nb-table3").bounding_box()
    assert table3["x"] + table3["width"] <= 1300  # long row labels wrap: the 总计 column stays on screen
    failed = page.locator("td.nb-failed").first
    assert failed.is_visible() and heads[3] < failed.bounding_box()["y"] < heads[4]
    page.screenshot(path=str(artifacts / "11-report-sections.png"), full_page=True)


def test_charts_page_draws_without_parameters(served, page, artifacts: Path) -> None:
    page.goto(served.url(f"/-/charts/{served.db}"))
    assert page.locator("#agency-chart svg rect.nb-bar").count() == 2
    assert page.locator("#refusal-chart svg rect.nb-bar").count() == 11
    assert _top(page, "#refusal-chart svg") < 900
    page.screenshot(path=str(artifacts / "12-charts-default.png"), full_page=True)
