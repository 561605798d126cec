"""Incremental runs: which known documents are due for revalidation, conditional-GET headers, status of a body."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from crawler.crawl.sink import KnownDocument


def revalidate_all() -> bool:
    """NIANBAO_REVALIDATE=all forces every known document to be revalidated this run."""
    return os.environ.get("NIANBAO_REVALIDATE", "").lower() in ("all", "1", "yes")


def today() -> date:
    """Today, or NIANBAO_TODAY=YYYY-MM-DD (tests inject the calendar this way)."""
    forced = os.environ.get("NIANBAO_TODAY")
    if forced:
        return date.fromisoformat(forced)
    return datetime.now(UTC).date()


def next_check(days: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return (now + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_due(doc: KnownDocument, *, force: bool, now: datetime | None = None) -> bool:
    if force:
        return True
    if not doc.next_check:
        return True
    now_text = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return doc.next_check <= now_text


FULL_FETCH_DAYS = 30  # validators are not trusted forever: a full download at least this often


def conditional_headers(doc: KnownDocument, now: datetime | None = None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what the server said last time — they only save bandwidth.

    Servers that keep an old Last-Modified/ETag after an edit would answer 304 forever, so when the last full
    download is older than FULL_FETCH_DAYS (or unknown) no validator is sent and the content hash decides."""
    headers: dict[str, str] = {}
    now = now or datetime.now(UTC)
    oldest = (now - timedelta(days=FULL_FETCH_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not doc.last_full_fetch or doc.last_full_fetch < oldest:
        return headers
    if doc.etag:
        headers["If-None-Match"] = doc.etag
    if doc.last_modified:
        headers["If-Modified-Since"] = doc.last_modified
    return headers


def body_status(doc: KnownDocument | None, content_hash: str) -> str:
    """new | changed | unchanged, by the normalized-content hash (ETag/Last-Modified are not trusted)."""
    if doc is None:
        return "new"
    if doc.content_hash and doc.content_hash != content_hash:
        return "changed"
    return "unchanged"
