"""Deterministic generators of realistic, internally consistent table numbers and section texts."""

from __future__ import annotations

import random
from typing import Any

from crawler.contract import (
    APPLICANT_COLUMNS,
    OTHER_ROW_SINGLE,
    OTHER_ROWS_2021,
    TABLE4_BLOCKS,
)

from .truth import result_rows, table3_rows

# Relative weights for where an application ends up (per result row).
_RESULT_WEIGHTS: dict[str, float] = {
    "granted": 30,
    "partially_granted": 10,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 0.6,
    "denied_three_securities": 0.4,
    "denied_third_party": 1.5,
    "denied_internal_affairs": 1.5,
    "denied_process_information": 2,
    "denied_enforcement_files": 1,
    "denied_administrative_query": 1.5,
    "unable_not_held": 18,
    "unable_requires_creation": 3,
    "unable_unclear": 2,
    "declined_complaint": 3,
    "declined_repeated": 3,
    "declined_publication": 0.5,
    "declined_excessive": 0.5,
    "declined_confirmation": 1,
    "other_no_correction": 2,
    "other_no_fee": 0.3,
    "other_other": 2,
    "other_handling": 4,
}

# Share of applications by applicant type.
_APPLICANT_WEIGHTS: dict[str, float] = {
    "natural_person": 80,
    "commercial": 9,
    "research": 1,
    "social_welfare": 1.5,
    "legal_service": 4.5,
    "other_org": 4,
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def gen_table3(
    rng: random.Random, new_total: int, *, single_other: bool = False
) -> dict[str, dict[str, int]]:
    """A consistent table3: every row total, the balance and the results sum hold."""
    rows_template: dict[str, Any] = {"other_handling": {}} if single_other else {}
    rows = table3_rows(rows_template)
    t3 = {row: dict.fromkeys(APPLICANT_COLUMNS, 0) for row in rows}
    for _ in range(new_total):
        t3["new_received"][_pick(rng, _APPLICANT_WEIGHTS)] += 1
    t3["carried_over"]["natural_person"] = rng.choice([0, 0, 1, 2])
    if new_total > 10:
        t3["carried_over"]["commercial"] = rng.choice([0, 1])
    weights = {r: _RESULT_WEIGHTS[r] for r in result_rows(t3)}
    for col in APPLICANT_COLUMNS:
        available = t3["new_received"][col] + t3["carried_over"][col]
        forward = (
            min(available, rng.choice([0, 0, 0, 1, 2])) if col in ("natural_person", "commercial") else 0
        )
        t3["carried_forward"][col] = forward
        for _ in range(available - forward):
            t3[_pick(rng, weights)][col] += 1
        t3["results_total"][col] = available - forward
    for row in rows:
        t3[row]["total"] = sum(t3[row][c] for c in APPLICANT_COLUMNS)
    return t3


def gen_table4(rng: random.Random, level: int) -> dict[str, dict[str, int]]:
    """A consistent table4 with ``level`` controlling how many cases there are (0 = none)."""
    t4: dict[str, dict[str, int]] = {}
    for i, block in enumerate(TABLE4_BLOCKS):
        cap = max(0, level - i)
        vals = {
            "upheld": rng.randint(0, cap),
            "corrected": rng.randint(0, 1) if cap else 0,
            "other": rng.randint(0, cap // 2),
            "pending": rng.randint(0, 1) if cap else 0,
        }
        vals["total"] = sum(vals.values())
        t4[block] = vals
    return t4


def gen_table2_2021(rng: random.Random, profile: str) -> dict[str, dict[str, Any]]:
    """Table2 in the 2021 format; ``profile`` is "office", "regulator", "service" or "township"."""
    big = {"regulator": 400, "office": 30, "service": 1500, "township": 20}[profile]
    issued = rng.randint(0, 6) if profile in ("office", "regulator") else 0
    repealed = rng.randint(0, 3) if issued else 0
    return {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {
            "issued": issued,
            "repealed": repealed,
            "in_force": issued + rng.randint(0, 25),
        },
        "licensing": {"decisions": rng.randint(big // 2, big)},
        "penalty": {"decisions": rng.randint(0, big // 10)},
        "coercion": {"decisions": rng.randint(0, big // 50)},
        "fees": {"amount_10k_yuan": round(rng.uniform(0, 60), 2) if profile == "regulator" else 0},
    }


def gen_table2_2019(rng: random.Random) -> dict[str, dict[str, Any]]:
    """Table2 in the 2019 trial format (with the 第二十条第（九）项 procurement block)."""
    made = rng.randint(3, 15)
    return {
        "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
        "normative_documents": {
            "new_made": made,
            "new_published": made,
            "total_published": made + rng.randint(20, 60),
        },
        "licensing": {
            "prior_year_items": rng.randint(50, 200),
            "change": rng.randint(-5, 5),
            "decisions": rng.randint(100, 900),
        },
        "other_management": {
            "prior_year_items": rng.randint(5, 40),
            "change": 0,
            "decisions": rng.randint(10, 200),
        },
        "penalty": {
            "prior_year_items": rng.randint(100, 500),
            "change": rng.randint(-3, 8),
            "decisions": rng.randint(10, 90),
        },
        "coercion": {"prior_year_items": rng.randint(5, 30), "change": 0, "decisions": rng.randint(0, 10)},
        "fees": {"prior_year_items": rng.randint(3, 12), "change": rng.choice([-1, 0, 0])},
        "procurement": {
            "items": rng.randint(10, 60),
            "amount": f"{rng.randint(1_000_000, 9_000_000)}.{rng.randint(10, 99)}元",
        },
    }


def other_rows_of(t3: dict[str, dict[str, int]]) -> tuple[str, ...]:
    """The （六）其他处理 row codes of this table3."""
    return (OTHER_ROW_SINGLE,) if OTHER_ROW_SINGLE in t3 else OTHER_ROWS_2021


def standard_texts(
    agency: str, year: int, t3: dict[str, dict[str, int]], t4: dict[str, dict[str, int]], rng: random.Random
) -> list[str]:
    """Section texts (paragraphs joined by newline) for a standard six-part report; 二–四 hold only tables."""
    new = t3["new_received"]["total"]
    done = t3["results_total"]["total"]
    fwd = t3["carried_forward"]["total"]
    granted = t3["granted"]["total"] + t3["partially_granted"]["total"]
    cases = t4["review"]["total"] + t4["litigation_direct"]["total"] + t4["litigation_after_review"]["total"]
    posts = rng.randint(60, 400)
    s1 = [
        f"（一）主动公开。{year}年，{agency}坚持“公开为常态、不公开为例外”，通过政府网站、政务新媒体等渠道主动公开"
        f"政府信息{posts}条，其中机构职能、部门预决算、政策解读等重点领域信息{posts // 4}条。",
        f"（二）依申请公开。全年共收到政府信息公开申请{new}件，办结{done}件，其中予以公开或部分公开{granted}件，"
        f"结转下年度继续办理{fwd}件。因政府信息公开引发行政复议、行政诉讼共{cases}件。",
        "（三）政府信息管理。严格落实信息发布“三审三校”制度，对拟公开信息逐条进行保密审查和公开属性审核，"
        "动态更新政府信息公开指南和目录。",
        "（四）平台建设。持续优化政府网站信息公开专栏，规范政务新媒体运维，及时更新法定主动公开内容。",
        f"（五）监督保障。将政务公开纳入年度工作考核，开展季度自查{rng.randint(2, 4)}次，{year}年未发生因政府信息"
        "公开工作被追究责任的情况。",
    ]
    s5 = [
        "一是公开内容的深度和广度仍需拓展；二是政策解读形式较为单一；三是工作人员业务能力有待提高。",
        f"下一步，{agency}将进一步规范依申请公开办理流程，丰富图文、视频等解读形式，加强业务培训，"
        "不断提升政务公开工作质效。",
    ]
    s6 = [
        f"本年度{agency}未收取信息处理费。",
        f"{year}年度政务公开工作要点落实情况：已按要求全部落实。",
    ]
    return ["\n".join(s1), "", "", "", "\n".join(s5), "\n".join(s6)]
