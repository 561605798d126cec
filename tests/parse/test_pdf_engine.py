"""The pypdfium2 line reader gives the same cells as the pdfplumber ruled reader on every golden PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parse.document import interpret
from crawler.parse.pdf_ruled import read_ruled
from crawler.parse.pdf_source import read_pdf

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TEXT_PDFS = ["huaian-szf-2024.pdf", "fpdf-2023.pdf", "fpdf-unruled-2022.pdf"]


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_same_cells_as_ruled_reader(name: str) -> None:
    data = (REPORTS / name).read_bytes()
    lines = interpret(read_pdf(data), None)
    ruled = interpret(read_ruled(data), None)
    assert len(lines.cells) == 200
    assert {c.address: c.value for c in lines.cells} == {c.address: c.value for c in ruled.cells}
    assert lines.parse_status == ruled.parse_status == "ok"


def test_table_lines_stay_out_of_the_prose() -> None:
    report = interpret(read_pdf((REPORTS / "fpdf-unruled-2022.pdf").read_bytes()), None)
    section2 = next(s for s in report.sections if s.no == 2)
    assert section2.text == "本年度主动公开情况如下表。"
