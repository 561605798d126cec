"""A report as a Word .docx (python-docx): styled paragraphs and tables with real merged cells."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from .layout import Grid, grid_width, place, section_grids
from .truth import ReportTruth

_CN_NUM = "一二三四五六七八九十"


def _run(paragraph: Paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _text_para(
    doc: Document, text: str, font: str = "仿宋_GB2312", size: float = 16, bold: bool = False
) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, font, size, bold)


def _add_table(doc: Document, grid: Grid) -> None:
    table = doc.add_table(rows=len(grid), cols=grid_width(grid))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, c, cell in place(grid):
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        p = target.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, line in enumerate(cell.text.split("\n")):
            if i:
                p.add_run().add_break()
            if line:
                _run(p, line, "宋体", 10.5)
    doc.add_paragraph()


def render_docx(truth: ReportTruth) -> bytes:
    """Title, preamble, sections and the statistics tables (merged cells via gridSpan / vMerge)."""
    doc = Document()
    doc.core_properties.title = truth.title
    doc.core_properties.author = truth.publisher or truth.agency
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, truth.title, "方正小标宋简体", 22)
    for p in truth.preamble.split("\n") if truth.preamble else []:
        _text_para(doc, p)
    grids = section_grids(truth)
    for no, name, text in truth.sections:
        heading = f"{_CN_NUM[no - 1]}、{name}" if 1 <= no <= 10 else name
        _text_para(doc, heading, font="黑体", bold=True)
        for p in text.split("\n") if text else []:
            _text_para(doc, p)
        if no in grids:
            _add_table(doc, grids[no])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
