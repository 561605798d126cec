"""The "moved domain" (simulated www.znx.gov.cn, NOT in the registry): the end of the off-site redirect chain."""

from __future__ import annotations

from datetime import date
from typing import Any

from simulator.sites import chrome, content
from simulator.sites.base import Site
from simulator.sites.catalog import Item, Unit, apply_edits
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth

BRAND = chrome.Brand(site_name="中宁县人民政府", domain="www.znx.gov.cn", site_code="6405210001")
OLD_PATH = "/old/900007.html"  # where the faults site's 900007 row points (301)


class MovedSite(Site):
    """Old paths 302 to this host's copy of a report; the report is unreachable for a well-scoped crawler."""

    kind = "moved"
    pretends = "www.znx.gov.cn"
    name = "中宁县人民政府（新域名）"
    region = {"province": "宁夏回族自治区", "city": "中卫市", "district": "中宁县", "code": "640521"}

    def __init__(self, site_id: str = "moved", *, seed: int, faults: bool) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.unit = Unit(
            site_id, "znxzfb", "中宁县人民政府", extra={"fault": "redirect_offsite", "reachable": False}
        )
        self.units[self.unit.slug] = self.unit
        day = date(2019, 1, 28)
        truth = make_truth(
            "中宁县人民政府", "znxzfb", 2018, publish_date=day.isoformat(), seed=seed, fmt="2019"
        )
        self.item = Item(
            key="znxzfb/2018",
            kind="report",
            title=truth.title,
            list_date=day,
            url_date=day,
            truth=truth,
            year=2018,
            docid=900007,
        )
        self.unit.items.append(self.item)

    def item_path(self) -> str:
        d = self.item.url_date
        return f"/xxgk/xxgknb/{d:%Y%m}/t{d:%Y%m%d}_{self.item.docid}.html"

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.item_path())

    def registry_entry(self) -> dict[str, Any]:
        return {}

    def route(self, req: Request) -> Response:
        if req.path == OLD_PATH:
            return Response.redirect(self.url(self.item_path()), 302)
        if req.path == self.item_path():
            html = content.article_html(
                self.item.truth,
                "trs",
                encoding="utf-8",
                url=self.url(req.path),
                column="政府信息公开年报",
                brand=BRAND,
            )
            return Response.html(apply_edits(html, self.item.edits)).cacheable(self.item.last_modified)
        return Response.not_found()
