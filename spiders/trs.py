"""Archetype A — TRS WCM static publishing: `index_N.html` / `list_N.html` pages counted by inline JS."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.crawl.reports import is_attachment_url, is_report_title
from spiders.base import ListingItem, NianbaoSpider, find_date, link_title

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
# `var countPage = 34` or, on real pages (nfj.nea.gov.cn), `var countPage = Number("34")`
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(?:Number\(\s*)?[\"']?(\d+)")
_NAME_IN_SCRIPT = re.compile(r"[\"'](index|list)[\"']\s*\+\s*[\"']_[\"']")
_EXT_IN_SCRIPT = re.compile(r"[\"']\.?[\"']?\s*\+\s*[\"'](s?html?)[\"']")
_RECORD_COUNT = re.compile(r"recordCount\s*:\s*[\"']?(\d+)")  # list2.trsapi pagebar ("动静结合" listings)
_ARTICLE = re.compile(r"/t\d{8}_\d+(?:_\d+)?(?:_wap)?\.s?html?$", re.I)


def page_script(html: str, column_url: str) -> tuple[int, str, str] | None:
    """(page count, file stem, extension) from createPageHTML(...) or `var countPage = N` scripts."""
    match = _CREATE_PAGE.search(html)
    if match:
        return int(match.group(1)), match.group(3), match.group(4)
    count = _COUNT_PAGE.search(html)
    if not count:
        return None
    name = _NAME_IN_SCRIPT.search(html)
    ext = _EXT_IN_SCRIPT.search(html)
    stem = name.group(1) if name else _stem_of(column_url)
    return int(count.group(1)), stem, ext.group(1) if ext else _ext_of(column_url)


def _stem_of(url: str) -> str:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last.split(".")[0].split("_")[0] if "." in last else "index"


def _ext_of(url: str) -> str:
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[1] if "." in last else "html"


def page_url(column_url: str, stem: str, ext: str, page: int) -> str:
    """0-based TRS page URL: page 0 = <stem>.<ext>, page N = <stem>_N.<ext>, in the column's folder."""
    folder = urljoin(column_url, "./")
    return urljoin(folder, f"{stem}.{ext}" if page == 0 else f"{stem}_{page}.{ext}")


def trs_items(sel: Selector, base_url: str) -> list[ListingItem]:
    """Listing entries: TRS article links (./YYYYMM/tYYYYMMDD_ID.html), attachments, report-titled links and
    any link in a dated list row (li / tr / dl), with its title and row date."""
    items: list[ListingItem] = []
    seen: set[str] = set()
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        url = urljoin(base_url, href)
        title = link_title(a)
        row = a.xpath("ancestor::*[self::li or self::tr or self::dl][1]")
        row_text = " ".join(row.css("::text").getall()) if row else ""
        date = find_date(row_text)
        path = urlsplit(url).path
        wanted = _ARTICLE.search(path) or is_attachment_url(url) or is_report_title(title) or (row and date)
        if not wanted or url in seen:
            continue
        seen.add(url)
        items.append(ListingItem(url, title, date))
    return items


class TrsSpider(NianbaoSpider):
    """TRS WCM sites (Ningxia platform, Chongqing, Beijing districts, ministries …)."""

    name = "trs"
    cms = "trs"

    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        return trs_items(sel, response.url)

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        page = response.meta["page"]
        column = response.meta["column"]
        script = page_script(html, column)
        if script is None:
            following = NianbaoSpider.next_listing(self, response, sel, html, items)
            declared = _RECORD_COUNT.search(html)
            if following is None and declared and int(declared.group(1)) > len(items):
                # Real TRS "动静结合" listings (Pingtan): the first page is static, the rest come from a search
                # API that a script calls. Say so instead of letting the rest of the column go unseen.
                detail = f"listing declares {declared.group(1)} records, {len(items)} on this static page; the rest are loaded by a script (trsapi) the crawler does not run"
                self.ctx.event(
                    "pagination_unfollowed", response.url, detail, response.meta.get("nianbao_capture")
                )
            return following
        count, stem, ext = script
        if page + 1 >= count:
            return None
        return self.listing_request(
            response.meta["nianbao_agency"],
            page_url(column, stem, ext, page + 1),
            page=page + 1,
            column=column,
        )
