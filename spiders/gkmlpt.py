"""Archetype D — Guangdong gkmlpt: SPA shell with window._CONFIG (SID, TREE) + /gkmlpt/api/all/<catid> JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.crawl.extract import Article, extract_article
from spiders.base import ListingItem, NianbaoSpider

_SID = re.compile(r"SID['\"]?\s*[:=]\s*['\"]?(\w+)['\"]?")
CST = timezone(timedelta(hours=8))
_REPORT_NODE = re.compile(r"(年报|年度报告)")


def _js_object(html: str, key: str) -> Any:
    """Parse the JSON value following `key:` in window._CONFIG (arrays/objects), or None."""
    match = re.search(rf"['\"]?{key}['\"]?\s*:\s*([\[{{])", html)
    if not match:
        return None
    start = match.start(1)
    try:
        value, _ = json.JSONDecoder().raw_decode(html[start:])
    except json.JSONDecodeError:
        return None
    return value


def walk_tree(nodes: Any) -> Iterator[dict[str, Any]]:
    for node in nodes or []:
        if isinstance(node, dict):
            yield node
            yield from walk_tree(node.get("children") or node.get("child") or [])


def report_catid(tree: Any, fragment: str = "") -> str | None:
    """The category id of the 年报 node (or the one named in the URL fragment `index#<catid>`)."""
    if fragment.strip("/").isdigit():
        return fragment.strip("/")
    for node in walk_tree(tree):
        if _REPORT_NODE.search(str(node.get("name", ""))) and not node.get("jump_url"):
            return str(node.get("id"))
    return None


def unescape_title(title: str) -> str:
    """Titles sometimes arrive as %uXXXX escapes."""
    return re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), title)


def api_items(data: dict[str, Any], base_url: str) -> list[ListingItem]:
    items = []
    for row in data.get("articles") or []:
        link = row.get("url") or row.get("post_url")
        if not link:
            continue
        date = row.get("display_publish_time") or row.get("date") or row.get("created_at")
        if isinstance(date, int | float):
            date = datetime.fromtimestamp(date, CST).date().isoformat()
        items.append(ListingItem(urljoin(base_url, link), unescape_title(str(row.get("title", ""))), date))
    return items


def detail_content(html: str) -> str | None:
    """The article HTML held in window._CONFIG.DETAIL.content (\\u003C-escaped)."""
    detail = _js_object(html, "DETAIL")
    if isinstance(detail, dict):
        return str(detail.get("content") or "")
    return None


class GkmlptSpider(NianbaoSpider):
    """Guangdong 政府信息公开目录平台 (gkmlpt) sites."""

    name = "gkmlpt"
    cms = "gkmlpt"

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if self.failed(response) or response.meta.get("api"):
            yield from NianbaoSpider.parse_listing(self, response)
            return
        html = self.decode(response)
        if html.lstrip().startswith("{"):
            yield from NianbaoSpider.parse_listing(self, response)
            return
        sid = _SID.search(html)
        catid = report_catid(_js_object(html, "TREE"), urlsplit(response.meta["column"]).fragment)
        if not sid or not catid:
            self.ctx.event("column_not_found", response.url, "gkmlpt: no SID or 年报 category in _CONFIG")
            return
        self.listing_ok += 1
        root = response.url.split("/gkmlpt/")[0] + "/gkmlpt/"
        api = f"{root}api/all/{catid}?sid={sid.group(1)}"
        yield self._api_request(response.meta, api, 1)

    def _api_request(self, meta: dict[str, Any], api: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            f"{api}&page={page}",
            callback=self.parse_listing,
            errback=self.on_error,
            meta=self.meta(
                "listing",
                meta["nianbao_agency"],
                page=page - 1,
                column=meta["column"],
                api=api,
                api_page=page,
            ),
            dont_filter=page == 1,
        )

    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        try:
            data = json.loads(html)
        except json.JSONDecodeError:
            return []
        response.meta["post_count"] = (data.get("classify") or {}).get("post_count") or data.get("total")
        if isinstance(data.get("page_size"), int):
            response.meta["per_page"] = data["page_size"]
        return api_items(data, response.url)

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        meta = response.meta
        if not items:
            return None
        page = meta["api_page"]
        count = meta.get("post_count")
        per_page = meta.get("per_page") or len(items)
        if count is not None and page * per_page >= int(count):
            return None
        return self._api_request(meta, meta["api"], page + 1)

    def is_column(self, sel: Selector, html: str) -> bool:
        """A department's gkmlpt index whose category tree holds a 年报 category."""
        return report_catid(_js_object(html, "TREE")) is not None or NianbaoSpider.is_column(self, sel, html)

    def article(self, response: Response, html: str) -> Article:
        content = detail_content(html)
        if content:
            article = extract_article(
                f"<html><body><div id='content'>{content}</div></body></html>", response.url
            )
            title = _js_object(html, "DETAIL")
            if isinstance(title, dict) and title.get("title"):
                article.title = unescape_title(str(title["title"]))
            for row in (title or {}).get("attachment") or [] if isinstance(title, dict) else []:
                link = row.get("url") or row.get("path") if isinstance(row, dict) else None
                if link:
                    article.attachments.append((urljoin(response.url, link), str(row.get("name", ""))))
            return article
        return extract_article(html, response.url)
