"""Scope/SSRF guard and failure classification (WAF challenges, soft 404, exceptions)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError

from crawler.crawl.failures import classify_exception, classify_response, classify_waf, is_home_redirect
from crawler.crawl.scope import Scope


@pytest.fixture
def scope() -> Scope:
    return Scope({"www.spt.gov.cn", "127.0.0.1:8123"})


@pytest.mark.parametrize(
    "url",
    [
        "http://www.spt.gov.cn/xxgk/bmxxgkml/",
        "https://www.spt.gov.cn/xxgk/",
        "http://127.0.0.1:8123/col/col1/index.html",
    ],
)
def test_registry_hosts_allowed(scope: Scope, url: str) -> None:
    assert scope.check(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/xxgk/",
        "http://172.16.3.4/",
        "http://192.168.1.1/",
        "http://127.0.0.1:6379/",
        "http://localhost/",
        "http://2130706433/",
        "file:///etc/passwd",
        "ftp://ftp.spt.gov.cn/a.pdf",
        "gopher://127.0.0.1:6379/_INFO",
        "http://www.spt.gov.cn:8080/",
        "http://evil.example:2375/",
    ],
)
def test_ssrf_targets_refused(scope: Scope, url: str) -> None:
    assert scope.check(url) == "ssrf_refused"


def test_offsite_links(scope: Scope) -> None:
    assert scope.check("http://www.yrdcpcn.com/zwgk/2024/zfxxgknb_zn.html") == "offsite_link"
    assert scope.check("https://www.spt.gov.cn.realkrom.com/xxgk/") == "offsite_link"
    assert scope.hostnames == ["127.0.0.1", "www.spt.gov.cn"]


RUISHU = b"<html><head><meta r='m'><script r='m'>$_ts=window['$_ts'];$_ts.nsd=1;</script></head></html>"
JSL = b"<script>document.cookie='__jsl_clearance_s=1;max-age=3600;path=/';location.href=location.pathname</script>"


@pytest.mark.parametrize(
    ("status", "headers", "body", "vendor"),
    [
        (412, {}, RUISHU, "waf_ruishu"),
        (202, {}, RUISHU, "waf_ruishu"),
        (521, {}, JSL, "waf_jsl"),
        (405, {}, "<h2>网防G01</h2>".encode() + b"x" * 4000, "waf_wangfang"),
        (200, {"Set-Cookie": "safedog-flow-item=1"}, b"", "waf_safedog"),
        (200, {}, b"", "waf_safedog"),
    ],
)
def test_waf_pages(status: int, headers: dict[str, str], body: bytes, vendor: str) -> None:
    assert classify_waf(status, headers, body) == vendor
    assert classify_response(status, headers, body, content_type="text/html") == "waf"


def test_http_and_soft_404() -> None:
    assert classify_response(404, {}, b"<h1>404</h1>") == "http_404"
    assert classify_response(410, {}, b"Gone") == "http_410"
    assert classify_response(503, {}, b"busy") == "http_5xx"
    assert classify_response(301, {"Location": "/"}, b"") is None
    soft = "<html><body><h2>抱歉，您访问的页面不存在或已被删除！</h2></body></html>".encode()
    assert classify_response(200, {}, soft, content_type="text/html") == "soft_404"
    real = ("<html><body>" + "<p>一、总体情况 本年度主动公开政府信息。</p>" * 50 + "</body></html>").encode()
    assert classify_response(200, {}, real, content_type="text/html") is None


def test_exceptions() -> None:
    assert classify_exception(DownloadTimeoutError("slow")) == "timeout"
    assert classify_exception(CannotResolveHostError("spt.gon.cn")) == "dns"
    assert classify_exception(DownloadCancelledError("larger than download max size")) == "oversized"


def test_home_redirect() -> None:
    assert is_home_redirect("http://a.gov.cn/xxgk/ydlm/xxgknb/", "http://a.gov.cn/")
    assert not is_home_redirect("http://a.gov.cn/", "http://a.gov.cn/index.html")
    assert not is_home_redirect("http://a.gov.cn/a/", "http://a.gov.cn/b/")


def test_registry_typo_hint() -> None:
    from crawler.crawl.middlewares import host_typo_hint

    assert host_typo_hint("http://www.spt.gon.cn/") == "www.spt.gov.cn"
    assert host_typo_hint("http://www.spt.gov.cn/") is None


def test_soft_404_with_heavy_chrome() -> None:
    nav = "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(300))
    page = f"<html><head><title>页面不存在</title></head><body><ul>{nav}</ul></body></html>".encode()
    assert classify_response(200, {}, page, content_type="text/html; charset=utf-8") == "soft_404"


def test_dns_names_resolving_inside_are_flagged() -> None:
    from ipaddress import ip_address

    from scrapy.http import Response

    from crawler.crawl.middlewares import resolved_internally

    inside = Response("http://www.spt.gov.cn/", ip_address=ip_address("10.1.2.3"))
    outside = Response("http://www.spt.gov.cn/", ip_address=ip_address("202.100.1.1"))
    literal = Response("http://127.0.0.1:8123/", ip_address=ip_address("127.0.0.1"))
    assert resolved_internally(inside.url, inside)
    assert not resolved_internally(outside.url, outside)
    assert not resolved_internally(literal.url, literal)
