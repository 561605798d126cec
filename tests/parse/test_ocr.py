"""OCR of scanned PDFs and table images, on scans made at test time from the real 淮安 2024 report.

Expected values: shared/corpus huaian-szf-2024.expected.json (read by hand from the PDF). The OCR model is
loaded once (one worker process for the module); four page images are recognised in all.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ocr_scans import HUAIAN, REPORTS, cells_against, scanned_pdf, table_image

from crawler.parse import limits, parse_bytes
from crawler.parse.document import interpret
from crawler.parse.extracted import Extracted
from crawler.parse.ocr import OcrError, Worker, recognise
from crawler.parse.pdf_source import read_pdf

pytestmark = pytest.mark.slow
EXPECTED = json.loads((REPORTS / "huaian-szf-2024.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scan() -> Extracted:
    """Pages 3–5 (tables 2, 3 and 4) scanned: skewed, noised, JPEG, a red seal over table 3's labels.
    (The document's OCR budget is raised: this is about reading, and a shared machine may be slow.)"""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "OCR_DOCUMENT_SECONDS", 900.0)
        return read_pdf(scanned_pdf(HUAIAN, [2, 3, 4], seal_x=0.3))


def test_scan_has_no_text_layer_and_is_ocrd(scan: Extracted) -> None:
    assert scan.ocr and not scan.needs_ocr
    assert any("予以公开" in line for line in scan.lines)


def test_scanned_tables_read_with_no_wrong_number(scan: Extracted) -> None:
    report = interpret(copy.deepcopy(scan), None)
    contract = report.to_contract()
    right, wrong = cells_against(EXPECTED, contract)
    assert wrong == [], f"wrong numbers from OCR: {wrong}"
    assert right >= 170, f"only {right} of 200 cells read ({report.errors})"
    assert set(contract["ocr_confidence"]) == {c.address for c in report.cells}
    assert all(0 < c.confidence <= 1 for c in report.cells if c.confidence is not None)
    failed = [c for c in report.checks if not c.ok]
    if report.parse_status == "ok":
        assert not failed and right == 200
    else:
        assert report.parse_status == "partial" and report.errors


def test_misread_low_confidence_cell_is_left_out(scan: Extracted) -> None:
    """Constructed misread on the real OCR output: '3001' recognised as '3007' with confidence 0.41."""
    ex = copy.deepcopy(scan)
    row = next(r for r in ex.rows if any((c.text or "").strip() == "3001" for c in r.cells))
    cell = next(c for c in row.cells if (c.text or "").strip() == "3001")
    cell.text = "3007"
    ex.confidence[(row.page, row.row, cell.col)] = 0.41
    report = interpret(ex, None)
    addresses = {c.address for c in report.cells}
    assert "table3.new_received.natural_person" not in addresses
    assert report.parse_status == "partial"
    assert any(
        "left out" in e and "table3.new_received.natural_person '3007' (0.41)" in e for e in report.errors
    )
    assert cells_against(EXPECTED, report.to_contract())[1] == []


def test_table_image_in_html_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A constructed page (image-tables-2022.html) whose table-3 <img> is a real table: 淮安 page 4's table 3,
    cropped, sealed, skewed and JPEG'd. Its bytes come in through parse_bytes(images=...)."""
    page = (REPORTS / "image-tables-2022.html").read_bytes()
    jpeg = table_image(HUAIAN, 3, top=0.40, bottom=0.95)
    monkeypatch.setattr(limits, "OCR_DOCUMENT_SECONDS", 600.0)
    without = parse_bytes(page, filename="report.html")
    assert without.table_is_image and not without.cells
    report = parse_bytes(page, filename="report.html", images={"/u/cms/3.png": jpeg})
    right, wrong = cells_against(EXPECTED, {"table3": report.to_contract().get("table3")})
    assert wrong == [] and right >= 70, (right, wrong, report.errors)
    assert not report.table_is_image and report.parse_status == "partial"
    section3 = next(s for s in report.sections if s.no == 3)
    assert "予以公开" not in section3.text  # the table's OCR'd text is not prose


def test_page_time_limit_kills_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = Worker()
    try:
        monkeypatch.setattr(limits, "OCR_PAGE_SECONDS", 0.05)
        with pytest.raises(OcrError, match="took longer than"):
            worker.recognise(table_image(HUAIAN, 3, top=0.4, bottom=0.6))
        assert worker._proc is None  # killed; the next page starts a fresh worker
    finally:
        worker.close()


def test_document_ocr_budget_stops_further_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "OCR_DOCUMENT_SECONDS", 0.0)
    report = parse_bytes(scanned_pdf(HUAIAN, [3, 4]), filename="scan.pdf")
    assert report.parse_status == "needs_ocr"
    assert any("OCR stopped at page 1: the document's 0 s of OCR are used up" in e for e in report.errors)


def test_memory_limit_stops_the_worker_not_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "OCR_MEMORY_BYTES", 150 * 1024 * 1024)
    worker = Worker()
    try:
        with pytest.raises(OcrError, match="OCR worker ended"):
            worker.recognise(table_image(HUAIAN, 3, top=0.4, bottom=0.5))
    finally:
        worker.close()


def test_unreadable_image_is_a_recorded_failure() -> None:
    report = parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, filename="scan.png")
    assert report.parse_status == "failed" and "cannot read the image" in report.errors[0]
    with pytest.raises(OcrError):
        recognise(Path(__file__).read_bytes())
