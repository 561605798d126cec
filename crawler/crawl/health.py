"""Silent-failure checks at the end of a site's run: empty site, overdue reports, falling report counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from crawler.deadlines import publisher_kind, rule_for

DEADLINE_GRACE = timedelta(days=30)  # warn a month after the legal deadline (crawler/deadlines.py)
DROP_RATIO = 0.5


def overdue_year(today: date, agency: str | None = None) -> int | None:
    """The report year that must be out by `today`: Y-1 once its deadline for this agency + a month has passed
    (31 January for a department, 31 March for a government's own report; crawler/deadlines.py)."""
    due, _ = rule_for(today.year - 1, publisher_kind(agency))
    if today >= date.fromisoformat(due) + DEADLINE_GRACE:
        return today.year - 1
    return None


def health_warnings(
    *,
    today: date,
    requests: int,
    listing_ok: int,
    reports_listed: int,
    reports_seen: int,
    known_documents: int,
    agency_years: dict[str, set[int]],
    agency_names: dict[str, str],
    listed_agencies: set[str],
    previous_runs: list[dict[str, Any]],
) -> list[tuple[str, str]]:
    """(kind, detail) warnings for failures that raise no error."""
    warnings: list[tuple[str, str]] = []
    if requests and not reports_seen and not known_documents:
        detail = "site answered but yielded no report" if listing_ok else "no listing page could be read"
        warnings.append(("empty_site", f"{detail} ({requests} requests)"))
    for agency_id in sorted(listed_agencies):
        name = agency_names.get(agency_id, agency_id)
        year = overdue_year(today, name)
        if year is not None and year not in agency_years.get(agency_id, set()):
            warnings.append(("missing_report", f"{name}: no {year} report by {today.isoformat()}"))
    previous = next((r for r in previous_runs if r.get("reports_listed")), None)
    if (
        previous
        and previous["reports_listed"] >= 2
        and reports_listed < previous["reports_listed"] * DROP_RATIO
    ):
        warnings.append(
            (
                "report_count_drop",
                f"{reports_listed} report links on first listing pages, last run {previous['reports_listed']}",
            )
        )
    return warnings
