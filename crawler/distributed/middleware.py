"""Spider middleware marking a distributed request done once every output of its callback has been handled.

"Handled" means each Request reached the scheduler (pushed to the shared Redis queue, or dropped by the
dupefilter) and each item went through the item pipelines (its archive op pushed). Reaching the end of the
callback's output is not enough: Scrapy hands outputs to a bounded asyncio queue and schedules them from
worker tasks, so the output generator can end while requests still wait in that queue. A crawler killed in
that window used to lose them — the in-flight entry was gone, so nobody reclaimed the request, and the
requests it produced were never queued.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.reactor import CallLaterOnce
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.scheduler import INFLIGHT_META

OUTPUT_OF = "nianbao_output_of"  # request.meta of a callback's output request: its output id


@dataclass
class _Parent:
    """A popped request whose callback produced outputs not all handled yet."""

    entry: tuple[str, str]  # (in-flight hash key, field)
    pending: set[int] = field(default_factory=set)
    ended: bool = False


class InflightDoneMiddleware:
    """Outermost spider middleware (order 1): drops the in-flight entry of a request when its callback has
    ended and every output it yielded has been handled (see the module docstring)."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._ids = itertools.count(1)
        self._parents: dict[int, _Parent] = {}  # output id -> its parent
        self._items: dict[int, int] = {}  # id(item) -> output id, while the item is in the pipelines
        self._settled: list[int] = []
        self._open: dict[tuple[str, str], _Parent] = {}  # in-flight entry -> its callback's bookkeeping
        self._flush = CallLaterOnce(self._settle_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightDoneMiddleware:
        middleware = cls(get_redis_from_settings(crawler.settings))
        crawler.signals.connect(middleware._request_scheduled, signal=signals.request_scheduled)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware._item_handled, signal=signal)
        return middleware

    # ---- outputs ------------------------------------------------------------------------------------
    def _track(self, parent: _Parent | None, output: Any) -> None:
        if parent is None or output is None:
            return
        output_id = next(self._ids)
        if isinstance(output, Request):
            output.meta[OUTPUT_OF] = output_id
        else:
            self._items[id(output)] = output_id
        parent.pending.add(output_id)
        self._parents[output_id] = parent

    def _settle(self, output_id: int) -> None:
        parent = self._parents.pop(output_id, None)
        if parent is None:  # a retry or redirect copied the meta of an output already settled
            return
        parent.pending.discard(output_id)
        if parent.ended and not parent.pending:
            self._drop(parent)

    def _request_scheduled(self, request: Request, **_: Any) -> None:
        # Sent just before the scheduler pushes the request; settle on the next reactor turn, once the
        # push (or the dupefilter's refusal, or another handler's IgnoreRequest) has happened.
        output_id = request.meta.pop(OUTPUT_OF, None)
        if output_id is not None:
            self._settled.append(output_id)
            self._flush.schedule()

    def _settle_scheduled(self) -> None:
        settled, self._settled = self._settled, []
        for output_id in settled:
            self._settle(output_id)

    def _item_handled(self, item: Any, **_: Any) -> None:
        output_id = self._items.pop(id(item), None)
        if output_id is not None:
            self._settle(output_id)

    # ---- the popped request ---------------------------------------------------------------------------
    def _parent(self, response: Response) -> _Parent | None:
        request = response.request
        entry = request.meta.get(INFLIGHT_META) if request is not None else None
        if not entry:
            return None
        key = (str(entry[0]), str(entry[1]))
        return self._open.setdefault(key, _Parent(key))

    def _end(self, parent: _Parent | None) -> None:
        if parent is None:
            return
        parent.ended = True
        if not parent.pending:
            self._drop(parent)

    def _drop(self, parent: _Parent) -> None:
        self._open.pop(parent.entry, None)
        key, entry_field = parent.entry
        self.server.hdel(key, entry_field, f"s:{entry_field}")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        parent = self._parent(response)
        for output in result:
            self._track(parent, output)
            yield output
        self._end(parent)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        parent = self._parent(response)
        async for output in result:
            self._track(parent, output)
            yield output
        self._end(parent)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._end(self._parent(response))
