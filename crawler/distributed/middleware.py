"""Spider middleware marking a distributed request done once its callback output has been scheduled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.scheduler import INFLIGHT_META


class InflightDoneMiddleware:
    """Outermost spider middleware (order 1): after the last output item, drop the in-flight entry."""

    def __init__(self, server: Any) -> None:
        self.server = server

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightDoneMiddleware:
        return cls(get_redis_from_settings(crawler.settings))

    def _done(self, request: Request | None) -> None:
        entry = request.meta.get(INFLIGHT_META) if request is not None else None
        if entry:
            key, field = entry
            self.server.hdel(key, field, f"s:{field}")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        yield from result
        self._done(response.request)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        self._done(response.request)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._done(response.request)
