"""Word-pasted HTML of a report body (paragraphs + MsoNormalTable tables), as CMS editors store it."""

from __future__ import annotations

import html
import re

from .layout import Cell, Grid, grid_width, section_grids
from .truth import ReportTruth

_CN_NUM = "一二三四五六七八九十"
_P_STYLE = "margin:0pt;text-indent:32pt;line-height:28pt;mso-line-height-rule:exactly;"
_BODY_FONT = "font-family:仿宋_GB2312;font-size:16pt;mso-hansi-font-family:Calibri;"
_HEAD_FONT = "font-family:黑体;font-size:16pt;mso-hansi-font-family:Calibri;"
_LEAD_FONT = "font-family:楷体_GB2312;font-size:16pt;font-weight:bold;"
_CELL_FONT = "font-family:宋体;font-size:10.5pt;mso-bidi-font-family:宋体;"
_EMPTY_OP = '<span style="font-family:仿宋_GB2312;font-size:16pt;"><o:p></o:p></span>'

_LEAD_RE = re.compile(r"^([（(][一二三四五六七八九十]+[）)][^。]{1,30}?。)")
_EMPH_RE = re.compile(r"([一二三四五六七八九十]是)")
_DIGITS_RE = re.compile(r"(\d+)")
_URL_RE = re.compile(r"(https?://[A-Za-z0-9./_\-]+)")


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _inline(text: str) -> str:
    """Escape a run of text, bolding 一是/二是, linking URLs, and putting digit runs in their own
    ``lang="EN-US"`` spans as Word does (text content unchanged)."""
    out = _e(text)
    out = _EMPH_RE.sub(r"<strong>\1</strong>", out)
    if _URL_RE.search(out):
        return _URL_RE.sub(r'<a href="\1" target="_blank">\1</a>', out)
    return _DIGITS_RE.sub(
        r'<span lang="EN-US" style="font-family:仿宋_GB2312;mso-hansi-font-family:Calibri">\1</span>', out
    )


def _paragraph(text: str, indent: str) -> str:
    lead = _LEAD_RE.match(text)
    parts: list[str] = []
    rest = text
    if lead:
        parts.append(f'<span style="{_LEAD_FONT}">{indent}{_e(lead.group(1))}</span>')
        rest = text[lead.end() :]
        indent = ""
    if rest:
        # Word splits long runs into several spans; imitate that at a fixed point.
        cut = len(rest) // 2 if len(rest) > 60 and not _URL_RE.search(rest) else len(rest)
        parts.append(f'<span style="{_BODY_FONT}">{indent}{_inline(rest[:cut])}</span>')
        if cut < len(rest):
            parts.append(
                f'<span style="{_BODY_FONT}"><font face="仿宋_GB2312">{_inline(rest[cut:])}</font></span>'
            )
    return f'<p class="MsoNormal" style="{_P_STYLE}">{"".join(parts)}{_EMPTY_OP}</p>'


def _heading(no: int, title: str, indent: str) -> str:
    label = f"{_CN_NUM[no - 1]}、{title}" if 1 <= no <= 10 else title
    return f'<p class="MsoNormal" style="{_P_STYLE}"><span style="{_HEAD_FONT}">{indent}{_e(label)}</span>{_EMPTY_OP}</p>'


def _cell(cell: Cell, col_px: int, pad: str = "") -> str:
    attrs = f' width="{col_px * cell.colspan}" valign="center"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    style = "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;"
    inner = "<br>".join(_e(line) for line in cell.text.split("\n")) if cell.text else "&nbsp;"
    if pad and cell.text and not cell.header:
        inner = f"{inner}{pad}" if len(cell.text) % 2 else f"{pad}{inner}"
    align = "center"
    return (
        f'<td{attrs} style="{style}"><p class="MsoNormal" align="{align}" style="text-align:{align};">'
        f'<span style="{_CELL_FONT}">{inner}</span><span style="{_CELL_FONT}"><o:p></o:p></span></p></td>'
    )


def table_html(grid: Grid, css_class: str = "MsoNormalTable", *, pad: str = "") -> str:
    """One statistics table as Word pastes it into a CMS editor."""
    width = grid_width(grid)
    col_px = max(40, 620 // width)
    rows = []
    for i, row in enumerate(grid):
        rows.append(
            '<tr style="height:20.0pt">'
            + "".join(_cell(c, col_px, pad if (i + j) % 3 == 0 else "") for j, c in enumerate(row))
            + "</tr>"
        )
    return (
        f'<div align="center"><table class="{css_class}" border="1" cellspacing="0" cellpadding="0" '
        f'width="{col_px * width}" style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
        f'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def body_html(
    truth: ReportTruth, *, indent: str = "\u3000\u3000", table_class: str = "MsoNormalTable"
) -> str:
    """The report body: title, preamble, numbered sections, each followed by its statistics table."""
    out = [
        '<p class="MsoNormal" align="center" style="text-align:center;line-height:28pt">'
        f'<span style="font-family:方正小标宋简体;font-size:22pt;">{_e(truth.title)}</span></p>'
    ]
    if truth.preamble:
        out.extend(_paragraph(p, indent) for p in truth.preamble.split("\n"))
    grids = section_grids(truth)
    for no, title, text in truth.sections:
        out.append(_heading(no, title, indent))
        if text:
            out.extend(_paragraph(p, indent) for p in text.split("\n"))
        if no in grids:
            pad = "&nbsp;" * 3 if "nbsp_padding" in truth.quirks else ""
            out.append(table_html(grids[no], table_class, pad=pad))
            out.append('<p class="MsoNormal"><span lang="EN-US"><o:p>&nbsp;</o:p></span></p>')
    return "\n".join(out)
