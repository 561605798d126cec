""".doc reports whose tables merge cells vertically, made at test time by LibreOffice from the real 平潭 2021
page (its rowspans become merged Word cells): read through LibreOffice → DOCX, antiword as the fallback."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from crawler.parse import limits
from crawler.parse.doc_source import read_antiword, read_doc, to_docx
from crawler.parse.document import interpret

pytestmark = pytest.mark.slow
REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


@pytest.fixture(scope="module")
def pingtan_doc(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    work = tmp_path_factory.mktemp("doc")
    src = work / "pingtan-2021.html"
    src.write_bytes((REPORTS / "pingtan-2021.html").read_bytes())
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
         "doc:MS Word 97", "--outdir", str(work), str(src)],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    data = (work / "pingtan-2021.doc").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    return data


def _cells(report) -> dict:
    return {t: report.table(t) for t in ("table2", "table3", "table4")}


def test_merged_cells_survive(pingtan_doc: bytes) -> None:
    expected = json.loads((REPORTS / "pingtan-2021.expected.json").read_text(encoding="utf-8"))
    report = interpret(read_doc(pingtan_doc), None)
    assert report.source_format == "doc" and report.parse_status == "ok", report.errors
    assert _cells(report) == {t: expected[t] for t in ("table2", "table3", "table4")}
    antiword = interpret(read_antiword(pingtan_doc), None)  # why LibreOffice: antiword loses the tables
    assert len(antiword.cells) < len(report.cells) and antiword.parse_status == "partial"


def test_parallel_conversions_do_not_collide(pingtan_doc: bytes) -> None:
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(to_docx, [pingtan_doc, pingtan_doc]))
    assert all(docx is not None and docx.startswith(b"PK") for docx, _ in results), results


def test_timeout_falls_back_to_antiword(pingtan_doc: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SOFFICE_TIMEOUT", 0.01)
    ex = read_doc(pingtan_doc)
    assert ex.fatal is None
    assert any("LibreOffice took longer than 0.01 s; read with antiword instead" in e for e in ex.errors)
