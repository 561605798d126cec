"""PDF reports via pypdfium2: page text lines as rows; ruled tables (pdfplumber) only when lines miss cells."""

from __future__ import annotations

import re

from crawler.parse import limits
from crawler.parse.extracted import Extracted
from crawler.parse.pdf_ruled import PAGE_NO, is_debris, read_ruled
from crawler.parse.rows import SrcRow
from crawler.parse.sections import KNOWN
from crawler.parse.tables import TableReader
from crawler.parse.text_source import split_line

FEWEST_COMPLETE = 10 + 23 * 7 + 15  # cells of the smallest complete report (2021 table 2, one 其他处理 row)
_MIN_TEXT_CHARS = 30  # fewer printable characters in the whole document: no text layer (a scan)
_BLANK_PAGE_CHARS = 10
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]、|第[一二三四五六七八九十]部分)\S{4,}$"
)  # a page with fewer characters and an image is a scanned page


def _open(data: bytes) -> tuple[object | None, str | None]:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data), None
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            return None, f"PDF is encrypted ({message}); cannot read without the password"
        return None, f"cannot read PDF: {message[:160]}"


def probe_tables(rows: list[SrcRow]) -> TableReader:
    """Run the table reader over rows (to judge whether a reading is complete)."""
    reader = TableReader()
    for row in rows:
        reader.feed(row)
    return reader


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) or any(v in line for _, vs in KNOWN for v in vs if len(v) >= 6)


def table_lines(lines: list[str], reader: TableReader) -> set[int]:
    """Indices of lines that print a table: the lines from each table's first to its last cell, and the
    header lines above them up to the nearest section heading or sentence (prose keeps neither)."""
    out: set[int] = {i for i, ln in enumerate(lines) if is_debris(ln)}
    for name in ("table2", "table3", "table4"):
        rows = [c.src_row for c in reader.cells if c.table == name and c.src_row is not None]
        if not rows:
            continue
        first, last = min(rows), max(rows)
        while first > 0 and not _is_heading(lines[first - 1]) and "。" not in lines[first - 1]:
            first -= 1
        out.update(i for i in range(first, last + 1) if not _is_heading(lines[i]))
    return out


def read_pdf(data: bytes) -> Extracted:
    """Text lines and rows of the first MAX_PDF_PAGES pages.

    pypdfium2 reads each page's text layer in reading order; every line is a candidate row, as in a text
    report. When those rows do not give complete tables (cells wrapped over several lines, columns that the
    text order interleaves), the ruled-table reader (pdfplumber) reads the document instead. No text layer:
    needs_ocr.
    """
    doc, problem = _open(data)
    if doc is None:
        return Extracted(source_format="pdf", fatal=problem)
    ex = Extracted(source_format="pdf", pdf_title_join=True)
    try:
        n_pages = len(doc)  # type: ignore[arg-type]
        if n_pages > limits.MAX_PDF_PAGES:
            ex.errors.append(f"PDF has {n_pages} pages; only the first {limits.MAX_PDF_PAGES} read")
        lines: list[tuple[int, str]] = []
        text_chars = 0
        for index in range(min(n_pages, limits.MAX_PDF_PAGES)):
            page = doc[index]  # type: ignore[index]
            try:
                text = page.get_textpage().get_text_range()
            except Exception as exc:  # noqa: BLE001 — pdfium raises on broken page streams
                ex.errors.append(f"page {index + 1} unreadable: {type(exc).__name__}")
                continue
            chars = len(re.sub(r"\s", "", text))
            text_chars += chars
            for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                if line.strip() and not PAGE_NO.match(line):
                    lines.append((index + 1, line.strip()))
        title = doc.get_metadata_value("Title")  # type: ignore[attr-defined]
        if text_chars < _MIN_TEXT_CHARS:
            ex.needs_ocr = True
            return ex
    finally:
        doc.close()  # type: ignore[attr-defined]
    rows = [
        row for i, (p, ln) in enumerate(lines[: limits.MAX_TOTAL_ROWS]) if (row := split_line(ln, i, 0, p))
    ]
    reader = probe_tables(rows)
    if reader.errors or reader.warnings or len(reader.cells) < FEWEST_COMPLETE:
        # Lines missed cells or a header (header cells wrapped over several lines): the ruled reader reads
        # the cells' boxes. It wins when the lines were incomplete, or when it had to assume less.
        ruled = read_ruled(data)
        if ruled.fatal is None and not ruled.needs_ocr:
            if reader.errors or len(reader.cells) < FEWEST_COMPLETE:
                return ruled
            boxed = probe_tables(ruled.rows)
            if (
                not boxed.errors
                and len(boxed.cells) >= len(reader.cells)
                and len(boxed.warnings) < len(reader.warnings)
            ):
                return ruled
    ex.rows = rows
    ex.lines = [ln for _, ln in lines[: limits.MAX_LINES]]
    ex.table_lines = table_lines(ex.lines, reader)
    head: list[str] = []
    for line in ex.lines[:5]:
        head.append(line)
        if "报告" in line or "年报" in line:
            ex.title_candidates.append("".join(re.sub(r"\s+", "", h) for h in head))
            break
    if title and re.search(r"\d{4}", title):
        ex.title_candidates.append(title)
    return ex
