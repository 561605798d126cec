"""Per-site budgets: bytes, requests and time one site may spend in one run; when one is spent the site stops."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro

from crawler.registry import Budget

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.crawl.context import RunContext

BUDGET_KINDS = ("budget_bytes", "budget_requests", "budget_time")


class BudgetSpent(IgnoreRequest):
    """A request not made because the site's budget for this run is spent."""


def spent(budget: Budget, requests: int, nbytes: int, seconds: float) -> tuple[str, str] | None:
    """(failure kind, detail) of the first limit reached, or None while the site may go on."""
    if nbytes >= budget.bytes:
        return "budget_bytes", f"{nbytes / 1048576:.1f} MB downloaded, budget {budget.megabytes:g} MB"
    if requests >= budget.requests:
        return "budget_requests", f"{requests} requests made, budget {budget.requests}"
    if seconds >= budget.seconds:
        return "budget_time", f"{seconds:.0f} s spent, budget {budget.minutes:g} min"
    return None


class BudgetMiddleware:
    """Before each request: is the site's budget spent? The first time, record the failure kind (crawl_events,
    crawl_runs.errors) and close this site's spider gracefully (requests in flight finish and are archived;
    queued ones are not made — their number is in the event). Other sites of the run are not affected."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        ctx: RunContext | None = getattr(spider, "ctx", None)
        budget: Budget | None = getattr(getattr(spider, "site", None), "budget", None)
        if ctx is None or budget is None:
            return None
        if ctx.budget_spent is None:
            reached = spent(budget, ctx.requests, ctx.bytes, time.monotonic() - self.started)
            if reached is None:
                return None
            kind, detail = reached
            ctx.budget_spent = kind
            scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
            queued = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
            ctx.event(kind, request.url, f"{detail}; site stopped, {queued + 1} queued requests not made")
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=kind))
        raise BudgetSpent(f"{ctx.budget_spent}: not requested")
