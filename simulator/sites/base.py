"""The common shape of a simulated site: units, locking, conditional responses, expected reports, edits."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from simulator.sites import content
from simulator.sites.catalog import Item, Unit, edited_bytes
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth


@dataclass(frozen=True)
class SiteInfo:
    """Where a simulated site lives and what it imitates."""

    id: str
    kind: str  # trs | hanweb | ucap | gkmlpt | faults | moved
    name: str
    base_url: str
    port: int
    pretends: str = ""  # the real host it imitates, e.g. www.spt.gov.cn
    region: dict[str, str] = field(default_factory=dict)


class Site:
    """Base class: subclasses fill `units` and implement `route`."""

    kind = "static"
    cms = "static"
    pretends = ""
    name = ""
    region: dict[str, str] = {}  # noqa: RUF012 - overridden per subclass

    def __init__(self, site_id: str, *, seed: int, faults: bool) -> None:
        self.id = site_id
        self.seed = seed
        self.faults = faults
        self.rng = random.Random(f"{site_id}:{seed}")
        self.base_url = ""
        self.units: dict[str, Unit] = {}
        self.lock = threading.RLock()
        self.failing: dict[str, tuple[int, int]] = {}  # target as requested -> (status, answers left)

    # -- serving -------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        with self.lock:
            status, left = self.failing.get(req.raw_target, (0, 0))
            if left > 0:
                self.failing[req.raw_target] = (status, left - 1)
                return Response.html(
                    f"<html><body><h1>{status} server error</h1></body></html>", status=status
                )
            return self.route(req)

    def fail_requests(self, target: str, times: int, status: int = 500) -> None:
        """Answer the next `times` requests for `target` (path and query as requested) with `status`."""
        with self.lock:
            self.failing[target] = (status, times)

    def route(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def bind(self, sites: dict[str, Site]) -> None:
        """Called once all sites have ports: lets a site link to another (e.g. the moved domain)."""

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- model ---------------------------------------------------------------------------------------
    def item_url(self, unit: Unit, item: Item) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def attachment_path(self, unit: Unit, item: Item) -> str | None:
        """Where a report published as PDF/DOCX keeps its file (None: this site attaches nothing)."""
        return None

    def attachment_urls(self, unit: Unit, item: Item) -> list[str]:
        if item.kind != "report" or item.form == "html":
            return []
        path = self.attachment_path(unit, item)
        return [self.url(path)] if path else []

    def report_entry(self, unit: Unit, item: Item) -> dict[str, Any]:
        """One expected_reports() row for a report item."""
        page = self.item_url(unit, item)
        attachments = self.attachment_urls(unit, item)
        fullest = attachments[0] if item.form in ("pdf", "docx") and attachments else page
        entry = content.expected(item.truth)
        entry.update(
            site_id=self.id,
            agency_slug=unit.slug,
            agency_name=unit.name,
            url=fullest,
            page_url=page,
            attachment_urls=attachments,
            source_format=item.form.split("+")[0],
            publish_date=item.list_date.isoformat(),
            url_date=item.url_date.isoformat(),
            encoding=unit.encoding,
            edits=list(item.edits),
            listed_url=self.url(item.extra["listed_url"]) if "listed_url" in item.extra else page,
            fault=item.extra.get("fault", unit.extra.get("fault")),
            reachable=item.extra.get("reachable", unit.extra.get("reachable", True)),
        )
        return entry

    def expected_reports(self) -> list[dict[str, Any]]:
        with self.lock:
            return [
                self.report_entry(u, i)
                for u in self.units.values()
                for i in u.ordered()
                if i.kind == "report"
            ]

    def registry_entry(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def registry_header(self) -> dict[str, Any]:
        """The sites.yml fields every simulated site fills the same way."""
        return {
            "id": self.id,
            "name": self.name,
            "region": dict(self.region),
            "portal": self.url("/"),
            "cms": self.cms,
        }

    def expected_faults(self) -> list[dict[str, Any]]:
        return []

    # -- mutation ------------------------------------------------------------------------------------
    def edit_report(self, agency_slug: str, year: int, suffix: str) -> None:
        with self.lock:
            item = self.units[agency_slug].report(year)
            item.edits.append(suffix)
            item.touch()

    def add_report(
        self, agency_slug: str, year: int, *, form: str = "html", publish: date | None = None
    ) -> Item:
        """Publish a new report at the top of the unit's listing."""
        with self.lock:
            unit = self.units[agency_slug]
            if any(i.kind == "report" and i.year == year for i in unit.items):
                raise ValueError(f"{agency_slug} already has a report for {year}")
            newest = max((i.list_date for i in unit.items), default=date(year + 1, 1, 20))
            day = publish or newest + timedelta(days=1)
            truth = make_truth(
                unit.name,
                unit.slug,
                year,
                publish_date=day.isoformat(),
                seed=self.seed,
                region=self.name,
                source_format=form.split("+")[0],
                encoding=unit.encoding,
            )
            top_id = max((i.docid for u in self.units.values() for i in u.items), default=1000)
            item = Item(
                key=f"{unit.slug}/{year}",
                kind="report",
                title=truth.title,
                list_date=day,
                url_date=day,
                truth=truth,
                year=year,
                form=form,
                docid=top_id + self.rng.randint(3, 50),
            )
            item.touch()
            self.prepare_new_item(unit, item)
            unit.items.append(item)
            return item

    def prepare_new_item(self, unit: Unit, item: Item) -> None:
        """Archetype hook: set ids/paths for an item added at run time."""


def file_response(item: Item) -> Response:
    """A report's attachment (PDF or DOCX); rendered by the server thread outside the site lock.

    The ETag comes from the item's identity, edits and modification time, so validators work without
    rendering; edits change both the bytes and the ETag.
    """
    truth, edits = item.truth, list(item.edits)
    if item.form == "docx":
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        render = content.docx_bytes
    else:
        ctype, render = "application/pdf", content.pdf_bytes
    resp = Response(lazy=lambda: edited_bytes(render(truth), edits), content_type=ctype)
    version = f"{item.key}|{item.form}|{truth.title}|{len(edits)}|{item.last_modified.isoformat()}"
    return resp.cacheable(item.last_modified, version=version)


def warm_attachments(sites: list[Site]) -> None:
    """Render every attachment once (module-level cache) so crawls do not wait on the PDF/DOCX renderers."""
    for site in sites:
        with site.lock:
            items = [i for u in site.units.values() for i in u.reports() if i.form != "html"]
        for item in items:
            (content.docx_bytes if item.form == "docx" else content.pdf_bytes)(item.truth)


def charset_html(html: str, encoding: str) -> str:
    """Rewrite the declared charset of a UTF-8 page for an encoded (e.g. GBK) unit."""
    if encoding == "utf-8":
        return html
    declared = "gb2312" if encoding in ("gbk", "gb2312", "gb18030") else encoding
    for quote in ("", '"'):
        for name in ("utf-8", "UTF-8"):
            html = html.replace(f"charset={quote}{name}", f"charset={quote}{declared}")
    return html


def encoded_page(html: str, encoding: str, modified: Any) -> Response:
    """A page in the unit's encoding; non-UTF-8 units send Content-Type without charset (as real GBK hosts do)."""
    if encoding == "utf-8":
        return Response.html(html).cacheable(modified)
    body = charset_html(html, encoding).encode("gbk", "xmlcharrefreplace")
    return Response(body=body, content_type="text/html").cacheable(modified)
