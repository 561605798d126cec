"""Scrapy settings that put a crawl on the shared Redis frontier (scrapy-redis scheduler + dupefilter)."""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import Settings

from crawler.distributed import keys


def redis_settings(redis_url: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return `base` (a Scrapy settings dict) switched to the shared frontier on `redis_url`."""
    settings = dict(base or {})
    spider_mw = dict(settings.get("SPIDER_MIDDLEWARES") or {})
    spider_mw["crawler.distributed.middleware.InflightDoneMiddleware"] = 1
    downloader_mw = dict(settings.get("DOWNLOADER_MIDDLEWARES") or {})
    # Last before the network (after robots, scope and retries): one per-host interval for the whole cluster.
    downloader_mw["crawler.distributed.politeness.ClusterPolitenessMiddleware"] = 960
    settings.update(
        {
            "REDIS_URL": redis_url,
            "SCHEDULER": "crawler.distributed.scheduler.ReliableScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_QUEUE_KEY": keys.QUEUE,
            "SCHEDULER_DUPEFILTER_KEY": keys.DUPEFILTER,
            # Several workers share the queue: one finishing must never flush it for the others.
            "SCHEDULER_PERSIST": True,
            # An idle worker waits this long for busy peers (whose output may need it) before leaving.
            "MAX_IDLE_TIME_BEFORE_CLOSE": float(os.environ.get("NIANBAO_MAX_IDLE", "30")),
            # A worker silent this long is dead: its in-flight requests go back on the queue.
            "NIANBAO_HEARTBEAT_TTL": float(os.environ.get("NIANBAO_HEARTBEAT_TTL", "10")),
            "SPIDER_MIDDLEWARES": spider_mw,
            "DOWNLOADER_MIDDLEWARES": downloader_mw,
        }
    )
    return settings


def apply_redis(settings: Settings, redis_url: str) -> None:
    """Switch a project Settings object (crawler.settings) to the shared frontier, in place."""
    base = {
        "SPIDER_MIDDLEWARES": dict(settings.getdict("SPIDER_MIDDLEWARES")),
        "DOWNLOADER_MIDDLEWARES": dict(settings.getdict("DOWNLOADER_MIDDLEWARES")),
    }
    settings.setdict(redis_settings(redis_url, base), priority="project")
