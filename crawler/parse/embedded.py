"""Articles shipped inside a script or a JSON API response instead of the page's DOM (Guangdong gkmlpt)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

_CONFIG = re.compile(r"_CONFIG\s*=\s*")
_CST = timezone(timedelta(hours=8))


def _detail(obj: Any) -> dict[str, Any] | None:
    """The article object: {"DETAIL": {...}} (page config) or {"content": ...} / {"data": {...}} (API)."""
    if not isinstance(obj, dict):
        return None
    for key in ("DETAIL", "detail", "data", "article"):
        inner = obj.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("content"), str):
            return inner
    if isinstance(obj.get("content"), str):
        return obj
    return None


def _date(detail: dict[str, Any]) -> str | None:
    for key in ("display_publish_time", "date", "created_at", "publish_time"):
        value = detail.get(key)
        if isinstance(value, int | float) and value > 10**8:
            return datetime.fromtimestamp(value, _CST).date().isoformat()
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            return value[:10]
    return None


def from_detail(detail: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(a small HTML page around the article body, its title, its publish date)."""
    title = detail.get("title") if isinstance(detail.get("title"), str) else None
    head = f'<meta name="ArticleTitle" content="{title}">' if title else ""
    page = f'<html><head><meta charset="utf-8">{head}</head><body><div id="zoom">{detail["content"]}</div></body></html>'
    return page, title, _date(detail)


def from_scripts(scripts: list[str]) -> tuple[str, str | None, str | None] | None:
    """The article of a gkmlpt page: `window._CONFIG = {..., "DETAIL": {"content": "<p>…"}}`."""
    decoder = json.JSONDecoder()
    for script in scripts:
        m = _CONFIG.search(script)
        if not m:
            continue
        try:
            obj, _ = decoder.raw_decode(script, m.end())
        except ValueError:
            continue
        detail = _detail(obj)
        if detail is not None and "<" in detail["content"]:
            return from_detail(detail)
    return None


def from_json(text: str) -> tuple[str, str | None, str | None] | None:
    """The article of a JSON API response whose body is HTML in a `content` field."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    detail = _detail(obj)
    if detail is None or "<" not in detail["content"]:
        return None
    return from_detail(detail)
