"""Report detection: which listing titles are 政府信息公开工作年度报告, which year they cover, canonical URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".wps",
    ".et",
    ".ofd",
    ".zip",
    ".rar",
    ".txt",
)
TRACKING_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "spm",
    "from",
    "source",
    "share",
    "share_token",
    "isappinstalled",
    "timestamp",
    "_t",
    "t",
    "v",
    "rnd",
    "random",
    "fbclid",
    "gclid",
)

_DISCLOSURE = re.compile(r"(政府|政务)?信息公开|政务公开")
_ANNUAL = re.compile(r"(年度报告|年报|年度工作报告|工作报告)")
_LOOKALIKE = re.compile(
    r"(解读|图解|一图读懂|图说|图文|动漫|视频|通知|公告|通告|转发|印发|关于|评估|考核|测评|发布会|问答|目录|指南"
    r"|编制说明|撰写|填报|报送|培训|会议)"
)
_YEAR_ANY = re.compile(r"(19|20)\d{2}")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度|年)")


def normalize_title(title: str) -> str:
    return re.sub(r"\s+", "", title or "").replace("（", "(").replace("）", ")")


def is_report_title(title: str) -> bool:
    """True for titles of an annual information-disclosure report, False for look-alikes and other items."""
    t = normalize_title(title)
    if not t or not _DISCLOSURE.search(t) or not _ANNUAL.search(t) or not _YEAR_ANY.search(t):
        return False  # column names such as 政府信息公开年报 carry no year
    # (图片版) / (超链版) / (文字版) suffixes are versions of the report itself, not companions.
    core = re.sub(r"\((图片版|超链版|文字版|全文|正文|PDF版|修订版|更正版)\)", "", t)
    return not _LOOKALIKE.search(core)


def report_year(title: str) -> int | None:
    """The year the report covers, read from its title (…2024年政府信息公开… → 2024)."""
    t = normalize_title(title)
    match = _YEAR.search(t)
    if match:
        return int(match.group(1))
    bare = re.search(r"((?:19|20)\d{2})", t)
    return int(bare.group(1)) if bare else None


def is_attachment_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_EXTENSIONS) or "downfile.jsp" in path or "/attach" in path


def canonical_url(url: str) -> str:
    """Canonical document URL: tracking parameters stripped, `_wap` twin folded, query sorted, no fragment."""
    cleaned = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
    parts = urlsplit(cleaned)
    path = re.sub(r"(/t\d{8}_\d+)_wap(\.s?html?)$", r"\1\2", parts.path)
    cleaned = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)
