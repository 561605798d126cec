"""Discovery mixin: find each agency's 年报 column from the site's unit directory, and again when it moves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.crawl.context import utcnow
from crawler.crawl.discovery import anchors, column_link, match_agency
from crawler.crawl.reports import is_report_title
from crawler.registry import Agency

if TYPE_CHECKING:
    from spiders.base import NianbaoSpider

    _Base = NianbaoSpider
else:
    _Base = object


class DiscoveryMixin(_Base):
    """Directory page → agency name matched to a unit link → unit page → its 年报 column (stored in agencies)."""

    def directory_request(self, agency_ids: list[str]) -> scrapy.Request:
        assert self.site.directory
        return scrapy.Request(
            self.site.directory,
            callback=self.parse_directory,
            errback=self.on_error,
            meta=self.meta("discovery", None, targets=agency_ids),
            dont_filter=True,
        )

    def directory_units(self, response: Response, sel: Selector) -> list[tuple[str, str]]:
        """(unit name, unit URL) pairs of the site's unit directory (default: every in-scope link)."""
        return [(t, u) for t, u in anchors(sel, response.url) if self.scope.check(u) is None]

    def unit_column(self, response: Response, sel: Selector) -> str | None:
        return column_link(sel, response.url)

    def region_prefixes(self) -> list[str]:
        s = self.site
        return [f"{s.city}{s.district}", s.city, s.district, s.province, s.name.replace("人民政府", "")]

    def parse_directory(self, response: Response) -> Iterator[Any]:
        if self.failed(response):
            return
        sel = Selector(text=self.decode(response))
        units = self.directory_units(response, sel)
        targets: list[str] = response.meta.get("targets") or []
        if not self.site.agencies and not targets:
            for name, url in units:
                if self.looks_like_unit(name, url):
                    slug = _slug(url, name)
                    agency_id = f"{self.site.id}/{slug}"
                    if agency_id in self.agencies:
                        continue
                    self.agencies[agency_id] = Agency(name=name, slug=slug)
                    self.ctx.sink.agency(
                        {"id": agency_id, "site_id": self.site.id, "name": name, "cms": self.cms}
                    )
                    yield self.unit_request(agency_id, url)
            return
        for agency_id in targets:
            agency = self.agencies[agency_id]
            match = match_agency(agency.name, units, self.region_prefixes())
            if match is None:
                self.ctx.event("agency_not_found", response.url, f"{agency.name} not in the unit directory")
                continue
            yield self.unit_request(agency_id, match[1])

    def looks_like_unit(self, name: str, url: str) -> bool:
        return (
            bool(re.search(r"(局|委|办|中心|街道|镇|乡|政府|院|所|站|会|队|处)$", name)) and len(name) <= 30
        )

    def unit_request(self, agency_id: str, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_unit,
            errback=self.on_error,
            meta=self.meta("discovery", agency_id),
            dont_filter=True,
        )

    def parse_unit(self, response: Response) -> Iterator[Any]:
        if self.failed(response):
            return
        agency_id = response.meta["nianbao_agency"]
        html = self.decode(response)
        sel = Selector(text=html)
        column = self.unit_column(response, sel)
        if column is None and any(is_report_title(i.title) for i in self.listing_items(response, sel, html)):
            column = response.url  # the directory linked the unit's 年报 column itself
        if column is None:
            self.ctx.event("column_not_found", response.url, f"{agency_id}: no 年报 column on the unit page")
            return
        self.ctx.sink.agency(
            {
                "id": agency_id,
                "site_id": self.site.id,
                "name": self.agencies[agency_id].name,
                "column_url": column,
                "cms": self.cms,
                "discovered_at": utcnow(),
            }
        )
        self.state.columns[agency_id] = column
        self.ctx.event("column_discovered", column, f"{agency_id}: from {response.url}")
        yield self.listing_request(agency_id, column)

    def rediscover(self, agency_id: str | None, url: str, why: str) -> Iterator[scrapy.Request]:
        if not agency_id or agency_id in self.rediscovered or not self.site.directory:
            return
        self.rediscovered.add(agency_id)
        self.ctx.event("column_moved", url, f"{agency_id}: {why}; re-discovering from the directory")
        yield self.directory_request([agency_id])


def _slug(url: str, name: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p and "." not in p]
    return parts[-1] if parts else re.sub(r"\W+", "-", name).strip("-")
