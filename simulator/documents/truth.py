"""Ground truth of one simulated annual report: the numbers and text a correct parser must output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.contract import (
    APPLICANT_COLUMNS,
    OTHER_ROW_SINGLE,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    TABLE3_COLUMNS,
    TABLE3_ROWS_2019,
    TABLE3_ROWS_2021,
    TABLE4_BLOCKS,
)


def result_rows(table3: dict[str, dict[str, int]]) -> list[str]:
    """The result rows (三（一）…（六）) present in a table3, in printed order."""
    return list(RESULT_ROWS_2019 if OTHER_ROW_SINGLE in table3 else RESULT_ROWS_2021)


def table3_rows(table3: dict[str, dict[str, int]]) -> list[str]:
    """All table3 row codes present, in printed order."""
    return list(TABLE3_ROWS_2019 if OTHER_ROW_SINGLE in table3 else TABLE3_ROWS_2021)


CHECK_RULES: tuple[str, ...] = (
    "table3.balance",
    "table3.row_totals",
    "table3.results_sum",
    "table4.block_totals",
)

STANDARD_SECTION_TITLES: tuple[str, ...] = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)


def compute_checks(
    table3: dict[str, dict[str, int]] | None, table4: dict[str, dict[str, int]] | None
) -> list[dict[str, Any]]:
    """Evaluate the 勾稽关系 rules on printed numbers; one dict per rule with rule / ok / detail."""
    checks: list[dict[str, Any]] = []
    if table3:
        bad: list[str] = []
        for col in TABLE3_COLUMNS:
            left = table3["new_received"][col] + table3["carried_over"][col]
            right = table3["results_total"][col] + table3["carried_forward"][col]
            if left != right:
                bad.append(
                    f"{col}: {table3['new_received'][col]} + {table3['carried_over'][col]} != "
                    f"{table3['results_total'][col]} + {table3['carried_forward'][col]}"
                )
        t = "total"
        ok_detail = (
            f"{table3['new_received'][t]} + {table3['carried_over'][t]} = "
            f"{table3['results_total'][t]} + {table3['carried_forward'][t]}"
        )
        checks.append({"rule": "table3.balance", "ok": not bad, "detail": "; ".join(bad) or ok_detail})

        bad = []
        for row in table3_rows(table3):
            vals = table3[row]
            s = sum(vals[c] for c in APPLICANT_COLUMNS)
            if s != vals["total"]:
                bad.append(f"{row}: sum {s} != total {vals['total']}")
        checks.append({"rule": "table3.row_totals", "ok": not bad, "detail": "; ".join(bad) or "all rows"})

        bad = []
        for col in TABLE3_COLUMNS:
            s = sum(table3[r][col] for r in result_rows(table3))
            if s != table3["results_total"][col]:
                bad.append(f"{col}: sum of results {s} != results_total {table3['results_total'][col]}")
        checks.append(
            {"rule": "table3.results_sum", "ok": not bad, "detail": "; ".join(bad) or "all columns"}
        )
    if table4:
        bad = []
        for block in TABLE4_BLOCKS:
            v = table4[block]
            s = v["upheld"] + v["corrected"] + v["other"] + v["pending"]
            if s != v["total"]:
                bad.append(
                    f"{block}: {v['upheld']} + {v['corrected']} + {v['other']} + {v['pending']} != {v['total']}"
                )
        checks.append(
            {"rule": "table4.block_totals", "ok": not bad, "detail": "; ".join(bad) or "all blocks"}
        )
    return checks


@dataclass
class ReportTruth:
    """One report as published: metadata, section texts and the printed table numbers.

    Section ``text`` is the section's paragraphs joined by ``"\\n"`` (headings excluded, tables excluded).
    ``blank_cells`` are addresses like ``"table3.granted.research"`` whose value is 0 in the tables but is
    printed as ``blank_marks.get(address, "")`` (``""`` means an empty / ``&nbsp;`` cell).
    ``quirks`` switch on real-world markup oddities in the renderers: "misaligned_header" (the table3 header
    grid of pingtan-2021: 自然人 colspan 2, 商业企业 values colspan 2), "split_results_label" (2019 format:
    三、本年度办理结果 printed twice with rowspan 10, a Word page-break artefact), "nbsp_padding" (``&nbsp;``
    around some digits). ``label_style`` "halfwidth" prints table3 labels as the seed does ("(一) 予以公开").
    ``preamble`` is the paragraph(s) between the title and 一、 (not part of the JSON contract).
    """

    agency: str
    agency_slug: str
    year: int
    title: str
    publish_date: str
    format: str
    sections: list[tuple[int, str, str]]
    table2: dict[str, dict[str, Any]] | None = None
    table3: dict[str, dict[str, int]] | None = None
    table4: dict[str, dict[str, int]] | None = None
    blank_cells: list[str] = field(default_factory=list)
    failing_checks: set[str] = field(default_factory=set)
    source_format: str = "html"
    encoding: str = "utf-8"
    preamble: str = ""
    blank_marks: dict[str, str] = field(default_factory=dict)
    label_style: str = "fullwidth"
    quirks: set[str] = field(default_factory=set)
    publisher: str = ""

    @property
    def key(self) -> str:
        """Stable identifier, e.g. ``sptqzwfwzx-2024``."""
        return f"{self.agency_slug}-{self.year}"

    def checks(self) -> list[dict[str, Any]]:
        """The consistency checks a correct parser reports for these printed numbers."""
        return compute_checks(self.table3, self.table4)

    def computed_failing_checks(self) -> set[str]:
        """Rule names that fail on the printed numbers."""
        return {c["rule"] for c in self.checks() if not c["ok"]}

    def cell_text(self, address: str, value: Any) -> str:
        """How a cell is printed: the blank mark for blank cells, else the number as text."""
        if address in self.blank_cells:
            return self.blank_marks.get(address, "")
        if isinstance(value, float):
            text = repr(value)
            return text[:-2] if text.endswith(".0") else text
        return str(value)

    def to_expected(self) -> dict[str, Any]:
        """The normalized JSON (report-json.md shape) a correct parser must produce for this report."""
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "format": self.format,
            "parse_status": "ok",
            "sections": [{"no": no, "title": title, "text": text} for no, title, text in self.sections],
            "table2": _copy(self.table2),
            "table3": _copy(self.table3),
            "table4": _copy(self.table4),
            "blank_cells": sorted(self.blank_cells),
            "checks": self.checks(),
        }


def _copy(table: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]] | None:
    return None if table is None else {k: dict(v) for k, v in table.items()}
