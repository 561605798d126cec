"""Agency league tables, precomputed: `agency_year_stats` (one row per agency × year) and `agency_stats` (one row
per agency, all years), so rankings answer from a few thousand rows instead of the statistics of a million reports.

Each agency-year row is read from one report — the agency's latest version for that year (the fullest one when
an agency published several) — plus a *missing* row for every registry agency with no report for a year in which
its site published at least one. Filled by `nianbao normalize`; :func:`refresh_summary` rebuilds everything or
only the rows of given agencies / years (for an incremental normalize).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import sqlite_utils

from crawler.contract import DECLINED_ROWS, DENIED_ROWS, UNABLE_ROWS
from crawler.deadlines import publisher_kind, rule_for

YEAR_TABLE = "agency_year_stats"
AGENCY_TABLE = "agency_stats"
GROUNDS: tuple[str, ...] = (*DENIED_ROWS, *UNABLE_ROWS)  # the agency × refusal-ground columns
LITIGATION = ("litigation_direct", "litigation_after_review")

# The columns league tables are most often sorted by; each gets an index (see create_tables).
SORTED_BY = (
    "requests_received",
    "refused",
    "refusal_rate",
    "review_lost_rate",
    "litigation_corrected",
    "litigation_lost_rate",
)
_T3_TOTAL = "s.table_name = 'table3' and s.col_code = 'total'"


def _in(codes: Iterable[str]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


_CELLS = ",\n".join(
    [
        f"sum(case when {_T3_TOTAL} and s.row_code = 'new_received' then s.value end) as requests_received",
        f"sum(case when {_T3_TOTAL} and s.row_code = 'results_total' then s.value end) as results_total",
        f"sum(case when {_T3_TOTAL} and s.row_code = 'granted' then s.value end) as granted",
        f"sum(case when {_T3_TOTAL} and s.row_code in ({_in(DENIED_ROWS)}) then s.value end) as refused",
        f"sum(case when {_T3_TOTAL} and s.row_code in ({_in(UNABLE_ROWS)}) then s.value end) as unable",
        f"sum(case when {_T3_TOTAL} and s.row_code in ({_in(DECLINED_ROWS)}) then s.value end) as declined",
        *(f"sum(case when {_T3_TOTAL} and s.row_code = '{g}' then s.value end) as {g}" for g in GROUNDS),
        "sum(case when s.table_name = 'table4' and s.row_code = 'review' and s.col_code = 'total' "
        "then s.value end) as review_total",
        "sum(case when s.table_name = 'table4' and s.row_code = 'review' and s.col_code = 'corrected' "
        "then s.value end) as review_corrected",
        f"sum(case when s.table_name = 'table4' and s.row_code in ({_in(LITIGATION)}) and s.col_code = 'total' "
        "then s.value end) as litigation_total",
        f"sum(case when s.table_name = 'table4' and s.row_code in ({_in(LITIGATION)}) "
        "and s.col_code = 'corrected' then s.value end) as litigation_corrected",
    ]
)
_COUNTS = ("requests_received", "results_total", "granted", "refused", "unable", "declined", *GROUNDS)
_LEGAL = ("review_total", "review_corrected", "litigation_total", "litigation_corrected")


def _rate(part: str, whole: str) -> str:
    return f"round(100.0 * {part} / nullif({whole}, 0), 1)"


_LEVEL = (
    "case when {c} is null or length({c}) != 6 then null when {c} like '__0000' then '省级' "
    "when {c} like '____00' then '市级' else '县级' end"
)
_SCOPE = """
  and (:agencies is null or r.agency_id in (select value from json_each(:agencies)))
  and (:years is null or r.year in (select value from json_each(:years)))"""

YEAR_ROWS_SQL = f"""
with picked as (
  select r.*, row_number() over (
      partition by r.agency_id, r.year
      order by (r.parse_status = 'ok') desc, (r.applications_received is not null) desc, r.id desc) as pick,
    count(*) over (partition by r.agency_id, r.year) as n
  from reports r
  where r.is_latest = 1 and r.year is not null and r.agency_id is not null {_SCOPE}
),
cells as (
  select s.report_id, {_CELLS}
  from picked p cross join statistics s on s.report_id = p.id and s.table_name in ('table3', 'table4')
  where p.pick = 1
  group by s.report_id
)
insert into {YEAR_TABLE} (
  agency_id, year, agency, site_id, province, city, district, region_code, level, publisher_kind,
  report_id, reports, missing, {", ".join(_COUNTS)}, refusal_rate, {", ".join(_LEGAL)},
  review_lost_rate, litigation_lost_rate, publish_date, deadline, deadline_rule, days_late, published_late,
  checks_failed, versions)
select
  p.agency_id, p.year, coalesce(a.name, p.agency), p.site_id, p.province, p.city, p.district, p.region_code,
  {_LEVEL.format(c="p.region_code")}, p.publisher_kind,
  p.id, p.n, 0, {", ".join(f"c.{c}" for c in _COUNTS)}, {_rate("c.refused", "c.results_total")},
  {", ".join(f"c.{c}" for c in _LEGAL)},
  {_rate("c.review_corrected", "c.review_total")}, {_rate("c.litigation_corrected", "c.litigation_total")},
  p.publish_date, p.deadline, p.deadline_rule, p.days_late, p.published_late, p.checks_failed,
  (select max(v.version) from reports v where v.document_url = p.document_url)
from picked p
left join cells c on c.report_id = p.id
left join agencies a on a.id = p.agency_id
where p.pick = 1
"""

MISSING_ROWS_SQL = f"""
insert into {YEAR_TABLE} (
  agency_id, year, agency, site_id, province, city, district, region_code, level, publisher_kind, deadline,
  reports, missing)
select a.id, y.year, a.name, a.site_id, s.province, s.city, s.district, s.region_code,
  {_LEVEL.format(c="s.region_code")}, nb_publisher_kind(a.name), nb_deadline(y.year, a.name), 0, 1
from agencies a
join sites s on s.id = a.site_id
join (
  select distinct site_id, year from reports
  where is_latest = 1 and year is not null
    and (:agencies is null or agency_id in (select value from json_each(:agencies)))
) y
  on y.site_id = a.site_id
where (:agencies is null or a.id in (select value from json_each(:agencies)))
  and (:years is null or y.year in (select value from json_each(:years)))
  and not exists (select 1 from {YEAR_TABLE} t where t.agency_id = a.id and t.year = y.year)
"""

_SUMS = (*_COUNTS, *_LEGAL)
AGENCY_ROWS_SQL = f"""
insert into {AGENCY_TABLE} (
  agency_id, agency, site_id, province, city, district, region_code, level, publisher_kind,
  years_reported, years_missing, first_year, last_year, {", ".join(_SUMS)}, refusal_rate, review_lost_rate,
  litigation_lost_rate, late_reports, max_days_late, edited_reports)
select
  t.agency_id, max(t.agency), max(t.site_id), max(t.province), max(t.city), max(t.district), max(t.region_code),
  max(t.level), max(t.publisher_kind),
  sum(t.missing = 0), sum(t.missing), min(case when t.missing = 0 then t.year end),
  max(case when t.missing = 0 then t.year end), {", ".join(f"sum(t.{c})" for c in _SUMS)},
  {_rate("sum(t.refused)", "sum(t.results_total)")}, {_rate("sum(t.review_corrected)", "sum(t.review_total)")},
  {_rate("sum(t.litigation_corrected)", "sum(t.litigation_total)")},
  sum(t.published_late = 1), max(t.days_late), sum(t.versions > 1)
from {YEAR_TABLE} t
where (:agencies is null or t.agency_id in (select value from json_each(:agencies)))
group by t.agency_id
"""


def create_tables(db: sqlite_utils.Database) -> None:
    """The two summary tables and their indexes (a migration calls this; safe to call again)."""
    counts = dict.fromkeys(_SUMS, int)
    place = {"agency": str, "site_id": str, "province": str, "city": str, "district": str, "region_code": str}
    place |= {"level": str, "publisher_kind": str}
    rates = {"refusal_rate": float, "review_lost_rate": float, "litigation_lost_rate": float}
    db[YEAR_TABLE].create(
        {
            "agency_id": str,
            "year": int,
            **place,
            "report_id": int,
            "reports": int,
            "missing": int,
            **counts,
            **rates,
            "publish_date": str,
            "deadline": str,
            "deadline_rule": str,
            "days_late": int,
            "published_late": int,
            "checks_failed": int,
            "versions": int,
        },
        pk=("agency_id", "year"),
        if_not_exists=True,
    )
    db[YEAR_TABLE].create_index(["year", "province", "city", "district"], if_not_exists=True)
    db[YEAR_TABLE].create_index(["region_code", "year"], if_not_exists=True)
    db[YEAR_TABLE].create_index(["year", "site_id"], if_not_exists=True)  # a region = the sites in it
    for column in (*SORTED_BY, "days_late"):  # a league table sorted by one of these walks an index
        db[YEAR_TABLE].create_index(["year", column, "agency_id"], if_not_exists=True)
    db[AGENCY_TABLE].create(
        {
            "agency_id": str,
            **place,
            "years_reported": int,
            "years_missing": int,
            "first_year": int,
            "last_year": int,
            **counts,
            **rates,
            "late_reports": int,
            "max_days_late": int,
            "edited_reports": int,
        },
        pk="agency_id",
        if_not_exists=True,
    )
    db[AGENCY_TABLE].create_index(["province", "city", "district"], if_not_exists=True)
    db[AGENCY_TABLE].create_index(["site_id"], if_not_exists=True)
    for column in (*SORTED_BY, "years_reported", "late_reports"):
        db[AGENCY_TABLE].create_index([column, "agency_id"], if_not_exists=True)


def _site_agencies(db: sqlite_utils.Database, agency_ids: list[str]) -> list[str]:
    """Every agency of the sites the given agencies belong to: a new report of one agency can make its
    neighbours' years missing."""
    found = db.execute(
        "select a.id from agencies a where a.site_id in (select site_id from agencies where id in "
        "(select value from json_each(?))) union select value from json_each(?)",
        [json.dumps(agency_ids), json.dumps(agency_ids)],
    ).fetchall()
    return sorted({row[0] for row in found})


_SCOPE_TERM = re.compile(r"\(:(agencies|years) is null or ([^()]*\(select value from json_each\(:\1\)\))\)")


def _scoped(sql: str, params: dict) -> str:
    """Each "(:agencies is null or <column in the list>)" as just the list test when a list is given, or as
    nothing (1) when not: SQLite plans a query once, and an OR on a parameter keeps it off the indexes."""
    return _SCOPE_TERM.sub(lambda m: "1" if params[m.group(1)] is None else f"({m.group(2)})", sql)


def refresh_summary(
    db: sqlite_utils.Database, agency_ids: Iterable[str] | None = None, years: Iterable[int] | None = None
) -> int:
    """Rebuild the summary rows — all of them, or those of ``agency_ids`` (and their sites' other agencies)
    for ``years`` — in one transaction; return the number of agency-year rows written."""
    create_tables(db)
    db.conn.create_function("nb_publisher_kind", 1, publisher_kind, deterministic=True)
    db.conn.create_function(
        "nb_deadline", 2, lambda year, name: rule_for(int(year), publisher_kind(name))[0], deterministic=True
    )
    scope = _site_agencies(db, list(agency_ids)) if agency_ids is not None else None
    params = {
        "agencies": json.dumps(scope) if scope is not None else None,
        "years": json.dumps(sorted(int(y) for y in years)) if years is not None else None,
    }
    where = (
        "(:agencies is null or agency_id in (select value from json_each(:agencies))) "
        "and (:years is null or year in (select value from json_each(:years)))"
    )
    with db.conn:
        db.execute(_scoped(f"delete from {YEAR_TABLE} where {where}", params), params)
        kept = db.execute(f"select count(*) from {YEAR_TABLE}").fetchone()[0]
        db.execute(_scoped(YEAR_ROWS_SQL, params), params)
        db.execute(_scoped(MISSING_ROWS_SQL, params), params)
        db.execute(
            _scoped(
                f"delete from {AGENCY_TABLE} where "
                "(:agencies is null or agency_id in (select value from json_each(:agencies)))",
                params,
            ),
            params,
        )
        db.execute(_scoped(AGENCY_ROWS_SQL, params), params)
        after = db.execute(f"select count(*) from {YEAR_TABLE}").fetchone()[0]
    return after - kept
