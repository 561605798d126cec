"""Archetype A: a TRS WCM district portal (simulated 沙坡头区 www.spt.gov.cn) with unit directory and 年报 columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

from simulator.sites import chrome, content
from simulator.sites.base import Site, encoded_page, file_response
from simulator.sites.catalog import Item, Unit, apply_edits, assign_docids, build_unit_items
from simulator.sites.server import Request, Response
from simulator.sites.truths import district_truths

PAGE_SIZE = 3
AGGREGATE_PAGE_SIZE = 5
BRAND = chrome.Brand(
    site_name="中卫市沙坡头区人民政府",
    domain="www.spt.gov.cn",
    site_code="6405020001",
    sponsor="中卫市沙坡头区人民政府办公室",
)
NAV = [("首页", "/"), ("信息公开", "/xxgk/"), ("部门信息公开目录", "/xxgk/bmxxgkml/")]
ROBOTS = "User-agent: *\nDisallow: /xxgk/backup/\n"


@dataclass(frozen=True)
class UnitPlan:
    """How one 沙坡头区 unit (its reports come from simulator.documents) is published."""

    slug: str
    column: str  # 年报 column folder (unguessable numeric suffix; one unit has plain xxgknb)
    forms: dict[int, str] = field(default_factory=dict)  # override truth.source_format (e.g. html+pdf)
    reimported: frozenset[int] = frozenset()  # URL date months after the list/publish date
    wap: frozenset[int] = frozenset()  # a _wap mobile duplicate is linked
    encoding: str = "utf-8"  # "gbk": the whole unit (listing + articles) in GBK, no charset header
    news: int = 1
    siblings: tuple[str, ...] = ()  # other sub-columns on the unit page


UNITS = [
    UnitPlan(
        "sptqzfb",
        "xxgknb",
        reimported=frozenset({2019}),
        wap=frozenset({2023}),
        news=2,
        siblings=("jgzn_51902", "fdzdgknr_51903"),
    ),
    UnitPlan(
        "sptqzwfwzx", "xxgknb_51968", forms={2023: "html+pdf"}, siblings=("jgzn_51961", "fdzdgknr_51962")
    ),
    UnitPlan(
        "sptqjyj",
        "xxgknb_52013",
        reimported=frozenset({2021}),
        wap=frozenset({2022}),
        siblings=("jgzn_52004", "fdzdgknr_52005"),
    ),
    UnitPlan("sptqzrzyj", "xxgknb_51877", siblings=("jgzn_51870",)),
    UnitPlan("bhzrmzf", "xxgknb_52107", encoding="gbk", news=0, siblings=("fdzdgknr_52101",)),
]
REGISTRY_COLUMN_GIVEN = "sptqzfb"  # the one unit whose column the registry names; others need discovery
COLUMN_NAME = "信息公开年报"


_UNIT_PATH = re.compile(r"^/xxgk/bmxxgkml/(?P<slug>[a-z]+)/(?:index\.html)?$")
_COLUMN_PATH = re.compile(
    r"^/xxgk/bmxxgkml/(?P<slug>[a-z]+)/(?P<col>[a-z]+(?:_\d+)?)/"
    r"(?:(?:index(?:_(?P<page>\d+))?\.html)?|(?P<ym>\d{6})/(?P<file>[^/]+))$"
)
_ARTICLE_FILE = re.compile(r"^t(?P<date>\d{8})_(?P<docid>\d+)(?P<wap>_wap)?\.html$")
_AGGREGATE_PATH = re.compile(r"^/xxgk/zfxxgknb/(?:index(?:_(?P<page>\d+))?\.html)?$")


def page_script(count: int, current: int) -> str:
    return f'<div class="page"><script>createPageHTML({count}, {current}, "index", "html");</script></div>\n'


def countpage_script(count: int, current: int) -> str:
    return (
        "<script>\nvar currentPage = "
        + str(current)
        + ";//所在页从0开始\nvar countPage = "
        + str(count)
        + "//共多少页\nvar prevPage = currentPage-1;\nvar nextPage = currentPage+1;\nif (nextPage < countPage) {\n"
        + 'document.write("<a href=\\"index"+"_" + nextPage + "."+"html\\">下一页</a>");\n}\n</script>\n'
    )


def inject_before_body_end(html: str, snippet: str) -> str:
    idx = html.rfind("</body>")
    return html[:idx] + snippet + html[idx:] if idx >= 0 else html + snippet


class TrsSite(Site):
    """沙坡头区: portal, /xxgk/, unit directory, unit pages, paginated 年报 columns, articles, attachments."""

    kind = "trs"
    cms = "trs"
    pretends = "www.spt.gov.cn"
    name = "中卫市沙坡头区人民政府"
    region = {"province": "宁夏回族自治区", "city": "中卫市", "district": "沙坡头区", "code": "640502"}

    def __init__(self, site_id: str = "spt", *, seed: int, faults: bool) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.plans: dict[str, UnitPlan] = {}
        by_slug = district_truths()
        for plan in UNITS:
            truths = by_slug[plan.slug]
            unit = Unit(
                site_id, plan.slug, truths[0].agency, encoding=plan.encoding, extra={"column": plan.column}
            )
            build_unit_items(
                unit, truths, self.rng, forms=plan.forms, reimported=plan.reimported, news=plan.news
            )
            for item in unit.items:
                item.wap = item.kind == "report" and item.year in plan.wap
            self.units[plan.slug] = unit
            self.plans[plan.slug] = plan
        missing = set(by_slug) - set(self.plans)
        if missing:
            raise RuntimeError(
                f"simulator.documents has units the TRS site does not publish: {sorted(missing)}"
            )
        assign_docids([i for u in self.units.values() for i in u.items], self.rng, 5_100_000)

    # -- URLs ----------------------------------------------------------------------------------------
    def column_path(self, unit: Unit) -> str:
        return f"/xxgk/bmxxgkml/{unit.slug}/{unit.extra['column']}/"

    def article_rel(self, item: Item, wap: bool = False) -> str:
        d = item.url_date
        return f"{d:%Y%m}/t{d:%Y%m%d}_{item.docid}{'_wap' if wap else ''}.html"

    def attachment_name(self, item: Item) -> str:
        ext = "docx" if item.form == "docx" else "pdf"
        digits = (item.docid * 7_919_337 + self.seed * 104_729) % 10**12
        return f"P0{item.url_date:%Y%m%d}{digits:012d}.{ext}"

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.column_path(unit) + self.article_rel(item))

    def attachment_path(self, unit: Unit, item: Item) -> str:
        return self.column_path(unit) + f"{item.url_date:%Y%m}/" + self.attachment_name(item)

    # -- registry ------------------------------------------------------------------------------------
    def registry_entry(self) -> dict[str, Any]:
        agencies = []
        for unit in self.units.values():
            entry: dict[str, Any] = {"name": unit.name, "slug": unit.slug}
            if unit.slug == REGISTRY_COLUMN_GIVEN:
                entry["column"] = self.url(self.column_path(unit))
            agencies.append(entry)
        return {
            **self.registry_header(),
            "directory": self.url("/xxgk/bmxxgkml/"),
            "agencies": agencies,
        }

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path == "/robots.txt":
            return Response(body=ROBOTS.encode(), content_type="text/plain")
        if path in ("/", "/index.html"):
            return self.portal()
        if path in ("/xxgk/", "/xxgk/index.html"):
            return self.xxgk_root()
        if path in ("/xxgk/bmxxgkml/", "/xxgk/bmxxgkml/index.html"):
            return self.directory()
        if path.startswith("/xxgk/backup/"):
            return self.backup_trap()
        if m := _AGGREGATE_PATH.match(path):
            return self.aggregate(int(m["page"] or 0))
        if (m := _UNIT_PATH.match(path)) and m["slug"] in self.units:
            return self.unit_page(self.units[m["slug"]])
        m = _COLUMN_PATH.match(path)
        if not m or m["slug"] not in self.units:
            return Response.not_found()
        unit = self.units[m["slug"]]
        plan = self.plans[unit.slug]
        if m["col"] != unit.extra["column"]:
            if m["col"] in plan.siblings and m["file"] is None:
                return self.empty_column(unit, m["col"], int(m["page"] or 0))
            return Response.not_found()
        if m["file"] is None:
            return self.listing(unit, int(m["page"] or 0))
        return self.column_file(unit, m["ym"], m["file"])

    # -- pages ---------------------------------------------------------------------------------------
    def portal(self) -> Response:
        body = (
            '<div class="main"><div class="news"><h3>沙坡头要闻</h3><ul>'
            '<li><a href="/xxgk/">政府信息公开</a></li>'
            '<li><a href="/xxgk/zfxxgknb/">政府信息公开年报</a></li></ul></div></div>\n'
        )
        return Response.html(chrome.page(BRAND, BRAND.site_name, body, nav=NAV)).cacheable(
            self._site_modified()
        )

    def xxgk_root(self) -> Response:
        body = (
            chrome.breadcrumb([("首页", "../"), ("信息公开", "./")])
            + '<div class="xxgk-nav"><ul>'
            + '<li><a href="./bmxxgkml/">部门信息公开目录</a></li>'
            + '<li><a href="./zfxxgknb/">政府信息公开年报</a></li>'
            + '<li><a href="./zfxxgkzn/">政府信息公开指南</a></li>'
            + "</ul></div>\n"
            + '<div style="display:none"><a href="./backup/">历史备份</a></div>\n'
        )
        html = chrome.page(BRAND, "信息公开_" + BRAND.site_name, body, column="信息公开", nav=NAV)
        return Response.html(html).cacheable(self._site_modified())

    def directory(self) -> Response:
        rows = "".join(
            f'<li><a href="./{u.slug}/" title="{escape(u.name)}">{escape(u.name)}</a></li>'
            for u in self.units.values()
        )
        body = (
            chrome.breadcrumb([("首页", "../../"), ("信息公开", "../"), ("部门信息公开目录", "./")])
            + f'<div class="bmxxgkml"><h3>部门信息公开目录</h3><ul class="unit-list">{rows}</ul></div>\n'
        )
        html = chrome.page(
            BRAND, "部门信息公开目录_" + BRAND.site_name, body, column="部门信息公开目录", nav=NAV
        )
        return Response.html(html).cacheable(self._site_modified())

    def unit_page(self, unit: Unit) -> Response:
        plan = self.plans[unit.slug]
        names = {"jgzn": "机构职能", "fdzdgknr": "法定主动公开内容"}
        links = [(f"./{col}/", names[col.split("_")[0]]) for col in plan.siblings]
        links.insert(1, (f"./{unit.extra['column']}/", "政府信息公开年报"))
        items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
        body = (
            chrome.breadcrumb([("首页", "../../../"), ("信息公开", "../../"), ("部门信息公开目录", "../")])
            + f'<div class="unit"><h3>{escape(unit.name)}</h3><ul class="column-list">{items}</ul></div>\n'
        )
        html = chrome.page(BRAND, f"{unit.name}_{BRAND.site_name}", body, column=unit.name, nav=NAV)
        return encoded_page(html, unit.encoding, self._site_modified())

    def empty_column(self, unit: Unit, col: str, page: int) -> Response:
        if page:
            return Response.not_found()
        body = '<ul class="list"></ul>' + page_script(1, 0)
        html = chrome.page(BRAND, f"{unit.name}_{BRAND.site_name}", body, column=col, nav=NAV)
        return encoded_page(html, unit.encoding, self._site_modified())

    def listing(self, unit: Unit, page: int) -> Response:
        items = unit.ordered()
        count = max(1, -(-len(items) // PAGE_SIZE))
        if page >= count:
            return Response.not_found()
        rows = items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        lis = "".join(
            f'<li><a href="./{self.article_rel(i)}" title="{escape(i.title)}" target="_blank">{escape(i.title)}</a>'
            f"<span>{i.list_date.isoformat()}</span></li>\n"
            for i in rows
        )
        crumbs = [("首页", "../../../../"), ("信息公开", "../../../"), ("部门信息公开目录", "../../")]
        body = (
            chrome.breadcrumb([*crumbs, (unit.name, "../"), ("政府信息公开年报", "./")])
            + f'<div class="list-box"><ul class="list">\n{lis}</ul>\n'
            + page_script(count, page)
            + "</div>\n"
        )
        charset = "gb2312" if unit.encoding != "utf-8" else "utf-8"
        html = chrome.page(
            BRAND, f"政府信息公开年报_{unit.name}", body, column="政府信息公开年报", charset=charset, nav=NAV
        )
        modified = max((i.last_modified for i in items), default=self._site_modified())
        return encoded_page(html, unit.encoding, modified)

    def aggregate(self, page: int) -> Response:
        """/xxgk/zfxxgknb/: the district-wide 年报 column re-linking every unit's reports (duplicates)."""
        rows = [(u, i) for u in self.units.values() for i in u.items if i.kind == "report"]
        rows.sort(key=lambda r: (r[1].list_date, r[1].docid), reverse=True)
        count = max(1, -(-len(rows) // AGGREGATE_PAGE_SIZE))
        if page >= count:
            return Response.not_found()
        chunk = rows[page * AGGREGATE_PAGE_SIZE : (page + 1) * AGGREGATE_PAGE_SIZE]
        trs = "".join(
            '<tr valign="top"><td><img src="../../images/ico2.jpg"></td><td width="550">'
            f'<a href="../bmxxgkml/{u.slug}/{u.extra["column"]}/{self.article_rel(i, wap=i.wap)}">'
            f"{escape(i.title)}</a></td><td>{i.list_date.isoformat()}</td></tr>\n"
            for u, i in chunk
        )
        body = (
            chrome.breadcrumb([("首页", "../../"), ("信息公开", "../"), ("政府信息公开年报", "./")])
            + f'<table class="gl_list"><tbody>\n{trs}</tbody></table>\n'
            + countpage_script(count, page)
        )
        html = chrome.page(
            BRAND, "政府信息公开年报_" + BRAND.site_name, body, column="政府信息公开年报", nav=NAV
        )
        return Response.html(html).cacheable(self._site_modified())

    def backup_trap(self) -> Response:
        body = '<p>历史备份（robots.txt 禁止抓取）</p><a href="./old/index.html">旧版栏目</a>'
        return Response.html(chrome.page(BRAND, "备份", body))

    def column_file(self, unit: Unit, ym: str, name: str) -> Response:
        if m := _ARTICLE_FILE.match(name):
            item = self._item_by_docid(unit, int(m["docid"]))
            if not item or self.article_rel(item) != f"{ym}/{name.replace('_wap', '')}":
                return Response.not_found()
            if m["wap"] and not item.wap:
                return Response.not_found()
            return self.article(unit, item, wap=bool(m["wap"]))
        for item in unit.items:
            if item.kind == "report" and item.form != "html" and self.attachment_name(item) == name:
                if f"{item.url_date:%Y%m}" != ym:
                    break
                return self.attachment(item)
        return Response.not_found()

    def article(self, unit: Unit, item: Item, wap: bool) -> Response:
        url = self.url(self.column_path(unit) + self.article_rel(item))
        if item.kind != "report":
            html = chrome.article(
                BRAND, item.title, item.list_date.isoformat(), unit.name, item.body_html or "", cms="trs"
            )
        elif item.form in ("pdf", "docx"):
            html = content.stub_html(
                item.truth,
                "./" + self.attachment_name(item),
                "trs",
                encoding=unit.encoding,
                url=url,
                column=COLUMN_NAME,
            )
        else:
            html = content.article_html(
                item.truth, "trs", encoding=unit.encoding, url=url, column=COLUMN_NAME
            )
            if item.form == "html+pdf":
                name = self.attachment_name(item)
                html = html.replace(
                    '<div class="article_attachment"></div>',
                    '<div class="article_attachment"><p class="insertfileTag">附件：'
                    f'<a appendix="true" href="./{name}" OLDSRC="/protect/P0{item.url_date:%Y%m}/{name}">'
                    f"{escape(item.title)}.pdf</a></p></div>",
                )
        if item.wap and not wap:
            wap_name = self.article_rel(item, wap=True).split("/")[-1]
            html = inject_before_body_end(
                html, f'<div class="wap-link"><a href="./{wap_name}">手机版</a></div>'
            )
        if wap:
            html = html.replace("<head>", '<head>\n<meta name="viewport" content="width=device-width">', 1)
        html = apply_edits(html, item.edits)
        return encoded_page(html, unit.encoding, item.last_modified)

    def attachment(self, item: Item) -> Response:
        return file_response(item)

    # -- helpers -------------------------------------------------------------------------------------
    def _item_by_docid(self, unit: Unit, docid: int) -> Item | None:
        return next((i for i in unit.items if i.docid == docid), None)

    def _site_modified(self) -> Any:
        return max(i.last_modified for u in self.units.values() for i in u.items)
