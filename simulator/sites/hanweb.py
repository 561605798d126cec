"""Archetype B: a Hanweb 大汉 jcms county portal (simulated 温州市鹿城区) with jpage data islands and dataproxy.jsp."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from simulator.documents.render_html import article_id
from simulator.sites import blocking, chrome, content
from simulator.sites.base import Site, file_response
from simulator.sites.catalog import Item, Unit, apply_edits, assign_docids, build_unit_items
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth

PERPAGE = 3  # display page size; a jpage group is 3 display pages
GROUP = 3 * PERPAGE
WEBID = 61
DIRECTORY_COLUMN = 1229214366  # 部门目录
BRAND = chrome.Brand(
    site_name="温州市鹿城区人民政府",
    domain="www.lucheng.gov.cn",
    site_code="3303020001",
    icp="浙ICP备05012345号",
    sponsor="温州市鹿城区人民政府办公室",
)
NAV = [("首页", "/"), ("政府信息公开", f"/col/col{DIRECTORY_COLUMN}/index.html")]


@dataclass(frozen=True)
class HanwebUnit:
    slug: str
    name: str
    columnid: int
    unitid: int
    years: tuple[int, ...]
    forms: dict[int, str]
    companion_years: frozenset[int]
    news: int = 0
    challenged: bool = False  # behind the 加速乐 cookie challenge when faults are on


UNITS = [
    HanwebUnit(
        "lcqzfb",
        "鹿城区人民政府办公室",
        1229780601,
        7740001,
        tuple(range(2019, 2025)),
        {},
        frozenset({2022, 2023, 2024}),
        news=4,
    ),
    HanwebUnit(
        "lcqjyj", "鹿城区教育局", 1229780612, 7740013, (2022, 2023, 2024), {2023: "pdf"}, frozenset({2024})
    ),
    HanwebUnit("lcqczj", "鹿城区财政局", 1229780625, 7740027, (2022, 2023, 2024), {}, frozenset({2024})),
    HanwebUnit("lcqsjj", "鹿城区审计局", 1229780633, 7740035, (2023, 2024), {}, frozenset(), challenged=True),
]

_COL = re.compile(r"^/col/col(?P<cid>\d+)/(?:index\.html)?$")
_ART = re.compile(r"^/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/art_(?P<cid>\d+)_(?P<aid>\d+)\.html$")
_ATTACH = re.compile(r"^/attach/0/(?P<name>[0-9a-f]{32}\.(?:pdf|docx))$")


class HanwebSite(Site):
    """鹿城区: 部门目录 column, per-unit jpage columns, POST dataproxy groups, /art/ articles, downfile.jsp."""

    kind = "hanweb"
    cms = "hanweb"
    pretends = "www.lucheng.gov.cn"
    name = "温州市鹿城区人民政府"
    region = {"province": "浙江省", "city": "温州市", "district": "鹿城区", "code": "330302"}

    def __init__(self, site_id: str = "lucheng", *, seed: int, faults: bool) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.plans: dict[str, HanwebUnit] = {}
        for plan in UNITS:
            truths = [
                make_truth(
                    plan.name,
                    plan.slug,
                    year,
                    publish_date=f"{year + 1}-01-{self.rng.randint(10, 30):02d}",
                    seed=seed,
                    region=self.name,
                    fmt="2019" if year < 2021 else "2021",
                    source_format=plan.forms.get(year, "html"),
                )
                for year in plan.years
            ]
            extra: dict[str, Any] = {"columnid": plan.columnid, "unitid": plan.unitid}
            if plan.challenged and faults:
                extra.update(fault="waf", reachable=False)
            unit = Unit(site_id, plan.slug, plan.name, extra=extra)
            build_unit_items(unit, truths, self.rng, companion_years=plan.companion_years, news=plan.news)
            self.units[plan.slug] = unit
            self.plans[plan.slug] = plan
        assign_docids([i for u in self.units.values() for i in u.items], self.rng, 87_000)
        for unit in self.units.values():
            for item in unit.reports():
                item.docid = article_id(item.truth)
        self.jsl_token = hashlib.sha1(f"jsl:{seed}".encode()).hexdigest()[:32]

    # -- URLs ----------------------------------------------------------------------------------------
    def column_path(self, unit: Unit) -> str:
        return f"/col/col{unit.extra['columnid']}/index.html"

    def article_path(self, unit: Unit, item: Item) -> str:
        d = item.url_date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{unit.extra['columnid']}_{item.docid}.html"

    def file_hash(self, item: Item) -> str:
        ext = "docx" if item.form == "docx" else "pdf"
        return hashlib.md5(f"{item.key}:{self.seed}".encode()).hexdigest() + "." + ext

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.article_path(unit, item))

    def attachment_path(self, unit: Unit, item: Item) -> str:
        return f"/module/download/downfile.jsp?classid=0&filename={self.file_hash(item)}"

    def prepare_new_item(self, unit: Unit, item: Item) -> None:
        item.docid = article_id(item.truth)

    def registry_entry(self) -> dict[str, Any]:
        return {
            **self.registry_header(),
            "directory": self.url(f"/col/col{DIRECTORY_COLUMN}/index.html"),
            "agencies": [{"name": u.name, "slug": u.slug} for u in self.units.values()],
        }

    def expected_faults(self) -> list[dict[str, Any]]:
        if not self.faults:
            return []
        return [
            {
                "site_id": self.id,
                "url": self.url(self.column_path(u)),
                "kind": "waf",
                "note": "加速乐 521 cookie challenge on this unit's /col/ path family (and its dataproxy calls)",
            }
            for u in self.units.values()
            if self.plans[u.slug].challenged
        ]

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path in ("/", "/index.html"):
            return self.portal()
        if path == "/module/web/jpage/dataproxy.jsp":
            return self.dataproxy(req)
        if path == "/module/download/downfile.jsp":
            name = req.arg("filename")
            if not self._item_by_hash(name):
                return Response.not_found()
            return Response.redirect(self.url(f"/attach/0/{name}"), 302)
        if m := _ATTACH.match(path):
            found = self._item_by_hash(m["name"])
            return self.attachment(found[1]) if found else Response.not_found()
        if m := _COL.match(path):
            cid = int(m["cid"])
            if cid == DIRECTORY_COLUMN:
                return self.directory()
            unit = self._unit_by_column(cid)
            if not unit:
                return Response.not_found()
            if blocked := self.challenge(req, unit):
                return blocked
            return self.column(unit)
        if m := _ART.match(path):
            unit = self._unit_by_column(int(m["cid"]))
            item = next((i for i in unit.items if i.docid == int(m["aid"])), None) if unit else None
            if not unit or not item or self.article_path(unit, item) != path:
                return Response.not_found()
            return self.article(unit, item)
        return Response.not_found()

    def challenge(self, req: Request, unit: Unit) -> Response | None:
        """加速乐: 521 + a cookie-setting script unless the clearance cookie is present (faults on only)."""
        if not (self.faults and self.plans[unit.slug].challenged):
            return None
        if req.cookies().get(blocking.JSL_COOKIE) == self.jsl_token:
            return None
        return blocking.jsl_challenge(self.jsl_token, req.path, self.seed)

    # -- pages ---------------------------------------------------------------------------------------
    def portal(self) -> Response:
        body = (
            '<div class="main"><h3>政府信息公开</h3><ul>'
            f'<li><a href="/col/col{DIRECTORY_COLUMN}/index.html">部门信息公开目录</a></li></ul></div>\n'
        )
        return Response.html(chrome.page(BRAND, BRAND.site_name, body, nav=NAV))

    def directory(self) -> Response:
        lis = "".join(
            f'<li><a href="{self.column_path(u)}" target="_blank" title="{escape(u.name)}政府信息公开年报">'
            f"{escape(u.name)}</a></li>"
            for u in self.units.values()
        )
        body = f'<div class="bmml"><h3>部门目录</h3><ul class="bm-list">{lis}</ul></div>\n'
        return Response.html(
            chrome.page(BRAND, "部门目录_" + BRAND.site_name, body, column="部门目录", nav=NAV)
        )

    def record(self, unit: Unit, item: Item, absolute: bool) -> str:
        href = (self.url if absolute else str)(self.article_path(unit, item))
        title = escape(item.title)
        return (
            f'<li><a href="{href}" title="{title}" target="_blank">{title}</a>'
            f"<span>{item.list_date.isoformat()}</span></li>"
        )

    def records_xml(self, unit: Unit, start: int, end: int, absolute: bool) -> str:
        """Records start..end (1-based, inclusive) plus one look-ahead record, as CDATA <record>s."""
        items = unit.ordered()
        chosen = items[max(0, start - 1) : min(len(items), end + 1)]
        return "".join(f"<record><![CDATA[{self.record(unit, i, absolute)}]]></record>\n" for i in chosen)

    def params(self, unit: Unit) -> str:
        return (
            f"{{col:1,appid:1,webid:{WEBID},path:'/',columnid:{unit.extra['columnid']},sourceContentType:1,"
            f"unitid:'{unit.extra['unitid']}',webname:'{self.name}',permissiontype:0}}"
        )

    def column(self, unit: Unit) -> Response:
        uid = unit.extra["unitid"]
        total = len(unit.items)
        nextgroup = (
            f'<a href="/module/web/jpage/dataproxy.jsp?page=1&webid={WEBID}&path=/&columnid={unit.extra["columnid"]}'
            f'&unitid={uid}&webname={quote(self.name)}&permissiontype=0"></a>'
        )
        island = (
            f'<div id="{uid}"><script type="text/xml"><datastore>\n'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n"
            + self.records_xml(unit, 1, GROUP, absolute=False)
            + "</recordset></datastore></script></div>\n"
        )
        script = (
            f"<script>var param_{uid} = {self.params(unit)};\n"
            f"$(function(){{ $('#{uid}').jpage({{dataStore:'#{uid}', perPage:{PERPAGE}, totalRecord:{total}, "
            f"groupSize:3, proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:param_{uid}}}); }});</script>\n"
        )
        body = (
            chrome.breadcrumb([("首页", "/"), ("部门目录", f"/col/col{DIRECTORY_COLUMN}/index.html")])
            + f'<div class="list"><h3>{escape(unit.name)} 政府信息公开年报</h3>\n{island}</div>\n'
            + script
        )
        html = chrome.page(
            BRAND,
            f"{unit.name}政府信息公开年报_{BRAND.site_name}",
            body,
            column="政府信息公开年报",
            nav=NAV,
            extra_head='<script src="/module/jslib/jquery/jquery.js"></script>\n'
            '<script src="/module/web/jpage/jpage.js"></script>\n',
        )
        resp = Response.html(html)
        resp.headers["Set-Cookie"] = (
            f"JSESSIONID={hashlib.md5(html.encode()).hexdigest().upper()}; Path=/; HttpOnly"
        )
        return resp

    def dataproxy(self, req: Request) -> Response:
        """POST only: records startrecord..endrecord (+1 look-ahead) of the column named in the form."""
        if req.method != "POST":
            return Response(status=405, body=b"Method Not Allowed", content_type="text/plain")
        form = req.form()
        unit = self._unit_by_column(
            int(form.get("columnid") or 0) if form.get("columnid", "").isdigit() else 0
        )
        if unit and form.get("unitid") != str(unit.extra["unitid"]):
            unit = None
        if unit and (blocked := self.challenge(req, unit)):
            return blocked
        try:
            start = max(1, int(req.arg("startrecord", "1")))
            end = max(start, int(req.arg("endrecord", str(start + GROUP - 1))))
            perpage = max(1, int(req.arg("perpage", str(PERPAGE))))
        except ValueError:
            return Response(status=400, body=b"bad paging", content_type="text/plain")
        total = len(unit.items) if unit else 0
        pages = -(-total // perpage) if total else 0
        records = self.records_xml(unit, start, end, absolute=True) if unit else ""
        next_page = (end // perpage) + 1
        nextgroup = (
            f'<a href="./dataproxy.jsp?page={next_page}&appid=1&webid={WEBID}&path=/&columnid={form.get("columnid", "")}'
            f'&unitid={form.get("unitid", "")}&webname={self.name}"></a>'
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
            f"<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}</recordset>\n</datastore>\n"
        )
        return Response(body=xml.encode(), content_type="text/xml;charset=UTF-8")

    def article(self, unit: Unit, item: Item) -> Response:
        url = self.item_url(unit, item)
        if item.kind != "report":
            html = chrome.article(
                BRAND, item.title, item.list_date.isoformat(), unit.name, item.body_html or "", cms="hanweb"
            )
        elif item.form in ("pdf", "docx"):
            href = f"/module/download/downfile.jsp?classid=0&filename={self.file_hash(item)}"
            html = content.stub_html(
                item.truth, href, "hanweb", encoding="utf-8", url=url, column="政府信息公开年报", brand=BRAND
            )
        else:
            html = content.article_html(
                item.truth, "hanweb", encoding="utf-8", url=url, column="政府信息公开年报", brand=BRAND
            )
        html = re.sub(
            r'<meta name="i_columnid" content="\d+">',
            f'<meta name="i_columnid" content="{unit.extra["columnid"]}">',
            html,
        )
        html = apply_edits(html, item.edits)
        return Response.html(html).cacheable(item.last_modified)

    def attachment(self, item: Item) -> Response:
        return file_response(item)

    # -- helpers -------------------------------------------------------------------------------------
    def _unit_by_column(self, cid: int) -> Unit | None:
        return next((u for u in self.units.values() if u.extra["columnid"] == cid), None)

    def _item_by_hash(self, name: str) -> tuple[Unit, Item] | None:
        for unit in self.units.values():
            for item in unit.reports():
                if item.form != "html" and self.file_hash(item) == name:
                    return unit, item
        return None
