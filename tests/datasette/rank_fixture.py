"""The publishing fixture plus the cases rankings, deadlines and feeds need (all invented, labelled so):
a district (鹿城区, invented figures) with its government, an office, a department and a street office,
reports on time and late under both regimes, heavy refusals, lawsuits lost, and a silently edited report."""

from __future__ import annotations

from pathlib import Path

from ds_fixture_db import AGENCIES, REPORTS, SITES, build_db

LUCHENG = "zhejiang-wenzhou-lucheng"
RANK_SITES = {**SITES, LUCHENG: ("鹿城区人民政府", "浙江省", "温州市", "鹿城区", "330302")}
RANK_AGENCIES = {
    **AGENCIES,
    "lucheng/gov": (LUCHENG, "鹿城区人民政府"),
    "lucheng/office": (LUCHENG, "鹿城区人民政府办公室"),
    "lucheng/edu": (LUCHENG, "鹿城区教育局"),
    "lucheng/wuma": (LUCHENG, "五马街道办事处"),
}
HEAVY_REFUSALS = {
    "granted": 0.2,
    "denied_state_secret": 0.3,
    "denied_internal_affairs": 0.2,
    "unable_not_held": 0.1,
}
LOST_LAWSUITS = {
    "review": (1, 2, 0, 0),
    "litigation_direct": (1, 3, 0, 0),
    "litigation_after_review": (0, 0, 0, 0),
}


def _lucheng(agency_id: str, year: int, published: str, received: int | None, **extra: object) -> dict:
    return {
        "agency_id": agency_id,
        "agency": RANK_AGENCIES[agency_id][1],
        "site_id": LUCHENG,
        "year": year,
        "format": "2021" if year >= 2021 else "other",
        "publish_date": published,
        "text": f"{RANK_AGENCIES[agency_id][1]}{year}年度政府信息公开工作情况。依法答复申请，办理行政复议与诉讼。",
        "received": received,
        "fetched_at": f"{published}T02:00:00Z",
        **extra,
    }


RANK_REPORTS: dict[int, dict] = {
    **REPORTS,
    # issue 12: a 2017 report published 2018-03-28 is on time (2008 rules: 31 March), not 56 days late
    201: _lucheng("lucheng/office", 2017, "2018-03-28", None),
    202: _lucheng("lucheng/edu", 2017, "2018-04-10", None),  # 10 days late under the 2008 rules
    # 2019 rules: the government's own report is due 31 March, a department's and a street office's 31 January
    203: _lucheng("lucheng/gov", 2023, "2024-03-20", 80),
    204: _lucheng(
        "lucheng/edu", 2023, "2024-02-20", 100, shares=HEAVY_REFUSALS, table4=LOST_LAWSUITS
    ),  # 20 days late; most requests refused; 3 of 4 lawsuits and 2 of 3 reconsiderations lost
    205: _lucheng("lucheng/wuma", 2023, "2024-02-01", 6),  # 1 day late
    206: _lucheng("lucheng/edu", 2022, "2023-01-20", 50),
    # a silent edit: the 2022 report of 鹿城区教育局 changed at the same URL after publication
    207: _lucheng(
        "lucheng/edu", 2022, "2023-01-20", 55, version=2, previous=206, fetched_at="2024-05-02T08:00:00Z"
    ),
}


def build_rank_db(path: Path) -> Path:
    return build_db(path, RANK_REPORTS, RANK_SITES, RANK_AGENCIES)
