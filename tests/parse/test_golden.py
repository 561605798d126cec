"""Golden cases: every <case>.<ext> in tests/fixtures/reports parsed and compared with <case>.expected.json."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from crawler.parse.evaluate import case_files, case_kind, compare, evaluate_dir, run_case

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
CASES = case_files(REPORTS)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
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


def test_seed_expected_comes_from_the_seed_text() -> None:
    spec = importlib.util.spec_from_file_location("_seed", REPORTS / "_seed.py")
    assert spec and spec.loader
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    committed = json.loads((REPORTS / "seed-shapotou-2024.expected.json").read_text(encoding="utf-8"))
    assert committed == seed.expected()


def test_compare_counts_extra_cells_and_unlisted_checks() -> None:
    src, exp_path = next((s, e) for s, e in CASES if s.name == "pingtan-2021.html")
    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    del expected["table3"]["granted"]["research"]
    expected["checks"] = [c for c in expected["checks"] if c["rule"] != "table4.block_totals"]
    report, _ = run_case(src, exp_path)
    wrong = [m.where for m in compare(expected, report.to_contract()).wrong]
    assert "table3.granted.research (extra)" in wrong
    assert wrong.count("checks[table4.block_totals] (unlisted)") == 3  # one per block


def test_rule_only_item_covers_the_rest_of_its_rule() -> None:
    actual = {
        "checks": [{"rule": "r", "ok": False, "detail": "a: 1 ≠ 2"}, {"rule": "r", "ok": True, "detail": "b"}]
    }
    expected = {"checks": [{"rule": "r", "ok": False, "detail_prefix": "a:"}, {"rule": "r", "ok": True}]}
    assert not compare(expected, actual).wrong
    assert [m.where for m in compare({"checks": [{"rule": "r", "ok": True}]}, actual).wrong] == ["checks[r]"]


def test_empty_ok_cases_count_empty_cells_apart_and_need_partial() -> None:
    expected = {"_empty_ok": True, "table2": {"fees": {"amount_10k_yuan": 1.5}, "penalty": {"decisions": 3}}}
    cmp = compare(expected, {"parse_status": "partial", "table2": {"penalty": {"decisions": 3}}})
    assert not cmp.wrong and cmp.total["empty"] == 1
    cmp = compare(expected, {"parse_status": "ok", "table2": {"penalty": {"decisions": 4}}})
    assert {m.where for m in cmp.wrong} == {"table2.penalty.decisions", "parse_status (cells left empty)"}


def test_eval_prints_real_and_constructed_apart(tmp_path: Path) -> None:
    for name in ("seed-shapotou-2024", "seed-shapotou-2024-flat-glued", "markdown-2023"):
        for path in REPORTS.glob(f"{name}.*"):
            shutil.copy(path, tmp_path / path.name)
    lines: list[str] = []
    scores = evaluate_dir(tmp_path, verbose=False, echo=lines.append)
    summary = scores.line().splitlines()
    assert [ln.split(":")[0] for ln in summary] == [
        "eval real documents", "eval real documents, cells run together", "eval constructed", "eval all",
    ]  # fmt: skip
    assert {k: s.cases for k, s in scores.by_kind.items()} == {
        "real": 1,
        "real-flattened": 1,
        "constructed": 1,
    }


def test_real_cases_at_least_equal_constructed_ones() -> None:
    kinds = [case_kind(json.loads(exp.read_text(encoding="utf-8"))) for _, exp in CASES]
    assert kinds.count("constructed") == 28
    assert kinds.count("real") >= 19 and kinds.count("real-flattened") >= 14
    assert kinds.count("real") + kinds.count("real-flattened") >= kinds.count("constructed")
