"""Data model of a parsed report (ParsedReport, Section, Cell, Check) and its JSON contract shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Number = int | float | str


@dataclass
class ReportHints:
    """What the crawl listing or the registry knows about a document; used only as a fallback."""

    year: int | None = None
    agency: str | None = None
    title: str | None = None
    url: str | None = None
    publish_date: str | None = None


@dataclass
class Section:
    """One of the report's numbered sections (一、总体情况 … 六、其他需要报告的事项)."""

    no: int
    title: str
    text: str


@dataclass
class Cell:
    """One number of tables 2–4 in contract codes, with the label it was printed under and its origin."""

    table: str
    row_code: str
    col_code: str
    value: Number
    value_text: str
    row_label: str
    col_label: str
    blank: bool = False
    src_table: int | None = None
    src_row: int | None = None
    src_col: int | None = None
    src_page: int | None = None
    confidence: float | None = None  # OCR's confidence in the text of the cell (None: not OCR'd)
    src_box: tuple[float, float, float, float] | None = None  # OCR: (x0, top, x1, bottom) / image size
    src_url: str | None = None  # the table image (absolute URL) the cell was OCR'd from

    @property
    def address(self) -> str:
        return f"{self.table}.{self.row_code}.{self.col_code}"


@dataclass
class Check:
    """The outcome of one consistency rule (勾稽关系); failed checks are recorded, never corrected."""

    rule: str
    ok: bool
    detail: str
    cells: list[str] = field(default_factory=list)


@dataclass
class ParsedReport:
    """Everything the normalizer extracted from one document."""

    title: str | None = None
    agency: str | None = None
    year: int | None = None
    publish_date: str | None = None
    format: str = "other"
    parse_status: str = "failed"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # numbers read, but an assumption was made
    source_format: str = "html"
    text: str = ""
    sections: list[Section] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    table_is_image: bool = False

    def table(self, name: str) -> dict[str, dict[str, Number]]:
        """The nested {row_code: {col_code: value}} dict of one table (empty when absent)."""
        out: dict[str, dict[str, Number]] = {}
        for cell in self.cells:
            if cell.table == name:
                out.setdefault(cell.row_code, {})[cell.col_code] = cell.value
        return out

    def to_contract(self) -> dict[str, Any]:
        """The report in the shape of shared/report-json.md."""
        out: dict[str, Any] = {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "format": self.format,
            "parse_status": self.parse_status,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "publish_date": self.publish_date,
            "source_format": self.source_format,
            "table_is_image": self.table_is_image,
            "sections": [{"no": s.no, "title": s.title, "text": s.text} for s in self.sections],
        }
        for name in ("table2", "table3", "table4"):
            table = self.table(name)
            if table:
                out[name] = table
        out["blank_cells"] = [c.address for c in self.cells if c.blank]
        if any(c.confidence is not None for c in self.cells):
            out["ocr_confidence"] = {
                c.address: round(c.confidence, 3) for c in self.cells if c.confidence is not None
            }
        out["checks"] = [
            {"rule": c.rule, "ok": c.ok, "detail": c.detail, "cells": list(c.cells)} for c in self.checks
        ]
        return out
