"""A report as a PDF (fpdf2, WenQuanYi Micro Hei from the .ttc) with a text layer and ruled tables."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from .layout import Grid, grid_width, place, section_grids
from .truth import ReportTruth

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
_CN_NUM = "一二三四五六七八九十"
_LEFT, _TOP, _WIDTH = 20.0, 20.0, 170.0
_CELL_PT, _LINE = 9, 4.6


def _col_widths(grid: Grid) -> list[float]:
    n = grid_width(grid)
    if n >= 10:  # table3: three label columns then values
        labels = [10.0, 20.0, 52.0]
    elif n == 4:  # table2
        labels = [50.0]
    else:  # table4: all values
        labels = []
    rest = (_WIDTH - sum(labels)) / (n - len(labels))
    return labels + [rest] * (n - len(labels))


def _lines(pdf: FPDF, width: float, text: str) -> int:
    if not text:
        return 1
    return sum(
        len(pdf.multi_cell(width - 2, _LINE, part, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR))
        for part in text.split("\n")
    )


def _draw_table(pdf: FPDF, grid: Grid) -> None:
    pdf.set_font("wqy", size=_CELL_PT)
    widths = _col_widths(grid)
    xs = [_LEFT + sum(widths[:i]) for i in range(len(widths) + 1)]
    cells = place(grid)
    heights = [_LINE + 2.4] * len(grid)
    for r, c, cell in cells:
        if cell.rowspan == 1:
            need = _lines(pdf, xs[c + cell.colspan] - xs[c], cell.text) * _LINE + 2.4
            heights[r] = max(heights[r], need)
    for r, c, cell in cells:
        if cell.rowspan > 1:
            need = _lines(pdf, xs[c + cell.colspan] - xs[c], cell.text) * _LINE + 2.4
            have = sum(heights[r : r + cell.rowspan])
            if need > have:
                heights[r + cell.rowspan - 1] += need - have
    # Assign every row a page offset and a y, breaking between rows (never inside one).
    bottom = pdf.h - pdf.b_margin
    pos: list[tuple[int, float]] = []
    page, y = 0, pdf.get_y()
    for h in heights:
        if y + h > bottom:
            page, y = page + 1, _TOP
        pos.append((page, y))
        y += h
    ops: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for r, c, cell in cells:
        x0, x1 = xs[c], xs[c + cell.colspan]
        segments: dict[int, list[int]] = {}
        for rr in range(r, r + cell.rowspan):
            segments.setdefault(pos[rr][0], []).append(rr)
        first = True
        for pg, rows in segments.items():
            top = pos[rows[0]][1]
            height = pos[rows[-1]][1] + heights[rows[-1]] - top
            ops.setdefault(pg, []).append((x0, top, x1 - x0, height, cell.text if first else ""))
            first = False
    for pg in sorted(ops):
        if pg:
            pdf.add_page()
        for x, top, w, h, text in ops[pg]:
            pdf.rect(x, top, w, h)
            if text:
                n = _lines(pdf, w, text)
                pdf.set_xy(x + 1, top + (h - n * _LINE) / 2)
                for part in text.split("\n"):
                    pdf.set_x(x + 1)
                    pdf.multi_cell(
                        w - 2,
                        _LINE,
                        part,
                        align="C",
                        wrapmode=WrapMode.CHAR,
                        new_x=XPos.LEFT,
                        new_y=YPos.NEXT,
                    )
    last_page, last_y = pos[-1]
    pdf.set_xy(_LEFT, last_y + heights[-1] + 4)


def _para(pdf: FPDF, text: str, size: float = 12, indent: bool = True) -> None:
    pdf.set_font("wqy", size=size)
    pdf.set_x(_LEFT)
    pdf.multi_cell(
        _WIDTH,
        size * 0.55,
        ("\u3000\u3000" if indent else "") + text,
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)


def render_pdf(truth: ReportTruth) -> bytes:
    """Title, preamble, the six sections and their tables; table3 may run onto the next page."""
    pdf = FPDF(format="A4")
    pdf.set_margins(_LEFT, _TOP, _LEFT)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("wqy", "", FONT_PATH, collection_font_number=0)
    pdf.set_title(truth.title)
    pdf.set_author(truth.publisher or truth.agency)
    pdf.set_creation_date(dt.datetime.fromisoformat(truth.publish_date).replace(tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("wqy", size=18)
    pdf.multi_cell(
        _WIDTH, 10, truth.title, align="C", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)
    for p in truth.preamble.split("\n") if truth.preamble else []:
        _para(pdf, p)
    grids = section_grids(truth)
    for no, title, text in truth.sections:
        heading = f"{_CN_NUM[no - 1]}、{title}" if 1 <= no <= 10 else title
        _para(pdf, heading, size=14)
        for p in text.split("\n") if text else []:
            _para(pdf, p)
        if no in grids:
            _draw_table(pdf, grids[no])
    return bytes(pdf.output())
