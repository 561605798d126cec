"""The simulated 沙坡头区: which units published which annual reports, with their ground truth."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .generate import gen_table2_2019, gen_table2_2021, gen_table3, gen_table4, standard_texts
from .seed import seed_truth
from .truth import STANDARD_SECTION_TITLES, ReportTruth


@dataclass(frozen=True)
class _Spec:
    agency: str
    slug: str
    year: int
    title: str
    publish_date: str
    format: str = "2021"
    profile: str = "office"
    new_total: int = 12
    cases: int = 1
    faults: tuple[str, ...] = ()
    blanks: tuple[tuple[str, str], ...] = ()  # (address pattern, mark); pattern "table3.*.research" allowed
    source_format: str = "html"
    encoding: str = "utf-8"
    single_other: bool = False
    quirks: frozenset[str] = field(default_factory=frozenset)


_ZWFW = "沙坡头区政务服务中心"
_JYJ = "沙坡头区教育局"
_ZRZY = "沙坡头区自然资源局"
_BHZ = "滨河镇人民政府"
_ZFB = "沙坡头区人民政府办公室"

_SPECS: tuple[_Spec, ...] = (
    _Spec(
        _ZWFW, "sptqzwfwzx", 2022, f"{_ZWFW}2022年政府信息公开工作年度报告", "2023-01-18", profile="service"
    ),
    _Spec(
        _ZWFW,
        "sptqzwfwzx",
        2023,
        f"{_ZWFW}2023年度政府信息公开工作年度报告",
        "2024-01-26",
        profile="service",
        new_total=7,
        cases=0,
        quirks=frozenset({"misaligned_header"}),
    ),
    _Spec(_JYJ, "sptqjyj", 2021, f"2021年{_JYJ}政府信息公开工作年度报告", "2022-01-21", new_total=9),
    _Spec(
        _JYJ,
        "sptqjyj",
        2022,
        f"{_JYJ}2022年政府信息公开工作年度报告",
        "2023-01-30",
        new_total=15,
        faults=("balance",),
    ),
    _Spec(
        _JYJ,
        "sptqjyj",
        2023,
        f"{_JYJ}2023年政府信息公开工作年度报告",
        "2024-01-29",
        new_total=11,
        source_format="pdf",
        blanks=(("table4.*.*", "-"),),
    ),
    _Spec(
        _ZRZY,
        "sptqzrzyj",
        2022,
        f"{_ZRZY}2022年政府信息公开工作年度报告",
        "2023-01-20",
        profile="regulator",
        new_total=23,
        cases=2,
        blanks=(("table3.*.research", "/"), ("table4.litigation_after_review.*", "—")),
    ),
    _Spec(
        _ZRZY,
        "sptqzrzyj",
        2023,
        f"{_ZRZY}2023年政府信息公开工作年度报告",
        "2024-03-15",
        profile="regulator",
        new_total=31,
        cases=3,
        faults=("row_totals",),
    ),
    _Spec(
        _ZRZY,
        "sptqzrzyj",
        2024,
        f"{_ZRZY}2024年政府信息公开工作年度报告",
        "2025-01-24",
        profile="regulator",
        new_total=27,
        cases=2,
        source_format="docx",
        blanks=(("table3.*.research", "/"),),
    ),
    _Spec(
        _BHZ,
        "bhzrmzf",
        2022,
        f"{_BHZ}2022年政府信息公开工作年度报告",
        "2023-01-31",
        profile="township",
        new_total=4,
        cases=0,
        encoding="gbk",
        blanks=(("table3.denied_*.*", ""), ("table2.fees.amount_10k_yuan", "无")),
    ),
    _Spec(
        _BHZ,
        "bhzrmzf",
        2023,
        f"{_BHZ}2023年政府信息公开工作年度报告",
        "2024-01-25",
        profile="township",
        new_total=6,
        cases=2,
        faults=("block_totals",),
    ),
    _Spec(_ZFB, "sptqzfb", 2017, f"{_ZFB}2017年政府信息公开工作年度报告", "2018-03-28", format="other"),
    _Spec(
        _ZFB,
        "sptqzfb",
        2019,
        f"{_ZFB}2019年度政府信息公开工作年度报告",
        "2020-01-22",
        format="2019",
        new_total=18,
        cases=1,
        single_other=True,
        quirks=frozenset({"split_results_label", "nbsp_padding"}),
    ),
    _Spec(
        _ZFB,
        "sptqzfb",
        2020,
        f"{_ZFB}2020年政府信息公开工作年度报告",
        "2021-01-28",
        format="2019",
        new_total=21,
        cases=2,
        single_other=True,
        source_format="pdf",
    ),
    _Spec(
        _ZFB,
        "sptqzfb",
        2023,
        f"{_ZFB}2023年政府信息公开工作年度报告",
        "2024-01-22",
        new_total=26,
        cases=2,
        single_other=True,
        faults=("results_sum",),
    ),
)

_FAULT_RULES = {
    "balance": "table3.balance",
    "row_totals": "table3.row_totals",
    "results_sum": "table3.results_sum",
    "block_totals": "table4.block_totals",
}


def _apply_fault(fault: str, t3: dict[str, dict[str, int]], t4: dict[str, dict[str, int]]) -> None:
    """Break exactly one 勾稽关系 the way real reports get it wrong."""
    if fault == "balance":  # carried_forward over-reported by one (row stays self-consistent)
        t3["carried_forward"]["natural_person"] += 1
        t3["carried_forward"]["total"] += 1
    elif fault == "row_totals":  # one application typed in the wrong row, totals left as they were
        src = "granted" if t3["granted"]["natural_person"] else "unable_not_held"
        t3[src]["natural_person"] -= 1
        t3["partially_granted" if src == "granted" else "unable_unclear"]["natural_person"] += 1
    elif fault == "results_sum":  # a result row is over-counted (row itself adds up)
        t3["unable_not_held"]["natural_person"] += 1
        t3["unable_not_held"]["total"] += 1
    elif fault == "block_totals":
        t4["review"]["total"] += 1
    else:
        raise ValueError(fault)


def _match(pattern: str, address: str) -> bool:
    pp, ap = pattern.split("."), address.split(".")
    return len(pp) == len(ap) and all(
        p == "*" or p == a or (p.endswith("*") and a.startswith(p[:-1])) for p, a in zip(pp, ap, strict=True)
    )


def _blank_cells(spec: _Spec, truth: ReportTruth) -> dict[str, str]:
    marks: dict[str, str] = {}
    for name in ("table2", "table3", "table4"):
        table = getattr(truth, name) or {}
        for row, cols in table.items():
            for col, value in cols.items():
                address = f"{name}.{row}.{col}"
                for pattern, mark in spec.blanks:
                    if value == 0 and _match(pattern, address):
                        marks[address] = mark
    return marks


def _preamble(spec: _Spec) -> str:
    return (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关要求，"
        f"{spec.agency}编制了本报告。本报告所列数据的统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。"
        "本报告电子版可在中卫市沙坡头区人民政府网站下载。"
    )


def _freeform_sections(spec: _Spec, rng: random.Random) -> list[tuple[int, str, str]]:
    n_apply = rng.randint(3, 9)
    return [
        (
            1,
            "概述",
            f"{spec.year}年，{spec.agency}认真贯彻《中华人民共和国政府信息公开条例》，明确分管领导和专人负责，"
            "政府信息公开工作有序推进。",
        ),
        (
            2,
            "主动公开政府信息情况",
            f"全年主动公开政府信息{rng.randint(200, 800)}条，其中规范性文件"
            f"{rng.randint(3, 12)}件，通过政府网站公开{rng.randint(150, 600)}条。",
        ),
        (
            3,
            "依申请公开政府信息情况",
            f"全年共受理政府信息公开申请{n_apply}件，均已按期答复，"
            f"其中同意公开{n_apply - 1}件，信息不存在1件。",
        ),
        (4, "政府信息公开的收费及减免情况", "本年度未收取任何费用。"),
        (
            5,
            "因政府信息公开申请提起行政复议、行政诉讼的情况",
            "本年度未发生因政府信息公开申请提起的行政复议、行政诉讼。",
        ),
        (
            6,
            "政府信息公开工作存在的主要问题及改进情况",
            "存在公开内容不够全面、更新不够及时等问题。下一步将加强培训，"
            "完善制度，推动政府信息公开工作规范化。",
        ),
    ]


def _build(spec: _Spec) -> ReportTruth:
    rng = random.Random(f"{spec.slug}-{spec.year}")
    truth = ReportTruth(
        agency=spec.agency,
        agency_slug=spec.slug,
        year=spec.year,
        title=spec.title,
        publish_date=spec.publish_date,
        format=spec.format,
        sections=[],
        source_format=spec.source_format,
        encoding=spec.encoding,
        quirks=set(spec.quirks),
        publisher=spec.agency,
    )
    if spec.format == "other":
        truth.sections = _freeform_sections(spec, rng)
        return truth
    t3 = gen_table3(rng, spec.new_total, single_other=spec.single_other)
    t4 = gen_table4(rng, spec.cases)
    truth.table2 = gen_table2_2019(rng) if spec.format == "2019" else gen_table2_2021(rng, spec.profile)
    texts = standard_texts(spec.agency, spec.year, t3, t4, rng)
    for fault in spec.faults:
        _apply_fault(fault, t3, t4)
    truth.table3, truth.table4 = t3, t4
    truth.sections = [(i + 1, STANDARD_SECTION_TITLES[i], texts[i]) for i in range(6)]
    truth.preamble = _preamble(spec)
    truth.blank_marks = _blank_cells(spec, truth)
    truth.blank_cells = sorted(truth.blank_marks)
    truth.failing_checks = {_FAULT_RULES[f] for f in spec.faults}
    computed = truth.computed_failing_checks()
    if computed != truth.failing_checks:
        raise AssertionError(f"{truth.key}: declared {truth.failing_checks}, computed {computed}")
    return truth


def district_reports() -> list[ReportTruth]:
    """Every report of the simulated 沙坡头区, the seed (政务服务中心 2024) included; deterministic."""
    reports = [_build(spec) for spec in _SPECS]
    reports.append(seed_truth())
    reports.sort(key=lambda t: (t.agency_slug, t.year))
    return reports


def report_by_key(key: str) -> ReportTruth:
    """Look a report up by ``<agency_slug>-<year>``."""
    for truth in district_reports():
        if truth.key == key:
            return truth
    raise KeyError(key)


__all__ = ["district_reports", "report_by_key"]
