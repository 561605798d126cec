"""PDF reports via pypdfium2: page text lines as rows, scanned pages OCR'd, ruled tables when lines miss cells."""

from __future__ import annotations

import io
import re
import time

from crawler.parse import limits
from crawler.parse.extracted import Extracted, title_from_lines
from crawler.parse.ocr_source import ocr_images
from crawler.parse.pdf_ruled import PAGE_NO, is_debris, read_ruled
from crawler.parse.rows import SrcRow
from crawler.parse.sections import KNOWN
from crawler.parse.tables import LAYOUT_ASSUMED, TableReader
from crawler.parse.text_source import split_line

FEWEST_COMPLETE = 10 + 23 * 7 + 15  # cells of the smallest complete report (2021 table 2, one 其他处理 row)
_MIN_TEXT_CHARS = 30  # fewer printable characters in the whole document: no text layer (a scan)
_BLANK_PAGE_CHARS = 10  # a page with fewer characters and an image is a scanned page
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


def _has_image(page: object) -> bool:
    import pypdfium2.raw as pdfium_c

    images = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)  # type: ignore[attr-defined]
    return next(iter(images), None) is not None


def _render(page: object) -> bytes:
    """A scanned page as a PNG at OCR_DPI (less when the page is huge)."""
    width, height = page.get_size()  # type: ignore[attr-defined]
    scale = limits.OCR_DPI / 72
    scale = min(scale, (limits.OCR_MAX_PIXELS / max(width * height, 1.0)) ** 0.5 * 0.99)
    out = io.BytesIO()
    page.render(scale=scale).to_pil().save(out, format="PNG")  # type: ignore[attr-defined]
    return out.getvalue()


def _add_text(ex: Extracted, text: str, page_no: int) -> None:
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip() and not PAGE_NO.match(line) and len(ex.lines) < limits.MAX_TOTAL_ROWS:
            row = split_line(line.strip(), len(ex.lines), 0, page_no)
            ex.lines.append(line.strip())
            if row is not None:
                ex.rows.append(row)


def read_pdf(data: bytes) -> Extracted:
    """Text lines and rows of the first MAX_PDF_PAGES pages.

    pypdfium2 reads each page's text layer in reading order; every line is a candidate row, as in a text
    report. When those rows do not give complete tables (cells wrapped over several lines, columns that the
    text order interleaves), the ruled-table reader (pdfplumber) reads the document instead. Pages with no
    text layer but an image (scans) are OCR'd; if OCR reads nothing either, the PDF needs_ocr.
    """
    doc, problem = _open(data)
    if doc is None:
        return Extracted(source_format="pdf", fatal=problem)
    ex = Extracted(source_format="pdf", pdf_title_join=True)
    pages: list[tuple[int, str | bytes]] = []  # (page number, its text, or the PNG of a scanned page)
    try:
        n_pages = len(doc)  # type: ignore[arg-type]
        if n_pages > limits.MAX_PDF_PAGES:
            ex.errors.append(f"PDF has {n_pages} pages; only the first {limits.MAX_PDF_PAGES} read")
        scans = 0
        for index in range(min(n_pages, limits.MAX_PDF_PAGES)):
            page = doc[index]  # type: ignore[index]
            try:
                text = page.get_textpage().get_text_range()
                if len(re.sub(r"\s", "", text)) < _BLANK_PAGE_CHARS and _has_image(page):
                    scans += 1
                    if scans > limits.OCR_MAX_PAGES:
                        ex.errors.append(f"OCR stopped after {limits.OCR_MAX_PAGES} scanned pages")
                        break
                    pages.append((index + 1, _render(page)))
                    continue
            except Exception as exc:  # noqa: BLE001 — pdfium raises on broken page streams
                ex.errors.append(f"page {index + 1} unreadable: {type(exc).__name__}")
                continue
            pages.append((index + 1, text))
        title = doc.get_metadata_value("Title")  # type: ignore[attr-defined]
    finally:
        doc.close()  # type: ignore[attr-defined]
    deadline = time.monotonic() + limits.OCR_DOCUMENT_SECONDS  # one OCR budget for all scanned pages
    for page_no, content in pages:
        if isinstance(content, bytes):
            if not any("OCR stopped" in e for e in ex.errors):
                ocr_images(ex, [(page_no, content)], deadline=deadline)
        else:
            _add_text(ex, content, page_no)
    if len(re.sub(r"\s", "", "".join(ex.lines))) < _MIN_TEXT_CHARS:
        ex.needs_ocr = True
        return ex
    reader = probe_tables(ex.rows)
    layout_guessed = any(LAYOUT_ASSUMED in w for w in reader.warnings)
    if not ex.ocr and (reader.errors or layout_guessed or len(reader.cells) < FEWEST_COMPLETE):
        # Lines missed cells, or table 2's header wrapped over several lines so its layout (2019 or 2021
        # codes) had to be assumed: the ruled reader reads the cells' boxes. It wins when the lines were
        # incomplete, or when it had to assume less. (A table 3/4 header read in part is checked against the
        # standard column order by the reader itself, so it alone does not cost a second reading.)
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
    ex.table_lines = table_lines(ex.lines, reader)
    title_from_lines(ex)
    if title and re.search(r"\d{4}", title):
        ex.title_candidates.append(title)
    return ex
