"""Deadlines by law: 2008 rules (31 March for all) through the 2018 report; 2019 rules by kind of publisher."""

from __future__ import annotations

import pytest

from crawler.deadlines import (
    DEPARTMENT,
    GOVERNMENT,
    RULE_2008,
    RULE_2019_DEPARTMENT,
    RULE_2019_GOVERNMENT,
    RULE_2019_TOWNSHIP,
    TOWNSHIP,
    deadline_for,
    publisher_kind,
    report_columns,
)


@pytest.mark.parametrize(
    ("name", "title", "kind"),
    [
        ("沙坡头区人民政府", None, GOVERNMENT),
        ("中卫市人民政府", None, GOVERNMENT),
        ("沙坡头区政务服务中心", None, DEPARTMENT),
        ("海淀区教育委员会", None, DEPARTMENT),
        ("沙坡头区人民政府办公室", "沙坡头区人民政府办公室2023年政府信息公开工作年度报告", DEPARTMENT),
        ("鹿城区人民政府办公室", "鹿城区人民政府2023年政府信息公开工作年度报告", GOVERNMENT),
        ("宣和镇人民政府", None, TOWNSHIP),
        ("东园街道办事处", None, TOWNSHIP),
        ("兴仁乡", None, TOWNSHIP),
        ("宁乡市人民政府", None, GOVERNMENT),
        (None, None, DEPARTMENT),
    ],
)
def test_publisher_kind(name: str | None, title: str | None, kind: str) -> None:
    assert publisher_kind(name, title) == kind


@pytest.mark.parametrize(
    ("year", "published", "agency", "due", "rule", "days_late"),
    [
        # issue 12: a 2017 report published 2018-03-28 was flagged 56 days late; under art. 31 it is on time
        (2017, "2018-03-28", "沙坡头区政务服务中心", "2018-03-31", RULE_2008, 0),
        (2017, "2018-04-02", "沙坡头区政务服务中心", "2018-03-31", RULE_2008, 2),
        # the 2018 report was due in March 2019, before the 2019 regulations took effect (2019-05-15)
        (2018, "2019-03-30", "海淀区人民政府", "2019-03-31", RULE_2008, 0),
        (2019, "2020-02-15", "海淀区教育委员会", "2020-01-31", RULE_2019_DEPARTMENT, 15),
        # 2024 is a leap year: 31 January -> 5 March is 29 + 5 days
        (2023, "2024-03-05", "沙坡头区政务服务中心", "2024-01-31", RULE_2019_DEPARTMENT, 34),
        (2023, "2024-03-05", "沙坡头区人民政府", "2024-03-31", RULE_2019_GOVERNMENT, 0),
        (2023, "2024-04-01", "沙坡头区人民政府", "2024-03-31", RULE_2019_GOVERNMENT, 1),
        (2023, "2024-02-01", "宣和镇人民政府", "2024-01-31", RULE_2019_TOWNSHIP, 1),
        (2023, "2024-01-31", "宣和镇人民政府", "2024-01-31", RULE_2019_TOWNSHIP, 0),
    ],
)
def test_deadline_by_year_and_kind(
    year: int, published: str, agency: str, due: str, rule: str, days_late: int
) -> None:
    found = deadline_for(year, published, agency)
    assert found is not None
    assert (found.deadline, found.rule, found.days_late, found.late) == (
        due,
        rule,
        days_late,
        int(days_late > 0),
    )


def test_unknown_dates_stay_unknown() -> None:
    assert report_columns(None, "2024-01-01", "沙坡头区人民政府") == dict.fromkeys(
        ("publisher_kind", "deadline", "deadline_rule", "days_late", "published_late")
    )
    columns = report_columns(2023, None, "海淀区教育委员会")
    assert (
        columns["deadline"] == "2024-01-31"
        and columns["days_late"] is None
        and columns["published_late"] is None
    )
    assert report_columns(2023, "2024年", "海淀区教育委员会")["published_late"] is None
