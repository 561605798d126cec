"""What every source reader (HTML, text, PDF, DOCX, DOC) hands to the interpreter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.parse.rows import SrcRow


@dataclass
class Extracted:
    """Body text as lines, table rows in document order, and metadata candidates."""

    source_format: str
    lines: list[str] = field(default_factory=list)
    table_lines: set[int] = field(default_factory=set)  # indices of `lines` that print table rows
    rows: list[SrcRow] = field(default_factory=list)
    alt_rows: list[SrcRow] = field(default_factory=list)  # fallback rows (PDF text lines) when tables fail
    title_candidates: list[str] = field(default_factory=list)  # best first
    date_candidates: list[str] = field(default_factory=list)  # raw strings, best first
    page_text: str = ""  # text outside the body (page header/footer), for 发布日期 blocks
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, with an assumption (e.g. bad bytes replaced)
    fatal: str | None = None  # set when nothing could be read
    needs_ocr: bool = False
    table_is_image: bool = False
    pdf_title_join: bool = False  # title lines broken by layout: join without spaces
    ocr: bool = False  # some text was recognised by OCR
    image_srcs: list[str] = field(default_factory=list)  # <img> sources of a body whose tables are images
    boxes: dict[tuple[int | None, int, int], tuple[float, float, float, float]] = field(
        default_factory=dict
    )  # OCR: (page, row, col) → the words' box as fractions of the image (x0, top, x1, bottom)
    image_lines: list[tuple[int, int, str]] = field(default_factory=list)  # OCR'd <img>: lines [start, end)
    confidence: dict[tuple[int | None, int, int], float] = field(
        default_factory=dict
    )  # OCR: (page, row, col)


def title_from_lines(ex: Extracted) -> None:
    """The first lines up to one naming a report (报告/年报) are the title candidate."""
    head: list[str] = []
    for line in ex.lines[:5]:
        head.append(line)
        if "报告" in line or "年报" in line:
            ex.title_candidates.append("".join(re.sub(r"\s+", "", h) for h in head))
            return
