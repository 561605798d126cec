"""Archetype C: a UCAP-style county portal (simulated 大余县) with nav_list.shtml shells and a JSON list API."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from simulator.sites import chrome, content
from simulator.sites.base import Site, file_response
from simulator.sites.catalog import Item, Unit, apply_edits, assign_docids, build_unit_items
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth

SITE_PATH = "dyxxxgk"
DEFAULT_PAGESIZE = 15
BRAND = chrome.Brand(
    site_name="大余县人民政府",
    domain="www.jxdy.gov.cn",
    site_code="3607230001",
    icp="赣ICP备05004321号",
    sponsor="大余县人民政府办公室",
)
NAV = [("首页", "/"), ("信息公开", f"/{SITE_PATH}/")]


@dataclass(frozen=True)
class UcapUnit:
    slug: str
    name: str
    column: str  # c + 6 digits
    years: tuple[int, ...]
    forms: dict[int, str]
    companion_years: frozenset[int] | None  # None: every year


UNITS = [
    UcapUnit("dyxjcz", "大余县吉村镇人民政府", "c102429", tuple(range(2019, 2025)), {}, None),
    UcapUnit(
        "dyxfgw", "大余县发展和改革委员会", "c102431", (2022, 2023, 2024), {2023: "pdf"}, frozenset({2024})
    ),
    UcapUnit("dyxwjw", "大余县卫生健康委员会", "c102435", (2023, 2024), {2024: "docx"}, frozenset()),
]

_NAV = re.compile(rf"^/{SITE_PATH}/(?P<col>c\d{{6}})/nav_list\.shtml$")
_ART = re.compile(rf"^/{SITE_PATH}/(?P<col>c\d{{6}})/(?P<ym>\d{{6}})/(?P<hex>[0-9a-f]{{32}})\.shtml$")
_FILE = re.compile(
    rf"^/{SITE_PATH}/(?P<col>c\d{{6}})/(?P<ym>\d{{6}})/(?P<hex>[0-9a-f]{{32}})/files/(?P<name>[^/]+)$"
)


def hex32(*parts: object) -> str:
    return hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()


class UcapSite(Site):
    """大余县: /<site>/<column>/nav_list.shtml shells + /szinf/info/getInfoCommon/ JSON + .shtml articles."""

    kind = "ucap"
    cms = "ucap"
    pretends = "www.jxdy.gov.cn"
    name = "大余县人民政府"
    region = {"province": "江西省", "city": "赣州市", "district": "大余县", "code": "360723"}

    def __init__(self, site_id: str = "dayu", *, seed: int, faults: bool) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        for plan in UNITS:
            truths = [
                make_truth(
                    plan.name,
                    plan.slug,
                    year,
                    publish_date=f"{year + 1}-0{self.rng.randint(1, 2)}-{self.rng.randint(10, 28):02d}",
                    seed=seed,
                    region=self.name,
                    fmt="2019" if year < 2021 else "2021",
                    profile="township" if "镇" in plan.name else "office",
                    source_format=plan.forms.get(year, "html"),
                )
                for year in plan.years
            ]
            unit = Unit(
                site_id,
                plan.slug,
                plan.name,
                extra={"column": plan.column, "channelid": hex32("channel", plan.column, seed)},
            )
            build_unit_items(unit, truths, self.rng, companion_years=plan.companion_years)
            self.units[plan.slug] = unit
        assign_docids([i for u in self.units.values() for i in u.items], self.rng, 1_000)

    # -- URLs ----------------------------------------------------------------------------------------
    def column_path(self, unit: Unit) -> str:
        return f"/{SITE_PATH}/{unit.extra['column']}/nav_list.shtml"

    def item_hex(self, item: Item) -> str:
        return hex32("doc", item.key, item.docid, self.seed)

    def article_path(self, unit: Unit, item: Item) -> str:
        return f"/{SITE_PATH}/{unit.extra['column']}/{item.url_date:%Y%m}/{self.item_hex(item)}.shtml"

    def attachment_path(self, unit: Unit, item: Item) -> str:
        ext = "docx" if item.form == "docx" else "pdf"
        name = hex32("file", item.key, self.seed) + "." + ext
        return f"/{SITE_PATH}/{unit.extra['column']}/{item.url_date:%Y%m}/{self.item_hex(item)}/files/{name}"

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.article_path(unit, item))

    def registry_entry(self) -> dict[str, Any]:
        return {
            **self.registry_header(),
            "agencies": [
                {"name": u.name, "slug": u.slug, "column": self.url(self.column_path(u))}
                for u in self.units.values()
            ],
        }

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path == "/robots.txt":
            return Response(body=b"User-agent: *\nDisallow:\n", content_type="text/plain")
        if path in ("/", "/index.shtml", f"/{SITE_PATH}/"):
            return self.portal()
        if path == "/szinf/info/getInfoCommon/":
            return self.info_api(req)
        if m := _NAV.match(path):
            unit = self._unit(m["col"])
            return self.shell(unit) if unit else self.to_home()
        if m := _ART.match(path):
            unit = self._unit(m["col"])
            item = next((i for i in unit.items if self.article_path(unit, i) == path), None) if unit else None
            return self.article(unit, item) if unit and item else self.to_home()
        if m := _FILE.match(path):
            unit = self._unit(m["col"])
            item = (
                next((i for i in unit.reports() if self.attachment_path(unit, i) == path), None)
                if unit
                else None
            )
            return self.attachment(item) if item else Response.not_found()
        if path.startswith(f"/{SITE_PATH}/"):
            return self.to_home()  # bad paths 307 to the homepage, like the real platform
        return Response.not_found()

    def to_home(self) -> Response:
        return Response.redirect(self.url("/"), 307)

    def portal(self) -> Response:
        lis = "".join(
            f'<li><a href="{self.column_path(u)}">{escape(u.name)}</a></li>' for u in self.units.values()
        )
        body = f'<div class="xxgk"><h3>政府信息公开</h3><ul>{lis}</ul></div>\n'
        return Response.html(chrome.page(BRAND, BRAND.site_name, body, nav=NAV))

    def shell(self, unit: Unit) -> Response:
        """The list page: an empty ul.infolist filled by script from the JSON API."""
        channel = unit.extra["channelid"]
        body = (
            chrome.breadcrumb(
                [("首页", "/"), ("信息公开", f"/{SITE_PATH}/"), (unit.name, "./nav_list.shtml")]
            )
            + f'<div class="list"><h3>{escape(unit.name)}政府信息公开工作年度报告</h3>'
            '<ul class="infolist" id="infolist"></ul><div id="pagination"></div></div>\n'
            f'<script>var channelid = "{channel}";\nvar pagesize = {DEFAULT_PAGESIZE};\n'
            "function loadPage(currpage){$.getJSON('/szinf/info/getInfoCommon/?pagesize='+pagesize+"
            "'&currpage='+currpage+'&channelid='+channelid, function(data){ $.each(data.infolist, function(i, o){"
            "$('#infolist').append('<li><a href=\"'+o.link+'\" title=\"'+o.title+'\">'+o.title+'</a>"
            "<span class=\"time\">'+o.pubtime.substring(0,10)+'</span></li>');}); });}\nloadPage(1);</script>\n"
        )
        html = chrome.page(
            BRAND,
            f"{unit.name}_{BRAND.site_name}",
            body,
            column="政府信息公开年度报告",
            nav=NAV,
            extra_head='<meta name="generator" content="UCAP">\n<script src="/images/jquery.min.js"></script>\n',
        )
        return Response.html(html)

    def info_api(self, req: Request) -> Response:
        channel = req.arg("channelid")
        unit = next((u for u in self.units.values() if u.extra["channelid"] == channel), None)
        try:
            pagesize = min(100, max(1, int(req.arg("pagesize", str(DEFAULT_PAGESIZE)))))
            currpage = max(1, int(req.arg("currpage", "1")))
        except ValueError:
            return Response(status=400, body=b'{"error":"bad paging"}', content_type="application/json")
        items = unit.ordered() if unit else []
        chunk = items[(currpage - 1) * pagesize : currpage * pagesize]
        data = {
            "infolist": [
                {
                    "title": i.title,
                    "link": self.article_path(unit, i),
                    "pubtime": f"{i.list_date.isoformat()} 09:{i.docid % 60:02d}:00",
                }
                for i in chunk
            ]
            if unit
            else [],
            "total": len(items),
            "totalpage": -(-len(items) // pagesize),
            "currpage": currpage,
            "pagesize": pagesize,
        }
        body = json.dumps(data, ensure_ascii=False).encode()
        return Response(body=body, content_type="application/json;charset=UTF-8")

    def article(self, unit: Unit, item: Item) -> Response:
        url = self.item_url(unit, item)
        if item.kind != "report":
            html = chrome.article(
                BRAND, item.title, item.list_date.isoformat(), unit.name, item.body_html or "", cms="ucap"
            )
        elif item.form in ("pdf", "docx"):
            html = content.stub_html(
                item.truth,
                self.attachment_path(unit, item),
                "ucap",
                encoding="utf-8",
                url=url,
                column=unit.name,
                brand=BRAND,
            )
        else:
            html = content.article_html(
                item.truth, "ucap", encoding="utf-8", url=url, column=unit.name, brand=BRAND
            )
        return Response.html(apply_edits(html, item.edits)).cacheable(item.last_modified)

    def attachment(self, item: Item) -> Response:
        return file_response(item)

    def _unit(self, column: str) -> Unit | None:
        return next((u for u in self.units.values() if u.extra["column"] == column), None)
