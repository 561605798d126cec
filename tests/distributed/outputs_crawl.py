"""A real Scrapy crawl on the shared Redis frontier, run as a script by test_inflight_outputs.py.

One page on a 127.0.0.1 server; its callback yields a slow item, five requests, another slow item and a sixth request
(CONCURRENT_ITEMS=1, the pipeline takes 0.2 s per item), so outputs wait in Scrapy's output queue after the
callback has ended. Every time the middleware drops an in-flight entry, this script records whether all six
requests had reached Redis (their fingerprints in the pass dupefilter) and both items had left the pipeline.
It prints one JSON object: {"drops": [{"url", "children_in_redis", "items_done"}...], "children": 6}.

Usage: python outputs_crawl.py REDIS_URL
"""

from __future__ import annotations

import asyncio
import http.server
import json
import sys
import threading
from typing import Any

import redis
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

import crawler.distributed.middleware as middleware_module
from crawler.distributed.keys import frontier
from crawler.distributed.settings import redis_settings

SPIDER = "static:outputs-test"
CHILDREN = 6
drops: list[dict[str, Any]] = []
items_done: list[str] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<html><body>page</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


class SlowPipeline:
    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        items_done.append(item["name"])
        return item


class OutputsSpider(scrapy.Spider):
    name = SPIDER

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base

    async def start(self) -> Any:
        yield scrapy.Request(f"{self.base}/root.html", callback=self.parse_root)

    def parse_root(self, response: Any) -> Any:
        yield {"name": "first"}
        for n in range(CHILDREN - 1):
            yield scrapy.Request(f"{self.base}/child-{n}.html", callback=self.parse_child)
        yield {"name": "last"}  # while the pipeline holds it, the last request waits in the output queue
        yield scrapy.Request(f"{self.base}/child-{CHILDREN - 1}.html", callback=self.parse_child)

    def parse_child(self, response: Any) -> Any:
        return []


def main() -> None:
    redis_url = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    keys = frontier(SPIDER)

    class RecordingRedis(redis.Redis):
        """The middleware's Redis client: notes, at each in-flight drop, what had been handled by then."""

        def hdel(self, name: Any, *fields: Any) -> Any:
            data = self.hget(name, fields[0])
            url = picklecompat.loads(data)["url"] if data else None
            fingerprints = [
                RFPDupeFilter(self, keys["dupefilter"]).request_fingerprint(
                    scrapy.Request(f"{base}/child-{n}.html")
                )
                for n in range(CHILDREN)
            ]
            queued = sum(bool(self.sismember(keys["dupefilter"], fp)) for fp in fingerprints)
            drops.append({"url": url, "children_in_redis": queued, "items_done": list(items_done)})
            return super().hdel(name, *fields)

    middleware_module.get_redis_from_settings = lambda settings: RecordingRedis.from_url(redis_url)
    settings = redis_settings(redis_url)
    settings.update(
        {
            "CONCURRENT_ITEMS": 1,
            "ITEM_PIPELINES": {f"{__name__}.SlowPipeline": 100},
            "MAX_IDLE_TIME_BEFORE_CLOSE": 0,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process = CrawlerProcess(settings)
    process.crawl(OutputsSpider, base=base)
    process.start()
    print(json.dumps({"drops": drops, "children": CHILDREN}))


if __name__ == "__main__":
    main()
