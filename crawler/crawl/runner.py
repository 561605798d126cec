"""Run the crawl: one Scrapy crawler per registry site in one CrawlerProcess, then one summary line."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.crawl.incremental import revalidate_all, today
from crawler.crawl.quiet import quiet_recorded_failures
from crawler.crawl.sink import ArchiveSink, SqliteSink
from crawler.registry import RegistryError, Site, load_registry
from spiders import spider_for_site


class DistributedModeUnavailable(RuntimeError):
    """--redis was given but that Redis cannot be reached."""


@dataclass
class SiteResult:
    site_id: str
    status: str
    requests: int
    bytes: int
    new: int
    changed: int
    unchanged: int
    report_bodies: int
    errors: dict[str, int]
    blocked: int
    warnings: list[dict[str, Any]]
    discovery: str | None = None  # the discovery ledger's line, when the site has a unit directory

    @property
    def failure_kind(self) -> str | None:
        """What stopped a failed or blocked site: its most frequent failure kind."""
        if self.status not in ("failed", "blocked") or not self.errors:
            return None
        return max(sorted(self.errors), key=lambda k: self.errors[k])

    def line(self) -> str:
        """One line for this site: status, failure kind, reports, requests, discovery."""
        head = f"{self.site_id}: {self.status}"
        if kind := self.failure_kind:
            head += f" ({kind}: {self.errors[kind]} of {self.requests} requests)"
        parts = [
            head,
            f"reports {self.new} new / {self.changed} changed / {self.unchanged} unchanged",
            f"{self.requests} requests",
        ]
        others = {k: v for k, v in self.errors.items() if k != self.failure_kind}
        if others:
            parts.append("errors " + " ".join(f"{k}={v}" for k, v in sorted(others.items())))
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) > 1 else ''}")
        if self.discovery:
            parts.append(self.discovery)
        return ", ".join(parts)


@dataclass
class CrawlSummary:
    """What a crawl did, over all sites: `line()` for humans, `exit_code` for schedulers."""

    results: list[SiteResult] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for r in self.results:
            total.update(r.errors)
        return total

    def total(self, attr: str) -> int:
        return sum(int(getattr(r, attr)) for r in self.results)

    @property
    def warnings(self) -> list[str]:
        return [f"{r.site_id}: {w['kind']}: {w['detail']}" for r in self.results for w in r.warnings]

    @property
    def exit_code(self) -> int:
        if self.crashed or any(r.status == "failed" for r in self.results):
            return 1
        if self.warnings or self.total("blocked"):
            return 2
        return 0

    def site_lines(self) -> list[str]:
        """One line per site (crashed ones too), for the console."""
        lines = [f"  {r.line()}" for r in self.results]
        return lines + [
            f"  {site_id}: crashed (no run recorded; see the log above)" for site_id in self.crashed
        ]

    def line(self) -> str:
        errors = " ".join(f"{k}={v}" for k, v in sorted(self.errors.items())) or "none"
        mib = self.total("bytes") / 1024 / 1024
        parts = [
            f"crawl: {len(self.results)} sites",
            f"{self.total('requests')} requests",
            f"{mib:.2f} MiB",
            f"reports {self.total('new')} new / {self.total('changed')} changed / "
            f"{self.total('unchanged')} unchanged ({self.total('report_bodies')} bodies downloaded)",
            f"errors: {errors}",
            f"blocked {self.total('blocked')}",
            f"{len(self.warnings)} warnings",
        ]
        if self.crashed:
            parts.append(f"crashed: {', '.join(self.crashed)}")
        return ", ".join(parts)


def crawl_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def site_settings(site: Site, fast: bool) -> dict[str, Any]:
    """Per-site politeness from the registry (delay and per-host concurrency, capped at 2). At most 4 requests
    of one site are past the middlewares at once, so a spent budget (crawler/crawl/budget.py) overshoots by
    at most 4 responses."""
    return {
        "DOWNLOAD_DELAY": 0 if fast else site.politeness.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, min(2, site.politeness.concurrency)),
        "CONCURRENT_REQUESTS": 4,
    }


def select_sites(sites: list[Site], site_ids: list[str] | None) -> list[Site]:
    if not site_ids:
        return sites
    known = {s.id for s in sites}
    unknown = [i for i in site_ids if i not in known]
    if unknown:
        close = [m for u in unknown for m in difflib.get_close_matches(u, known, n=1)]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise RegistryError(
            f"--site {', '.join(unknown)}: no such id among the registry's {len(known)} sites{hint}"
        )
    return [s for s in sites if s.id in site_ids]


def run_crawl(
    sites_path: str | Path,
    db_path: str | Path,
    *,
    site_ids: list[str] | None = None,
    redis_url: str | None = None,
) -> CrawlSummary:
    """Crawl the registry's sites (or `site_ids`) into archive.db with the real Scrapy engine."""
    if redis_url:  # distributed: shared Redis frontier, writes go to `nianbao ingest` (crawler/distributed)
        import redis

        from crawler.distributed.redis_sink import RedisSink
        from crawler.distributed.settings import apply_redis

        try:
            sink: ArchiveSink = RedisSink(redis_url)
        except redis.RedisError as exc:
            raise DistributedModeUnavailable(
                f"distributed mode: cannot reach Redis at {redis_url}: {exc}"
            ) from exc
    sites = select_sites(load_registry(sites_path), site_ids)
    if not redis_url:
        sink = SqliteSink(db_path)
    settings = crawl_settings()
    if redis_url:
        apply_redis(settings, redis_url)
    fast = os.environ.get("NIANBAO_FAST", "") not in ("", "0")
    process = CrawlerProcess(settings)
    quiet_recorded_failures()
    crawlers = []
    for site in sites:
        base = spider_for_site(site)
        spidercls = type(
            f"{base.__name__}_{len(crawlers)}", (base,), {"custom_settings": site_settings(site, fast)}
        )
        crawler = process.create_crawler(spidercls)
        crawlers.append((site, crawler))
        process.crawl(crawler, site=site, sink=sink, revalidate_all=revalidate_all(), today=today())
    process.start()
    summary = CrawlSummary()
    for site, crawler in crawlers:
        ctx = getattr(crawler.spider, "ctx", None)
        if ctx is None or not ctx.run_id:
            summary.crashed.append(site.id)
            continue
        row = ctx.finish_row()
        summary.results.append(
            SiteResult(
                site_id=site.id,
                status=row["status"],
                requests=ctx.requests,
                bytes=ctx.bytes,
                new=ctx.new_reports,
                changed=ctx.changed_reports,
                unchanged=ctx.unchanged_reports,
                report_bodies=ctx.report_bodies,
                errors=dict(ctx.errors),
                blocked=ctx.blocked,
                warnings=list(ctx.warnings),
                discovery=crawler.spider.ledger.line(),
            )
        )
    sink.close()
    return summary
