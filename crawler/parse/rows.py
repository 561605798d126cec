"""The source-independent table representation: rows of cells with grid positions and provenance."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def clean_text(text: str) -> str:
    """Collapse whitespace; drop whitespace next to CJK characters ('本年新 制作数量' → '本年新制作数量')."""
    return _CJK_GAP.sub("", _WS.sub(" ", text)).strip()


@dataclass
class SrcCell:
    """One cell as printed. `text` None marks a span continuation (no own content)."""

    text: str | None
    col: int  # start column in the expanded grid (or index in a split line)
    inherited: bool = False  # a rowspan / vMerge cell started in an earlier row


@dataclass
class SrcRow:
    """One table row; `table`/`row` are its position in the source, `page` the PDF page."""

    cells: list[SrcCell]
    table: int
    row: int
    page: int | None = None
    kind: str = "grid"  # grid | text (a split line of text: empty cells are layout, not blanks)
    header_positions: bool = True  # False when column positions are unreliable (space-split lines)
    extra: dict = field(default_factory=dict)


def grid_rows(
    cells_by_row: list[list[tuple[str | None, int, int]]], table: int, page: int | None, max_cols: int
) -> list[SrcRow]:
    """Expand rows of (text, colspan, rowspan) into SrcRows; spans are placed on an occupancy grid."""
    occupied: dict[tuple[int, int], tuple[int, int, str | None]] = {}
    width: dict[int, int] = {}
    out: list[SrcRow] = []
    n_rows = len(cells_by_row)
    for r, row in enumerate(cells_by_row):
        c = 0
        for text, colspan, rowspan in row:
            while (r, c) in occupied:
                c += 1
            if c >= max_cols:
                break
            colspan = max(1, min(colspan, max_cols - c))
            rowspan = max(1, min(rowspan, n_rows - r))
            origin = (r, c, text)
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = origin
                width[r + dr] = max(width.get(r + dr, 0), c + colspan)
            c += colspan
        cells: list[SrcCell] = []
        last: tuple[int, int, str | None] | None = None
        for col in range(width.get(r, 0)):
            origin_cell = occupied.get((r, col))
            if origin_cell is None or origin_cell is last:
                continue
            last = origin_cell
            cells.append(SrcCell(origin_cell[2], origin_cell[1], inherited=origin_cell[0] != r))
        out.append(SrcRow(cells, table=table, row=r, page=page))
    return out
