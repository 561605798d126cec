"""Archetype D: Guangdong gkmlpt (simulated 深圳市盐田区 departments): SPA shell, TREE, JSON API, DETAIL pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote

from simulator.sites import chrome, content
from simulator.sites.base import Site, file_response
from simulator.sites.catalog import (
    CST,
    Item,
    Unit,
    apply_edits,
    assign_docids,
    build_unit_items,
)
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth

PAGE_SIZE = 4
BRAND = chrome.Brand(
    site_name="深圳市盐田区人民政府",
    domain="www.yantian.gov.cn",
    site_code="4403080001",
    icp="粤ICP备05012345号",
    sponsor="深圳市盐田区人民政府办公室",
)


@dataclass(frozen=True)
class GkmlptDept:
    slug: str  # URL prefix /<slug>/gkmlpt/, also the registry slug
    name: str
    sid: str
    catid: int  # the 政府信息公开年报 category id in TREE
    years: tuple[int, ...]
    forms: dict[int, str]
    whole_on_page1: bool = False  # page 1 returns everything, page >= 2 → 404
    escaped_title: bool = False  # one companion title comes back %uXXXX-escaped


DEPTS = [
    GkmlptDept(
        "ytnlswj",
        "深圳市盐田区水务局",
        "200165",
        2856,
        (2021, 2022, 2023, 2024),
        {2022: "pdf"},
        escaped_title=True,
    ),
    GkmlptDept("ytqjyj", "深圳市盐田区教育局", "200171", 3107, (2022, 2023, 2024), {}),
    GkmlptDept(
        "ytqwjj", "深圳市盐田区卫生健康局", "200180", 2991, (2021, 2022, 2023, 2024), {}, whole_on_page1=True
    ),
]

_INDEX = re.compile(r"^/(?P<dept>[a-z]+)/gkmlpt/(?:index)?$")
_API = re.compile(r"^/(?P<dept>[a-z]+)/gkmlpt/api/all/(?P<cat>\d+)$")
_POST = re.compile(r"^/(?P<dept>[a-z]+)/gkmlpt/content/0/(?P<n>\d+)/post_(?P<id>\d+)\.html$")
_ATTACH = re.compile(r"^/(?P<dept>[a-z]+)/attachment/0/(?P<a>\d+)/(?P<b>\d+)/(?P<id>\d+)\.(?P<ext>pdf|docx)$")


def js_json(value: Any) -> str:
    """JSON for inline <script>: '<' and '>' written as \\u003C / \\u003E as gkmlpt does."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")


def percent_u(text: str) -> str:
    return "".join(f"%u{ord(c):04X}" if ord(c) > 127 else quote(c) for c in text)


class GkmlptSite(Site):
    """盐田区: /<dept>/gkmlpt/index with window._CONFIG (SID, TREE), /api/all/<cat>, post pages with DETAIL."""

    kind = "gkmlpt"
    cms = "gkmlpt"
    pretends = "www.yantian.gov.cn"
    name = "深圳市盐田区人民政府"
    region = {"province": "广东省", "city": "深圳市", "district": "盐田区", "code": "440308"}

    def __init__(self, site_id: str = "yantian", *, seed: int, faults: bool) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.depts: dict[str, GkmlptDept] = {}
        for dept in DEPTS:
            truths = [
                make_truth(
                    dept.name,
                    dept.slug,
                    year,
                    publish_date=f"{year + 1}-01-{self.rng.randint(8, 31):02d}",
                    seed=seed,
                    region=self.name,
                    profile="regulator",
                    source_format=dept.forms.get(year, "html"),
                )
                for year in dept.years
            ]
            unit = Unit(site_id, dept.slug, dept.name, extra={"sid": dept.sid, "catid": dept.catid})
            build_unit_items(unit, truths, self.rng, companion_years=frozenset(dept.years[-2:]))
            self.units[dept.slug] = unit
            self.depts[dept.slug] = dept
        assign_docids([i for u in self.units.values() for i in u.items], self.rng, 11_900_000)

    # -- URLs ----------------------------------------------------------------------------------------
    def index_path(self, unit: Unit) -> str:
        return f"/{unit.slug}/gkmlpt/index"

    def post_path(self, unit: Unit, item: Item) -> str:
        return f"/{unit.slug}/gkmlpt/content/0/{item.docid // 1000}/post_{item.docid}.html"

    def attachment_path(self, unit: Unit, item: Item) -> str:
        fid = item.docid - 10_900_000
        ext = "docx" if item.form == "docx" else "pdf"
        return f"/{unit.slug}/attachment/0/{fid // 1000}/{fid}/{item.docid}.{ext}"

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.post_path(unit, item))

    def registry_entry(self) -> dict[str, Any]:
        return {
            **self.registry_header(),
            "agencies": [
                {"name": u.name, "slug": u.slug, "column": self.url(self.index_path(u))}
                for u in self.units.values()
            ],
        }

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path in ("/", "/index.html"):
            return self.portal()
        if (m := _INDEX.match(path)) and m["dept"] in self.units:
            return self.shell(self.units[m["dept"]])
        if (m := _API.match(path)) and m["dept"] in self.units:
            return self.api(req, self.units[m["dept"]], int(m["cat"]))
        if (m := _POST.match(path)) and m["dept"] in self.units:
            unit = self.units[m["dept"]]
            item = next((i for i in unit.items if i.docid == int(m["id"])), None)
            if not item or self.post_path(unit, item) != path:
                return Response.not_found()
            return self.post(unit, item)
        if (m := _ATTACH.match(path)) and m["dept"] in self.units:
            unit = self.units[m["dept"]]
            item = next((i for i in unit.reports() if self.attachment_path(unit, i) == path), None)
            return self.attachment(item) if item else Response.not_found()
        return Response.not_found()

    def portal(self) -> Response:
        lis = "".join(
            f'<li><a href="{self.index_path(u)}">{escape(u.name)}</a></li>' for u in self.units.values()
        )
        body = f'<div class="xxgk"><h3>政府信息公开目录</h3><ul>{lis}</ul></div>\n'
        return Response.html(chrome.page(BRAND, BRAND.site_name, body))

    def tree(self, dept: GkmlptDept) -> list[dict[str, Any]]:
        base = dept.catid - 40
        return [
            {"id": base + 1, "name": "机构职能", "parent": 0, "jump_url": "", "children": []},
            {
                "id": base + 2,
                "name": "法定主动公开内容",
                "parent": 0,
                "jump_url": "",
                "children": [
                    {"id": base + 3, "name": "政策文件", "parent": base + 2, "jump_url": "", "children": []},
                    {
                        "id": dept.catid,
                        "name": "政府信息公开年报",
                        "parent": base + 2,
                        "jump_url": "",
                        "children": [],
                    },
                ],
            },
            {
                "id": base + 5,
                "name": "政府信息公开指南",
                "parent": 0,
                "jump_url": "http://www.gd.gov.cn/zwgk/zfxxgkzn/",
                "children": [],
            },
        ]

    def shell(self, unit: Unit) -> Response:
        dept = self.depts[unit.slug]
        config = {"SID": dept.sid, "TREE": self.tree(dept), "SERVICE_AREA_ID": 8, "DEPT_NAME": unit.name}
        html = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<meta name="SiteName" content="{BRAND.site_name}"><meta name="SiteDomain" content="{BRAND.domain}">'
            f'<meta name="SiteIDCode" content="{BRAND.site_code}"><title>{escape(unit.name)}政府信息公开目录</title>'
            '<link rel="stylesheet" href="/gkmlpt/static/css/app.css"></head><body><div id="app"></div>'
            f"<script>window._CONFIG = {js_json(config)};</script>"
            '<script src="/gkmlpt/static/js/app.js"></script></body></html>'
        )
        return Response.html(html)

    def api(self, req: Request, unit: Unit, cat: int) -> Response:
        dept = self.depts[unit.slug]
        if req.arg("sid") != dept.sid or cat != dept.catid:
            return Response(status=404, body=b'{"message":"Not Found"}', content_type="application/json")
        try:
            page = max(1, int(req.arg("page", "1")))
        except ValueError:
            page = 1
        items = unit.ordered()
        if dept.whole_on_page1:
            if page >= 2:
                return Response(status=404, body=b'{"message":"Not Found"}', content_type="application/json")
            chunk = items
        else:
            chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        data = {
            "classify": {"id": cat, "name": "政府信息公开年报", "post_count": len(items)},
            "articles": [
                self.article_json(unit, i, n == 1 and dept.escaped_title) for n, i in enumerate(chunk)
            ],
            "page": page,
            "page_size": len(items) if dept.whole_on_page1 else PAGE_SIZE,
        }
        return Response(body=json.dumps(data, ensure_ascii=False).encode(), content_type="application/json")

    def article_json(self, unit: Unit, item: Item, escape_title: bool = False) -> dict[str, Any]:
        ts = int(
            datetime(
                item.list_date.year, item.list_date.month, item.list_date.day, 9, 30, tzinfo=CST
            ).timestamp()
        )
        title = percent_u(item.title) if escape_title and item.kind != "report" else item.title
        url = self.item_url(unit, item)
        return {
            "id": item.docid,
            "title": title,
            "url": url,
            "post_url": url,
            "date": ts,
            "created_at": ts - 3600,
            "display_publish_time": ts,
            "document_number": "",
            "identifier": f"11440308{item.docid % 10**8:08d}/{item.list_date.year}-{item.docid % 10000:05d}",
            "publisher": unit.name,
            "keywords": "",
            "abstract": "",
            "classify_main_name": "政府信息公开年报",
            "attachment": [{"name": f"{item.title}.pdf", "url": u} for u in self.attachment_urls(unit, item)],
        }

    def post(self, unit: Unit, item: Item) -> Response:
        if item.kind != "report":
            body = item.body_html or ""
        elif item.form in ("pdf", "docx"):
            body = content.stub_html(
                item.truth, self.attachment_path(unit, item), "gkmlpt", encoding="utf-8", url="", column=""
            )
        else:
            body = content.article_html(item.truth, "gkmlpt", encoding="utf-8", url="", column="")
        body = apply_edits(body, item.edits)
        detail = self.article_json(unit, item)
        detail["content"] = body
        config = {"SID": self.depts[unit.slug].sid, "DETAIL": detail}
        html = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<meta name="ArticleTitle" content="{escape(item.title)}">'
            f'<meta name="PubDate" content="{item.list_date.isoformat()} 09:30">'
            f'<meta name="ContentSource" content="{escape(unit.name)}">'
            f'<title>{escape(item.title)}</title></head><body><div id="app"></div>'
            f"<script>window._CONFIG = {js_json(config)};</script>"
            '<script src="/gkmlpt/static/js/app.js"></script></body></html>'
        )
        return Response.html(html).cacheable(item.last_modified)

    def attachment(self, item: Item) -> Response:
        return file_response(item)
