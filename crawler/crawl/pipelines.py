"""Item pipeline: document items from the spiders go to the archive sink and are counted for the run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler


class DocumentPipeline:
    """Writes each document item (new, changed or unchanged report/attachment) through the spider's sink."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DocumentPipeline:
        return cls(crawler)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        ctx = getattr(self.crawler.spider, "ctx", None)
        if ctx is None:
            return item
        status = item.pop("status")
        ctx.sink.document(item)
        if item["kind"] == "image":  # a report page's table image: archived, not a report of its own
            pass
        elif status == "new":
            ctx.new_reports += 1
        elif status == "changed":
            ctx.changed_reports += 1
        else:
            ctx.unchanged_reports += 1
        item["status"] = status
        return item
