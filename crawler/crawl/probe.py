"""`nianbao sites probe URL`: onboard a district site from one URL with the real Scrapy engine.

From a portal root or any page of the site: fetch it and the root, follow links worded 信息公开 / 政务公开 to
the unit directory (部门信息公开目录, 部门目录 …; the root itself when none), read every directory page, visit
each candidate unit (the crawler's discovery rules: `discovery.py`), read the first page of each 年报 column
found, and name the CMS archetype from what the pages show. Requests stay on the URL's host (the crawler's
scope and SSRF rules: `Scope`, `ScopeMiddleware`), obey robots.txt, and are counted and capped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.crawl.context import RunContext
from crawler.crawl.discovery import (
    anchors,
    column_link,
    directory_candidates,
    is_column_page,
    looks_like_unit_page,
    page_selector,
    unit_slug,
)
from crawler.crawl.failures import BLOCKED_KINDS, classify_exception
from crawler.crawl.probe_result import Column, ProbeResult
from crawler.crawl.quiet import quiet_recorded_failures
from crawler.crawl.reports import canonical_url, is_report_title
from crawler.crawl.scope import Scope
from crawler.decoding import decode_bytes

# (archetype, signature, points): two points name an archetype; one weak signature alone does not.
SIGNATURES = [
    (
        "trs",
        re.compile(r"createPageHTML\(|var\s+countPage\s*="),
        2,
        "TRS page script (createPageHTML/countPage)",
    ),
    ("trs", re.compile(r"TRS_(?:Editor|UEDITOR)"), 2, "TRS_Editor body"),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?"), 1, "TRS article URLs (tYYYYMMDD_ID.html)"),
    ("trs", re.compile(r"\.trsapi\b"), 2, "TRS .trsapi list script (real: Pingtan)"),
    ("hanweb", re.compile(r"/module/web/jpage/|dataproxy\.jsp|\.jpage\("), 2, "Hanweb jpage / dataproxy.jsp"),
    ("hanweb", re.compile(r"/col/col\d+/"), 1, "Hanweb /col/colNNN/ columns"),
    ("hanweb", re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+"), 1, "Hanweb /art/ articles"),
    ("ucap", re.compile(r"getInfoCommon"), 2, "UCAP getInfoCommon list API"),
    ("ucap", re.compile(r"nav_list\.shtml"), 1, "UCAP nav_list.shtml columns"),
    ("ucap", re.compile(r"content=\"UCAP\"|UCAP-CONTENT"), 2, "UCAP generator / body"),
    ("gkmlpt", re.compile(r"window\._CONFIG\s*="), 1, "gkmlpt window._CONFIG"),
    ("gkmlpt", re.compile(r"/gkmlpt/"), 2, "gkmlpt /gkmlpt/ paths"),
]
_DIRECTORY_TEXT = re.compile(
    r"(部门|单位|机构|乡镇|街道)(及乡镇|和乡镇|乡镇)?(街道)?(政府)?(信息公开|政务公开|公开)?(目录|导航|列表)?$"
)
_HUB_TEXT = re.compile(r"^(政府|政务)?(信息公开|政务公开)(目录|专栏|平台|网)?$|^政务公开$")
_SITE_CODE = re.compile(r"网站标识码[：:\s]*([0-9A-Za-z]{10})")
HUB_PAGES = 12  # pages read while looking for the directory
DIRECTORY_PAGES = 10
UNIT_PAGES = 80  # candidate units visited
COLUMN_PAGES = 40  # 年报 columns whose first page is read


class ProbeSink:
    """The probe archives nothing: captures and fetches are dropped, failure events kept for the report."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def event(self, row: dict[str, Any]) -> None:
        self.events.append(row)

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class ProbeSpider(scrapy.Spider):
    """Looks for the unit directory, then reads it like the crawler's discovery would."""

    name = "probe"

    def __init__(self, url: str, result: ProbeResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.result = result
        self.scope = Scope({urlsplit(url).netloc})
        self.allowed_domains = self.scope.hostnames
        self.sink = ProbeSink()
        self.ctx = RunContext(sink=self.sink, site_id="probe")  # type: ignore[arg-type]
        self.phase = "look"
        self.requested: set[str] = set()
        self.directory_links: list[str] = []
        self.directory_chrome: dict[str, set[str]] = {}
        self.units: dict[str, dict[str, Any]] = {}  # unit URL -> {name, directory, outcome}
        self.columns_read = 0
        self.signatures: Counter[str] = Counter()
        self.evidence: dict[str, list[str]] = {}
        self.hubs = 0
        self.start_column: tuple[str, int] | None = None  # the URL given is itself a 年报 column
        self.looking = 0  # look-phase requests in flight
        self.navigation: dict[str, set[str]] = {}  # directory -> links decided not a unit without a request
        self.directory_pages: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ProbeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    # ---- requests ---------------------------------------------------------------------------------
    def request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request | None:
        canon = canonical_url(url)
        if canon in self.requested or self.scope.check(url) is not None:
            return None
        self.requested.add(canon)
        if callback == self.parse_look:
            self.looking += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"nianbao_kind": "probe", **meta},
            dont_filter=True,
        )

    async def start(self) -> Any:
        for url in dict.fromkeys([self.url, self.result.portal]):
            if request := self.request(url, self.parse_look, depth=0):
                yield request

    def looked(self) -> Iterator[scrapy.Request]:
        """One page of the look phase answered; when none is left, read the directories found (or the pages
        themselves when no link named a directory)."""
        self.looking -= 1
        if self.looking > 0 or self.phase != "look":
            return
        self.phase = "directory"
        given = [self.result.portal] if self.start_column else [self.url, self.result.portal]
        pages = self.directory_links[:3] or list(dict.fromkeys(given))  # a column is no directory
        for url in pages:
            self.requested.discard(canonical_url(url))  # read again, now as a directory
            if request := self.request(url, self.parse_directory, page=0, directory=url):
                yield request

    def idle(self) -> None:
        """Safety net: a look-phase answer that never came must not end the probe before the directory."""
        if self.phase == "look":
            self.looking = 1
            for request in self.looked():
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def page(self, response: Response) -> tuple[str, Selector] | None:
        if response.meta.get("nianbao_failure"):
            self.failed(response.url, response.meta["nianbao_failure"])
            return None
        html = decode_bytes(response.body, response.headers.get("Content-Type", b"").decode("latin-1")).text
        self.observe(html, response.url)
        return html, page_selector(html)

    def observe(self, html: str, url: str) -> None:
        """Archetype evidence and site identity from one page."""
        for cms, pattern, points, label in SIGNATURES:
            seen = self.evidence.setdefault(cms, [])
            if label not in seen and (pattern.search(html) or pattern.search(url)):
                seen.append(label)
                self.signatures[cms] += points
        sel = Selector(text=html)
        if not self.result.site_code:
            code = sel.css('meta[name="SiteIDCode"]::attr(content)').get() or ""
            found = _SITE_CODE.search(html)
            self.result.site_code = code.strip() or (found.group(1) if found else None)
        if not self.result.site_name:
            name = sel.css('meta[name="SiteName"]::attr(content)').get()
            title = (sel.css("title::text").get() or "").strip()
            parts = [p for p in re.split(r"[_\-|｜—\s]+", title) if "政府" in p]
            self.result.site_name = (name or "").strip() or (parts[-1] if parts else None)

    # ---- look for the directory -------------------------------------------------------------------
    def parse_look(self, response: Response) -> Iterator[Any]:
        yield from self.look(response)
        yield from self.looked()

    def look(self, response: Response) -> Iterator[Any]:
        read = self.page(response)
        if read is None:
            return
        html, sel = read
        depth = response.meta.get("depth", 0)
        if canonical_url(response.url) == canonical_url(self.url) and response.url != self.result.portal:
            reports = report_links(sel, html, response.url)
            if reports or is_column_page(sel) or gkmlpt_column(html):  # the URL given is a 年报 column
                self.start_column = (response.url, reports)
        for text, url in anchors(sel, response.url):
            if self.scope.check(url) is not None:
                continue
            if (
                _DIRECTORY_TEXT.search(text)
                and len(text) <= 14
                and ("部门" in text or "单位" in text or "目录" in text)
            ):
                if canonical_url(url) not in map(canonical_url, self.directory_links):
                    self.directory_links.append(url)
            elif (
                _HUB_TEXT.match(text)
                and depth < 2
                and self.hubs < HUB_PAGES
                and (request := self.request(url, self.parse_look, depth=depth + 1))
            ):
                self.hubs += 1
                yield request

    # ---- the directory ------------------------------------------------------------------------------
    def parse_directory(self, response: Response) -> Iterator[Any]:
        read = self.page(response)
        if read is None:
            return
        html, sel = read
        directory = response.meta["directory"]
        page = response.meta["page"]
        self.directory_chrome.setdefault(directory, {canonical_url(u) for _, u in anchors(sel, response.url)})
        self.navigation.setdefault(directory, set())
        self.directory_pages[directory] += 1
        following = self.next_page(response, sel, html) if page + 1 < DIRECTORY_PAGES else None
        candidates = directory_candidates(
            sel,
            response.url,
            directory_url=directory,
            portal_url=self.result.portal,
            in_scope=lambda u: self.scope.check(u) is None,
            directory_pages=[following] if following else [],
        )
        for candidate in candidates:
            if candidate.not_a_unit:
                self.navigation[directory].add(candidate.url)
                continue
            if candidate.url in self.units or len(self.units) >= UNIT_PAGES:
                continue
            self.units[candidate.url] = {"name": candidate.text, "directory": directory, "outcome": None}
            if request := self.request(
                candidate.url, self.parse_unit, unit=candidate.url, directory=directory
            ):
                yield request
        if following and (
            request := self.request(following, self.parse_directory, page=page + 1, directory=directory)
        ):
            yield request

    def next_page(self, response: Response, sel: Selector, html: str) -> str | None:
        from spiders.trs import page_script, page_url

        script = page_script(html, response.url)
        if script is not None:
            count, stem, ext = script
            page = response.meta["page"]
            return page_url(response.meta["directory"], stem, ext, page + 1) if page + 1 < count else None
        for text, url in anchors(sel, response.url):
            if text in ("下一页", "下页", ">", "后一页") and canonical_url(url) != canonical_url(
                response.url
            ):
                return url
        return None

    # ---- units and columns ----------------------------------------------------------------------------
    def parse_unit(self, response: Response) -> Iterator[Any]:
        unit = self.units[response.meta["unit"]]
        read = self.page(response)
        if read is None:
            return
        html, sel = read
        column = column_link(sel, response.url, exclude=self.directory_chrome.get(unit["directory"], set()))
        reports = report_links(sel, html, response.url)
        if column is None and (reports or is_column_page(sel) or gkmlpt_column(html)):
            column = response.url
        if column is None:
            unit["outcome"] = "no_column" if looks_like_unit_page(sel, response.url) else "not_a_unit"
            return
        unit["outcome"] = "column"
        unit["column"] = column
        unit["reports"] = reports if column == response.url else 0
        if column != response.url and self.columns_read < COLUMN_PAGES:
            self.columns_read += 1
            if request := self.request(column, self.parse_column, unit=response.meta["unit"]):
                yield request

    def parse_column(self, response: Response) -> None:
        read = self.page(response)
        if read is not None:
            html, sel = read
            self.units[response.meta["unit"]]["reports"] = report_links(sel, html, response.url)

    # ---- failures ---------------------------------------------------------------------------------------
    def failed(self, url: str, kind: str) -> None:
        unit = next((u for key, u in self.units.items() if key == url and u["outcome"] is None), None)
        if unit is not None:
            unit["outcome"] = "blocked" if kind in BLOCKED_KINDS or kind == "robots_disallowed" else "error"
            unit["failure"] = kind
        target = (
            self.result.blocked
            if kind in BLOCKED_KINDS or kind == "robots_disallowed"
            else self.result.errors
        )
        if (url, kind) not in target:
            target.append((url, kind))

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if failure.check(HttpError):
            response = failure.value.response
            self.failed(url, request.meta.get("nianbao_failure") or f"http_{response.status}")
        elif "robots.txt" in str(failure.value):
            self.failed(url, "robots_disallowed")
        else:
            self.failed(url, classify_exception(failure.value))
        if request.callback == self.parse_look:
            yield from self.looked()

    def closed(self, reason: str) -> None:
        result = self.result
        result.requests = self.ctx.requests
        ranked = sorted(self.signatures.items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked and ranked[0][1] >= 2:
            result.cms = ranked[0][0]
            result.evidence = self.evidence[result.cms]
        per_directory = Counter(u["directory"] for u in self.units.values() if u["outcome"] == "column")
        result.directory = (
            per_directory.most_common(1)[0][0] if per_directory else (self.directory_links or [None])[0]
        )
        slugs: set[str] = set()
        for url, unit in self.units.items():
            if unit["directory"] != result.directory:
                continue
            if unit["outcome"] == "column":
                slug = unit_slug(url, unit["name"])
                while slug in slugs:
                    slug += "-2"
                slugs.add(slug)
                result.columns.append(Column(unit["name"], slug, url, unit["column"], unit.get("reports", 0)))
            elif unit["outcome"] == "no_column":
                result.without_column.append((unit["name"], url))
            elif unit["outcome"] == "not_a_unit":
                result.not_units += 1
        if self.start_column and self.start_column[0] not in {c.column for c in result.columns}:
            url, reports = self.start_column
            name = result.site_name or urlsplit(url).netloc
            slug = unit_slug(url, name)
            result.columns.insert(
                0, Column(name, slug if slug not in slugs else f"{slug}-0", url, url, reports)
            )
            if not any(c.unit_url != url for c in result.columns):
                result.directory = None  # the column alone: no directory to read every night
        result.directory_pages = self.directory_pages[result.directory] if result.directory else 0
        result.not_units += len(self.navigation.get(result.directory or "", set()))


def report_links(sel: Selector, html: str, base_url: str) -> int:
    """Report-titled entries on a listing page, including those inside script data islands (Hanweb)."""
    titles = {t for t, _ in anchors(sel, base_url)}
    titles |= set(re.findall(r'title=["\']([^"\']{8,120})["\']', html))
    return sum(is_report_title(t) for t in titles)


def gkmlpt_column(html: str) -> bool:
    from spiders.gkmlpt import _js_object, report_catid

    return "window._CONFIG" in html and report_catid(_js_object(html, "TREE")) is not None


def probe(urls: list[str]) -> list[ProbeResult]:
    """Probe sites with the real Scrapy engine (crawler settings: scope, robots.txt, politeness, retries), one
    spider per URL in one process, side by side."""
    from crawler.crawl.runner import crawl_settings

    results = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url}")
        results.append(ProbeResult(url=url, portal=f"{parts.scheme}://{parts.netloc}/"))
    settings = crawl_settings()
    settings.set("ITEM_PIPELINES", {})
    process = CrawlerProcess(settings)
    quiet_recorded_failures()
    for result in results:
        process.crawl(ProbeSpider, url=result.url, result=result)
    process.start()
    return results
