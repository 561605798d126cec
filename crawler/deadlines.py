"""Legal deadline of an annual report: the regime by reporting year, the publisher's kind, days late.

《政府信息公开条例》(2008, 国务院令第492号) 第三十一条: every agency publishes its report by 31 March.
《政府信息公开条例》(2019 revision, 国务院令第711号, in force 2019-05-15) 第四十九条: 县级以上人民政府部门 by
31 January (第一款); 本级政府's own report, published by its 政府信息公开工作主管部门, by 31 March (第二款).
The 2018 report, due in March 2019 before the revision took effect, still falls under the 2008 rules.
Townships (乡镇人民政府, 街道办事处) are not named in 第四十九条; provincial notices hold them to 31 January like
departments, and so does this module (the rule text says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

FIRST_2019_RULES_YEAR = 2019  # the first reporting year published under the 2019 regulations

GOVERNMENT = "本级政府"  # a government's own overall report (e.g. 沙坡头区人民政府)
DEPARTMENT = "政府部门"  # a department or office of a government (e.g. 区教育局, 区人民政府办公室)
TOWNSHIP = "乡镇街道"  # a township government or street office (e.g. 宣和镇人民政府, 东园街道办事处)

RULE_2008 = "2008年《条例》第三十一条：各级行政机关于次年3月31日前公布"
RULE_2019_GOVERNMENT = "2019年《条例》第四十九条第二款：本级政府年度报告于次年3月31日前公布"
RULE_2019_DEPARTMENT = "2019年《条例》第四十九条第一款：政府部门于次年1月31日前公布"
RULE_2019_TOWNSHIP = "2019年《条例》第四十九条第一款（乡镇、街道参照部门）：于次年1月31日前公布"

_TOWNSHIP = re.compile(r"(?:[镇乡]|苏木|街道|街道办事处|街道办)(?:人民政府)?$")
_GOVERNMENT = re.compile(r"人民政府$")
# A government's overall report published under its office's name: "xx区人民政府2023年政府信息公开工作年度报告".
_GOVERNMENT_TITLE = re.compile(r"人民政府(?:本级)?(?:\d{4}年度?)?政府信息公开工作年度报告")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Deadline:
    """When a report was due, under which rule, and how late it came (None when the date is unknown)."""

    publisher_kind: str
    deadline: str  # YYYY-MM-DD
    rule: str
    days_late: int | None  # 0 when on time
    late: int | None  # 1 late, 0 on time


def publisher_kind(name: str | None, title: str | None = None) -> str:
    """本级政府 / 政府部门 / 乡镇街道 from the publishing agency's name (and the report title)."""
    name = _SPACE.sub("", name or "")
    if _TOWNSHIP.search(name):
        return TOWNSHIP
    if _GOVERNMENT.search(name):
        return GOVERNMENT
    if name.endswith(("人民政府办公室", "人民政府办公厅")) and _GOVERNMENT_TITLE.search(
        _SPACE.sub("", title or "")
    ):
        return GOVERNMENT
    return DEPARTMENT


def rule_for(year: int, kind: str) -> tuple[str, str]:
    """(due date, rule text) of the report for reporting year ``year`` by a publisher of ``kind``."""
    if year < FIRST_2019_RULES_YEAR:
        return f"{year + 1}-03-31", RULE_2008
    if kind == GOVERNMENT:
        return f"{year + 1}-03-31", RULE_2019_GOVERNMENT
    if kind == TOWNSHIP:
        return f"{year + 1}-01-31", RULE_2019_TOWNSHIP
    return f"{year + 1}-01-31", RULE_2019_DEPARTMENT


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def deadline_for(
    year: int | None, publish_date: str | None, agency: str | None, title: str | None = None
) -> Deadline | None:
    """The deadline of one report; None when its reporting year is unknown."""
    if not year:
        return None
    kind = publisher_kind(agency, title)
    due, rule = rule_for(int(year), kind)
    published = _date(publish_date)
    if published is None:
        return Deadline(kind, due, rule, None, None)
    days = (published - date.fromisoformat(due)).days
    return Deadline(kind, due, rule, max(days, 0), int(days > 0))


def report_columns(
    year: int | None, publish_date: str | None, agency: str | None, title: str | None = None
) -> dict[str, object]:
    """The reports-table columns this module fills (publisher_kind, deadline, deadline_rule, days_late,
    published_late), all None when the reporting year is unknown."""
    found = deadline_for(year, publish_date, agency, title)
    if found is None:
        return dict.fromkeys(("publisher_kind", "deadline", "deadline_rule", "days_late", "published_late"))
    return {
        "publisher_kind": found.publisher_kind,
        "deadline": found.deadline,
        "deadline_rule": found.rule,
        "days_late": found.days_late,
        "published_late": found.late,
    }
