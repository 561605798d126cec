"""Downloader middlewares: raw-first archiving, scope/SSRF guard (requests and redirects), retry backoff."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.crawl.context import RunContext, utcnow
from crawler.crawl.failures import classify_exception, classify_response, classify_waf, is_home_redirect
from crawler.crawl.reports import canonical_url
from crawler.crawl.scope import is_internal_host
from crawler.store.captures import CaptureRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ScopeRefused(IgnoreRequest):
    """A request outside the site's registry hosts (offsite) or to an internal address (ssrf_refused)."""


def _ctx(crawler: Crawler) -> RunContext | None:
    spider = crawler.spider
    return getattr(spider, "ctx", None) if spider is not None else None


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): ", ".join(v.decode("latin-1") for v in values)
        for k, values in response.headers.items()
    }


_TYPO_SUFFIXES = {".gon.cn": ".gov.cn", ".gov.cm": ".gov.cn", ".gvo.cn": ".gov.cn", ".gov.com": ".gov.cn"}


def host_typo_hint(url: str) -> str | None:
    """Suggest the likely real host for a registry typo such as spt.gon.cn (suggestion only)."""
    host = (urlsplit(url).hostname or "").lower()
    for wrong, right in _TYPO_SUFFIXES.items():
        if host.endswith(wrong):
            return host[: -len(wrong)] + right
    return None


def resolved_internally(url: str, response: Response) -> bool:
    """True when a DNS name (not an IP literal) answered from a loopback/private/link-local address."""
    host = urlsplit(url).hostname or ""
    if not host or host == "localhost" or response.ip_address is None:
        return False
    try:
        ipaddress.ip_address(host)
        return False  # IP literals are checked by Scope before the request
    except ValueError:
        return is_internal_host(str(response.ip_address))


def request_kind(request: Request) -> str:
    if urlsplit(request.url).path == "/robots.txt":
        return "robots"
    return str(request.meta.get("nianbao_kind") or "other")


class ScopeMiddleware:
    """Refuse every request whose host is not one of the site's registry hosts; SSRF targets are named."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is None:
            return None
        verdict = scope.check(request.url)
        if verdict is None:
            return None
        ctx = _ctx(self.crawler)
        if ctx is not None:
            ctx.event(
                verdict, request.url, f"refused before fetching (from {request.meta.get('nianbao_from')})"
            )
        raise ScopeRefused(f"{verdict}: {request.url}")


class RedirectScopeMiddleware:
    """Check every 3xx Location before RedirectMiddleware follows it: scope, SSRF, loops, redirect-to-home."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectScopeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = urljoin(request.url, location)
        ctx = _ctx(self.crawler)
        scope = getattr(self.crawler.spider, "scope", None)
        verdict = scope.check(target) if scope is not None else None
        seen = [canonical_url(u) for u in [*request.meta.get("redirect_urls", []), request.url]]
        kinds: list[str] = []
        if verdict is not None:
            kinds.append("redirect_offsite")  # the content moved to a host outside the registry entry
            if verdict == "ssrf_refused":
                kinds.append("ssrf_refused")  # … and that host is internal: never followed
        elif canonical_url(target) in seen:
            kinds.append("redirect_loop")
        elif request.meta.get("nianbao_kind") in ("listing", "report") and is_home_redirect(
            request.url, target
        ):
            kinds.append("moved_to_home")
        kind = kinds[0] if kinds else None
        if kind is None:
            return response
        request.meta["dont_redirect"] = True
        request.meta["nianbao_failure"] = kind
        if ctx is not None:
            first = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL the crawler asked for
            for name in kinds:
                detail = f"{request.url}: {response.status} -> {target}"
                ctx.event(name, first, detail, request.meta.get("nianbao_capture"))
        return response


class ArchiveMiddleware:
    """Raw first: every response (any status, robots.txt included) becomes a capture before anything parses it;
    every download exception becomes a fetch row and an event with its failure kind."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.warnsize = crawler.settings.getint("DOWNLOAD_WARNSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        ctx = _ctx(self.crawler)
        if ctx is None:
            return response
        headers = _headers(response)
        content_type = headers.get("Content-Type", "")
        body = response.body
        kind = request_kind(request)
        failure = classify_response(response.status, headers, body, content_type=content_type.lower())
        if resolved_internally(request.url, response):
            failure = "ssrf_refused"  # a registry host name that resolved to an internal address: never parse
        if kind == "robots" and failure in ("http_404", "http_410", "soft_404"):
            failure = None  # no robots.txt is the normal case
        conditional = bool(request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"))
        now = utcnow()
        ctx.requests += 1
        ctx.bytes += len(body)
        fetch: dict[str, Any] = {
            "run_id": ctx.run_id,
            "url": request.url,
            "fetched_at": now,
            "status": response.status,
            "bytes": len(body),
            "failure_kind": failure,
            "conditional": conditional,
        }
        capture_key = None
        if response.status != 304:
            referer = request.headers.get("Referer")
            record = CaptureRecord(
                url=request.url,
                final_url=response.url,
                method=request.method,
                status=response.status,
                headers=headers,
                fetched_at=now,
                body=body,
                content_type=content_type or None,
                kind=kind,
                failure_kind=failure,
                site_id=ctx.site_id,
                agency_id=request.meta.get("nianbao_agency"),
                run_id=ctx.run_id,
                referer=referer.decode("latin-1") if referer else None,
                link_text=request.meta.get("nianbao_link_text"),
            )
            ctx.sink.capture(record)
            capture_key = (record.url, record.sha256)
            fetch["capture_url"], fetch["capture_sha256"] = capture_key
            if kind in ("report", "attachment") and not failure and response.status == 200:
                ctx.report_bodies += 1
        ctx.sink.fetch(fetch)
        request.meta["nianbao_capture"] = capture_key
        request.meta["nianbao_failure"] = failure
        if failure:
            vendor = classify_waf(response.status, headers, body) if failure == "waf" else None
            detail = f"HTTP {response.status}, {len(body)} bytes" + (f", {vendor}" if vendor else "")
            ctx.event(failure, request.url, detail, capture_key)
        if self.warnsize and len(body) > self.warnsize:
            ctx.event("large_response", request.url, f"{len(body)} bytes > DOWNLOAD_WARNSIZE", capture_key)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        ctx = _ctx(self.crawler)
        if ctx is None or isinstance(exception, IgnoreRequest):
            return None
        kind = classify_exception(exception)
        ctx.requests += 1
        ctx.sink.fetch(
            {
                "run_id": ctx.run_id,
                "url": request.url,
                "fetched_at": utcnow(),
                "status": None,
                "bytes": 0,
                "failure_kind": kind,
                "conditional": False,
            }
        )
        detail = f"{type(exception).__name__}: {exception}"[:500]
        if kind == "dns" and (hint := host_typo_hint(request.url)):
            detail += f" — did you mean {hint}? (registry typo; not corrected automatically)"
        ctx.event(kind, request.url, detail)
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (5xx, 408/429, network errors) with exponential backoff between attempts."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NIANBAO_BACKOFF_BASE", 5.0)
        self.max = settings.getfloat("NIANBAO_BACKOFF_MAX", 300.0)

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop("nianbao_backoff", 0)
        if delay:
            await asyncio.sleep(delay)
        return None

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta["nianbao_backoff"] = min(self.base * 2 ** (attempt - 1), self.max)
        return retry
