"""League tables and agency pages read from the precomputed summary (crawler/summary.py): columns, SQL, labels."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.summary import GROUNDS

from .codes import code_label

PAGE_SIZE = 100
ALL_YEARS = ("", "all", "全部")
LEVELS = ("省级", "市级", "县级")
KINDS = ("本级政府", "政府部门", "乡镇街道")


@dataclass(frozen=True)
class Metric:
    """One column of a league table: its summary column, Chinese header, and how to show it."""

    key: str
    label: str
    unit: str = ""  # "%" for rates, "天" for days
    note: str = ""


def ground_label(code: str) -> str:
    """'（三）不予公开 1.属于国家秘密' -> '属于国家秘密' (the ground without its numbering)."""
    label = code_label("table3", code) or code
    return label.split(".", 1)[-1] if "." in label else label


YEAR_METRICS: tuple[Metric, ...] = (
    Metric("requests_received", "新收申请"),
    Metric("results_total", "办理结果"),
    Metric("refused", "不予公开"),
    Metric("refusal_rate", "不予公开率", "%", "不予公开 ÷ 办理结果总计"),
    Metric("unable", "无法提供"),
    Metric("review_total", "行政复议"),
    Metric("review_corrected", "复议被纠正"),
    Metric("review_lost_rate", "复议纠正率", "%", "被纠正 ÷ 复议总计"),
    Metric("litigation_total", "行政诉讼"),
    Metric("litigation_corrected", "诉讼败诉"),
    Metric("litigation_lost_rate", "败诉率", "%", "被纠正 ÷ 诉讼总计"),
    Metric("days_late", "逾期天数", "天"),
    Metric("missing", "未发布"),
)
ACROSS_METRICS: tuple[Metric, ...] = (
    Metric("years_reported", "年报年数"),
    *YEAR_METRICS[:11],
    Metric("late_reports", "逾期次数"),
    Metric("max_days_late", "最长逾期", "天"),
    Metric("years_missing", "缺失年数"),
    Metric("edited_reports", "发布后修改"),
)
GROUND_METRICS: tuple[Metric, ...] = (
    Metric("refused", "不予公开合计"),
    *(Metric(code, ground_label(code)) for code in GROUNDS),
)
PLACE = "coalesce(province, '') || '/' || coalesce(city, '') || '/' || coalesce(district, '')"
# Each filter joins the WHERE clause only when it is used, so an unfiltered table is an index range.
FILTERS = {
    # the sites whose names contain it (a small table), then their rows by index
    "region": f"site_id in (select id from sites where instr({PLACE}, :region) > 0 or region_code like :region || '%')",
    "level": "level = :level",
    "kind": "publisher_kind = :kind",
    "agency": "instr(agency, :agency) > 0",
    "min_requests": "requests_received >= :min_requests",
}
# The distinct years, one index seek each (a loose index scan), not a scan of every agency-year.
YEARS_SQL = """
with recursive y(year) as (
  select max(year) from agency_year_stats
  union all
  select (select max(year) from agency_year_stats where year < y.year) from y where y.year is not null
)
select year from y where year is not null
"""


def metrics_for(year: str, view: str) -> tuple[Metric, ...]:
    if view == "grounds":
        return GROUND_METRICS
    return ACROSS_METRICS if year in ALL_YEARS else YEAR_METRICS


def ranking_sql(
    year: str, sort: str, descending: bool, metrics: tuple[Metric, ...], params: dict
) -> tuple[str, str]:
    """(rows SQL, count SQL) of one league table page; ``sort`` must be a metric key (checked by the caller).
    ``params`` decides which filters apply (a filter whose value is empty or 0 is left out)."""
    keys = [m.key for m in metrics]
    columns = ", ".join(
        ["agency_id", "agency", "province", "city", "district", "level", "publisher_kind", *keys]
    )
    where = [sql for name, sql in FILTERS.items() if params.get(name)]
    if year in ALL_YEARS:
        table = "agency_stats"
    else:
        table = "agency_year_stats"
        where.insert(0, "year = :year")
        columns += ", report_id, deadline_rule"
    source = table + (" where " + " and ".join(where) if where else "")
    # desc puts empty values last by itself (and can walk an index); asc needs it said
    order = f"{sort} desc, agency_id desc" if descending else f"{sort} asc nulls last, agency_id asc"
    return (
        f"select {columns} from {source} order by {order} limit {PAGE_SIZE} offset :offset",
        f"select count(*) from {source}",
    )


AGENCY_SQL = """
select a.id as agency_id, a.name as agency, a.column_url, s.name as site_name, s.province, s.city, s.district,
  s.region_code, s.portal_url
from agencies a left join sites s on s.id = a.site_id
where a.id = :agency
"""
AGENCY_FROM_REPORTS_SQL = """
select agency_id, agency, null as column_url, null as site_name, province, city, district, region_code,
  null as portal_url
from reports where agency_id = :agency order by year desc limit 1
"""
AGENCY_YEARS_SQL = "select * from agency_year_stats where agency_id = :agency order by year"
AGENCY_TOTAL_SQL = "select * from agency_stats where agency_id = :agency"
AGENCY_REPORTS_SQL = """
select id, year, title, version, is_latest, publish_date, deadline, days_late, deadline_rule, publisher_kind
from reports where agency_id = :agency order by year desc, version desc
"""
FIND_AGENCIES_SQL = """
select a.id, a.name, s.province, s.city, s.district from agencies a left join sites s on s.id = a.site_id
where instr(a.name, :name) > 0 or a.id = :name
order by length(a.name), a.name limit 50
"""

# Rows of the agency page's years-side-by-side table.
AGENCY_ROWS: tuple[Metric, ...] = (
    Metric("publish_date", "发布日期"),
    Metric("deadline", "法定期限"),
    Metric("days_late", "逾期天数", "天"),
    *YEAR_METRICS[:11],
    *GROUND_METRICS[1:],
    Metric("checks_failed", "核验未通过"),
    Metric("versions", "版本数"),
)
