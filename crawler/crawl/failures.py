"""Failure kinds: classify a response (WAF challenge, soft 404, HTTP error …) or an exception (timeout, DNS …)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_error

# Kinds that mean an anti-bot layer answered instead of the site: counted in crawl_runs.blocked.
# robots_disallowed: the site's robots.txt refuses us that URL (obeyed, never fetched).
BLOCKED_KINDS = frozenset({"waf", "http_403", "rate_limited", "robots_disallowed"})

CHALLENGE_MARKERS = (
    b"$_ts",
    b"__jsl_clearance",
    b"acw_sc__v2",
    b"document.cookie",
    "请稍候".encode(),
    "安全验证".encode(),
    "访问异常".encode(),
    "安全检测".encode(),
)
SOFT_404_MARKERS = (
    "页面不存在",
    "页面已删除",
    "找不到您要访问的页面",
    "找不到页面",
    "页面找不到",
    "您访问的页面不存在",
    "访问的页面不存在",
    "信息已删除",
    "该信息已被删除",
    "页面未找到",
    "404 Not Found",
    "Page Not Found",
)
TINY_BODY = 500


def _head(body: bytes, size: int = 3072) -> bytes:
    return body[:size]


def _text_of(body: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return body.decode(enc)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", "replace")


def visible_text(html: str) -> str:
    """Rough visible text of an HTML page (scripts, styles and tags removed)."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html).strip()


def classify_waf(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """Name the anti-bot layer that produced this response, if any (waf_ruishu, waf_jsl, …)."""
    head = _head(body)
    lowered_headers = " ".join(f"{k}:{v}" for k, v in headers.items()).lower()
    if status in (412, 202) and b"$_ts" in head:
        return "waf_ruishu"
    if status in (521, 512) and (b"document.cookie" in head or b"__jsl" in head):
        return "waf_jsl"
    if status == 405 and ("网防".encode() in body or b"G01" in body):
        return "waf_wangfang"
    if "safedog" in lowered_headers or b"safedog" in head.lower():
        return "waf_safedog"
    if status == 200 and not body.strip():
        return "waf_safedog"  # 200 + blank page: the classic safedog answer
    small = len(body) < TINY_BODY * 6 and any(m in head for m in CHALLENGE_MARKERS)
    if small and (b"location" in head.lower() or b"cookie" in head.lower() or len(body) < TINY_BODY * 2):
        return "waf_challenge"
    return None


def classify_response(
    status: int, headers: dict[str, str], body: bytes, *, content_type: str = ""
) -> str | None:
    """Failure kind of a response, or None when it looks like real content (3xx are not failures here).

    Anti-bot answers are kind ``waf``; `classify_waf` names the vendor for the event detail."""
    if classify_waf(status, headers, body):
        return "waf"
    if 300 <= status < 400 or status == 304:
        return None
    if status == 403:
        return "http_403"
    if status == 429:
        return "rate_limited"
    if status in (404, 410):
        return f"http_{status}"
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    if status == 200 and ("html" in content_type or not content_type) and len(body) < 200_000:
        html = _text_of(body)
        headline = " ".join(re.findall(r"(?is)<(?:title|h1|h2)[^>]*>(.*?)</(?:title|h1|h2)>", html))
        if any(marker in headline for marker in SOFT_404_MARKERS):
            return "soft_404"  # the page's own heading says it is gone, whatever chrome surrounds it
        if len(body) < 20000:
            text = visible_text(html)
            if len(text) < 400 and any(marker in text for marker in SOFT_404_MARKERS):
                return "soft_404"
    return None


def classify_exception(exc: BaseException) -> str:
    """Failure kind of a download exception."""
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError | twisted_error.TCPTimedOutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | twisted_error.DNSLookupError):
        return "dns"
    if isinstance(exc, DownloadConnectionRefusedError | twisted_error.ConnectionRefusedError):
        return "refused"
    if isinstance(exc, DownloadCancelledError):
        return "oversized"
    if isinstance(exc, ResponseDataLossError):
        return "data_loss"
    name = type(exc).__name__
    text = str(exc)
    if "SSL" in name or "TLS" in name or "ssl" in text.lower() or "certificate" in text.lower():
        return "tls"
    if isinstance(exc, IgnoreRequest):
        return "ignored"
    if isinstance(exc, DownloadFailedError | twisted_error.ConnectionLost | twisted_error.ConnectionDone):
        return "connection_lost"
    return "error"


def is_home_redirect(original: str, target: str) -> bool:
    """True when a redirect sends a deep URL to the site's home page (moved/removed content)."""
    a, b = urlsplit(original), urlsplit(target)
    deep = a.path.strip("/") not in ("", "index.html", "index.htm", "index.shtml")
    home = b.path.strip("/") in ("", "index.html", "index.htm", "index.shtml", "index.jsp")
    return deep and home
