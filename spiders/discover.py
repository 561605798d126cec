"""Discovery mixin: every link of the site's unit directory is a candidate; a unit is whatever leads to a 年报
column. Every candidate ends in a discovery-ledger row (`crawler/crawl/ledger.py`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.crawl.context import utcnow
from crawler.crawl.discovery import (
    Candidate,
    anchors,
    column_link,
    directory_candidates,
    is_column_page,
    looks_like_unit_page,
    match_agency,
    page_selector,
    unit_slug,
)
from crawler.crawl.failures import BLOCKED_KINDS, is_home_redirect
from crawler.crawl.ledger import Ledger
from crawler.crawl.reports import canonical_url, is_report_title
from crawler.registry import Agency

if TYPE_CHECKING:
    from spiders.base import NianbaoSpider

    _Base = NianbaoSpider
else:
    _Base = object

DIRECTORY_PAGES = 10  # a unit directory longer than this many pages is not a directory


class DiscoveryMixin(_Base):
    """Directory pages → every candidate link → unit page → its 年报 column (stored in agencies)."""

    ledger: Ledger
    chrome_links: set[str]
    walked_columns: dict[str, str]  # canonical column URL -> agency id walking it
    unit_visits: int
    used_slugs: dict[str, str]  # slug -> candidate URL (a slug names one unit)
    matched_agencies: set[str]  # registry agencies found in the directory
    unit_queue: list[tuple[Candidate, str]]  # candidates to visit once the whole directory is read

    def init_discovery(self) -> None:
        self.ledger = Ledger(self.ctx)
        self.chrome_links = set()
        self.walked_columns = {}
        self.unit_visits = 0
        self.used_slugs = {}
        self.matched_agencies = set()
        self.unit_queue = []

    def directory_request(
        self, agency_ids: list[str] | None = None, url: str | None = None, page: int = 0
    ) -> scrapy.Request:
        assert self.site.directory
        return scrapy.Request(
            url or self.site.directory,
            callback=self.parse_directory,
            errback=self.on_error,
            meta=self.meta("discovery", None, targets=agency_ids or [], directory_page=page),
            dont_filter=True,
        )

    def region_prefixes(self) -> list[str]:
        s = self.site
        return [f"{s.city}{s.district}", s.city, s.district, s.province, s.name.replace("人民政府", "")]

    def column_request(self, agency_id: str, column: str) -> Iterator[scrapy.Request]:
        """Walk a column once per run, whoever finds it first."""
        canon = canonical_url(column)
        if canon in self.walked_columns:
            return
        self.walked_columns[canon] = agency_id
        yield self.listing_request(agency_id, column)

    # ---- the directory ---------------------------------------------------------------------------
    def parse_directory(self, response: Response) -> Iterator[Any]:
        targets: list[str] = response.meta.get("targets") or []
        if self.failed(response):
            if not targets:  # the directory ends here: visit what its earlier pages listed
                yield from self.visit_units()
            return
        html = self.decode(response)
        sel = page_selector(html)
        if targets:  # a moved column: find these agencies again by name
            yield from self.rediscover_targets(response, sel, targets)
            return
        page = response.meta.get("directory_page", 0)
        following = self.directory_next(response, sel, html)
        if following is not None and page + 1 >= DIRECTORY_PAGES:
            self.ctx.event(
                "endless_pagination",
                following.url,
                f"unit directory: page cap {DIRECTORY_PAGES} reached, not read",
            )
            following = None
        if page == 0:
            self.chrome_links = {canonical_url(u) for _, u in anchors(sel, response.url)}
        candidates = directory_candidates(
            sel,
            response.url,
            directory_url=self.site.directory or response.url,
            portal_url=self.site.portal,
            in_scope=lambda u: self.scope.check(u) is None,
            directory_pages=[following.url] if following else [],
        )
        registry = self.registry_matches(candidates)
        self.matched_agencies.update(registry.values())
        for candidate in candidates:
            self.consider(candidate, response.url, registry.get(candidate.url))
        if following is not None:
            yield following
        else:
            yield from self.visit_units()

    def directory_next(self, response: Response, sel: Selector, html: str) -> scrapy.Request | None:
        """The directory's next page: a TRS page script, else a 下一页 link."""
        from spiders.trs import page_script, page_url

        page = response.meta.get("directory_page", 0)
        script = page_script(html, response.url)
        url = None
        if script is not None:
            count, stem, ext = script
            url = (
                page_url(self.site.directory or response.url, stem, ext, page + 1)
                if page + 1 < count
                else None
            )
        else:
            for text, link in anchors(sel, response.url):
                if text in ("下一页", "下页", ">", "后一页") and canonical_url(link) != canonical_url(
                    response.url
                ):
                    url = link
                    break
        if url is None or self.scope.check(url) is not None:
            return None
        return self.directory_request(url=url, page=page + 1)

    def registry_matches(self, candidates: list[Candidate]) -> dict[str, str]:
        """Candidate URL -> registry agency id, by name."""
        units = [(c.text, c.url) for c in candidates if c.not_a_unit is None]
        found: dict[str, str] = {}
        for agency in self.site.agencies:
            match = match_agency(agency.name, units, self.region_prefixes())
            if match is not None:
                found.setdefault(match[1], self.site.agency_id(agency))
        return found

    def consider(self, candidate: Candidate, page_url: str, agency_id: str | None) -> None:
        """Decide a candidate now (navigation, known column) or queue it for a visit."""
        url = candidate.url
        if self.ledger.known(url):
            return
        fields = {"directory_url": page_url, "link_text": candidate.text}
        if candidate.not_a_unit:
            self.ledger.record(url, "not_a_unit", candidate.not_a_unit, **fields)
            return
        agency_id = agency_id or self.discovered_agency_id(candidate)
        fields["agency_id"] = agency_id
        known_column = (self.agencies[agency_id].column if agency_id in self.agencies else None) or (
            self.state.columns.get(agency_id)
        )
        if known_column:
            self.ledger.record(url, "column_found", "known column", column_url=known_column, **fields)
            return
        self.ledger.expect(url, **fields)
        self.unit_queue.append((candidate, agency_id))

    def visit_rank(self, url: str) -> tuple[int, int]:
        """Visit order by the ledger of earlier runs: links never seen, then those last errored, blocked or
        capped, then those last without a column or not a unit; within each, the longest unvisited first."""
        past = self.state.discovery.get(url)
        if past is None:
            return (0, 0)
        return (1 if past.outcome in ("error", "blocked", "capped") else 2, past.visited_run)

    def visit_units(self) -> Iterator[scrapy.Request]:
        """The whole directory is read: visit the queued candidates in ledger order, up to `max_pages`."""
        queue = sorted(self.unit_queue, key=lambda entry: self.visit_rank(entry[0].url))
        self.unit_queue = []
        cap = self.site.politeness.max_pages
        for candidate, agency_id in queue:
            if self.unit_visits >= cap:
                self.ledger.record(candidate.url, "capped", f"max_pages={cap} unit pages visited")
                continue
            self.unit_visits += 1
            yield self.unit_request(agency_id, candidate.url, candidate.text)

    def discovered_agency_id(self, candidate: Candidate) -> str:
        """The agency id of a directory unit the registry does not list: <site>/<last folder of its URL>."""
        slug = unit_slug(candidate.url, candidate.text)
        owner = self.used_slugs.setdefault(slug, candidate.url)
        if owner != candidate.url:
            slug = f"{slug}-{hashlib.sha1(candidate.url.encode()).hexdigest()[:6]}"
            self.used_slugs[slug] = candidate.url
        return f"{self.site.id}/{slug}"

    def unit_request(self, agency_id: str, url: str, name: str | None = None) -> scrapy.Request:
        known = agency_id if agency_id in self.agencies else None  # captures name only existing agencies
        return scrapy.Request(
            url,
            callback=self.parse_unit,
            errback=self.on_error,
            meta=self.meta("discovery", known, unit_name=name, unit_agency=agency_id),
            dont_filter=True,
        )

    def is_column(self, sel: Selector, html: str) -> bool:
        """The page is a 年报 column whose entries are not in its HTML (a JS shell that names itself so)."""
        return is_column_page(sel)

    # ---- a unit page -----------------------------------------------------------------------------
    def parse_unit(self, response: Response) -> Iterator[Any]:
        url = str((response.meta.get("redirect_urls") or [response.url])[0])
        failure = response.meta.get("nianbao_failure")
        if failure:
            self.discovery_failed(url, failure, f"HTTP {response.status}")
            return
        agency_id = response.meta["unit_agency"]
        if response.meta.get("redirect_urls") and is_home_redirect(url, response.url):
            self.discovery_failed(url, "moved_to_home", f"redirected to {response.url}")
            return
        html = self.decode(response)
        sel = Selector(text=html)
        column = column_link(sel, response.url, exclude=self.chrome_links)
        if column is None and (
            any(is_report_title(i.title) for i in self.listing_items(response, sel, html))
            or self.is_column(sel, html)
        ):
            column = response.url  # the directory linked the unit's 年报 column itself
        if column is None:
            if looks_like_unit_page(sel, response.url):
                self.ledger.record(url, "no_column", "a unit page without a 年报 column")
                self.ctx.event(
                    "column_not_found", response.url, f"{agency_id}: no 年报 column on the unit page"
                )
            else:
                self.ledger.record(url, "not_a_unit", "no 年报 column and no unit sub-columns")
            return
        owner = self.walked_columns.get(canonical_url(column))
        if owner is not None and owner != agency_id:
            self.ledger.record(url, "column_found", f"same column as {owner}", column_url=column)
            return
        self.adopt_column(agency_id, response.meta.get("unit_name"), column, response.url)
        self.ledger.record(url, "column_found", column_url=column)
        yield from self.column_request(agency_id, column)

    def adopt_column(self, agency_id: str, name: str | None, column: str, found_on: str) -> None:
        """Store a discovered column; a unit the registry does not list becomes an agency named by its link."""
        agency = self.agencies.get(agency_id)
        if agency is None:
            agency = Agency(name=name or agency_id, slug=agency_id.split("/", 1)[-1])
            self.agencies[agency_id] = agency
        self.ctx.sink.agency(
            {
                "id": agency_id,
                "site_id": self.site.id,
                "name": agency.name,
                "column_url": column,
                "cms": agency.cms or self.cms,
                "discovered_at": utcnow(),
            }
        )
        self.state.columns[agency_id] = column
        self.ctx.event("column_discovered", column, f"{agency_id}: from {found_on}")

    def discovery_failed(self, url: str, kind: str, detail: str) -> None:
        """A candidate that could not be read: blocked (WAF, 403, robots.txt) or an error."""
        if url in self.ledger.pending:
            outcome = "blocked" if kind in BLOCKED_KINDS or kind == "robots_disallowed" else "error"
            self.ledger.record(url, outcome, f"{kind}: {detail}")

    def finish_discovery(self, reason: str) -> None:
        """At close: unanswered candidates get their row; registry agencies the directory never listed are named."""
        self.ledger.finish(reason)
        if not self.ledger.counts:
            return  # the directory itself could not be read (its failure is recorded)
        for agency in self.site.agencies:
            agency_id = self.site.agency_id(agency)
            if (
                agency_id not in self.matched_agencies
                and not self.state.columns.get(agency_id)
                and not agency.column
            ):
                self.ctx.event(
                    "agency_not_found", self.site.directory, f"{agency.name} not in the unit directory"
                )

    # ---- a moved column ---------------------------------------------------------------------------
    def rediscover_targets(self, response: Response, sel: Selector, targets: list[str]) -> Iterator[Any]:
        units = [(t, u) for t, u in anchors(sel, response.url) if self.scope.check(u) is None]
        for agency_id in targets:
            agency = self.agencies[agency_id]
            match = match_agency(agency.name, units, self.region_prefixes())
            if match is None:
                self.ctx.event("agency_not_found", response.url, f"{agency.name} not in the unit directory")
                continue
            yield self.unit_request(agency_id, match[1], agency.name)

    def rediscover(self, agency_id: str | None, url: str, why: str) -> Iterator[scrapy.Request]:
        if not agency_id or agency_id in self.rediscovered or not self.site.directory:
            return
        self.rediscovered.add(agency_id)
        self.walked_columns.pop(canonical_url(url), None)
        self.ctx.event("column_moved", url, f"{agency_id}: {why}; re-discovering from the directory")
        yield self.directory_request([agency_id])
