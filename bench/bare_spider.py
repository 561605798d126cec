"""Baseline of the crawl benchmark: a bare Scrapy spider that fetches given URLs and keeps nothing.

    python -m bench.bare_spider URLS_FILE [--flat]

URLS_FILE has one `url<TAB>referer` line per request the real crawl made. By default the spider replays the
crawl's link tree: a URL is requested once the page that linked to it (its referer) has been fetched, so it
has the same dependency chains as the real crawl (listing page n before page n+1). `--flat` requests every
URL at once: pure fetching capacity. Same engine, concurrency and politeness settings as `nianbao crawl` with
NIANBAO_FAST=1, but no archive middleware, no pipeline, no parsing.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "COOKIES_ENABLED": True,
    "RETRY_ENABLED": False,
    "REDIRECT_ENABLED": False,
    "HTTPERROR_ALLOW_ALL": True,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
}


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, requests: list[tuple[str, str]], flat: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        fetched = {url for url, _ in requests}
        self.roots: list[str] = []
        self.children: dict[str, list[str]] = {}
        for url, referer in requests:
            if flat or not referer or referer not in fetched or referer == url:
                self.roots.append(url)
            else:
                self.children.setdefault(referer, []).append(url)
        self.expanded: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.roots:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        url = response.request.url if response.request else response.url
        if url in self.expanded:
            return
        self.expanded.add(url)
        for child in self.children.get(url, []):
            yield scrapy.Request(child, callback=self.parse, dont_filter=True)


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    requests = [
        (parts[0], parts[1] if len(parts) > 1 else "") for parts in (ln.split("\t") for ln in lines if ln)
    ]
    process = CrawlerProcess(SETTINGS)
    process.crawl(BareSpider, requests=requests, flat="--flat" in sys.argv[2:])
    process.start()


if __name__ == "__main__":
    main()
