"""Ground truths for reports outside the 沙坡头区 catalogue (other archetypes, runtime additions)."""

from __future__ import annotations

import random
from functools import lru_cache

from simulator.documents import ReportTruth, district_reports
from simulator.documents.generate import (
    gen_table2_2019,
    gen_table2_2021,
    gen_table3,
    gen_table4,
    standard_texts,
)
from simulator.documents.truth import STANDARD_SECTION_TITLES

TITLE_STYLES = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
    "{year}年{agency}政府信息公开工作年度报告",
)


@lru_cache(maxsize=1)
def _district() -> tuple[ReportTruth, ...]:
    return tuple(district_reports())


def district_truths() -> dict[str, list[ReportTruth]]:
    """The 沙坡头区 catalogue grouped by agency slug (years ascending)."""
    out: dict[str, list[ReportTruth]] = {}
    for truth in _district():
        out.setdefault(truth.agency_slug, []).append(truth)
    return out


def make_truth(
    agency: str,
    slug: str,
    year: int,
    *,
    publish_date: str,
    seed: int = 0,
    region: str = "",
    fmt: str = "2021",
    profile: str = "office",
    source_format: str = "html",
    encoding: str = "utf-8",
) -> ReportTruth:
    """A consistent, deterministic report truth for (agency, year) built with the documents generators."""
    rng = random.Random(f"{slug}-{year}-{seed}")
    title = rng.choice(TITLE_STYLES).format(agency=agency, year=year)
    t3 = gen_table3(rng, rng.randint(0, 30), single_other=fmt == "2019")
    t4 = gen_table4(rng, rng.randint(0, 3))
    table2 = gen_table2_2019(rng) if fmt == "2019" else gen_table2_2021(rng, profile)
    texts = standard_texts(agency, year, t3, t4, rng)
    return ReportTruth(
        agency=agency,
        agency_slug=slug,
        year=year,
        title=title,
        publish_date=publish_date,
        format=fmt,
        sections=[(i + 1, STANDARD_SECTION_TITLES[i], texts[i]) for i in range(6)],
        table2=table2,
        table3=t3,
        table4=t4,
        source_format=source_format,
        encoding=encoding,
        preamble=(
            "根据《中华人民共和国政府信息公开条例》和上级有关要求，"
            f"{agency}编制了本报告。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            f"本报告电子版可在{region or agency}网站下载。"
        ),
        publisher=agency,
    )
