"""Chinese labels and print order of the contract codes (crawler.contract) for the report pages."""

from __future__ import annotations

from crawler.contract import (
    TABLE2_COLUMN_LABELS,
    TABLE2_ROW_LABELS,
    TABLE3_COLUMN_LABELS,
    TABLE3_ROW_LABELS,
    TABLE4_BLOCK_LABELS,
    TABLE4_COLUMN_LABELS,
)

RESULT_HEADING = "三、本年度办理结果"

TABLE_TITLES = {
    "table2": "二、主动公开政府信息情况",
    "table3": "三、收到和处理政府信息公开申请情况",
    "table4": "四、政府信息公开行政复议、行政诉讼情况",
}


def _labels() -> dict[str, dict[str, str]]:
    t3 = {code: (f"{group} {item}" if group else item) for code, (group, item) in TABLE3_ROW_LABELS.items()}
    return {
        "table2": TABLE2_ROW_LABELS | TABLE2_COLUMN_LABELS,
        "table3": t3 | TABLE3_COLUMN_LABELS,
        "table4": TABLE4_BLOCK_LABELS | TABLE4_COLUMN_LABELS,
    }


def _orders() -> dict[str, dict[str, int]]:
    def index(*labels: dict) -> dict[str, int]:
        order: dict[str, int] = {}
        for codes in labels:
            for code in codes:
                order.setdefault(code, len(order))
        return order

    return {
        "table2": index(TABLE2_ROW_LABELS, TABLE2_COLUMN_LABELS),
        "table3": index(TABLE3_ROW_LABELS, TABLE3_COLUMN_LABELS),
        "table4": index(TABLE4_BLOCK_LABELS, TABLE4_COLUMN_LABELS),
    }


LABELS = _labels()
ORDERS = _orders()


def code_label(table: str | None, code: str | None) -> str | None:
    """Chinese label of a row or column code (None when unknown)."""
    return LABELS.get(table or "", {}).get(code or "")


def code_order(table: str | None, code: str | None) -> int:
    """Print position of a row or column code; unknown codes sort last."""
    return ORDERS.get(table or "", {}).get(code or "", 999)
