"""The public API: never raises, contract shape, hints as fallback, format detection from tables."""

from __future__ import annotations

import random
from pathlib import Path

from crawler.contract import TABLE3_COLUMNS
from crawler.normalize import ParsedReport, ReportHints, parse_bytes, parse_file

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


def test_contract_shape() -> None:
    report = parse_file(REPORTS / "pingtan-2021.html")
    out = report.to_contract()
    for key in ("title", "agency", "year", "format", "parse_status", "errors", "publish_date", "sections"):
        assert key in out
    assert set(out["table3"]["new_received"]) == set(TABLE3_COLUMNS)
    assert out["blank_cells"] == [] and all(
        {"rule", "ok", "detail", "cells"} <= set(c) for c in out["checks"]
    )


def test_hints_are_only_a_fallback() -> None:
    hints = ReportHints(year=1999, agency="别的机关", title="别的标题", publish_date="2001-02-03")
    report = parse_file(REPORTS / "pingtan-2019.html", hints=hints)
    assert (report.year, report.agency, report.publish_date) == (2019, "平潭综合实验区", "2020-01-20")
    bare = parse_bytes("<p>一、总体情况</p><p>x</p><p>二、其他需要报告的事项</p>".encode(), hints=hints)
    assert (bare.year, bare.agency, bare.title, bare.publish_date) == (
        1999,
        "别的机关",
        "别的标题",
        "2001-02-03",
    )


def test_format_comes_from_the_tables_not_the_year() -> None:
    report = parse_file(REPORTS / "title2021-tables2019.html")
    assert report.format == "2019" and report.year == 2021 and report.parse_status == "partial"


def test_mutated_inputs_never_raise() -> None:
    rng = random.Random(1)
    sources = [REPORTS / n for n in ("pingtan-2019.html", "seed-shapotou-2024.txt", "docx-merged-2023.docx")]
    for src in sources:
        data = bytearray(src.read_bytes())
        for _ in range(6):
            mutated = bytearray(data[: rng.randrange(1, len(data))])
            for _ in range(20):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            report = parse_bytes(bytes(mutated), filename=src.name)
            assert isinstance(report, ParsedReport)
            assert report.parse_status in ("ok", "partial", "failed", "needs_ocr")
            assert report.parse_status == "ok" or report.errors
