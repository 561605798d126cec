"""Discovery helpers: match registry agency names to a unit directory and find a unit's 年报 column link."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from parsel import Selector

_COLUMN_TEXT = re.compile(r"(信息公开|政务公开)?(工作)?(年度报告|年报)")
_NOT_COLUMN = re.compile(r"(解读|图解|一图读懂)")
_GENERIC_SUFFIXES = ("人民政府", "办事处")


def normalize_name(name: str, strip: Iterable[str] = ()) -> str:
    """Compare-ready agency name: no spaces or brackets, without region prefixes such as 中卫市/沙坡头区."""
    text = re.sub(r"[\s（）()【】\[\]·、,，]", "", name or "")
    for prefix in sorted((p for p in strip if p), key=len, reverse=True):
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :]
    return text


def match_agency(
    name: str, units: list[tuple[str, str]], strip: Iterable[str] = ()
) -> tuple[str, str] | None:
    """The (unit name, URL) in a directory that is this agency: exact name, then containment, best first."""
    strip = list(strip)
    target = normalize_name(name, strip)
    if not target:
        return None
    best: tuple[int, tuple[str, str]] | None = None
    for unit_name, url in units:
        candidate = normalize_name(unit_name, strip)
        if not candidate:
            continue
        if candidate == target:
            score = 100
        elif target in candidate or candidate in target:
            score = 50 - abs(len(candidate) - len(target))
        else:
            continue
        if best is None or score > best[0]:
            best = (score, (unit_name, url))
    return best[1] if best else None


def anchors(sel: Selector, base_url: str) -> list[tuple[str, str]]:
    """(text, absolute URL) of every real link on a page."""
    found: list[tuple[str, str]] = []
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", "", "".join(a.css("::text").getall())) or a.attrib.get("title", "").strip()
        if text:
            found.append((text, urljoin(base_url, href)))
    return found


def column_link(sel: Selector, base_url: str) -> str | None:
    """The link to the annual-report column on a unit page (text like 政府信息公开年报 / 年度报告)."""
    best: tuple[int, str] | None = None
    for text, url in anchors(sel, base_url):
        if (
            _NOT_COLUMN.search(text)
            or not _COLUMN_TEXT.search(text)
            or len(text) > 20
            or re.search(r"\d{4}", text)
        ):
            continue
        score = 10 if "年报" in text else 5
        score -= len(text) // 10
        if best is None or score > best[0]:
            best = (score, url)
    return best[1] if best else None
