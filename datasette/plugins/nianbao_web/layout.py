"""Lay out a report's statistics like the printed tables 2–4 (merged headers, rowspans), marking failed checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from crawler.contract import (
    OTHER_ROW_SINGLE,
    OTHER_ROWS_2021,
    RESULT_ROWS,
    TABLE2_COLUMN_LABELS,
    TABLE2_ROW_LABELS,
    TABLE3_COLUMN_LABELS,
    TABLE3_COLUMNS,
    TABLE3_ROW_LABELS,
    TABLE3_ROWS_2019,
    TABLE3_ROWS_2021,
    TABLE4_BLOCK_LABELS,
    TABLE4_BLOCKS,
    TABLE4_COLUMN_LABELS,
    TABLE4_COLUMNS,
)

from .codes import RESULT_HEADING
from .notes import check_detail, rule_name

RESULT_CODES = {*RESULT_ROWS, "results_total"}  # the rows under 三、本年度办理结果


@dataclass
class Cell:
    """One printed cell: a label (th) or a number (td) with its address and any failed check on it."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    address: str = ""
    failed: list[str] = field(default_factory=list)
    blank: bool = False
    missing: bool = False
    href: str = ""  # where the number was read: the archived original at that table / row / column
    ocr: str = ""  # "OCR 识别，置信度 0.93" for a number read by OCR


Grid = list[list[Cell]]


def failed_cells(checks: Iterable[Mapping]) -> dict[str, list[str]]:
    """Map each cell address named by a failed check (checks.cells) to the rule + detail of those checks."""
    out: dict[str, list[str]] = {}
    for check in checks:
        if check.get("ok"):
            continue
        try:
            cells = json.loads(check.get("cells") or "[]")
        except (TypeError, ValueError):
            cells = []
        if isinstance(cells, str):
            cells = [cells]
        note = f"{rule_name(check.get('rule'))}：{check_detail(check.get('rule'), check.get('detail'))}"
        for address in cells if isinstance(cells, list) else []:
            out.setdefault(str(address), []).append(note)
    return out


def _fmt(stat: Mapping | None) -> str:
    if stat is None:
        return ""
    text = stat.get("value_text")
    if text not in (None, ""):
        return str(text)
    value = stat.get("value")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _ocr_note(stat: Mapping | None) -> str:
    confidence = stat.get("ocr_confidence") if stat else None
    if not isinstance(confidence, int | float):
        return ""
    return f"OCR 识别，置信度 {confidence:.2f} / read by OCR, confidence {confidence:.2f}"


class _Values:
    """Statistics of one report indexed by (table, row, col), producing value cells."""

    def __init__(
        self,
        stats: Iterable[Mapping],
        failed: Mapping[str, list[str]],
        source: Callable[[Mapping], str] | None = None,
    ) -> None:
        self.stats = {(s["table_name"], s["row_code"], s["col_code"]): s for s in stats}
        self.failed = failed
        self.source = source

    def has(self, table: str, row: str | None = None) -> bool:
        return any(t == table and (row is None or r == row) for t, r, _ in self.stats)

    def cell(self, table: str, row: str, col: str) -> Cell:
        stat = self.stats.get((table, row, col))
        address = f"{table}.{row}.{col}"
        failed = self.failed.get(address, []) + self.failed.get(f"{table}.{row}", [])
        return Cell(
            text=_fmt(stat),
            address=address,
            failed=failed,
            blank=bool(stat and stat.get("blank")),
            missing=stat is None,
            href=self.source(stat) if stat is not None and self.source else "",
            ocr=_ocr_note(stat),
        )


def _table3_rows(values: _Values, fmt: str | None) -> list[tuple[str, str | None, str]]:
    split = any(values.has("table3", code) for code in OTHER_ROWS_2021)
    single = values.has("table3", OTHER_ROW_SINGLE)
    use_split = split or (not single and fmt == "2021")
    return [
        (code, *TABLE3_ROW_LABELS[code]) for code in (TABLE3_ROWS_2021 if use_split else TABLE3_ROWS_2019)
    ]


def table3(values: _Values, fmt: str | None) -> dict:
    rows = _table3_rows(values, fmt)
    header: Grid = [
        [
            Cell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                colspan=3,
                rowspan=3,
                header=True,
            ),
            Cell("申请人情况", colspan=7, header=True),
        ],
        [Cell("自然人", rowspan=2, header=True), Cell("法人或其他组织", colspan=5, header=True)]
        + [Cell("总计", rowspan=2, header=True)],
        [Cell(TABLE3_COLUMN_LABELS[code], header=True) for code in TABLE3_COLUMNS[1:6]],
    ]
    results = [r for r in rows if r[0] in RESULT_CODES]
    group_sizes: dict[str, int] = {}
    for _, group, _ in results:
        if group:
            group_sizes[group] = group_sizes.get(group, 0) + 1
    body: Grid = []
    seen_groups: set[str] = set()
    for code, group, item in rows:
        line: list[Cell] = []
        if code not in RESULT_CODES:
            line.append(Cell(item, colspan=3, header=True))
        else:
            if code == results[0][0]:
                line.append(Cell(RESULT_HEADING, rowspan=len(results), header=True))
            if group is None:
                line.append(Cell(item, colspan=2, header=True))
            else:
                if group not in seen_groups:
                    seen_groups.add(group)
                    line.append(Cell(group, rowspan=group_sizes[group], header=True))
                line.append(Cell(item, header=True))
        line += [values.cell("table3", code, col) for col in TABLE3_COLUMNS]
        body.append(line)
    return {"header": header, "body": body}


def table4(values: _Values) -> dict:
    header: Grid = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [Cell(label, rowspan=2, header=True) for label in TABLE4_COLUMN_LABELS.values()]
        + [Cell(TABLE4_BLOCK_LABELS[block], colspan=5, header=True) for block in TABLE4_BLOCKS[1:]],
        [Cell(label, header=True) for _ in TABLE4_BLOCKS[1:] for label in TABLE4_COLUMN_LABELS.values()],
    ]
    body: Grid = [[values.cell("table4", block, col) for block in TABLE4_BLOCKS for col in TABLE4_COLUMNS]]
    return {"header": header, "body": body}


def table2(values: _Values) -> list[dict]:
    """Table 2 as printed: one sub-table per set of columns (规章/规范性文件; 许可/处罚/强制; 收费; …)."""
    col_order = list(TABLE2_COLUMN_LABELS)
    known = list(TABLE2_ROW_LABELS)
    present_rows = sorted(
        {r for t, r, _ in values.stats if t == "table2"},
        key=lambda r: known.index(r) if r in known else len(known),
    )
    groups: dict[tuple[str, ...], list[str]] = {}
    for row in present_rows:
        cols = {c for t, r, c in values.stats if t == "table2" and r == row}
        key = tuple(sorted(cols, key=lambda c: col_order.index(c) if c in col_order else len(col_order)))
        groups.setdefault(key, []).append(row)
    parts = []
    for cols, rows in groups.items():
        header = [
            [Cell("信息内容", header=True)]
            + [Cell(TABLE2_COLUMN_LABELS.get(c, c), header=True) for c in cols]
        ]
        body = [
            [Cell(TABLE2_ROW_LABELS.get(r, r), header=True)] + [values.cell("table2", r, c) for c in cols]
            for r in rows
        ]
        parts.append({"header": header, "body": body})
    return parts


def report_tables(
    stats: Iterable[Mapping],
    checks: Iterable[Mapping],
    fmt: str | None,
    source: Callable[[Mapping], str] | None = None,
) -> dict:
    """Everything the report page needs to draw tables 2–4; a table absent from the report is None.
    ``source(stat)`` gives the link from a number to where it was read ('' for none)."""
    values = _Values(stats, failed_cells(checks), source)
    return {
        "table2": table2(values) if values.has("table2") else None,
        "table3": table3(values, fmt) if values.has("table3") else None,
        "table4": table4(values) if values.has("table4") else None,
    }
