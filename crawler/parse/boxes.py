"""Positioned words (OCR results) → text lines and table rows: rows by y, cells by x."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from crawler.parse.numbers import is_value_text
from crawler.parse.rows import SrcCell, SrcRow, clean_text

CELL_GAP = 1.2  # a horizontal gap wider than this many text heights separates two cells
STACK_GAP = 0.8  # a non-number cell this close (in heights) under another, alone below it, continues it


@dataclass
class Box:
    """A word or cell on a page: text and its box (x to the right, y downwards), with a confidence."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float = 1.0

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1e-6)

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2

    def merge(self, other: Box, sep: str = "") -> Box:
        """This box and `other` as one (text joined, box covering both, the lower confidence kept)."""
        return Box(
            self.text + sep + other.text,
            min(self.x0, other.x0),
            min(self.top, other.top),
            max(self.x1, other.x1),
            max(self.bottom, other.bottom),
            min(self.conf, other.conf),
        )


@dataclass
class Line:
    """One visual line: its cells left to right."""

    cells: list[Box] = field(default_factory=list)

    @property
    def text(self) -> str:
        return clean_text(" ".join(c.text for c in self.cells))

    @property
    def numeric(self) -> bool:
        return any(is_value_text(c.text) and c.text.strip() for c in self.cells)


def _group_lines(boxes: list[Box]) -> list[list[Box]]:
    """Rows by y: a box joins the line whose vertical band holds its centre."""
    lines: list[list[Box]] = []
    bands: list[tuple[float, float]] = []
    for box in sorted(boxes, key=lambda b: (b.yc, b.x0)):
        if bands and bands[-1][0] <= box.yc <= bands[-1][1]:
            lines[-1].append(box)
            top, bottom = bands[-1]
            bands[-1] = (top, max(bottom, min(box.bottom, box.yc + box.height * 0.3)))
            continue
        lines.append([box])
        bands.append((box.top + box.height * 0.3, box.bottom - box.height * 0.3))
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _cells(words: list[Box], height: float) -> list[Box]:
    """Words of one line joined into cells; a gap wider than CELL_GAP heights starts a new cell."""
    cells: list[Box] = []
    for w in words:
        if cells:
            prev = cells[-1]
            joinable = not (is_value_text(prev.text) and is_value_text(w.text))
            if joinable and w.x0 - prev.x1 < CELL_GAP * height:
                cells[-1] = prev.merge(w, " " if prev.text[-1:].isascii() and w.text[:1].isascii() else "")
                continue
        cells.append(w)
    return cells


def _stack(lines: list[Line]) -> list[Line]:
    """Header text wrapped inside a cell ('商业企' over '业') becomes one cell: a label cell directly under
    another, the only one under it and it the only one over it, both lines without numbers, continues it."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is None or line.numeric or prev.numeric:
            out.append(line)
            continue
        kept: list[Box] = []
        for cell in line.cells:
            above = [c for c in prev.cells if c.x0 < cell.x1 and cell.x0 < c.x1]
            if len(above) == 1:
                under = [c for c in line.cells if c.x0 < above[0].x1 and above[0].x0 < c.x1]
                close = cell.top - above[0].bottom < STACK_GAP * cell.height
                if len(under) == 1 and close and not above[0].text.endswith(("。", "；", ";")):
                    prev.cells[prev.cells.index(above[0])] = above[0].merge(cell)
                    continue
            kept.append(cell)
        if kept:
            out.append(Line(kept))
    return out


def page_lines(boxes: list[Box]) -> list[Line]:
    """Visual lines of a page, each split into cells; wrapped header cells joined."""
    if not boxes:
        return []
    height = statistics.median(b.height for b in boxes)
    lines = [Line(_cells(words, height)) for words in _group_lines(boxes)]
    return _stack([ln for ln in lines if ln.cells])


def line_row(line: Line, index: int, table: int, page: int | None) -> SrcRow:
    """A line as a table row: cells at their x positions (header order comes from the x coordinates)."""
    cells = [SrcCell(c.text, int(round((c.x0 + c.x1) / 2))) for c in line.cells]
    row = SrcRow(cells, table, index, page, kind="text", header_positions=True)
    conf = [c.conf for c in line.cells]
    if min(conf) < 1.0:
        row.extra["confidence"] = conf
    return row
