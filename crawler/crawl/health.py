"""Silent-failure checks at the end of a site's run: empty site, overdue reports, falling report counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

DEADLINE_GRACE = timedelta(days=30)  # reports for year Y are due 31 January Y+1; warn a month later
DROP_RATIO = 0.5


def overdue_year(today: date) -> int | None:
    """The report year that must be out by `today` (Y-1 once 31 January Y + a month has passed)."""
    if today >= date(today.year, 1, 31) + DEADLINE_GRACE:
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
    year = overdue_year(today)
    if year is not None:
        for agency_id in sorted(listed_agencies):
            if year not in agency_years.get(agency_id, set()):
                name = agency_names.get(agency_id, agency_id)
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
