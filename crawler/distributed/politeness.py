"""Cluster-wide politeness: one per-host request interval shared by every distributed crawler process.

Scrapy's DOWNLOAD_DELAY is per process: W workers on one site would hit it W times as often. This
downloader middleware (redis mode only) reserves each request's start time on a per-host schedule kept in
Redis — ``t = max(now, next); next = t + delay`` in one Lua script — and sleeps until then, so the whole
cluster keeps the site's registry delay. With one worker it changes nothing: Scrapy's own per-slot delay
already spaces requests the same way.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import PREFIX

# KEYS: host schedule key; ARGV: delay seconds. Returns seconds to wait (Redis server clock).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
local delay = tonumber(ARGV[1])
local ttl = math.ceil((start - now + delay) * 1000) + 60000
redis.call('SET', KEYS[1], string.format('%.6f', start + delay), 'PX', ttl)
return string.format('%.6f', start - now)
"""


def host_key(url: str) -> str:
    return f"{PREFIX}:polite:{urlsplit(url).netloc.lower()}"


class ClusterPolitenessMiddleware:
    """Downloader middleware: wait for this request's cluster-wide slot on its host."""

    def __init__(self, server: Any, delay: float) -> None:
        self.server = server
        self.delay = delay
        self._reserve = server.register_script(_RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterPolitenessMiddleware:
        # One crawler per registry site: its settings carry that site's delay (crawler.crawl.runner).
        # NIANBAO_CLUSTER_DELAY sets a floor (seconds), e.g. to pace the simulator in tests.
        delay = max(
            crawler.settings.getfloat("DOWNLOAD_DELAY"), float(os.environ.get("NIANBAO_CLUSTER_DELAY", "0"))
        )
        return cls(get_redis_from_settings(crawler.settings), delay)

    def reserve(self, url: str) -> float:
        """Book the next start time for this URL's host; return how long to wait for it."""
        return float(self._reserve(keys=[host_key(url)], args=[self.delay]))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.delay <= 0:
            return None
        wait = self.reserve(request.url)
        if wait > 0:
            await asyncio.sleep(wait)
        return None
