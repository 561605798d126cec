"""Chinese first: no codes or English-only text reach readers (checks, parser notes, facets, errors, tab titles,
phone card labels), and the home page says what the archive holds and how fresh it is."""

from __future__ import annotations

import re
import sqlite3
import sys

import lxml.html
import pytest

from crawler.serve import PLUGINS_DIR

sys.path.insert(0, str(PLUGINS_DIR))
from nianbao_web import notes  # noqa: E402

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"PDF", "HTML", "OCR", "Word"}


def _latin(text: str) -> set[str]:
    return set(LATIN_WORD.findall(text)) - ALLOWED


def _html(served, path: str, **params: str) -> tuple[int, lxml.html.HtmlElement]:
    status, _, body = served.get(path, **params)
    return status, lxml.html.fromstring(body)


def test_every_check_of_real_reports_reads_in_chinese(real_archive) -> None:
    path, _ = real_archive
    with sqlite3.connect(path) as conn:
        checks = conn.execute("select rule, detail from checks").fetchall()
    assert len({rule for rule, _ in checks}) >= 4 and len(checks) > 50
    for rule, detail in checks:
        shown = notes.rule_name(rule) + notes.check_detail(rule, detail)
        assert not _latin(shown), (rule, detail, shown)


@pytest.mark.parametrize(
    "note",
    [  # the parser's messages (crawler/parse), with invented values
        "table2 not found",
        "table3: rows missing: granted, denied_state_secret",
        "table3: incomplete rows: carried_over",
        "table4: cells missing: review.total, litigation_direct.upheld",
        "table is an image: statistics not readable without OCR",
        "table3: column header not fully readable; standard column order assumed",
        "table3.new_received.total: not a number: 'x'",
        "table3.granted.total: printed twice (3.0, '4'); first kept",
        "PDF has 80 pages; only the first 60 read",
        "table 2 has 2500 rows; only the first 2000 read",
        "table3.granted: 5 values where 7 were expected; row skipped",
    ],
)
def test_parser_notes_read_in_chinese(note: str) -> None:
    assert not _latin(notes.parser_note(note)), notes.parser_note(note)


def test_unknown_note_keeps_its_words_behind_a_chinese_label() -> None:
    assert notes.parser_note("something new") == "其他解析说明：something new"


def test_facet_values_and_names_are_chinese(served) -> None:
    _, page = _html(served, f"/{served.db}/statistics", _facet="row_code")
    facet = page.xpath("//div[@data-column='row_code']")[0]
    assert facet.xpath("string(.//p[@class='facet-info-name'])").strip().startswith("行代码")
    values = facet.xpath(".//li/a/text()")
    assert values and not [v for v in values if "_" in v or _latin(v)]
    _, page = _html(served, f"/{served.db}/checks", _facet="rule")
    rules = page.xpath("//div[@data-column='rule']//li/a/text()")
    assert "表三：新收 + 上年结转 = 办理结果总计 + 结转下年" in rules


def test_not_found_is_in_chinese(served) -> None:
    status, page = _html(served, f"/{served.db}/reports/99999")
    text = page.xpath("string(//section[@class='content'])")
    assert status == 404 and "没有这条记录" in text and "Record not found" not in text
    assert page.xpath("string(//title)").startswith("找不到页面")


def test_tab_titles_never_show_sql(served) -> None:
    _, page = _html(served, f"/{served.db}/late_reports")
    title = page.xpath("string(//title)")
    assert "select" not in title.lower() and title.startswith("逾期")


def test_phone_card_labels_are_chinese(served) -> None:
    status, _, body = served.get(f"/{served.db}/reports")
    assert status == 200
    # Datasette's own rules come first; Nianbao's, later in the page, win for every column.
    labels = re.findall(r'td:nth-of-type\((\d+)\):before \{ content: "([^"]*)"; \}', body)
    shown = dict(labels)  # the last rule for each column
    assert "发布机关" in shown.values() and "agency" not in shown.values()


def test_home_page_search_counts_coverage_and_freshness(real_served) -> None:
    _, page = _html(real_served, "/")
    form = page.xpath("//form[contains(@class,'nb-search')]")[0]
    assert form.get("action") == f"/{real_served.db}/search" and form.xpath(".//input[@name='q']")
    counts = page.xpath("string(//ul[@class='nb-counts'])")
    assert re.search(r"2\s*份年度报告", counts) and re.search(r"2\s*个机关", counts)
    assert "2021–2024" in counts and "2025-01-21" in counts
    first = page.xpath("//ul[@class='nb-table-list']/li[1]/a")[0]
    assert first.text == "年度报告" and "/reports" in first.get("href")


def test_report_page_states_the_deadline_and_the_rule_that_applied(real_served, real_archive) -> None:
    path, ids = real_archive
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "select id, deadline, deadline_rule, days_late, published_late from reports"
        ).fetchall()
    assert len(rows) == 2
    for report_id, deadline, rule, days_late, late in rows:
        _, page = _html(real_served, f"/{real_served.db}/reports/{report_id}")
        shown = page.xpath("string(//dd[@class='nb-deadline'])")
        assert deadline in shown and rule in shown
        badge = page.xpath("string(//dl[@class='nb-meta']//span[contains(@class,'nb-badge')])")
        assert badge == (f"逾期发布 {days_late} 天" if late else "按期发布")
        assert "31 January" not in page.xpath("string(//article)")


def test_tables_show_codes_by_their_chinese_names(real_served) -> None:
    """Cells holding codes read in Chinese (the code stays as a tooltip; exports keep it)."""
    _, page = _html(
        real_served, f"/{real_served.db}/statistics", row_code="denied_state_secret", col_code="total"
    )
    row_cell = page.xpath("//td[contains(@class,'col-row_code')]//span")[0]
    assert row_cell.text == "（三）不予公开 1.属于国家秘密"
    assert row_cell.get("title") == "denied_state_secret"
    assert page.xpath("string(//td[contains(@class,'col-col_code')])").strip() == "总计"
    _, page = _html(real_served, f"/{real_served.db}/checks", rule="table3.balance")
    details = [td.text_content().strip() for td in page.xpath("//td[contains(@class,'col-detail')]")]
    assert details and all(not _latin(d) for d in details), details
    assert "总计：新收 3119 + 上年结转 34 = 办理结果总计 3050 + 结转下年 103" in details
