"""Archetype C — UCAP-style `.shtml` sites: `nav_list.shtml` list + JSON `getInfoCommon` API pages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from spiders.base import ListingItem, NianbaoSpider, find_date, link_title

_CHANNEL = re.compile(r"channel[_]?id['\"]?\s*[:=]\s*['\"]([0-9A-Za-z]{8,64})['\"]", re.I)
_API = re.compile(r"""["']([^"']*getInfoCommon[^"']*)["']""")
DEFAULT_API = "/szinf/info/getInfoCommon/"


def json_items(data: dict[str, Any], base_url: str) -> list[ListingItem]:
    """Entries of a getInfoCommon answer: {infolist: [{title, link, pubtime}]}."""
    rows = data.get("infolist") or data.get("list") or data.get("data") or []
    if isinstance(rows, dict):
        rows = rows.get("infolist") or rows.get("list") or []
    items = []
    for row in rows:
        link = row.get("link") or row.get("url")
        if link:
            items.append(
                ListingItem(urljoin(base_url, link), str(row.get("title", "")).strip(), row.get("pubtime"))
            )
    return items


def html_items(sel: Selector, base_url: str) -> list[ListingItem]:
    items = []
    for li in sel.css("ul.infolist li, .infolist li, ul.list li, .list li"):
        a = li.css("a[href]")
        if not a:
            continue
        date = find_date(" ".join(li.css(".time::text").getall()) or " ".join(li.css("::text").getall()))
        items.append(ListingItem(urljoin(base_url, a[0].attrib["href"]), link_title(a[0]), date))
    return items


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["currpage"] = str(page)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class UcapSpider(NianbaoSpider):
    """UCAP-style sites (gov.cn templates, Suzhou, Heilongjiang, Xinjiang, Jiangxi counties …)."""

    name = "ucap"
    cms = "ucap"
    page_size = 15

    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        if html.lstrip().startswith("{"):
            try:
                data = json.loads(html)
            except json.JSONDecodeError:
                return []
            if isinstance(data.get("totalpage"), int):
                response.meta["total_pages"] = data["totalpage"]
            return json_items(data, response.url)
        return html_items(sel, response.url) or NianbaoSpider.listing_items(self, response, sel, html)

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        meta = response.meta
        api = meta.get("api")
        if api is None:
            channel = _CHANNEL.search(html)
            if not channel:
                return NianbaoSpider.next_listing(self, response, sel, html, items)
            found = _API.search(html)
            path = found.group(1) if found else DEFAULT_API
            base = urljoin(response.url, path.split("?")[0])
            sep = "&" if "?" in base else "?"
            api = f"{base}{sep}{urlencode({'pagesize': self.page_size, 'channelid': channel.group(1)})}"
            # A static first page continues at API page 2; an empty JS shell starts at page 1.
            return self._api_request(meta, api, 2 if items else 1)
        total_pages = meta.get("total_pages")
        if not items or (total_pages is not None and meta["currpage"] >= total_pages):
            return None
        return self._api_request(meta, api, meta["currpage"] + 1)

    def _api_request(self, meta: dict[str, Any], api: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            with_page(api, page),
            callback=self.parse_listing,
            errback=self.on_error,
            headers={"X-Requested-With": "XMLHttpRequest", "Referer": meta["column"]},
            meta=self.meta(
                "listing",
                meta["nianbao_agency"],
                page=meta["page"] + 1,
                column=meta["column"],
                api=api,
                currpage=page,
            ),
        )
