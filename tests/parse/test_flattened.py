"""Text copies whose table cells ran together: cells cut by the form's arithmetic, never a wrong number."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from crawler.contract import TABLE3_ROW_LABELS
from crawler.parse import parse_bytes, parse_file
from crawler.parse.evaluate import Recovery, flattened_cases, recovery
from crawler.parse.flat import read_flattened
from crawler.parse.readings import Budget, Row, TooMany, row_readings, solve

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
CASES = flattened_cases(REPORTS)


@pytest.mark.parametrize(("text", "truth"), CASES, ids=[t.stem for t, _ in CASES])
def test_flattened_real_report_has_no_wrong_number(text: Path, truth: Path) -> None:
    report = parse_file(text)
    rec = recovery(json.loads(truth.read_text(encoding="utf-8")), report.to_contract())
    assert not rec.wrong and not rec.extra
    if rec.empty:  # honest partial: every empty cell's row is named in the errors
        assert report.parse_status == "partial"
        for where in rec.empty:
            table, row, _ = where.split(".")
            assert any(row in e or f"{table} " in e or f"{table}:" in e for e in report.errors), where
    else:
        assert report.parse_status == "ok", report.errors


def test_most_cells_are_recovered_where_no_cell_was_blank() -> None:
    """A blank cell leaves no trace once cells run together, so only sources without blank cells are held to a
    recovery rate; every case is held to no wrong number (above)."""
    total = Recovery()
    for text, truth in CASES:
        source = REPORTS / f"{text.name.split('-flat-')[0].removesuffix('-pagetxt.txt')}.expected.json"
        if json.loads(source.read_text(encoding="utf-8")).get("blank_cells"):
            continue
        total.add(recovery(json.loads(truth.read_text(encoding="utf-8")), parse_file(text).to_contract()))
    assert len(CASES) >= 16 and total.total >= 2000
    assert total.right / total.total >= 0.95


def test_zeros_and_leading_zeros_fix_the_cut() -> None:
    assert row_readings(["007"], 3, [], Budget(100)) == [("0", "0", "7")]
    # the '200 000121': the only cut whose six cells add up to the seventh
    assert row_readings(["200", "000121"], 7, [(0, 6)], Budget(1000)) == [
        ("20", "0", "0", "0", "0", "1", "21")
    ]
    assert sorted(row_readings(["1012"], 3, [], Budget(100))) == [("1", "0", "12"), ("10", "1", "2")]
    # the row total decides: 1 10 … 11 and 11 0 … 11 both fit; 2 0 0 0 0 0 2 is the only cut of '2000002'
    assert len(row_readings(["110000011"], 7, [(0, 6)], Budget(1000))) == 2
    assert row_readings(["2000002"], 7, [(0, 6)], Budget(1000)) == [("2", "0", "0", "0", "0", "0", "2")]


def test_next_label_number_is_taken_off_the_last_cell() -> None:
    text = (
        "申请人情况自然人商业企业科研机构社会公益组织法律服务机构其他总计"
        "（四）无法提供1.本机关不掌握相关政府信息70000072.没有现成信息需要另行制作0000000"
    )
    flat = read_flattened(text)
    got = {(c.row_code, c.col_code): c.value for c in flat.cells}
    assert got[("unable_not_held", "natural_person")] == 7 and got[("unable_not_held", "total")] == 7
    assert got[("unable_requires_creation", "total")] == 0


def test_arithmetic_across_rows_picks_the_single_reading() -> None:
    rows = [
        Row("a", [("1", "10"), ("11", "0")]),  # ambiguous alone
        Row("b", [("2", "0")]),
        Row("t", [("3", "10")]),
    ]
    sols = solve(rows, [([("a", 1), ("b", 1)], [("t", 1)])], 2, Budget(1000))
    assert [s["a"] for s in sols] == [("1", "10")]


def test_competing_readings_leave_cells_empty_and_are_named() -> None:
    text = "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章1012行政规范性文件007"
    flat = read_flattened(text)
    got = {(c.row_code, c.col_code): c.value for c in flat.cells}
    assert got == {("normative_documents", "issued"): 0, ("normative_documents", "repealed"): 0,
                   ("normative_documents", "in_force"): 7}  # fmt: skip
    assert any("1 0 12" in w and "10 1 2" in w for w in flat.warnings)
    assert any("table2.regulations" in e for e in flat.errors)


def test_pathological_digit_runs_are_bounded() -> None:
    rnd = random.Random(7)
    with pytest.raises(TooMany):
        row_readings(["".join(rnd.choice("123456789") for _ in range(24))], 7, [(0, 6)], Budget(500))
    for n in (20, 60, 3000):
        rows = "".join(
            item + "".join(rnd.choice("123456789") for _ in range(n))
            for _, item in TABLE3_ROW_LABELS.values()
        )
        report = parse_bytes(
            ("申请人情况自然人商业企业科研机构社会公益组织法律服务机构其他总计" + rows).encode(),
            filename="x.txt",
        )
        assert report.parse_status == "failed" and not report.cells
        assert any("too many possible readings" in e or "no reading" in e for e in report.errors)


def test_typo_label_in_flattened_text_follows_the_same_rules() -> None:
    page = (REPORTS / "pingtan-2021-pagetxt.txt").read_text(encoding="utf-8")
    typo = page.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开", 1)
    flat = read_flattened(typo)
    assert any("其他法律行政止公开" in w and "(三)2" in w for w in flat.warnings)
    assert {c.col_code for c in flat.cells if c.row_code == "denied_prohibited_by_law"} == {
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total",
    }  # fmt: skip
    # the typo'd row printed where (三)1 is, with the real (三)2 still there: the keyword row wins
    clash = page.replace("1.属于国家秘密", "2.其他法律行政止公开", 1)
    flat = read_flattened(clash)
    assert any("row skipped" in e for e in flat.errors)
    assert not any(c.row_code == "denied_prohibited_by_law" and c.src_row == 0 for c in flat.cells)
    assert "denied_state_secret" not in {c.row_code for c in flat.cells}
