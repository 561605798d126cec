"""Crawl scope and SSRF guard: a site's crawl may fetch only the hosts of its registry entry."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def _netloc(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().strip("[]")
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return host
    return f"{host}:{port}"


def normalize_host(netloc: str) -> tuple[str, int | None]:
    """Split a registry host ("www.spt.gov.cn", "127.0.0.1:8123") into (host, port or None)."""
    parts = urlsplit(f"//{netloc.lower()}")
    return (parts.hostname or "", parts.port)


class Scope:
    """Which URLs one site's crawl may fetch: exact registry hosts (any port listed there), http(s) only."""

    def __init__(self, hosts: set[str] | frozenset[str]) -> None:
        self.allowed: set[tuple[str, int | None]] = {normalize_host(h) for h in hosts if h}

    @property
    def hostnames(self) -> list[str]:
        """Host names for Scrapy's OffsiteMiddleware (allowed_domains takes no ports)."""
        return sorted({h for h, _ in self.allowed})

    def _is_allowed(self, scheme: str, host: str, port: int | None) -> bool:
        for allowed_host, allowed_port in self.allowed:
            if host != allowed_host:
                continue
            if allowed_port is None:
                if port is None or port in DEFAULT_PORTS.values():
                    return True
            elif port == allowed_port:
                return True
        return False

    def check(self, url: str) -> str | None:
        """None when the URL may be fetched; otherwise the failure kind: 'ssrf_refused' or 'offsite_link'."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return "ssrf_refused"
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return "ssrf_refused"
        host = (parts.hostname or "").lower()
        if not host:
            return "ssrf_refused"
        if self._is_allowed(scheme, host, port):
            return None
        if is_internal_host(host):
            return "ssrf_refused"
        if port is not None and port not in DEFAULT_PORTS.values():
            return "ssrf_refused"
        return "offsite_link"


def is_internal_host(host: str) -> bool:
    """Loopback, private, link-local, reserved or unspecified address (or 'localhost')."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:  # decimal / hex integer forms such as http://2130706433/
            ip = ipaddress.ip_address(int(host, 0))
        except ValueError:
            return False
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_multicast
    )
