"""Plain-text and markdown renderings (trafilatura output, antiword output): lines and split rows."""

from __future__ import annotations

import re

from crawler.parse import limits
from crawler.parse.extracted import Extracted
from crawler.parse.numbers import is_value_text
from crawler.parse.rows import SrcCell, SrcRow

NO_POSITIONS = "\x1f"  # joins cells whose column positions are not known (rebuilt rows)
_MD_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_EMPH = re.compile(r"\*\*|__")
_PROSE = re.compile(r"[。，,；;！？]")
# a saved copy's header block ('标题: …', '发布时间: 2022-02-08 16:34'), as web archives write page.txt
_FIELD = re.compile(r"^\s*(标题|题目|发布时间|发布日期|成文日期)\s*[:：]\s*(\S.*?)\s*$")


def split_line(line: str, index: int, table: int = 0, page: int | None = None) -> SrcRow | None:
    """One text line → a row: tab-separated, markdown/antiword '|' cells, or label + trailing numbers."""
    if NO_POSITIONS in line:
        parts = line.split(NO_POSITIONS)
        cells = [SrcCell(p.strip(), i) for i, p in enumerate(parts)]
        return SrcRow(cells, table, index, page, kind="text", header_positions=False)
    if "\t" in line:
        parts = line.split("\t")
        return SrcRow([SrcCell(p.strip(), i) for i, p in enumerate(parts)], table, index, page, kind="text")
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if _MD_SEP.match(stripped):
            return None
        parts = stripped.strip("|").split("|")
        return SrcRow([SrcCell(p.strip(), i) for i, p in enumerate(parts)], table, index, page, kind="text")
    tokens = stripped.split()
    if len(tokens) < 2:
        return SrcRow([SrcCell(stripped, 0)], table, index, page, kind="text", header_positions=False)
    k = len(tokens)
    while k > 0 and is_value_text(tokens[k - 1]) and tokens[k - 1] not in ("、",):
        k -= 1
    label = " ".join(tokens[:k])
    if k == len(tokens) and len(tokens) <= 16 and not _PROSE.search(stripped) and max(map(len, tokens)) <= 24:
        # a header line such as '信息内容 本年制发件数 本年废止件数 现行有效件数': one cell per word
        cells = [SrcCell(t, i) for i, t in enumerate(tokens)]
        return SrcRow(cells, table, index, page, kind="text", header_positions=False)
    if k == len(tokens) or "。" in label or len(label) > 60:
        return SrcRow([SrcCell(stripped, 0)], table, index, page, kind="text", header_positions=False)
    cells = ([SrcCell(label, 0)] if label else []) + [SrcCell(t, i + 1) for i, t in enumerate(tokens[k:])]
    return SrcRow(cells, table, index, page, kind="text", header_positions=False)


def text_lines(text: str) -> list[str]:
    """Lines of a text rendering, markdown headings/emphasis stripped, empty lines dropped."""
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[: limits.MAX_LINES]:
        line = _MD_EMPH.sub("", _MD_HEADING.sub("", raw)).replace("\u00a0", " ").replace("\u3000", " ")
        if line.strip():
            out.append(line.rstrip(" \r"))
    return out


def read_text(text: str, source_format: str = "text") -> Extracted:
    """A text rendering: every line is a candidate row; the interpreter finds tables by their labels."""
    ex = Extracted(source_format=source_format)
    lines = text_lines(text[: limits.MAX_TEXT_CHARS])
    for i, line in enumerate(lines[: limits.MAX_TOTAL_ROWS]):
        row = split_line(line, i)
        if row is not None:
            ex.rows.append(row)
    for i, ln in enumerate(lines):
        if NO_POSITIONS in ln or "\t" in ln or ln.strip().startswith("|"):
            ex.table_lines.add(i)
            ex.lines.append(ln.replace(NO_POSITIONS, "\t"))
        else:
            ex.lines.append(ln.strip())
    fields = [m.groups() for ln in lines[:12] if (m := _FIELD.match(ln))]
    ex.title_candidates = [value for key, value in fields if key in ("标题", "题目")]
    ex.title_candidates += [
        ln.strip()
        for ln in lines[:8]
        if ("报告" in ln or "年报" in ln) and len(ln.strip()) <= 80 and not _FIELD.match(ln)
    ]
    ex.date_candidates = [value for key, value in fields if key not in ("标题", "题目")]
    return ex
