"""Per-run bookkeeping shared by a site's spider, middlewares and pipeline: counters, events, the sink."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.crawl.failures import BLOCKED_KINDS
from crawler.crawl.sink import ArchiveSink

# Kinds recorded as events that are informational, not errors of the run.
NOTICE_KINDS = frozenset({"column_discovered", "relisting"})


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RunContext:
    """Everything one site's run accumulates; the spider owns one and middlewares reach it via the crawler."""

    sink: ArchiveSink
    site_id: str
    run_id: int = 0
    started_at: str = field(default_factory=utcnow)
    requests: int = 0
    bytes: int = 0
    new_reports: int = 0
    changed_reports: int = 0
    unchanged_reports: int = 0
    reports_listed: int = 0
    blocked: int = 0
    report_bodies: int = 0  # report/attachment responses that carried a body (not 304)
    errors: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    budget_spent: str | None = None  # budget_bytes / budget_requests / budget_time once the site was stopped

    def event(
        self, kind: str, url: str | None, detail: str = "", capture: tuple[str, str] | None = None
    ) -> None:
        """Record a failure/notice event (crawl_events) and count it for the run summary."""
        if kind in NOTICE_KINDS:
            self.notices[kind] += 1
        else:
            self.errors[kind] += 1
        if kind in BLOCKED_KINDS:
            self.blocked += 1
        row: dict[str, Any] = {
            "run_id": self.run_id,
            "site_id": self.site_id,
            "url": url,
            "kind": kind,
            "detail": detail[:2000],
            "at": utcnow(),
        }
        if capture:
            row["capture_url"], row["capture_sha256"] = capture
        self.sink.event(row)

    def warn(self, kind: str, detail: str, url: str | None = None) -> None:
        """A silent-failure warning: kept in crawl_runs.warnings and as a crawl_events row."""
        self.warnings.append({"kind": kind, "detail": detail})
        self.sink.event(
            {
                "run_id": self.run_id,
                "site_id": self.site_id,
                "url": url,
                "kind": kind,
                "detail": detail,
                "at": utcnow(),
            }
        )

    def status(self) -> str:
        """failed: nothing but errors; blocked: nothing but refusals (WAF, 403, robots.txt), the site's doing."""
        if (
            self.requests
            and not (self.new_reports or self.changed_reports or self.unchanged_reports)
            and (self.errors and sum(self.errors.values()) >= self.requests)
        ):
            return "blocked" if set(self.errors) <= BLOCKED_KINDS else "failed"
        if self.warnings or self.budget_spent:
            return "warning"
        return "ok"

    def finish_row(self) -> dict[str, Any]:
        return {
            "ended_at": utcnow(),
            "status": self.status(),
            "requests": self.requests,
            "bytes": self.bytes,
            "new_reports": self.new_reports,
            "changed_reports": self.changed_reports,
            "unchanged_reports": self.unchanged_reports,
            "errors": dict(self.errors),
            "blocked": self.blocked,
            "warnings": self.warnings,
            "reports_listed": self.reports_listed,
        }
