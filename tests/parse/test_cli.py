"""`nianbao parse` and `nianbao eval` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

NIANBAO = Path(sys.executable).with_name("nianbao")
REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def test_parse_prints_contract_json() -> None:
    proc = subprocess.run(
        [str(NIANBAO), "parse", str(REPORTS / "seed-shapotou-2024.txt")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["year"] == 2024 and out["format"] == "2021" and out["table3"]["results_total"]["total"] == 0


def test_parse_scan_without_report_content_exits_1() -> None:
    proc = subprocess.run(
        [str(NIANBAO), "parse", str(REPORTS / "scanned-2023.pdf")], capture_output=True, text=True
    )
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert "failed: no report content found" in proc.stderr  # OCR'd: a title and a list, no report


def test_eval_golden_directory_is_perfect() -> None:
    proc = subprocess.run([str(NIANBAO), "eval", str(REPORTS)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("eval all: ") and "cases perfect" in lines[-1] and "table3" in lines[-1]
    assert any(ln.startswith("eval real documents: ") for ln in lines)
    assert any(ln.startswith("eval constructed: ") for ln in lines)


def test_eval_reports_a_wrong_expectation(tmp_path: Path) -> None:
    for name in ("pingtan-2021.html", "pingtan-2021.expected.json"):
        shutil.copy(REPORTS / name, tmp_path / name)
    exp = json.loads((tmp_path / "pingtan-2021.expected.json").read_text(encoding="utf-8"))
    exp["table4"]["review"]["total"] = 4
    (tmp_path / "pingtan-2021.expected.json").write_text(
        json.dumps(exp, ensure_ascii=False), encoding="utf-8"
    )
    proc = subprocess.run([str(NIANBAO), "eval", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "table4.review.total: expected 4, got 3" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("eval all: 0/1 cases perfect")
