"""Archetype B — Hanweb 大汉 jcms: column page data island + POST /module/web/jpage/dataproxy.jsp groups."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from spiders.base import ListingItem, NianbaoSpider, find_date, link_title

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_PARAM = re.compile(r"var\s+param_(\d+)\s*=\s*\{(.*?)\}\s*;?", re.S)
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_TOTAL = re.compile(r"(?:totalRecord|totalrecord)\s*[:=>]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"(?:perPage|perpage)\s*[:=]\s*['\"]?(\d+)", re.I)
_GROUP = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY = re.compile(r"""["']([^"']*dataproxy\.jsp)[^"']*["']""")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[\s*<a[^>]*href=[\"']([^\"']+)[\"']", re.S)
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
FORM_KEYS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)


def records(text: str) -> list[str]:
    """The CDATA record fragments of a datastore (data island or dataproxy.jsp answer)."""
    return _RECORD.findall(text)


def record_items(fragments: list[str], base_url: str) -> list[ListingItem]:
    items: list[ListingItem] = []
    for fragment in fragments:
        sel = Selector(text=fragment)
        a = sel.css("a[href]")
        if not a:
            continue
        href = a[0].attrib["href"].strip()
        items.append(ListingItem(urljoin(base_url, href), link_title(a[0]), find_date(fragment)))
    return items


def jpage_config(html: str) -> dict[str, Any]:
    """Form fields (param_N object), total record count, per-page size and proxy path from a column page."""
    config: dict[str, Any] = {"form": {}, "total": None, "perpage": None, "group": 3, "proxy": DEFAULT_PROXY}
    match = _PARAM.search(html)
    if match:
        for key, q1, q2, bare in _PAIR.findall(match.group(2)):
            if key in FORM_KEYS:
                config["form"][key] = q1 or q2 or bare
    total = _TOTAL.search(html)
    config["total"] = int(total.group(1)) if total else None
    perpage = _PERPAGE.search(html)
    config["perpage"] = int(perpage.group(1)) if perpage else None
    group = _GROUP.search(html)
    if group:
        config["group"] = int(group.group(1))
    proxy = _PROXY.search(html)
    if proxy:
        config["proxy"] = proxy.group(1)
    return config


class HanwebSpider(NianbaoSpider):
    """Hanweb jcms/jpaas sites (Zhejiang, Jiangsu, Shandong, Gansu, Jiangxi …)."""

    name = "hanweb"
    cms = "hanweb"
    group_pages = 3  # the jpage widget fetches three display pages per request

    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        fragments = records(html)
        if fragments:
            return record_items(fragments, response.url)
        return NianbaoSpider.listing_items(self, response, sel, html)

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        meta = response.meta
        config = meta.get("jpage") or jpage_config(html)
        total = _TOTAL.search(html)
        if total:
            config["total"] = int(total.group(1))
        if not config["form"].get("columnid"):
            return self.nextgroup_request(response, html) or NianbaoSpider.next_listing(
                self, response, sel, html, items
            )
        perpage = config["perpage"] or 15
        group = perpage * (config.get("group") or self.group_pages)
        start = meta.get("next_start") or group + 1
        if config["total"] is not None and start > config["total"]:
            return None
        if config["total"] is None and not items:
            return None
        query = urlencode({"startrecord": start, "endrecord": start + group - 1, "perpage": perpage})
        url = urljoin(meta["column"], f"{config['proxy']}?{query}")
        return scrapy.FormRequest(
            url,
            formdata={k: str(v) for k, v in config["form"].items()},
            headers={"X-Requested-With": "XMLHttpRequest", "Referer": meta["column"]},
            callback=self.parse_listing,
            errback=self.on_error,
            meta=self.meta(
                "listing",
                meta["nianbao_agency"],
                page=meta["page"] + 1,
                column=meta["column"],
                jpage=config,
                next_start=start + group,
            ),
        )

    def nextgroup_request(self, response: Response, html: str) -> scrapy.Request | None:
        """Older jpage variant: GET the `<nextgroup>` link (…/dataproxy.jsp?page=N&webid=…&columnid=…)."""
        match = _NEXTGROUP.search(html)
        if not match:
            return None
        url = urljoin(response.url, match.group(1).replace("&amp;", "&"))
        if url == response.url:
            return None
        meta = response.meta
        return self.listing_request(meta["nianbao_agency"], url, page=meta["page"] + 1, column=meta["column"])
