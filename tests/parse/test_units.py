"""Unit tests of the small pieces: numbers, labels, sections, checks, metadata, decoding."""

from __future__ import annotations

import pytest

from crawler.contract import TABLE3_COLUMNS
from crawler.parse.checks import table_checks, text_checks
from crawler.parse.labels import norm, t2_row_code, t3_col_code, t3_row_code, t4_col_code
from crawler.parse.metadata import agency_from_title, period_years, pick_date, title_year
from crawler.parse.numbers import parse_value
from crawler.parse.sections import find_sections


@pytest.mark.parametrize(
    ("text", "value", "blank"),
    [
        ("12", 12, False),
        ("１２３", 123, False),
        ("1,234", 1234, False),
        ("１，２３４", 1234, False),
        ("1 234", 1234, False),
        ("\u00a07\u00a0\u00a0", 7, False),
        ("15件", 15, False),
        ("", 0, True),
        ("-", 0, True),
        ("—", 0, True),
        ("/", 0, True),
        ("无", 0, True),
    ],
)
def test_counts(text: str, value: int, blank: bool) -> None:
    parsed = parse_value(text)
    assert (parsed.value, parsed.blank, parsed.error) == (value, blank, None)


@pytest.mark.parametrize("text", ["1,0 0", "-3", "1.5", "abc", "12,34"])
def test_bad_counts_are_errors_not_numbers(text: str) -> None:
    parsed = parse_value(text)
    assert parsed.value is None and parsed.error and repr(text.strip()) in parsed.error


def test_money_change_and_strings() -> None:
    assert parse_value("24252.311082", money=True).value == 24252.311082
    assert parse_value("12.5万元", money=True).value == 12.5
    assert parse_value("-3", signed=True).value == -3
    assert parse_value("75394432.52元", as_string=True).value == "75394432.52元"


@pytest.mark.parametrize(
    ("label", "group", "code"),
    [
        ("（一）予以公开", None, "granted"),
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", None, "partially_granted"),
        ("3.危及“三安全一稳定”", "三", "denied_three_securities"),
        ("2.法律行政法规禁止公开", "三", "denied_prohibited_by_law"),
        ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "六", "other_no_correction"),
        ("3、其他", "六", "other_other"),
        ("3.其他", None, None),
        ("（六）其他处理", None, "other_handling"),
        ("（七）合计", None, "results_total"),
        ("四、结转下年度继续办理", None, "carried_forward"),
    ],
)
def test_table3_rows_by_label(label: str, group: str | None, code: str | None) -> None:
    assert t3_row_code(norm(label), group) == code


def test_columns_and_table2_rows_by_label() -> None:
    assert t3_col_code(norm("法律服务\n机构")) == "legal_service"
    assert t3_col_code(norm("法人或其他组织")) is None
    assert t3_col_code(norm("其他")) == "other_org"
    assert t4_col_code(norm("尚未\n审结")) == "pending"
    assert t4_col_code(norm("其他结\n果")) == "other"
    assert t2_row_code(norm("规范性文件")) == t2_row_code(norm("行政规范性文件")) == "normative_documents"
    assert t2_row_code(norm("全年主动公开规章和行政规范性文件共计若干件")) is None


def test_sections_known_titles_any_numbering_and_merged() -> None:
    lines = [
        "某区2023年政府信息公开工作年度报告",
        "第一部分 总体情况",
        "（一）主动公开政府信息情况。全年公开信息100条。",
        "二、主动公开政府信息情况",
        "第二十条第（一）项\t\t",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况 一是不足。六、其他需要报告的事项 无。",
    ]
    sections = find_sections(lines)
    assert [(s.no, s.title) for s in sections] == [
        (1, "总体情况"),
        (2, "主动公开政府信息情况"),
        (3, "收到和处理政府信息公开申请情况"),
        (4, "政府信息公开行政复议、行政诉讼情况"),
        (5, "存在的主要问题及改进情况"),
        (6, "其他需要报告的事项"),
    ]
    assert sections[0].text.startswith("（一）主动公开") and sections[4].text == "一是不足。"
    assert sections[5].text == "无。"


def test_sections_free_form() -> None:
    lines = [
        "一、概述",
        "正文。",
        "二、主动公开政府信息的情况",
        "x",
        "三、依申请公开情况",
        "y",
        "四、收费情况",
        "z",
    ]
    assert [s.title for s in find_sections(lines)] == [
        "概述",
        "主动公开政府信息的情况",
        "依申请公开情况",
        "收费情况",
    ]


def test_checks_name_the_numbers() -> None:
    row = dict.fromkeys(TABLE3_COLUMNS, 0)
    t3 = {
        r: dict(row) for r in ("new_received", "carried_over", "results_total", "carried_forward", "granted")
    }
    t3["new_received"].update(natural_person=5, total=5)
    t3["results_total"].update(natural_person=4, total=4)
    t3["granted"].update(natural_person=4, total=4)
    checks = table_checks(t3, {"review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 2}})
    bad = {(c.rule, c.detail) for c in checks if not c.ok}
    assert ("table3.balance", "total: 5 + 0 ≠ 4 + 0") in bad
    assert ("table3.balance", "natural_person: 5 + 0 ≠ 4 + 0") in bad
    assert ("table4.block_totals", "review: 1 + 0 + 0 + 0 ≠ 2") in bad
    assert all(c.ok for c in checks if c.rule == "table3.row_totals")


def test_text_checks() -> None:
    t3 = {"new_received": {"total": 3}, "carried_over": {"total": 0}}
    none = text_checks("本年度未收到政府信息公开申请。", t3, 2023, (2023, 2023))
    assert [(c.rule, c.ok) for c in none] == [("text.applications", False), ("meta.period_year", True)]
    some = text_checks("本年度共收到3件申请。", t3, 2023, (2022, 2022))
    assert [(c.rule, c.ok) for c in some] == [("text.applications", True), ("meta.period_year", False)]


def test_metadata() -> None:
    assert agency_from_title("淮安市人民政府2024年政府信息公开工作年度报告") == "淮安市人民政府"
    assert agency_from_title("2023年度某某区财政局政府信息公开工作年度报告") == "某某区财政局"
    assert title_year("平潭综合实验区2019年度政府信息公开工作年度报告") == 2019
    assert title_year("某县二〇二三年度政府信息公开工作年度报告") == 2023
    assert agency_from_title("某县二〇二三年度政府信息公开工作年度报告") == "某县"
    assert period_years("本年度报告中所列数据统计期限从2019年1月1日到12月31日止。") == (2019, 2019)
    assert pick_date(["2022-02-08 16:34"], "", [], None) == "2022-02-08"
    assert pick_date([], "信息来源：x 发布日期：2024-1-5 浏览", [], None) == "2024-01-05"
    assert pick_date([], "", ["某局", "2025年1月20日"], None) == "2025-01-20"


def test_text_checks_ignore_appeals() -> None:
    t3 = {"new_received": {"total": 3}, "carried_over": {"total": 0}}
    text = "本年度未收到因政府信息公开申请提起的行政复议。全年收到行政复议申请2件。"
    assert text_checks(text, t3, None, None) == []


def test_gkmlpt_api_json() -> None:
    import json

    from crawler.parse import parse_bytes

    body = "<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p><p>见下表。</p>"
    api = {"data": {"title": "某局2023年政府信息公开工作年度报告", "date": 1705887000, "content": body}}
    report = parse_bytes(json.dumps(api, ensure_ascii=False).encode(), content_type="application/json")
    assert (report.title, report.year, report.publish_date) == (
        "某局2023年政府信息公开工作年度报告",
        2023,
        "2024-01-22",
    )
    assert [s.title for s in report.sections] == ["总体情况", "主动公开政府信息情况"]


def test_text_says_some_table_says_none() -> None:
    t3 = {"new_received": {"total": 0}, "carried_over": {"total": 0}}
    (check,) = text_checks("全年共受理政府信息公开申请5件。", t3, None, None)
    assert (check.rule, check.ok) == ("text.applications", False)
    assert "5" in check.detail and "table3.new_received.total = 0" in check.detail
