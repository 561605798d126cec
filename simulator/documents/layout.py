"""Format-neutral grids of the statistics tables (cells with row/col spans) shared by all renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.contract import (
    DECLINED_ROWS,
    DENIED_ROWS,
    OTHER_ROW_SINGLE,
    OTHER_ROWS_2021,
    TABLE3_COLUMNS,
    TABLE4_BLOCKS,
    TABLE4_COLUMNS,
    UNABLE_ROWS,
)

from .truth import ReportTruth


@dataclass
class Cell:
    """One printed cell; ``text`` may contain "\\n" for a forced line break (<br> in HTML)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    blank: bool = False


Row = list[Cell]
Grid = list[Row]

_DENIED_LABELS = (
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
)
_UNABLE_LABELS = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
_DECLINED_LABELS = (
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
)
_OTHER_LABELS = (
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
)

_FULL = {
    "note": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "granted": "（一）予以公开",
    "partially": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "declined": "（五）不予处理",
    "other": "（六）其他处理",
    "total": "（七）总计",
}
_HALF = {
    "note": "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)",
    "granted": "(一) 予以公开",
    "partially": "(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)",
    "denied": "(三) 不予公开",
    "unable": "(四) 无法提供",
    "declined": "(五) 不予处理",
    "other": "(六) 其他处理",
    "total": "(七) 总计",
}


def _h(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(text, rowspan, colspan, header=True)


def _v(truth: ReportTruth, table: str, row: str, col: str, colspan: int = 1) -> Cell:
    address = f"{table}.{row}.{col}"
    value: Any = getattr(truth, table)[row][col]
    return Cell(truth.cell_text(address, value), colspan=colspan, blank=address in truth.blank_cells)


def table2_grid(truth: ReportTruth) -> Grid:
    """主动公开 table: one 4-column table with the 第二十条 blocks of the report's format."""
    t = "table2"
    if truth.format == "2019":
        cols3 = ("prior_year_items", "change", "decisions")
        hdr3 = [_h("信息内容"), _h("上一年项目数量"), _h("本年增/减"), _h("处理决定数量")]
        return [
            [_h("第二十条第（一）项", colspan=4)],
            [_h("信息内容"), _h("本年新\n制作数量"), _h("本年新\n公开数量"), _h("对外公开\n总数量")],
            [_h("规章")]
            + [_v(truth, t, "regulations", c) for c in ("new_made", "new_published", "total_published")],
            [_h("规范性文件")]
            + [
                _v(truth, t, "normative_documents", c)
                for c in ("new_made", "new_published", "total_published")
            ],
            [_h("第二十条第（五）项", colspan=4)],
            hdr3,
            [_h("行政许可")] + [_v(truth, t, "licensing", c) for c in cols3],
            [_h("其他对外管理服务事项")] + [_v(truth, t, "other_management", c) for c in cols3],
            [_h("第二十条第（六）项", colspan=4)],
            list(hdr3),
            [_h("行政处罚")] + [_v(truth, t, "penalty", c) for c in cols3],
            [_h("行政强制")] + [_v(truth, t, "coercion", c) for c in cols3],
            [_h("第二十条第（八）项", colspan=4)],
            [_h("信息内容"), _h("上一年项目数量"), _h("本年增/减", colspan=2)],
            [
                _h("行政事业性收费"),
                _v(truth, t, "fees", "prior_year_items"),
                _v(truth, t, "fees", "change", 2),
            ],
            [_h("第二十条第（九）项", colspan=4)],
            [_h("信息内容"), _h("采购项目数量"), _h("采购总金额", colspan=2)],
            [
                _h("政府集中采购"),
                _v(truth, t, "procurement", "items"),
                _v(truth, t, "procurement", "amount", 2),
            ],
        ]
    cols = ("issued", "repealed", "in_force")
    return [
        [_h("第二十条第（一）项", colspan=4)],
        [_h("信息内容"), _h("本年制发件数"), _h("本年废止件数"), _h("现行有效件数")],
        [_h("规章")] + [_v(truth, t, "regulations", c) for c in cols],
        [_h("行政规范性文件")] + [_v(truth, t, "normative_documents", c) for c in cols],
        [_h("第二十条第（五）项", colspan=4)],
        [_h("信息内容"), _h("本年处理决定数量", colspan=3)],
        [_h("行政许可"), _v(truth, t, "licensing", "decisions", 3)],
        [_h("第二十条第（六）项", colspan=4)],
        [_h("信息内容"), _h("本年处理决定数量", colspan=3)],
        [_h("行政处罚"), _v(truth, t, "penalty", "decisions", 3)],
        [_h("行政强制"), _v(truth, t, "coercion", "decisions", 3)],
        [_h("第二十条第（八）项", colspan=4)],
        [_h("信息内容"), _h("本年收费金额（单位：万元）", colspan=3)],
        [_h("行政事业性收费"), _v(truth, t, "fees", "amount_10k_yuan", 3)],
    ]


def table3_grid(truth: ReportTruth) -> Grid:
    """收到和处理申请 table: 3 label columns + 7 value columns (8 with the misaligned-header quirk)."""
    t3 = truth.table3 or {}
    lab = _HALF if truth.label_style == "halfwidth" else _FULL
    misaligned = "misaligned_header" in truth.quirks

    def values(row: str) -> list[Cell]:
        cells = [_v(truth, "table3", row, c) for c in TABLE3_COLUMNS]
        if misaligned:
            cells[1].colspan = 2
        return cells

    grid: Grid
    if misaligned:
        grid = [
            [_h(lab["note"], 3, 3), _h("申请人情况", colspan=8)],
            [_h("自然人", colspan=2), _h("法人或其他组织", colspan=5), _h("总计", rowspan=2)],
            [
                Cell("", header=True),
                _h("商业企业", colspan=2),
                _h("科研机构"),
                _h("社会公益组织"),
                _h("法律服务机构"),
                _h("其他"),
            ],
        ]
    else:
        grid = [
            [_h(lab["note"], 3, 3), _h("申请人情况", colspan=7)],
            [_h("自然人", rowspan=2), _h("法人或其他组织", colspan=5), _h("总计", rowspan=2)],
            [_h("商业企业"), _h("科研机构"), _h("社会公益组织"), _h("法律服务机构"), _h("其他")],
        ]
    grid.append([_h("一、本年新收政府信息公开申请数量", colspan=3), *values("new_received")])
    grid.append([_h("二、上年结转政府信息公开申请数量", colspan=3), *values("carried_over")])
    single = OTHER_ROW_SINGLE in t3
    n_results = 1 + 1 + 8 + 3 + 5 + (1 if single else 3) + 1
    split = "split_results_label" in truth.quirks and single
    first_span = 10 if split else n_results
    body: Grid = [
        [_h("三、本年度办理结果", rowspan=first_span), _h(lab["granted"], colspan=2), *values("granted")],
        [_h(lab["partially"], colspan=2), *values("partially_granted")],
    ]
    groups = (
        (lab["denied"], DENIED_ROWS, _DENIED_LABELS),
        (lab["unable"], UNABLE_ROWS, _UNABLE_LABELS),
        (lab["declined"], DECLINED_ROWS, _DECLINED_LABELS),
    )
    for group_label, codes, labels in groups:
        for i, (code, label) in enumerate(zip(codes, labels, strict=True)):
            row: Row = [_h(group_label, rowspan=len(codes))] if i == 0 else []
            body.append([*row, _h(label), *values(code)])
    if single:
        body.append([_h(lab["other"], colspan=2), *values(OTHER_ROW_SINGLE)])
    else:
        for i, (code, label) in enumerate(zip(OTHER_ROWS_2021, _OTHER_LABELS, strict=True)):
            row = [_h(lab["other"], rowspan=3)] if i == 0 else []
            body.append([*row, _h(label), *values(code)])
    body.append([_h(lab["total"], colspan=2), *values("results_total")])
    if split:
        body[10].insert(0, _h("三、本年度办理结果", rowspan=n_results - 10))
    grid.extend(body)
    grid.append([_h("四、结转下年度继续办理", colspan=3), *values("carried_forward")])
    return grid


_T4_LABELS = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")


def table4_grid(truth: ReportTruth) -> Grid:
    """复议、诉讼 table: two header rows with colspans, one row of 15 values."""
    return [
        [_h("行政复议", colspan=5), _h("行政诉讼", colspan=10)],
        [
            *(_h(x, rowspan=2) for x in _T4_LABELS),
            _h("未经复议直接起诉", colspan=5),
            _h("复议后起诉", colspan=5),
        ],
        [_h(x) for x in _T4_LABELS * 2],
        [_v(truth, "table4", block, col) for block in TABLE4_BLOCKS for col in TABLE4_COLUMNS],
    ]


def section_grids(truth: ReportTruth) -> dict[int, Grid]:
    """Which table follows which section number (二 → table2, 三 → table3, 四 → table4)."""
    if truth.format == "other" or truth.table3 is None:
        return {}
    grids: dict[int, Grid] = {}
    if truth.table2 is not None:
        grids[2] = table2_grid(truth)
    grids[3] = table3_grid(truth)
    if truth.table4 is not None:
        grids[4] = table4_grid(truth)
    return grids


def grid_width(grid: Grid) -> int:
    """Number of grid columns (from the widest row, counting rowspans from above)."""
    occupied: dict[tuple[int, int], bool] = {}
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while occupied.get((r, c)):
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied[(r + dr, c + dc)] = True
            c += cell.colspan
        width = max(width, c)
    return width


def place(grid: Grid) -> list[tuple[int, int, Cell]]:
    """Absolute (row, col, cell) positions, resolving rowspans as HTML does."""
    occupied: set[tuple[int, int]] = set()
    out: list[tuple[int, int, Cell]] = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied.add((r + dr, c + dc))
            c += cell.colspan
    return out
