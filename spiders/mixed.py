"""A site whose agencies use different CMS archetypes: one spider that hands each agency to its platform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.crawl.extract import Article
from spiders.base import ListingItem, NianbaoSpider


class MixedSpider(NianbaoSpider):
    """Base of the per-site classes built by `spiders.spider_for_site`: platform methods are looked up by the
    agency's `cms` (registry override) and called on this spider, which inherits every platform needed."""

    name = "mixed"
    platforms: dict[str, type[NianbaoSpider]] = {}  # noqa: RUF012 - set on the generated subclass

    def platform(self, response: Response) -> type[NianbaoSpider]:
        agency = self.agencies.get(response.meta.get("nianbao_agency") or "")
        cms = (agency.cms if agency else None) or self.site.cms
        return self.platforms.get(cms) or self.platforms[self.site.cms]

    def parse_listing(self, response: Response) -> Iterator[Any]:
        yield from self.platform(response).parse_listing(self, response)

    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        return self.platform(response).listing_items(self, response, sel, html)

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        return self.platform(response).next_listing(self, response, sel, html, items)

    def article(self, response: Response, html: str) -> Article:
        return self.platform(response).article(self, response, html)
