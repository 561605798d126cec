"""DOCX reports via python-docx: paragraphs and tables in body order, gridSpan/vMerge expanded."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from crawler.parse import limits
from crawler.parse.extracted import Extracted
from crawler.parse.rows import SrcCell, SrcRow, clean_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def zip_problem(data: bytes) -> str | None:
    """Why a ZIP must not be opened (bomb, not a DOCX), judged from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return f"corrupt DOCX (bad zip: {exc})"
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_DOCX_UNCOMPRESSED:
        return f"DOCX expands to {total} bytes (over the {limits.MAX_DOCX_UNCOMPRESSED} byte cap; zip bomb?)"
    for i in infos:
        size = max(i.file_size, i.compress_size)
        if size > limits.MAX_DOCX_PART:
            return (
                f"DOCX part {i.filename} is {size} bytes (over the {limits.MAX_DOCX_PART} byte cap per part)"
            )
        if i.file_size > 1_000_000 and i.file_size > limits.MAX_DOCX_RATIO * max(i.compress_size, 1):
            return (
                f"DOCX member {i.filename} compressed {i.file_size // max(i.compress_size, 1)}:1 (zip bomb?)"
            )
    if "word/document.xml" not in {i.filename for i in infos}:
        return "ZIP archive without word/document.xml: not a DOCX"
    return None


def _text(el: etree._Element) -> str:
    parts = []
    for p in el.iter(f"{W}p"):
        parts.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "\n".join(parts)


def _int(text: str | None, default: int) -> int:
    """An integer attribute (gridBefore, gridSpan); a malformed one counts as absent."""
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _val(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(f"{W}val", "")


def _table_rows(tbl: etree._Element, index: int, ex: Extracted) -> list[SrcRow]:
    rows: list[SrcRow] = []
    above: dict[int, str] = {}
    for r, tr in enumerate(tbl.iterchildren(f"{W}tr")):
        if r >= limits.MAX_TABLE_ROWS:
            ex.errors.append(f"table {index} has more than {limits.MAX_TABLE_ROWS} rows; the rest not read")
            break
        col = max(0, min(_int(_val(tr, f"{W}trPr/{W}gridBefore"), 0), limits.MAX_GRID_COLS))
        cells: list[SrcCell] = []
        for tc in tr.iterchildren(f"{W}tc"):
            span = _int(_val(tc, f"{W}tcPr/{W}gridSpan"), 1)
            span = max(1, min(span, limits.MAX_COLSPAN))
            vmerge = _val(tc, f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge != "restart":
                cells.append(SrcCell(above.get(col, ""), col, inherited=True))
            else:
                text = _text(tc)
                cells.append(SrcCell(text, col))
                for c in range(col, col + span):
                    above[c] = text
            col += span
            if col > limits.MAX_GRID_COLS:
                break
        rows.append(SrcRow(cells, table=index, row=r))
    return rows


def read_docx(data: bytes) -> Extracted:
    """Lines (paragraphs, tables as tab-joined rows) and table rows of a DOCX."""
    ex = Extracted(source_format="docx")
    problem = zip_problem(data)
    if problem:
        ex.fatal = problem
        return ex
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 — python-docx/lxml raise many kinds on broken files
        ex.fatal = f"cannot read DOCX: {type(exc).__name__}: {str(exc)[:160]}"
        return ex
    body = document.element.body
    index = 0
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            text = _text(child).strip()
            if text:
                ex.lines.append(text)
        elif child.tag == f"{W}tbl":
            rows = _table_rows(child, index, ex)
            index += 1
            ex.rows.extend(rows)
            for row in rows:
                cells = [clean_text(c.text or "") for c in row.cells if not c.inherited]
                if any(cells):
                    ex.table_lines.add(len(ex.lines))
                    ex.lines.append("\t".join(cells))
        if len(ex.rows) > limits.MAX_TOTAL_ROWS:
            ex.errors.append(f"more than {limits.MAX_TOTAL_ROWS} table rows; the rest not read")
            break
    ex.title_candidates = [ln for ln in ex.lines[:6] if ("报告" in ln or "年报" in ln) and "\t" not in ln]
    try:
        core_title = document.core_properties.title
    except Exception:  # noqa: BLE001
        core_title = None
    if core_title:
        ex.title_candidates.append(core_title)
    return ex
