"""Report metadata from the document (title, agency, year covered, publish date), hints as fallback."""

from __future__ import annotations

import re
from datetime import date

from crawler.crawl.reports import is_report_title
from crawler.parse.model import ReportHints

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|—|-|～|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_CN_YEAR = re.compile(r"[〇零○Ｏ一二三四五六七八九]{4}(?=\s*年)")
_PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:日期|时间)\s*[:：]?\s*" + _DATE.pattern)
_WS = re.compile(r"\s+")


def reads_as_title(text: str) -> bool:
    """Shaped like a document title (not a sentence): ends in 报告/年报 or names a 年度报告, no 。/，.
    Whether it is an annual disclosure report's title is `crawler.crawl.reports.is_report_title`."""
    text = text.strip()
    if len(text) > 100 or "。" in text or "，" in text:
        return False
    return bool(re.search(r"(报告|年报)[)）」》]?$", text)) or "年度报告" in text


def pick_title(candidates: list[str], hints: ReportHints | None) -> str | None:
    """The first candidate that reads like a report title (meta ArticleTitle, h1, first body line, <title>)."""
    for cand in candidates:
        cand = _WS.sub(" ", cand).strip()
        if reads_as_title(cand) and is_report_title(arabic_years(cand)):
            return cand
    if hints and hints.title:
        return hints.title
    for cand in candidates:
        if reads_as_title(cand):
            return _WS.sub(" ", cand).strip()
    return None


def arabic_years(text: str) -> str:
    """'二〇二三年' → '2023年' (some titles spell the year in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def title_year(title: str | None) -> int | None:
    m = _YEAR.search(arabic_years(title or ""))
    return int(m.group(1)) if m else None


def period_years(text: str) -> tuple[int, int] | None:
    """The statistics period stated in the text ('统计期限自2024年1月1日至2024年12月31日')."""
    m = _PERIOD.search(text)
    return (int(m.group(1)), int(m.group(2) or m.group(1))) if m else None


def agency_from_title(title: str | None) -> str | None:
    """'淮安市人民政府2024年政府信息公开工作年度报告' → '淮安市人民政府'; '2023年X局政府信息…' → 'X局'."""
    if not title:
        return None
    title = arabic_years(title)
    m = _YEAR.search(title)
    if not m:
        cut = re.split(r"政府信息公开|政务公开|信息公开", title)[0].strip()
        return cut or None
    prefix = title[: m.start()].strip(' ：:（(《“"')
    prefix = re.sub(r"关于$", "", prefix).strip()
    if prefix:
        return prefix
    after = re.sub(r"^度", "", title[m.end() :]).strip()
    cut = re.split(r"政府信息公开|政务公开|信息公开", after)[0].strip(" 的")
    return cut or None


def _valid(y: str, mo: str, d: str) -> str | None:
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def pick_date(
    candidates: list[str], page_text: str, lines: list[str], hints: ReportHints | None
) -> str | None:
    """Meta PubDate, then a 发布日期 block in the page, then a date line signing the report, then hints."""
    for cand in candidates:
        m = _DATE.search(cand)
        if m and (d := _valid(*m.groups())):
            return d
    m = _PUBLISHED.search(page_text)
    if m and (d := _valid(*m.groups())):
        return d
    for line in reversed(lines[-12:]):
        line = line.strip()
        m = _DATE.fullmatch(line)
        if m and (d := _valid(*m.groups())):
            return d
    if hints and hints.publish_date:
        m = _DATE.search(hints.publish_date)
        if m and (d := _valid(*m.groups())):
            return d
    return None
