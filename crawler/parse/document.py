"""Entry points: bytes or a file → ParsedReport (sniff the format, read it, interpret tables, check)."""

from __future__ import annotations

import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urljoin

from crawler.contract import (
    OTHER_ROW_SINGLE,
    OTHER_ROWS_2021,
    TABLE2_LAYOUTS,
    TABLE3_COLUMNS,
    TABLE3_ROWS_2019,
    TABLE3_ROWS_2021,
    TABLE4_BLOCKS,
    TABLE4_COLUMNS,
)
from crawler.decoding import decode_bytes, strip_controls
from crawler.parse import embedded, limits
from crawler.parse.checks import format_check, table_checks, text_checks
from crawler.parse.extracted import Extracted
from crawler.parse.flat import FlatTables, cut_lines, read_flattened
from crawler.parse.metadata import agency_from_title, period_years, pick_date, pick_title, title_year
from crawler.parse.model import Cell, Check, ParsedReport, ReportHints, Section
from crawler.parse.ocr_source import ocr_images
from crawler.parse.rows import SrcRow
from crawler.parse.sections import KNOWN, find_sections
from crawler.parse.tables import TableReader

_HTML_SNIFF = re.compile(r"<(?:!doctype|html|head|body|table|p|div|meta|span|br)\b", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MHT = re.compile(rb"^MIME-Version:|Content-Type:\s*multipart/related", re.I | re.M)
_FEWEST_COMPLETE = 10 + 23 * 7 + 15  # cells of the smallest complete report (2021 table 2, one 其他处理 row)
_BINARY = {".pdf": ("pdf", "%PDF"), ".docx": ("docx", "ZIP"), ".doc": ("doc", "OLE")}
_FULL_RESULTS = {len(rows) - 4 + 1 for rows in (TABLE3_ROWS_2019, TABLE3_ROWS_2021)}  # result rows + total
_IMAGE_TABLES = 10_000  # source-table number of rows OCR'd from <img> tables (apart from the HTML's own)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")


def _one_line(message: str) -> str:
    return re.sub(r"\s+", " ", message).strip()


def _failed(source_format: str, message: str, hints: ReportHints | None) -> ParsedReport:
    report = ParsedReport(source_format=source_format, parse_status="failed", errors=[_one_line(message)])
    if hints:
        report.title, report.agency, report.year = hints.title, hints.agency, hints.year
        report.publish_date = hints.publish_date
    return report


def _ocr_table_images(ex: Extracted, images: Mapping[str, bytes], base_url: str | None) -> None:
    """OCR the body's <img> tables whose bytes were handed in (keyed by src as written, or absolute URL)."""
    start = len(ex.lines)
    deadline = time.monotonic() + limits.OCR_DOCUMENT_SECONDS
    tried = 0
    for src in ex.image_srcs:
        url = urljoin(base_url, src) if base_url else src
        data = images.get(src) or images.get(url)
        if not data:
            continue
        if tried >= limits.OCR_MAX_PAGES:
            ex.errors.append(f"OCR stopped after {limits.OCR_MAX_PAGES} images; {src} and later not read")
            break
        tried += 1
        first = len(ex.lines)
        if ocr_images(ex, [(None, data)], table=_IMAGE_TABLES, deadline=deadline):
            ex.image_lines.append((first, len(ex.lines), url))
    ex.table_lines.update(range(start, len(ex.lines)))  # the tables' text is not section prose


def _extract(
    data: bytes,
    filename: str | None,
    content_type: str | None,
    images: Mapping[str, bytes] | None = None,
    base_url: str | None = None,
) -> Extracted:
    ext = Path(filename or "").suffix.lower()
    head = data[:1024]
    if b"%PDF-" in head:
        from crawler.parse.pdf_source import read_pdf

        return read_pdf(data)
    if data.startswith(b"PK\x03\x04"):
        from crawler.parse.docx_source import read_docx

        return read_docx(data)
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        from crawler.parse.ocr_source import read_image

        return read_image(data)
    if data.startswith(_OLE):
        from crawler.parse.doc_source import read_doc

        return read_doc(data)
    if data.lstrip()[:5] == b"{\\rtf":
        return Extracted(source_format="doc", fatal="RTF document (often saved as .doc): not supported")
    if _MHT.search(data[:4096]):
        from crawler.parse.html_source import read_mht

        return read_mht(data)
    decoded = decode_bytes(data, content_type)
    extracted = _extract_text(strip_controls(decoded.text), ext, content_type)
    if decoded.replaced:
        extracted.warnings.append(decoded.problem or f"{decoded.replaced} invalid bytes replaced")
    if extracted.table_is_image and images:
        _ocr_table_images(extracted, images, base_url)
    return extracted


def _extract_text(text: str, ext: str, content_type: str | None) -> Extracted:
    looks_html = bool(_HTML_SNIFF.search(text[:4096]))
    if ext in _BINARY and not looks_html:
        kind, magic = _BINARY[ext]
        return Extracted(
            source_format=kind, fatal=f"not a {kind.upper()} file (no {magic} header; truncated or corrupt)"
        )
    is_html = ext in (".htm", ".html", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php") or (
        ext not in (".txt", ".md") and looks_html
    )
    if content_type and "html" in content_type.lower():
        is_html = True
    if text.lstrip().startswith("{"):
        article = embedded.from_json(text)
        if article is not None:
            from crawler.parse.html_source import read_html

            ex = read_html(article[0])
            ex.date_candidates += [d for d in (article[2],) if d]
            return ex
    if is_html:
        from crawler.parse.html_source import read_html

        return read_html(text)
    from crawler.parse.text_source import read_text

    return read_text(text)


def _read_tables(rows: list[SrcRow]) -> TableReader:
    reader = TableReader()
    for row in rows:
        reader.feed(row)
    return reader.finish()


def _detect_format(
    reader: TableReader | FlatTables, tables: dict, sections: list[Section], year: int | None
) -> str:
    if reader.t2_format:
        return reader.t2_format
    t3 = tables["table3"]
    if any(r in t3 for r in OTHER_ROWS_2021):
        return "2021"
    if t3 or tables["table4"] or tables["table2"]:
        return "2019" if year is not None and year <= 2020 else "2021"
    standard = sum(
        1 for s in sections if any(s.title.startswith(v) for no, vs in KNOWN for v in vs if no == s.no)
    )
    if year is not None and year < 2019:  # the standard tables began with the reports on 2019
        return "other"
    if (standard >= 4 and {s.no for s in sections} >= {1, 2, 3}) or (year is not None and year >= 2019):
        # a standard report whose tables could not be read (images, a truncated page): format from the year
        return "2019" if year is not None and year <= 2020 else "2021"
    return "other"


def _completeness(fmt: str, tables: dict) -> list[str]:
    errors: list[str] = []
    t2, t3, t4 = tables["table2"], tables["table3"], tables["table4"]
    if not (t2 or t3 or t4):
        return ["no statistics tables found"]
    if not t2:
        errors.append("table2 not found")
    else:
        missing = [r for r in TABLE2_LAYOUTS[fmt] if r not in t2]
        if missing:
            errors.append(f"table2: rows missing: {', '.join(missing)}")
    if not t3:
        errors.append("table3 not found")
    else:
        single = OTHER_ROW_SINGLE in t3 and not any(r in t3 for r in OTHER_ROWS_2021)
        rows = TABLE3_ROWS_2019 if fmt == "2019" or single else TABLE3_ROWS_2021
        missing = [r for r in rows if r not in t3]
        if missing:
            errors.append(f"table3: rows missing: {', '.join(missing)}")
        short = [r for r in rows if r in t3 and len(t3[r]) < len(TABLE3_COLUMNS)]
        if short:
            errors.append(f"table3: incomplete rows: {', '.join(short)}")
    if not t4:
        errors.append("table4 not found")
    else:
        missing = [f"{b}.{c}" for b in TABLE4_BLOCKS for c in TABLE4_COLUMNS if c not in t4.get(b, {})]
        if missing:
            errors.append(
                f"table4: cells missing: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}"
            )
    return errors


def _doubtful(cells: list[Cell], checks: list[Check]) -> list[Cell]:
    """OCR'd cells to leave out because the table checks they take part in fail: the low-confidence ones
    and those where a failing row meets a failing column; when neither singles a cell out, every OCR'd cell
    of the failing checks (which one is misread cannot be told, and a wrong number is worse than none)."""
    failing = [
        set(ch.cells)
        for ch in checks
        if not ch.ok
        and ch.rule.startswith("table")
        and (ch.rule != "table3.results_sum" or len(ch.cells) in _FULL_RESULTS)  # a missing row is no misread
    ]
    ocr = {c.address: c for c in cells if c.confidence is not None}
    counts = Counter(a for addresses in failing for a in addresses if a in ocr)
    low = {a for a in counts if (ocr[a].confidence or 0) < limits.OCR_LOW_CONFIDENCE}
    crossed = {a for a, n in counts.items() if n >= 2}
    chosen = (low | crossed) or set(counts)
    return [c for c in cells if c.address in chosen]


def _ocr_doubts(report: ParsedReport) -> list[str]:
    """The OCR'd numbers read with low confidence, named (address, text as read, confidence)."""
    low = [c for c in report.cells if c.confidence is not None and c.confidence < limits.OCR_LOW_CONFIDENCE]
    if not low:
        return []
    named = ", ".join(f"{c.address} {c.value_text!r} ({c.confidence:.2f})" for c in low[:20])
    more = f" and {len(low) - 20} more" if len(low) > 20 else ""
    return [f"OCR: low confidence in {len(low)} cells: {named}{more}"]


def _stored(text: str, what: str, warnings: list[str]) -> str:
    """The text as stored, cut at MAX_STORED_TEXT_CHARS (so that one value fits the public server's guard)."""
    if len(text) <= limits.MAX_STORED_TEXT_CHARS:
        return text
    warnings.append(f"{what} cut at {limits.MAX_STORED_TEXT_CHARS:,} of {len(text):,} characters")
    return text[: limits.MAX_STORED_TEXT_CHARS]


def interpret(ex: Extracted, hints: ReportHints | None) -> ParsedReport:
    """Turn what a reader extracted into a ParsedReport: tables, sections, metadata, checks, status."""
    report = ParsedReport(source_format=ex.source_format)
    if ex.fatal:
        failed = _failed(ex.source_format, ex.fatal, hints)
        return failed
    doc_title = pick_title(ex.title_candidates, None)
    if doc_title and ex.pdf_title_join:
        doc_title = re.sub(r"\s+", "", doc_title)
    report.title = doc_title or pick_title([], hints)
    report.agency = (
        agency_from_title(doc_title) or (hints.agency if hints else None) or agency_from_title(report.title)
    )
    if ex.needs_ocr:
        report.parse_status = "needs_ocr"
        report.errors = [*ex.errors, "no text layer (scanned PDF); OCR needed, no numbers read"]
        report.year = title_year(report.title) or (hints.year if hints else None)
        return report
    text = "\n".join(ex.lines)
    report.text = _stored(text, "text", report.warnings)
    reader: TableReader | FlatTables = _read_tables(ex.rows)
    if ex.alt_rows and (reader.errors or len(reader.cells) < _FEWEST_COMPLETE):
        # PDF tables pdfplumber could not rule completely: read the text lines too, keep the fuller result
        alt = _read_tables(ex.alt_rows)
        if len(alt.cells) > len(reader.cells) and len(alt.errors) <= len(reader.errors):
            reader = alt
    if len(reader.cells) < _FEWEST_COMPLETE:
        # a text copy whose table cells ran together: cut its digit runs by the form's arithmetic
        flat = read_flattened("\n".join(ex.lines))
        if len(flat.cells) > len(reader.cells) or (not reader.cells and flat.errors):
            reader = flat
            ex.lines, ex.table_lines = cut_lines(ex.lines, flat.spans, ex.table_lines)
    report.cells = reader.cells
    report.warnings = list(dict.fromkeys([*ex.warnings, *reader.warnings, *report.warnings]))
    errors = [*ex.errors, *reader.errors]
    for cell in report.cells:
        where = (cell.src_page, cell.src_row, cell.src_col)
        cell.confidence, cell.src_box = ex.confidence.get(where), ex.boxes.get(where)
        cell.src_url = next((u for a, b, u in ex.image_lines if a <= (cell.src_row or -1) < b), None)
    period = period_years(text)
    report.year = (
        title_year(report.title) or (period[1] if period else None) or (hints.year if hints else None)
    )
    report.publish_date = pick_date(ex.date_candidates, ex.page_text, ex.lines, hints)
    report.sections = find_sections(ex.lines, ex.table_lines)
    for section in report.sections:
        section.text = _stored(section.text, f"section {section.no}", report.warnings)
    tables = {name: report.table(name) for name in ("table2", "table3", "table4")}
    report.format = _detect_format(reader, tables, report.sections, report.year)
    report.table_is_image = ex.table_is_image and not report.cells and len(report.sections) >= 2
    if report.table_is_image:
        errors.append("table is an image: statistics not readable without OCR")
    elif ex.table_is_image and not report.cells and len(re.sub(r"\s", "", report.text)) < 200:
        errors.append("the page body is images (a scan?) with almost no text")
    elif report.format != "other":
        errors += _completeness(report.format, tables)
    body = "\n".join(ln for i, ln in enumerate(ex.lines) if i not in ex.table_lines)
    checks = table_checks(tables["table3"], tables["table4"])
    checks += text_checks(body, tables["table3"], report.year, period)
    if ex.ocr and report.cells:
        left_out: list[Cell] = []
        while doubtful := _doubtful(report.cells, checks):
            left_out += doubtful
            report.cells = [c for c in report.cells if c not in doubtful]
            tables = {name: report.table(name) for name in ("table2", "table3", "table4")}
            checks = table_checks(tables["table3"], tables["table4"])
            checks += text_checks(body, tables["table3"], report.year, period)
        if left_out:
            named = ", ".join(f"{c.address} {c.value_text!r} ({c.confidence:.2f})" for c in left_out[:20])
            more = f" and {len(left_out) - 20} more" if len(left_out) > 20 else ""
            errors.append(
                f"OCR: left out {len(left_out)} cells where the numbers do not add up: {named}{more}"
            )
        report.warnings += _ocr_doubts(report)
        failed = sum(1 for c in checks if not c.ok)
        if failed:
            errors.append(f"numbers read by OCR and {failed} checks fail: some may be misread")
    fmt_check = format_check(report.format, report.year) if report.cells else None
    if fmt_check is not None:
        checks.append(fmt_check)
        if not fmt_check.ok:
            errors.append(f"{fmt_check.detail}: the title's year does not match the table layout")
    report.checks = checks
    report.errors = [_one_line(e) for e in dict.fromkeys(errors)]
    if not report.cells and len(report.sections) < 2:
        report.parse_status = "failed"
        found = f"{len(report.sections)} section" + ("" if len(report.sections) == 1 else "s")
        report.errors = [e for e in report.errors if e != "no statistics tables found"]
        report.errors.append(f"no report content found ({found}, no statistics tables)")
    elif report.errors:
        report.parse_status = "partial"
    else:
        report.parse_status = "ok"
    return report


def parse_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    hints: ReportHints | None = None,
    images: Mapping[str, bytes] | None = None,
) -> ParsedReport:
    """Parse one document. Never raises on bad input: problems end up in parse_status and errors.

    `images`: bytes of the images an HTML report shows, by src (or absolute URL, resolved against
    hints.url); tables published as images are then read by OCR."""
    if len(data) > limits.MAX_INPUT_BYTES:
        return _failed(
            "html", f"input is {len(data)} bytes, over the {limits.MAX_INPUT_BYTES} byte cap", hints
        )
    if not data.strip():
        return _failed("text", "empty input", hints)
    try:
        return interpret(_extract(data, filename, content_type, images, hints.url if hints else None), hints)
    except (MemoryError, RecursionError) as exc:
        return _failed("html", f"input too complex to parse ({type(exc).__name__})", hints)
    except Exception as exc:  # noqa: BLE001 — the contract: never a crash
        return _failed("html", f"internal error: {type(exc).__name__}: {exc}", hints)


_SPECIAL = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_input(path: Path) -> bytes:
    """A regular file's bytes, size-capped; FIFOs, devices, sockets and directories refused before reading.

    Raises OSError or ValueError with a one-line reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO must not wait for a writer
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        kind = next((name for test, name in _SPECIAL if test(info.st_mode)), None)
        if kind or not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path.name} is {kind or 'not a regular file'}; only regular files are parsed")
        data = handle.read(limits.MAX_INPUT_BYTES + 1)
    if max(info.st_size, len(data)) > limits.MAX_INPUT_BYTES:
        size = max(info.st_size, len(data))
        raise ValueError(f"{path.name} is {size} bytes, over the {limits.MAX_INPUT_BYTES} byte cap")
    return data


def parse_file(
    path: Path, hints: ReportHints | None = None, *, parse: Callable[..., ParsedReport] = parse_bytes
) -> ParsedReport:
    """Parse a local file (a regular file only, size-capped before reading) with `parse` (e.g. a sandbox)."""
    path = Path(path)
    try:
        data = read_input(path)
    except (OSError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"cannot read {path}: {exc.strerror or exc}"
        return _failed("html", message, hints)
    return parse(data, filename=path.name, hints=hints)
