"""Parser notes and check details in Chinese for readers (the archive keeps the parser's own words)."""

from __future__ import annotations

import re
from collections.abc import Callable

from .codes import code_label
from .labels import RULE_LABELS

TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
_ADDRESS = re.compile(r"\b(table[234])\.([a-z0-9_]+)(?:\.([a-z0-9_]+))?\b")
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b(?:total|granted|review|corrected|upheld)\b")


def cell_name(address: str) -> str:
    """'table3.new_received.total' -> '表三「本年新收政府信息公开申请数量」×「总计」' (codes unknown stay)."""
    match = _ADDRESS.fullmatch(address.strip())
    if not match:
        return address
    table, row, col = match.groups()
    parts = [TABLE_NAMES[table], f"「{code_label(table, row) or row}」"]
    if col:
        parts.append(f"「{code_label(table, col) or col}」")
    return parts[0] + "×".join(parts[1:])


def _codes_to_labels(text: str, table: str = "table3") -> str:
    """Cell addresses and bare row/column codes inside a sentence, replaced by their Chinese labels."""
    text = _ADDRESS.sub(lambda m: cell_name(m.group(0)), text)
    return _CODE.sub(
        lambda m: code_label(table, m.group(0)) or code_label("table4", m.group(0)) or m.group(0), text
    )


def _label(table: str, code: str) -> str:
    return code_label(table, code) or code


CHECK_PATTERNS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        "table3.balance",
        re.compile(r"(\w+): (\S+) \+ (\S+) ([=≠]) (\S+) \+ (\S+)"),
        lambda m: (
            f"{_label('table3', m[1])}：新收 {m[2]} + 上年结转 {m[3]} {m[4]} 办理结果总计 {m[5]} + 结转下年 {m[6]}"
        ),
    ),
    (
        "table3.row_totals",
        re.compile(r"(\w+): (.+) ([=≠]) (\S+)"),
        lambda m: f"{_label('table3', m[1])}：各类申请人 {m[2]} {m[3]} 总计 {m[4]}",
    ),
    (
        "table3.results_sum",
        re.compile(r"(\w+): sum of (\d+) result rows (\S+) ([=≠]) results_total (\S+)"),
        lambda m: f"{_label('table3', m[1])}：{m[2]} 项办理结果之和 {m[3]} {m[4]} 办理结果总计 {m[5]}",
    ),
    (
        "table4.block_totals",
        re.compile(r"(\w+): (.+) ([=≠]) (\S+)"),
        lambda m: f"{_label('table4', m[1])}：维持、纠正、其他、尚未审结 {m[2]} {m[3]} 总计 {m[4]}",
    ),
    (
        "text.applications",
        re.compile(
            r"text says (\S+) applications \((.+)\); table3\.new_received\.total = (\S+) ([=≠]) (\S+)"
        ),
        lambda m: f"正文称收到申请 {m[1]} 件（{m[2]}）；表三本年新收申请 {m[3]} {m[4]} {m[5]}",
    ),
    (
        "text.applications",
        re.compile(r"text says (.+); table3\.new_received\.total = (\S+)"),
        lambda m: f"正文称{m[1]}；表三本年新收申请为 {m[2]}",
    ),
    (
        "meta.period_year",
        re.compile(r"title year (\d+) ([=≠]) statistics period (\S+)"),
        lambda m: f"标题年度 {m[1]} {m[2]} 统计期 {m[3]}",
    ),
    (
        "meta.format_year",
        re.compile(r"(\w+)-format tables in a report on (\d+)( \(format and year disagree\))?"),
        lambda m: f"{m[1]} 版格式的统计表，报告年度 {m[2]}" + ("（格式与年度不符）" if m[3] else ""),
    ),
]


def rule_name(rule: str | None) -> str:
    return RULE_LABELS.get(rule or "", rule or "")


def check_detail(rule: str | None, detail: str | None) -> str:
    """A check's detail in Chinese ('total: 10 + 2 ≠ 11 + 0' -> '总计：新收 10 + 上年结转 2 ≠ …')."""
    detail = (detail or "").strip()
    for name, pattern, render in CHECK_PATTERNS:
        if name == rule:
            match = pattern.fullmatch(detail)
            if match:
                return render(match)
    return _codes_to_labels(detail)


NOTE_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"no statistics tables found"), lambda m: "未找到统计表"),
    (re.compile(r"(table[234]) not found"), lambda m: f"未找到{TABLE_NAMES[m[1]]}"),
    (
        re.compile(r"(table[234]): rows missing: (.+)"),
        lambda m: f"{TABLE_NAMES[m[1]]}缺少以下行：" + "、".join(_label(m[1], c) for c in m[2].split(", ")),
    ),
    (
        re.compile(r"(table[234]): incomplete rows: (.+)"),
        lambda m: f"{TABLE_NAMES[m[1]]}以下行不完整：" + "、".join(_label(m[1], c) for c in m[2].split(", ")),
    ),
    (
        re.compile(r"table4: cells missing: (.+)"),
        lambda m: "表四缺少以下单元格：" + _codes_to_labels(m[1].replace(", ", "、"), "table4"),
    ),
    (
        re.compile(r"table is an image: statistics not readable without OCR"),
        lambda m: "统计表是图片，不经文字识别无法读取其中的数字",
    ),
    (
        re.compile(r"the page body is images \(a scan\?\) with almost no text"),
        lambda m: "正文是图片（可能是扫描件），几乎没有文字",
    ),
    (
        re.compile(r"no report content found \((.+)\)"),
        lambda m: f"未找到报告内容（{_codes_to_labels(m[1])}）",
    ),
    (
        re.compile(r"(.+): the title's year does not match the table layout"),
        lambda m: f"标题年度与统计表格式不符：{check_detail('meta.format_year', m[1])}",
    ),
    (
        re.compile(r"(table[234]): column header not fully readable; standard column order assumed"),
        lambda m: f"{TABLE_NAMES[m[1]]}表头无法完整读取，按标准列序读取数字",
    ),
    (
        re.compile(r"(table[234]): column header (.+) contradicts the standard order; standard order used"),
        lambda m: f"{TABLE_NAMES[m[1]]}表头与标准列序不一致，按标准列序读取",
    ),
    (
        re.compile(r"(.+): (\d+) values where (\d+) were expected; row skipped"),
        lambda m: f"{_codes_to_labels(m[1])}：读到 {m[2]} 个数字，应为 {m[3]} 个，此行未采用",
    ),
    (
        re.compile(r"table4: a row of (\d+) values does not fit the (\d+) header columns; row skipped"),
        lambda m: f"表四有一行 {m[1]} 个数字，与 {m[2]} 个表头列不符，此行未采用",
    ),
    (
        re.compile(r"(table[234]\.\w+\.\w+): printed twice \((.+), (.+)\); first kept"),
        lambda m: f"{cell_name(m[1])}印了两次（{m[2]}、{m[3]}），采用第一次",
    ),
    (
        re.compile(r"(table[234]\.\w+\.\w+): not a number: (.+)"),
        lambda m: f"{cell_name(m[1])}不是数字：{m[2]}",
    ),
    (
        re.compile(r"(table[234]\.\w+\.\w+): negative count: (.+)"),
        lambda m: f"{cell_name(m[1])}件数为负：{m[2]}",
    ),
    (
        re.compile(r"(table[234]\.\w+\.\w+): not a whole number: (.+)"),
        lambda m: f"{cell_name(m[1])}件数不是整数：{m[2]}",
    ),
    (
        re.compile(
            r"table (\d+) has (?:more than )?(\d+) rows; (?:only the first (\d+) read|the rest not read)"
        ),
        lambda m: f"第 {m[1]} 个表格行数过多（{m[2]} 行），超出部分未读取",
    ),
    (
        re.compile(r"more than (\d+) table rows; the rest not read"),
        lambda m: f"表格总行数超过 {m[1]}，其余未读取",
    ),
    (
        re.compile(r"PDF has (\d+) pages; only the first (\d+) read"),
        lambda m: f"PDF 共 {m[1]} 页，只读取了前 {m[2]} 页",
    ),
    (
        re.compile(r"PDF reading stopped at page (\d+) \(time limit\)"),
        lambda m: f"读取 PDF 到第 {m[1]} 页时超时停止",
    ),
    (re.compile(r"page (\d+) unreadable: (\w+)"), lambda m: f"第 {m[1]} 页无法读取（{m[2]}）"),
    (
        re.compile(r"HTML nested more than (\d+) levels deep; .+"),
        lambda m: f"网页嵌套超过 {m[1]} 层，此后的内容未读取",
    ),
]


def parser_note(note: str) -> str:
    """A parser problem or assumption in Chinese; one the table does not know keeps its words after a label."""
    note = note.strip()
    for pattern, render in NOTE_PATTERNS:
        match = pattern.fullmatch(note)
        if match:
            return render(match)
    return f"其他解析说明：{_codes_to_labels(note)}"
