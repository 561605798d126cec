"""Keep a crawl's console to one line per site: drop Scrapy log records that repeat what the archive records.

Scrapy's robots.txt middleware logs every failed robots.txt download (DNS, refused, timeout) with a full
traceback, and its retry middleware one ERROR line per request given up; the archive middleware already
records each of them as a fetch and a crawl event with its failure kind, and the per-site lines say it.
"""

from __future__ import annotations

import logging

_REPEATS = {
    "scrapy.downloadermiddlewares.robotstxt": "Error downloading",
    "scrapy.downloadermiddlewares.retry": "Gave up retrying",
}


class _AlreadyRecorded(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def quiet_recorded_failures() -> None:
    """Install the filters once (idempotent).

    trafilatura warns "discarding data: None" whenever a page it is asked about has no article (the crawler's
    check for report-table images asks about every report page); what a page yields is the parser's outcome
    to record, so only its errors reach the console."""
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    for name, prefix in _REPEATS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _AlreadyRecorded) for f in logger.filters):
            logger.addFilter(_AlreadyRecorded(prefix))
