"""Real headless Chromium: search → facet → report → archived capture → CSV, and archived script never runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from ds_fixture_db import MALICIOUS_HTML

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def _not_pwned(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("typeof parent.__pwned") == "undefined"
    assert "PWNED" not in page.title()


def test_search_facet_report_capture_csv(served, page, artifacts: Path) -> None:
    page.goto(served.url(f"/{served.db}/reports"))
    page.fill("input[name=_search]", "行政复议")
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=*")
    ids = page.locator("table.rows-and-columns td.col-id a").all_inner_texts()
    assert sorted(ids) == ["101", "102"]
    page.screenshot(path=str(artifacts / "01-search.png"), full_page=True)

    page.locator("#facet-year a", has_text="2023").click()
    page.wait_for_url("**year=2023*")
    assert page.locator("table.rows-and-columns td.col-id a").all_inner_texts() == ["101"]
    page.screenshot(path=str(artifacts / "02-facet.png"), full_page=True)

    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.locator("table.rows-and-columns td.col-id a", has_text="101").click()
    page.wait_for_url("**/reports/101")
    assert not [m for m in console if "Content Security Policy" in m]  # the report page's CSP breaks nothing
    assert (
        page.locator("article.nb-report h1").inner_text() == "沙坡头区人民政府2023年政府信息公开工作年度报告"
    )
    assert page.locator("td.nb-failed").count() == 4
    page.screenshot(path=str(artifacts / "03-report.png"), full_page=True)

    page.locator("a.nb-archived").click()
    page.wait_for_url("**/-/capture/*/101")
    assert "行政复议3件" in page.locator(".nb-archived-body").inner_text()
    page.screenshot(path=str(artifacts / "04-capture.png"), full_page=True)

    page.go_back()
    with page.expect_download() as info:
        page.locator("a.nb-csv").click()
    target = artifacts / "report-101-tables.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))  # BOM: Excel reads UTF-8
    assert len(rows) == 198 and {r["报告"] for r in rows} == {"101"}


def test_charts_page(served, page, artifacts: Path) -> None:
    page.goto(
        served.url(f"/-/charts/{served.db}", agency="shapotou/gov", region="宁夏回族自治区", year="2023")
    )
    assert page.locator("#agency-chart rect.nb-bar").count() == 2
    assert page.locator("#refusal-chart rect.nb-bar").count() == 11
    page.screenshot(path=str(artifacts / "05-charts.png"), full_page=True)


def test_detector_catches_the_malicious_page_when_it_is_not_sanitized(page) -> None:
    # Negative control: the same HTML loaded raw does run, so the checks below can fail.
    page.set_content(MALICIOUS_HTML)
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is not None


@pytest.mark.parametrize(
    "path",
    ["/-/capture/{db}/103", "/-/capture/{db}/103?view=source", "/{db}/reports/103", "/{db}/captures/103"],
)
def test_archived_script_never_runs(served, page, artifacts: Path, path: str) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    page.goto(served.base + path.format(db=served.db))
    page.wait_for_timeout(300)
    _not_pwned(page)
    links = page.locator("a", has_text="点击查看")
    if links.count():
        assert links.first.get_attribute("href") in (None, "")
        links.first.click()
        page.wait_for_timeout(200)
        _not_pwned(page)
    name = path.split("?")[0].strip("/").replace("/", "_").replace("{db}", "db")
    page.screenshot(path=str(artifacts / f"malicious-{name}{'-source' if 'source' in path else ''}.png"))
