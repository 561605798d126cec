"""Scrapy settings for Nianbao's crawler (politeness, retries, size caps, middleware order).

Environment switches (for tests and one-off runs):

* ``NIANBAO_FAST=1``   — no download delay, no AutoThrottle, short timeouts and backoff: for the simulator only.
* ``NIANBAO_REVALIDATE=all`` — revalidate every known document this run, ignoring ``revalidate_days``.
* ``NIANBAO_TODAY=YYYY-MM-DD`` — the date the silent-failure checks treat as today.
* ``NIANBAO_PROGRESS=0|1`` — force the stderr progress line off/on (default: on when stderr is a TTY).
* ``NIANBAO_DOWNLOAD_TIMEOUT=<seconds>`` — override the download timeout (tests use 3 s).
"""

from __future__ import annotations

import os

FAST = os.environ.get("NIANBAO_FAST", "") not in ("", "0")

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
CONTACT_URL = "https://github.com/nianbao/nianbao#crawler"
USER_AGENT = f"Nianbao/0.1 (+{CONTACT_URL}; archive of 政府信息公开工作年度报告)"

ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "Nianbao"

# Politeness: per host, low concurrency and a delay; AutoThrottle adapts to slow servers. The registry's
# per-site Politeness (delay, concurrency) overrides DOWNLOAD_DELAY and CONCURRENT_REQUESTS_PER_DOMAIN.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0 if FAST else 2.0
DOWNLOAD_DELAY_JITTER = 0 if FAST else 0.5
LOG_INSTALL_ROOT_HANDLER = True
AUTOTHROTTLE_ENABLED = not FAST
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = float(os.environ.get("NIANBAO_DOWNLOAD_TIMEOUT") or (8 if FAST else 60))
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
REDIRECT_MAX_TIMES = 8

# Retries with exponential backoff on 5xx, 408/429 and network errors; never on other 4xx.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
]
NIANBAO_BACKOFF_BASE = 0.05 if FAST else 5.0  # seconds; doubled per retry
NIANBAO_BACKOFF_MAX = 1.0 if FAST else 300.0

# Order matters. process_response runs from the highest number down, so the archive (800) sees every
# response right after decompression (moved to 810) and BEFORE redirects (600), retries (550), robots
# handling and any spider code. The scope guard (40) runs first for every outgoing request, then the site's
# budget (45: bytes/requests/time per site and run, crawler/crawl/budget.py).
DOWNLOADER_MIDDLEWARES = {
    "crawler.crawl.middlewares.ScopeMiddleware": 40,
    "crawler.crawl.budget.BudgetMiddleware": 45,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.crawl.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 810,
    "crawler.crawl.middlewares.ArchiveMiddleware": 800,
    "crawler.crawl.middlewares.RedirectScopeMiddleware": 790,
}
SPIDER_MIDDLEWARES: dict[str, int] = {}
ITEM_PIPELINES = {"crawler.crawl.pipelines.DocumentPipeline": 300}
EXTENSIONS = {"crawler.crawl.progress.ProgressLine": 500, "scrapy.extensions.telnet.TelnetConsole": None}

COOKIES_ENABLED = True
HTTPERROR_ALLOW_ALL = False
DUPEFILTER_CLASS = "scrapy.dupefilters.RFPDupeFilter"
LOG_LEVEL = "WARNING"
TELNETCONSOLE_ENABLED = False
# Scrapy re-reads and re-parses a generator callback's source on every response to warn about `return value`
# (its cache is keyed by the bound method, a new object each time): 2.6 ms of CPU per request, a sixth of
# the crawl's CPU in bench/crawl.py. The spiders' callbacks are tested; the check is not needed at run time.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's callback output (default 100: 30k tasks
# for 300 responses); a callback here yields a handful of outputs and the archive pipeline is synchronous.
CONCURRENT_ITEMS = 8
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}
