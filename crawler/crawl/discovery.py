"""Discovery helpers: the candidate links of a unit directory, a unit's 年报 column link, and what a page is.

No list of unit names: every in-scope link of a directory is a candidate, and a candidate is a unit when it
leads to a 年报 column. These functions only read pages; the spider (`spiders/discover.py`) fetches them
and records an outcome for every candidate in the discovery ledger (`ledger.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.crawl.reports import canonical_url, is_attachment_url

# Column wordings: 年报 / 年度报告 / 信息公开工作年报 / 政府信息公开工作年度报告 / 政务公开年报 / 政府信息公开年报 …
_COLUMN_TEXT = re.compile(r"(政府|政务)?(信息公开|政务公开)?(工作)?(年度报告|年报)(专栏|栏目)?$")
_NOT_COLUMN = re.compile(r"(解读|图解|一图读懂|通知|公告|关于|印发|发布会|问答|指南|目录|制度)")
_GENERIC_SUFFIXES = ("人民政府", "办事处")
# Link texts that are navigation, never a unit.
_NAVIGATION = re.compile(
    r"^(首页|网站首页|返回首页|主页|上一页|下一页|上页|下页|前页|后页|尾页|末页|第一页|最后一页|更多|more|返回|"
    r"[<>«»]+|\d{1,3}|\[\d{1,3}\]|跳转|go|确定|搜索|登录|注册|无障碍|关怀版|长者版|English|繁體|简体)$",
    re.I,
)
# Sub-columns every unit's disclosure page carries: a page with these is a unit, even without a 年报 column.
_UNIT_SUBCOLUMNS = re.compile(
    r"(机构职能|机构概况|机构信息|领导信息|内设机构|信息公开指南|信息公开制度|法定主动公开|主动公开内容|部门文件"
    r"|政策文件|规范性文件|财政预决算|部门预决算|预算决算|工作动态|规划计划|人事信息)"
)
_TITLE_OF_PAGE = ("meta[name=ColumnName]::attr(content)", "title::text", "h1::text", "h2::text", "h3::text")


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


_DATA_ISLAND = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


def page_selector(html: str) -> Selector:
    """A page as a selector, with the links of script data islands (Hanweb `<datastore>` records, whose unit
    lists and columns are written by script) made visible as ordinary markup."""
    islands = _DATA_ISLAND.findall(html)
    if not islands:
        return Selector(text=html)
    extra = "<div>" + "".join(islands) + "</div>"
    end = html.lower().rfind("</body>")  # lxml drops whatever follows </html>
    return Selector(text=html[:end] + extra + html[end:] if end >= 0 else html + extra)


def is_column_text(text: str) -> bool:
    """True for the wording of an annual-report column link (no year, not a 解读 or a notice)."""
    text = re.sub(r"\s+", "", text or "")
    return (
        bool(_COLUMN_TEXT.search(text))
        and not _NOT_COLUMN.search(text)
        and len(text) <= 24
        and not re.search(r"\d{4}", text)
    )


def column_link(sel: Selector, base_url: str, exclude: Iterable[str] = ()) -> str | None:
    """The link to the annual-report column on a unit page; `exclude` = site chrome (links every page has)."""
    skip = {canonical_url(u) for u in exclude}
    best: tuple[int, str] | None = None
    for text, url in anchors(sel, base_url):
        if not is_column_text(text) or canonical_url(url) in skip:
            continue
        score = 10 if "年报" in text else 5
        score += 3 if "信息公开" in text or "政务公开" in text else 0
        score += 2 if urlsplit(url).path.startswith(urlsplit(base_url).path) else 0
        score -= len(text) // 10
        if best is None or score > best[0]:
            best = (score, url)
    return best[1] if best else None


def page_names(sel: Selector) -> list[str]:
    """What a page says it is: ColumnName meta, <title>, first headings."""
    return [t.strip() for css in _TITLE_OF_PAGE for t in sel.css(css).getall()[:2] if t.strip()]


def is_column_page(sel: Selector) -> bool:
    """True when the page names itself a 年报 column (e.g. a JS-shell listing with no entries in its HTML)."""
    names = [re.split(r"[_\-|｜—]", n)[0] for n in page_names(sel)]
    return any(is_column_text(n) or is_column_text(n[-12:]) for n in names)


def looks_like_unit_page(sel: Selector, base_url: str) -> bool:
    """A unit's disclosure page: it links the sub-columns every unit has (机构职能, 信息公开指南 …)."""
    return sum(bool(_UNIT_SUBCOLUMNS.search(t)) for t, _ in anchors(sel, base_url)) >= 1


_GENERIC_SEGMENTS = {"index", "default", "list", "nav_list", "gkmlpt", "col", "content"}


def unit_slug(url: str, text: str) -> str:
    """A unit's slug from its directory link: the last folder of the URL that names something (not index,
    gkmlpt …), else the link text."""
    parts = [p for p in urlsplit(url).path.split("/") if p and "." not in p and p not in _GENERIC_SEGMENTS]
    slug = parts[-1] if parts else re.sub(r"\W+", "-", text).strip("-")
    return re.sub(r"[^A-Za-z0-9_.-]", "-", slug).strip("-.") or "unit"


@dataclass(frozen=True)
class Candidate:
    """One in-scope link of a unit directory page."""

    text: str
    url: str
    not_a_unit: str | None = None  # why it is not a unit, decided without fetching it; None = visit it


def directory_candidates(
    sel: Selector,
    page_url: str,
    *,
    directory_url: str,
    portal_url: str,
    in_scope: Callable[[str], bool],
    directory_pages: Iterable[str] = (),
) -> list[Candidate]:
    """Every in-scope link of a directory page, once each (first text wins); navigation is marked not a unit.

    The directory's own pages are not candidates at all; the portal, a parent folder of the directory,
    pager and site-tool links, and attachments are candidates decided without a request."""
    own = {canonical_url(u) for u in (directory_url, page_url, *directory_pages)}
    directory_path = urlsplit(directory_url).path
    portal = urlsplit(portal_url)
    seen: dict[str, Candidate] = {}
    for text, url in anchors(sel, page_url):
        canon = canonical_url(url)
        if canon in own or canon in seen or not in_scope(url):
            continue
        parts = urlsplit(url)
        path = parts.path or "/"
        reason = None
        if path.rstrip("/") in ("", "/index.html", "/index.htm", "/index.shtml") or (
            parts.netloc == portal.netloc and path == (portal.path or "/")
        ):
            reason = "the portal's home page"
        elif path.endswith("/") and directory_path.startswith(path):
            reason = "a parent folder of the directory (navigation)"
        elif _NAVIGATION.match(text):
            reason = f"navigation link ({text})"
        elif is_attachment_url(url):
            reason = "a file, not a page"
        seen[canon] = Candidate(text=text, url=url, not_a_unit=reason)
    return list(seen.values())
