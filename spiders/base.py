"""The shared base spider: registry site → discovery → listings → reports → attachments, incremental and polite.

A platform subclass (trs, hanweb, ucap, gkmlpt, static) supplies only what differs between CMS archetypes:
how to read a listing page (`listing_items`), how to reach the next one (`next_listing`), and optionally how
to read the unit directory (`directory_units`) and an article (`article`). Everything else — archiving (done
by the downloader middlewares before this code runs), incremental decisions, failure events, discovery,
health warnings and run bookkeeping — lives here. No SQL: all writes go through `self.ctx.sink`.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.crawl.context import RunContext, utcnow
from crawler.crawl.discovery import anchors
from crawler.crawl.extract import Article, bytes_hash, extract_article
from crawler.crawl.failures import classify_exception
from crawler.crawl.health import health_warnings
from crawler.crawl.images import report_images
from crawler.crawl.incremental import body_status, conditional_headers, is_due, next_check
from crawler.crawl.middlewares import ScopeRefused
from crawler.crawl.reports import canonical_url, is_attachment_url, is_report_title, report_year
from crawler.crawl.scope import Scope
from crawler.crawl.sink import ArchiveSink, KnownDocument, SiteState
from crawler.decoding import decode_bytes
from crawler.registry import Agency, Site
from spiders.discover import DiscoveryMixin


@dataclass(frozen=True)
class ListingItem:
    """One entry of a listing page."""

    url: str
    title: str
    date: str | None = None


# An HTML page larger than this is not a report page (attachments may use the full DOWNLOAD_MAXSIZE).
PAGE_MAXSIZE = 8 * 1024 * 1024
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


_TRAILING_DATE = re.compile(r"[\s\[【(（]*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\]】)）]*$")


def find_date(text: str) -> str | None:
    m = _DATE.search(text or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def row_date(a: Selector) -> str | None:
    """The date of a listing link's own row: its nearest li/tr/dl, else its parent when that holds no other link
    (a breadcrumb's parent on drc.gd.gov.cn is the page wrapper, holding a hidden 1970年01月01日 "archived" stamp)."""
    row = a.xpath("ancestor::*[self::li or self::tr or self::dl][1]")
    if not row:
        parent = a.xpath("..")
        row = parent if len(parent.css("a[href]")) == 1 else None
    return find_date(" ".join(row.css("::text").getall())) if row else None


def link_title(a: Selector) -> str:
    """A listing link's title: its title attribute, else its text without a date the link also holds (real TRS
    rows put title and date in two spans of one `<a>`, nfj.nea.gov.cn)."""
    title = a.attrib.get("title") or " ".join(a.css("::text").getall())
    return _TRAILING_DATE.sub("", re.sub(r"\s+", " ", title).strip())


class NianbaoSpider(DiscoveryMixin, scrapy.Spider):
    """Base spider for one registry site; subclasses implement a CMS archetype."""

    name = "base"
    cms = "static"

    def __init__(
        self,
        site: Site,
        sink: ArchiveSink,
        *,
        revalidate_all: bool = False,
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"{self.cms}:{site.id}", **kwargs)
        self.site = site
        self.scope = Scope(site.hosts)
        self.allowed_domains = self.scope.hostnames
        self.ctx = RunContext(sink=sink, site_id=site.id)
        self.force_revalidate = revalidate_all
        self.today = today or datetime.now(UTC).date()
        self.state = SiteState()
        self.agencies: dict[str, Agency] = {site.agency_id(a): a for a in site.agencies}
        self.requested: set[str] = set()
        self.seen_items: dict[str, set[str]] = {}
        self.agency_years: dict[str, set[int]] = {}
        self.listed_agencies: set[str] = set()
        self.rediscovered: set[str] = set()
        self.listing_ok = 0
        self.reports_seen = 0
        self.init_discovery()

    # ---- start ---------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_sync():
            yield request

    def start_requests_sync(self) -> Iterator[scrapy.Request]:
        sink, site = self.ctx.sink, self.site
        self.state = sink.load_state(site.id)
        sink.site(
            {
                "id": site.id,
                "name": site.name,
                "province": site.province,
                "city": site.city,
                "district": site.district,
                "region_code": site.region_code,
                "portal_url": site.portal,
                "cms": site.cms,
                "verified": int(site.verified),
                "config": _json(site.raw),
            }
        )
        for agency_id, agency in self.agencies.items():
            sink.agency(
                {
                    "id": agency_id,
                    "site_id": site.id,
                    "name": agency.name,
                    "column_url": agency.column,
                    "cms": agency.cms or site.cms,
                }
            )
        for agency_id, name in self.state.agency_names.items():
            if agency_id not in self.agencies and not site.agencies:
                self.agencies[agency_id] = Agency(name=name, slug=agency_id.split("/", 1)[-1])
        for doc in self.state.documents.values():
            if doc.agency_id and doc.year:
                self.agency_years.setdefault(doc.agency_id, set()).add(doc.year)
        self.ctx.run_id = sink.start_run(site.id, self.ctx.started_at, socket.gethostname())
        for agency_id, agency in self.agencies.items():
            column = agency.column or self.state.columns.get(agency_id)
            if column:
                yield from self.column_request(agency_id, column)
            elif not site.directory:
                self.ctx.event(
                    "column_unknown", None, f"{agency_id}: no column and no directory to discover it"
                )
        if site.directory:  # every run: units added since the last run are found too
            yield self.directory_request()
        yield from self.revalidation_requests()
        yield from self.resume_requests()

    # ---- requests ------------------------------------------------------------------------------------
    def meta(self, kind: str, agency_id: str | None, **extra: Any) -> dict[str, Any]:
        return {"nianbao_kind": kind, "nianbao_agency": agency_id, **extra}

    def listing_request(self, agency_id: str, url: str, page: int = 0, **kwargs: Any) -> scrapy.Request:
        meta = self.meta("listing", agency_id, page=page, column=kwargs.pop("column", url))
        meta.update(kwargs.pop("meta", {}))
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            meta=meta,
            dont_filter=page == 0,
            **kwargs,
        )

    def document_request(
        self,
        url: str,
        *,
        agency_id: str | None,
        title: str,
        listed_date: str | None = None,
        parent_url: str | None = None,
        known: KnownDocument | None = None,
        referer: str | None = None,
        kind: str | None = None,
    ) -> scrapy.Request:
        if known and known.kind == "image":
            kind = "image"
        elif kind not in ("other", "image") and (
            is_attachment_url(url) or (known and known.kind == "attachment")
        ):
            kind = "attachment"
        kind = kind or "report"
        callbacks = {
            "attachment": self.parse_attachment,
            "image": self.parse_image,
            "report": self.parse_report,
            "other": self.parse_item,
        }
        headers = conditional_headers(known) if known else {}
        if referer:
            headers["Referer"] = referer
        return scrapy.Request(
            url,
            callback=callbacks[kind],
            errback=self.on_error,
            headers=headers,
            meta=self.meta(
                kind,
                agency_id,
                nianbao_link_text=title,
                listed_date=listed_date,
                parent_url=parent_url,
                doc_url=url,
                handle_httpstatus_list=[304],
                **({} if kind == "attachment" else {"download_maxsize": PAGE_MAXSIZE}),  # images too
            ),
        )

    def revalidation_requests(self) -> Iterator[scrapy.Request]:
        for doc in self.state.documents.values():
            if not is_due(doc, force=self.force_revalidate):
                continue
            self.requested.add(doc.url)
            yield self.document_request(
                doc.url, agency_id=doc.agency_id, title=doc.title or "", parent_url=doc.parent_url, known=doc
            )

    def resume_requests(self) -> Iterator[scrapy.Request]:
        """Finish what a killed run left half done: attachments and table images of the report pages it
        archived, read again from the archived bytes, not downloaded again."""
        for url, page in self.state.resume_pages.items():
            if page.content_type and "html" not in page.content_type.lower():
                continue  # a report published as a bare file has no links to follow
            doc = self.state.documents.get(url)
            headers = {"Content-Type": page.content_type} if page.content_type else {}
            response = HtmlResponse(
                page.url,
                body=page.body,
                headers=headers,
                request=scrapy.Request(page.url, meta=self.meta("report", doc.agency_id if doc else None)),
            )
            html = self.decode(response)
            title = (doc.title if doc else None) or ""
            yield from self.attachment_requests(response, self.article(response, html), url, title)
            yield from self.image_requests(response, html, url, title)

    # ---- decoding ------------------------------------------------------------------------------------
    def decode(self, response: Response) -> str:
        """Page text with charset trouble handled; a missing or lying declaration is recorded (`charset`)."""
        decoded = decode_bytes(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if decoded.problem:
            self.ctx.event("charset", response.url, decoded.problem, response.meta.get("nianbao_capture"))
        return decoded.text

    def failed(self, response: Response) -> bool:
        """True when the archive middleware classified this response as a failure (never parse those)."""
        return bool(response.meta.get("nianbao_failure"))

    # ---- listings ------------------------------------------------------------------------------------
    def listing_items(self, response: Response, sel: Selector, html: str) -> list[ListingItem]:
        """Entries of one listing page (default: every link whose title looks like a report, or a dated link)."""
        items = []
        for a in sel.css("a[href]"):
            href = (a.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            items.append(ListingItem(response.urljoin(href), link_title(a), row_date(a)))
        return [i for i in items if is_report_title(i.title) or i.date]

    def next_listing(
        self, response: Response, sel: Selector, html: str, items: list[ListingItem]
    ) -> scrapy.Request | None:
        """The request for the next listing page, or None on the last page."""
        for text, url in anchors(sel, response.url):
            if text in ("下一页", "下页", ">", "后一页") and canonical_url(url) != canonical_url(
                response.url
            ):
                return self.listing_request(
                    response.meta["nianbao_agency"],
                    url,
                    page=response.meta["page"] + 1,
                    column=response.meta["column"],
                )
        return None

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if self.failed(response):
            self.listing_failed(response.meta, response.url, response.meta["nianbao_failure"])
            return
        agency_id = response.meta["nianbao_agency"]
        column = response.meta["column"]
        if response.meta["page"] == 0 and column in self.state.relist:  # before any deeper page is asked for
            detail = f"{agency_id}: walking every listing page again, after {self.state.relist[column]}"
            self.ctx.event("relisting", column, detail)
        html = self.decode(response)
        sel = Selector(text=html)
        items = self.listing_items(response, sel, html)
        self.listing_ok += 1
        self.listed_agencies.add(agency_id)
        next_request = self.next_listing(response, sel, html, items)
        yield from self.handle_listing(response, items, shell=next_request is not None)
        yield from self.follow_listing(response, items, next_request)

    def is_known(self, canon: str) -> bool:
        return canon in self.state.documents or canon in self.state.aliases or canon in self.state.seen

    def handle_listing(
        self, response: Response, items: list[ListingItem], shell: bool = False
    ) -> Iterator[Any]:
        """Fetch every entry of a listing page the archive has not seen (reports and, once, everything else)."""
        agency_id = response.meta["nianbao_agency"]
        seen = self.seen_items.setdefault(response.meta["column"], set())
        fresh = repeated = reports = 0
        for item in items:
            canon = canonical_url(item.url)
            is_report = is_report_title(item.title)
            reports += is_report
            if canon in seen:
                repeated += 1
                if item.url != canon and not canon.startswith(item.url):
                    self.ctx.event("duplicate", item.url, f"same document as {canon}")
                continue
            seen.add(canon)
            if is_report and (year := report_year(item.title)):
                self.agency_years.setdefault(agency_id, set()).add(year)
            if self.is_known(canon) or canon in self.requested:
                continue
            fresh += 1
            verdict = self.scope.check(item.url if not canon.startswith(("http:", "https:")) else canon)
            if verdict is not None:
                self.ctx.event(verdict, item.url, f"listed on {response.url}: {item.title}")
                continue
            self.requested.add(canon)
            yield self.document_request(
                canon,
                agency_id=agency_id,
                title=item.title,
                listed_date=item.date,
                referer=response.url,
                kind=None if is_report else "other",
            )
        if response.meta["page"] == 0:
            self.ctx.reports_listed += reports
        self.reports_seen += reports
        response.meta["fresh_items"] = fresh
        response.meta["repeated_items"] = repeated
        if not items and response.meta["page"] == 0 and not shell:
            self.ctx.event("empty_listing", response.url, f"{agency_id}: first listing page has no entries")

    def follow_listing(
        self, response: Response, items: list[ListingItem], next_request: scrapy.Request | None
    ) -> Iterator[scrapy.Request]:
        """Walk on only while a page holds something new; a page repeating earlier entries or the page cap
        means endless pagination. Every page (up to the cap) after a killed run, and in a column whose walk
        hit a failed listing page in an earlier run (`SiteState.relist`): the entries behind that page were
        never requested, and a first page with nothing new would stop the walk before it reached them."""
        if next_request is None:
            return
        if not items and response.meta["page"] == 0:  # a JS shell: its entries come from the next request
            yield next_request
            return
        column = response.meta["column"]
        if items and response.meta.get("repeated_items") == len(items):
            self.ctx.event("endless_pagination", column, f"{response.url} repeats entries already listed")
            return
        if not response.meta.get("fresh_items") and not (
            self.state.interrupted or column in self.state.relist
        ):
            return
        page = next_request.meta.get("page", response.meta["page"] + 1)
        if page >= self.site.politeness.max_pages:
            self.ctx.event("endless_pagination", column, f"{next_request.url}: page cap {page} (max_pages)")
            return
        yield next_request

    # ---- documents -----------------------------------------------------------------------------------
    def article(self, response: Response, html: str) -> Article:
        return extract_article(html, response.url)

    def document_row(
        self, response: Response, kind: str, content: str | None, **fields: Any
    ) -> dict[str, Any]:
        meta = response.meta
        url = meta["doc_url"]
        if meta.get("redirect_urls") and kind == "page":  # a moved page lives at the final URL; an
            url = canonical_url(response.url)  # attachment keeps its link (downfile.jsp → /attach/ storage)
        known = self.state.documents.get(url)
        capture = meta.get("nianbao_capture")
        title = fields.pop("title", None) or meta.get("nianbao_link_text") or (known.title if known else None)
        year = report_year(title or "") or (known.year if known else None)
        if year and meta.get("nianbao_agency"):
            self.agency_years.setdefault(meta["nianbao_agency"], set()).add(year)
        status = "unchanged" if content is None else body_status(known, content)
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        row = {
            "status": status,
            "url": url,
            "site_id": self.site.id,
            "agency_id": meta.get("nianbao_agency"),
            "kind": kind,
            "parent_url": meta.get("parent_url"),
            "title": title,
            "listed_date": meta.get("listed_date"),
            "year": year,
            "checked_at": utcnow(),
            "next_check": next_check(self.site.politeness.revalidate_days),
            "etag": etag.decode("latin-1") if etag else None,
            "last_modified": last_modified.decode("latin-1") if last_modified else None,
            "content_hash": content,
        }
        if capture:
            row["capture_url"], row["capture_sha256"] = capture
        row.update(fields)
        return row

    def parse_report(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield self.document_row(response, "page", None)
            return
        if self.failed(response):
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or (content_type and "html" not in content_type):
            yield from self.parse_attachment(response)
            return
        html = self.decode(response)
        article = self.article(response, html)
        title = response.meta.get("nianbao_link_text") or article.title
        yield self.document_row(response, "page", article.content_hash, title=title)
        page_url = (
            canonical_url(response.url) if response.meta.get("redirect_urls") else response.meta["doc_url"]
        )
        yield from self.attachment_requests(response, article, page_url, title)
        yield from self.image_requests(response, html, page_url, title)

    def image_requests(
        self, response: Response, html: str, page_url: str, title: str
    ) -> Iterator[scrapy.Request]:
        """Requests for the images a report page shows in place of its tables (the parser OCRs them), archived
        as documents of kind `image` hanging from the page; at most MAX_IMAGES_PER_PAGE, the rest recorded."""
        found = report_images(html, response.url)
        if found.capped:
            detail = f"{len(found.capped)} more body images not fetched (first: {found.capped[0]})"
            self.ctx.event("images_capped", page_url, detail, response.meta.get("nianbao_capture"))
        for url in found.urls:
            if url in self.requested or url in self.state.documents:
                continue
            verdict = self.scope.check(url)
            if verdict is not None:
                self.ctx.event(verdict, url, f"table image on {page_url}")
                continue
            self.requested.add(url)
            yield self.document_request(
                url,
                agency_id=response.meta.get("nianbao_agency"),
                title=title,
                listed_date=response.meta.get("listed_date"),
                parent_url=page_url,
                referer=response.url,
                kind="image",
            )

    def attachment_requests(
        self, response: Response, article: Article, page_url: str, title: str
    ) -> Iterator[scrapy.Request]:
        """Requests for the attachments of a report page that the archive does not hold yet."""
        for url, label in article.attachments:
            canon = canonical_url(url)
            if canon in self.requested or canon in self.state.documents:
                continue
            verdict = self.scope.check(canon)
            if verdict is not None:
                self.ctx.event(verdict, canon, f"attachment linked from {page_url}")
                continue
            self.requested.add(canon)
            yield self.document_request(
                canon,
                agency_id=response.meta.get("nianbao_agency"),
                title=label or title or "",
                listed_date=response.meta.get("listed_date"),
                parent_url=page_url,
                referer=response.url,
            )

    def parse_item(self, response: Response) -> Iterator[Any]:
        """A listed entry whose title is not a report's: archived raw already; a document only when the listing
        title was cut short ("…2024年政府信息公开工…") and the page's own title is a report's."""
        if response.status == 304 or self.failed(response):
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if "html" not in content_type:
            return
        html = self.decode(response)
        title = (Selector(text=html).css('meta[name="ArticleTitle"]::attr(content)').get() or "").strip()
        listed = (response.meta.get("nianbao_link_text") or "").strip()
        truncated = listed.rstrip(".…。 ")
        if is_report_title(title) and (not listed or truncated != listed and title.startswith(truncated)):
            response.meta["nianbao_link_text"] = title
            yield from self.parse_report(response)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield self.document_row(response, "attachment", None)
            return
        if self.failed(response):
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if "html" in content_type and response.meta.get("parent_url") and _looks_like_error_page(response):
            self.ctx.event("soft_404", response.url, "attachment link answered with an HTML page")
            return
        yield self.document_row(response, "attachment", bytes_hash(response.body))

    def parse_image(self, response: Response) -> Iterator[Any]:
        """A report page's table image: archived raw already; a document of kind `image` when it is one."""
        if response.status == 304:
            yield self.document_row(response, "image", None)
            return
        if self.failed(response):
            return
        if not is_image(response.body):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            detail = (
                f"table image link answered {content_type or 'no Content-Type'}, {len(response.body)} bytes"
            )
            self.ctx.event("not_an_image", response.url, detail, response.meta.get("nianbao_capture"))
            return
        yield self.document_row(response, "image", bytes_hash(response.body))

    # ---- errors --------------------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> Iterable[Any]:
        followups = list(self.failure_followups(failure))
        yield from followups
        meta = failure.request.meta
        if not followups and not failure.check(ScopeRefused):
            self.listing_failed(meta, failure.request.url, failure_kind(failure))
        if "directory_page" in meta and not meta.get("targets") and not followups:
            yield from self.visit_units()  # the directory ends at this failed page

    def failure_followups(self, failure: Failure) -> Iterable[Any]:
        """Record what a failed request means (discovery ledger, moved column) and what to request instead."""
        request = failure.request
        meta = request.meta
        if failure.check(HttpError):
            response = failure.value.response
            kind = meta.get("nianbao_failure") or f"http_{response.status}"
            self.discovery_failed(asked_url(request), kind, f"HTTP {response.status}")
            moved = response.status in (404, 410) or meta.get("nianbao_failure") == "moved_to_home"
            if meta.get("nianbao_kind") == "listing" and meta.get("page") == 0 and moved:
                yield from self.rediscover(meta.get("nianbao_agency"), request.url, f"HTTP {response.status}")
            return
        if failure.check(ScopeRefused):
            return
        if classify_exception(failure.value) == "tls" and urlsplit(request.url).scheme == "https":
            fallback = "http" + request.url[len("https") :]  # pitfall: broken TLS, site also on plain http
            if not meta.get("scheme_fallback") and self.scope.check(fallback) is None:
                self.ctx.event("tls_fallback", request.url, "TLS failed; retrying over http")
                if request.url in self.ledger.pending:
                    self.ledger.pending[fallback] = self.ledger.pending.pop(request.url)
                yield request.replace(url=fallback, dont_filter=True, meta={**meta, "scheme_fallback": True})
                return
        if failure.check(IgnoreRequest):
            text = str(failure.value)
            robots = "robots.txt" in text
            self.discovery_failed(asked_url(request), "robots_disallowed" if robots else "ignored", text)
            if robots:
                self.ctx.event("robots_disallowed", request.url, text)
            elif "max size" in text or "larger than" in text or "MAXSIZE" in text:
                self.ctx.event("oversized", request.url, text[:300])
            elif "redirect" in text.lower():
                self.ctx.event("redirect_loop", request.url, text)
            return
        # download exceptions were recorded (per attempt) by the archive middleware
        self.discovery_failed(asked_url(request), classify_exception(failure.value), str(failure.value)[:300])

    def listing_failed(self, meta: dict[str, Any], url: str, kind: str) -> None:
        """A listing page after the first that failed for a reason that may pass (5xx, timeout, WAF …; not
        404/410: gone) leaves its column's walk incomplete — its entries and those behind it were never
        requested. A warning naming the column (`listing_incomplete`, url = the column) makes the next runs walk
        every page of it until a walk gets past page 0 without such a failure (`SqliteSink.load_state`)."""
        if meta.get("nianbao_kind") != "listing" or not meta.get("page") or kind in GONE_KINDS:
            return
        detail = (
            f"{meta['nianbao_agency']}: listing page {url} failed ({kind}); entries behind it not requested"
        )
        self.ctx.warn("listing_incomplete", detail, url=meta["column"])

    # ---- end of run ----------------------------------------------------------------------------------
    def closed(self, reason: str) -> None:
        for kind, detail in health_warnings(
            today=self.today,
            requests=self.ctx.requests,
            listing_ok=self.listing_ok,
            reports_listed=self.ctx.reports_listed,
            reports_seen=self.reports_seen,
            known_documents=len(self.state.documents),
            agency_years=self.agency_years,
            agency_names={k: a.name for k, a in self.agencies.items()},
            listed_agencies=self.listed_agencies,
            previous_runs=self.state.previous_runs,
        ):
            self.ctx.warn(kind, detail)
        self.finish_discovery(reason)
        if self.ctx.run_id:
            self.ctx.sink.finish_run(self.ctx.run_id, self.ctx.finish_row())


# A listing page answering these is gone, not failing: walking the column again would not reach it.
GONE_KINDS = frozenset({"http_404", "http_410", "soft_404"})


def failure_kind(failure: Failure) -> str:
    """The failure kind of a failed request (an HTTP error's as the archive middleware classified it)."""
    if failure.check(HttpError):
        return str(failure.request.meta.get("nianbao_failure") or f"http_{failure.value.response.status}")
    return classify_exception(failure.value)


def asked_url(request: scrapy.Request) -> str:
    """The URL the spider asked for, before any redirect."""
    return str((request.meta.get("redirect_urls") or [request.url])[0])


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")


def is_image(body: bytes) -> bool:
    """PNG, JPEG, GIF, TIFF, BMP or WebP bytes (by signature: servers label images wrongly)."""
    return body.startswith(_IMAGE_MAGIC) or (body[:4] == b"RIFF" and body[8:12] == b"WEBP")


def _looks_like_error_page(response: Response) -> bool:
    return len(response.body) < 20000


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, default=str)
