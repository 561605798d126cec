"""Golden cases: every <case>.<ext> in tests/fixtures/reports parsed and compared with <case>.expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.parse.evaluate import case_files, compare, run_case

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
CASES = case_files(REPORTS)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    exts = {src.suffix for src, _ in CASES}
    assert {".txt", ".html", ".htm", ".pdf", ".docx", ".doc", ".md"} <= exts


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[src.name for src, _ in CASES])
def test_golden_case(source: Path, expected: Path) -> None:
    report, cmp = run_case(source, expected)
    wrong = "\n".join(m.line() for m in cmp.wrong[:40])
    assert not cmp.wrong, (
        f"{source.name}: {len(cmp.wrong)} wrong (parse_status {report.parse_status})\n{wrong}"
    )


def test_seed_expected_carries_every_number() -> None:
    exp = json.loads((REPORTS / "seed-shapotou-2024.expected.json").read_text(encoding="utf-8"))
    assert len(exp["table3"]) == 25 and all(len(cols) == 7 for cols in exp["table3"].values())
    assert sum(len(cols) for cols in exp["table4"].values()) == 15
    assert sum(len(cols) for cols in exp["table2"].values()) == 10
    assert [s["title"] for s in exp["sections"]][0] == "总体情况" and len(exp["sections"]) == 6


def test_compare_detects_a_wrong_number() -> None:
    src, exp_path = next((s, e) for s, e in CASES if s.name == "pingtan-2021.html")
    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    expected["table3"]["granted"]["natural_person"] += 1
    report, _ = run_case(src, exp_path)
    cmp = compare(expected, report.to_contract())
    assert [m.where for m in cmp.wrong] == ["table3.granted.natural_person"]


def test_every_cell_has_provenance() -> None:
    for name in (
        "pingtan-2019.html",
        "huaian-szf-2024.pdf",
        "docx-merged-2023.docx",
        "seed-shapotou-2024.txt",
    ):
        src, exp = next((s, e) for s, e in CASES if s.name == name)
        report, _ = run_case(src, exp)
        assert report.cells
        for cell in report.cells:
            assert cell.src_table is not None and cell.src_row is not None and cell.src_col is not None
            assert cell.value_text != "" or cell.blank
            if name.endswith(".pdf"):
                assert cell.src_page in range(1, 7)
