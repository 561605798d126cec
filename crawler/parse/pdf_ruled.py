"""PDF tables by their ruling (pdfplumber): the fallback when the text-line reading misses cells."""

from __future__ import annotations

import io
import logging
import re
import time

from crawler.parse import limits
from crawler.parse.extracted import Extracted, title_from_lines
from crawler.parse.labels import is_report_table
from crawler.parse.numbers import is_value_text, squeeze
from crawler.parse.rows import SrcCell, SrcRow
from crawler.parse.text_source import split_line

PAGE_NO = re.compile(
    r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,3})\s*$"
)


def is_debris(line: str) -> bool:
    """Bits of a table that pdfplumber did not see as one: vertical labels, rows of single characters."""
    tokens = line.split()
    if len(tokens) == 1 and len(tokens[0]) == 1 and tokens[0] not in "。，；）)”":
        return True
    return len(tokens) >= 3 and sum(len(t) == 1 or is_value_text(t) for t in tokens) >= 0.8 * len(tokens)


def read_ruled(data: bytes) -> Extracted:
    """Text lines and ruled table rows of the first MAX_PDF_PAGES pages; needs_ocr when there is no text layer."""
    ex = Extracted(source_format="pdf", pdf_title_join=True)
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - dependency missing
        ex.fatal = f"pdfplumber not available: {exc}"
        return ex
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    started = time.monotonic()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        ex.fatal = f"PDF is encrypted ({type(exc).__name__})"
        return ex
    except Exception as exc:  # noqa: BLE001 — pdfminer raises many kinds on broken files
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
            ex.fatal = f"PDF is encrypted ({type(inner).__name__}); cannot read without the password"
        else:
            ex.fatal = f"cannot read PDF: {type(inner).__name__}: {str(inner)[:160]}"
        return ex
    with pdf:
        try:
            pages = pdf.pages
            n_pages = len(pages)
        except Exception as exc:  # noqa: BLE001
            msg = str(exc)[:160]
            kind = (
                "PDF is encrypted"
                if "password" in msg.lower() or "encrypt" in msg.lower()
                else "cannot read PDF"
            )
            ex.fatal = f"{kind}: {type(exc).__name__}: {msg}"
            return ex
        if n_pages > limits.MAX_PDF_PAGES:
            ex.errors.append(f"PDF has {n_pages} pages; only the first {limits.MAX_PDF_PAGES} read")
            pages = pages[: limits.MAX_PDF_PAGES]
        text_chars = 0
        images = 0
        table_no = 0
        page_lines: list[tuple[int, str]] = []  # every text line (the fallback table rows)
        prose_lines: list[str] = []  # text outside the report tables (sections)
        for page_no, page in enumerate(pages, start=1):
            if time.monotonic() - started > limits.PARSE_DEADLINE_SECONDS:
                ex.errors.append(f"PDF reading stopped at page {page_no} (time limit)")
                break
            try:
                text = page.extract_text() or ""
                images += len(page.images)
                found = page.find_tables() if text.strip() else []
                tables = [t.extract() for t in found]
                prose_page = page
                for t, rows in zip(found, tables, strict=True):
                    cells_text = "".join(c or "" for row in rows for c in row)
                    if is_report_table(squeeze(cells_text), columns=max((len(r) for r in rows), default=0)):
                        prose_page = prose_page.outside_bbox(t.bbox, strict=False)
                prose = prose_page.extract_text() if prose_page is not page else text
            except Exception as exc:  # noqa: BLE001
                ex.errors.append(f"page {page_no} unreadable: {type(exc).__name__}")
                continue
            text_chars += len(re.sub(r"\s", "", text))
            for line in text.split("\n"):
                if line.strip() and not PAGE_NO.match(line):
                    page_lines.append((page_no, line.strip()))
            for line in (prose or "").split("\n"):
                if line.strip() and not PAGE_NO.match(line) and not is_debris(line):
                    prose_lines.append(line.strip())
            for table in tables:
                for r, row in enumerate(table[: limits.MAX_TABLE_ROWS]):
                    cells = [SrcCell(c, i) for i, c in enumerate(row)]
                    ex.rows.append(SrcRow(cells, table=table_no, row=r, page=page_no))
                table_no += 1
            if hasattr(page, "flush_cache"):
                page.flush_cache()
        try:
            info_title = (pdf.metadata or {}).get("Title")
        except Exception:  # noqa: BLE001
            info_title = None
    if text_chars < 30:
        ex.needs_ocr = True
        return ex
    ex.lines = prose_lines[: limits.MAX_LINES]
    ex.alt_rows = [
        row
        for i, (p, ln) in enumerate(page_lines[: limits.MAX_TOTAL_ROWS])
        if (row := split_line(ln, i, 0, p))
    ]
    title_from_lines(ex)
    if isinstance(info_title, str) and re.search(r"\d{4}", info_title):
        ex.title_candidates.append(info_title)
    return ex
