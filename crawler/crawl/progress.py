"""A live one-line progress display on stderr (like Scrapy's LogStats), shown only when stderr is a TTY."""

from __future__ import annotations

import os
import sys

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    """Every few seconds print `site: requests, KiB, reports new/changed/unchanged, errors` to stderr."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        forced = os.environ.get("NIANBAO_PROGRESS")
        enabled = sys.stderr.isatty() if forced is None else forced not in ("", "0")
        if not enabled:
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self) -> None:
        ctx = getattr(self.crawler.spider, "ctx", None)
        if ctx is None:
            return
        errors = sum(ctx.errors.values())
        line = (
            f"[nianbao] {ctx.site_id}: {ctx.requests} req, {ctx.bytes // 1024} KiB, reports "
            f"{ctx.new_reports} new / {ctx.changed_reports} changed / {ctx.unchanged_reports} unchanged, "
            f"{errors} errors, {ctx.blocked} blocked"
        )
        print(line, file=sys.stderr, flush=True)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
