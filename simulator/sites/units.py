"""A district whose unit directory lists units of every kind of name (simulated 银川市西夏区; invented).

What the crawler meets on real directories (issue 10): 30–60 units whose names end in anything (办公室, 档案馆,
统战部, 妇联, 供销社, 团区委, 红十字会, 人民银行支行, 融媒体中心, 开发区管委会 …), a 年报 column worded 年报 /
年度报告 / 信息公开工作年报 / 政府信息公开工作年度报告 / 政务公开年报, units without a column, a unit behind a
瑞数 412, a GBK unit, a directory and listings of two pages (`?page=2`, 下一页 links), news mixed into a column,
units linked from the directory straight to their column, and a link that is no unit (the 指南 page).
Generic "static" CMS (archetype E): plain HTML, 下一页 pagination. Only built with faults on (it has a WAF unit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

from simulator.sites import blocking, chrome, content
from simulator.sites.base import Site, encoded_page, file_response
from simulator.sites.catalog import Item, Unit, apply_edits, assign_docids, build_unit_items
from simulator.sites.server import Request, Response
from simulator.sites.truths import make_truth

PAGE_SIZE = 4
DIRECTORY_PAGE_SIZE = 10
ROOT = "/zwgk/bmxxgk/"
BRAND = chrome.Brand(
    site_name="银川市西夏区人民政府",
    domain="www.ycxixia.gov.cn",
    site_code="6401050001",
    sponsor="银川市西夏区人民政府办公室",
)
NAV = [("首页", "/"), ("政务公开", "/zwgk/")]
ROBOTS = "User-agent: *\nAllow: /\n"


@dataclass(frozen=True)
class DirUnit:
    """One unit of the directory: its name, 年报 column (None: no column) and how it is published."""

    slug: str
    name: str
    column: str | None = None  # folder of the 年报 column under the unit
    wording: str = "政府信息公开年报"  # the column link's text on the unit page
    years: tuple[int, ...] = (2024,)
    forms: dict[int, str] | None = None
    news: int = 0
    companions: frozenset[int] = frozenset()
    direct: bool = False  # the directory links the column itself, not a unit page
    encoding: str = "utf-8"
    waf: bool = False  # the unit page answers 瑞数 412


UNITS = [
    DirUnit(
        "xxbgs",
        "西夏区人民政府办公室",
        "xxgknb",
        years=(2022, 2023, 2024),
        news=2,
        companions=frozenset({2024}),
    ),
    DirUnit("xxdag", "西夏区档案馆", "ndbg", "年度报告"),
    DirUnit("xxtzb", "中共银川市西夏区委统战部", "nb", "年报"),
    DirUnit("xxfl", "西夏区妇联", "xxgkgznb", "信息公开工作年报", direct=True),
    DirUnit("xxgxs", "西夏区供销社", "gzndbg", "政府信息公开工作年度报告"),
    DirUnit("xxtqw", "共青团银川市西夏区委", "zwgknb", "政务公开年报"),
    DirUnit("xxhszh", "西夏区红十字会", "nb", "年报"),
    DirUnit("xxrmyh", "中国人民银行西夏区支行", "ndbg", "年度报告"),
    DirUnit("xxrmt", "西夏区融媒体中心", "xxgknb", encoding="gbk", news=1),
    DirUnit("xxkfq", "宁夏西夏经济开发区管委会", "nb", "政务公开年报", years=(2023, 2024), news=3),
    DirUnit("xxxfdd", "西夏区消防救援大队", "ndbg", "年度报告"),
    DirUnit("xxgzc", "西夏区公证处"),  # a unit without a 年报 column
    DirUnit("xxkx", "西夏区科协"),  # a unit without a 年报 column
    DirUnit("xxsjj", "西夏区审计局", "xxgknb", waf=True),
    DirUnit("xxzbbz", "镇北堡镇人民政府", "xxgknb", forms={2024: "pdf"}),
    DirUnit("xxhlsxl", "贺兰山西路街道办事处", "nb", "年报", direct=True),
    DirUnit("xxcl", "西夏区残联", "nb", "年报"),
    DirUnit("xxzgh", "西夏区总工会", "ndbg", "信息公开工作年报"),
]

_UNIT = re.compile(r"^/zwgk/bmxxgk/(?P<slug>[a-z]+)/(?:index\.html)?$")
_COLUMN = re.compile(r"^/zwgk/bmxxgk/(?P<slug>[a-z]+)/(?P<col>[a-z]+)/(?:(?P<ym>\d{6})/(?P<file>[^/]+))?$")
_ARTICLE = re.compile(r"^t\d{8}_(?P<docid>\d+)\.html$")


class UnitsSite(Site):
    """西夏区: portal → 政务公开 → two-page 部门信息公开 directory → unit pages → 年报 columns → articles."""

    kind = "units"
    cms = "static"
    pretends = "www.ycxixia.gov.cn (invented)"
    name = "银川市西夏区人民政府"
    region = {"province": "宁夏回族自治区", "city": "银川市", "district": "西夏区", "code": "640105"}

    def __init__(
        self, site_id: str = "xixia", *, seed: int, faults: bool, units: list[DirUnit] | None = None
    ) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.plans: dict[str, DirUnit] = {}
        for plan in UNITS if units is None else units:
            extra: dict[str, Any] = {"column": plan.column}
            if plan.waf:
                extra.update(fault="waf", reachable=False)
            unit = Unit(site_id, plan.slug, plan.name, encoding=plan.encoding, extra=extra)
            if plan.column:
                truths = [
                    make_truth(
                        plan.name,
                        plan.slug,
                        year,
                        publish_date=f"{year + 1}-01-{self.rng.randint(10, 28):02d}",
                        seed=seed,
                        region=self.name,
                        source_format=(plan.forms or {}).get(year, "html"),
                        encoding=plan.encoding,
                    )
                    for year in plan.years
                ]
                build_unit_items(unit, truths, self.rng, companion_years=plan.companions, news=plan.news)
            self.units[plan.slug] = unit
            self.plans[plan.slug] = plan
        assign_docids([i for u in self.units.values() for i in u.items], self.rng, 310_000)

    # -- URLs ----------------------------------------------------------------------------------------
    def unit_path(self, unit: Unit) -> str:
        return f"{ROOT}{unit.slug}/"

    def column_path(self, unit: Unit) -> str:
        return f"{ROOT}{unit.slug}/{unit.extra['column']}/"

    def article_rel(self, item: Item) -> str:
        return f"{item.url_date:%Y%m}/t{item.url_date:%Y%m%d}_{item.docid}.html"

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(self.column_path(unit) + self.article_rel(item))

    def attachment_path(self, unit: Unit, item: Item) -> str:
        return self.column_path(unit) + f"{item.url_date:%Y%m}/P0{item.docid}.pdf"

    def directory_link(self, unit: Unit) -> str:
        return self.column_path(unit) if self.plans[unit.slug].direct else self.unit_path(unit)

    def registry_entry(self) -> dict[str, Any]:
        """Only a directory: every unit must be discovered, whatever its name."""
        return {**self.registry_header(), "directory": self.url(ROOT)}

    def expected_faults(self) -> list[dict[str, Any]]:
        return [
            {
                "site_id": self.id,
                "url": self.url(self.unit_path(u)),
                "kind": "waf",
                "note": "瑞数 412 on this unit's page: the discovery ledger records it blocked",
            }
            for u in self.units.values()
            if self.plans[u.slug].waf
        ]

    def expected_ledger(self) -> dict[str, dict[str, str]]:
        """Directory link URL -> {outcome, name}: what the discovery ledger must hold for each unit."""
        out = {}
        for unit in self.units.values():
            plan = self.plans[unit.slug]
            outcome = "blocked" if plan.waf else "column_found" if plan.column else "no_column"
            out[self.url(self.directory_link(unit))] = {"outcome": outcome, "name": unit.name}
        out[self.url("/zwgk/zn/")] = {"outcome": "not_a_unit", "name": "政府信息公开指南"}
        return out

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        page = int(req.arg("page", "1")) if req.arg("page", "1").isdigit() else 0
        if path == "/robots.txt":
            return Response(body=ROBOTS.encode(), content_type="text/plain")
        if path in ("/", "/index.html"):
            return self.page("首页", '<div class="main"><a href="/zwgk/">政务公开</a></div>')
        if path == "/zwgk/":
            links = (
                f'<li><a href="{ROOT}">部门信息公开</a></li><li><a href="/zwgk/zn/">政府信息公开指南</a></li>'
            )
            return self.page("政务公开", f'<ul class="zwgk">{links}</ul>')
        if path == "/zwgk/zn/":
            text = "<p>本指南依据《中华人民共和国政府信息公开条例》编制，说明本机关政府信息公开的方式和程序。</p>"
            return self.page("政府信息公开指南", text)
        if path == ROOT:
            return self.directory(page)
        if (m := _UNIT.match(path)) and m["slug"] in self.units:
            return self.unit_page(self.units[m["slug"]])
        m = _COLUMN.match(path)
        if not m or m["slug"] not in self.units:
            return Response.not_found()
        unit = self.units[m["slug"]]
        if m["col"] != unit.extra["column"]:
            return self.sub_column(unit, m["col"]) if m["file"] is None else Response.not_found()
        if m["file"] is None:
            return self.listing(unit, page)
        return self.column_file(unit, m["ym"], m["file"])

    # -- pages ---------------------------------------------------------------------------------------
    def page(self, title: str, body: str, *, encoding: str = "utf-8", column: str = "") -> Response:
        crumbs = chrome.breadcrumb([("首页", "/"), ("政务公开", "/zwgk/")])
        charset = "gb2312" if encoding != "utf-8" else "utf-8"
        html = chrome.page(
            BRAND,
            f"{title}_{BRAND.site_name}",
            crumbs + body,
            column=column or title,
            charset=charset,
            nav=NAV,
        )
        return encoded_page(html, encoding, self._modified())

    @staticmethod
    def pager(page: int, count: int) -> str:
        links = []
        if page > 1:
            links.append(f'<a href="?page={page - 1}">上一页</a>' if page > 2 else '<a href="./">上一页</a>')
        if page < count:
            links.append(f'<a href="?page={page + 1}">下一页</a>')
        return f'<div class="pager">共{count}页 {" ".join(links)}</div>'

    def directory(self, page: int) -> Response:
        units = list(self.units.values())
        count = -(-len(units) // DIRECTORY_PAGE_SIZE)
        if not 1 <= page <= count:
            return Response.not_found()
        chunk = units[(page - 1) * DIRECTORY_PAGE_SIZE : page * DIRECTORY_PAGE_SIZE]
        lis = "".join(
            f'<li><a href="{self.directory_link(u)}" target="_blank">{escape(u.name)}</a></li>' for u in chunk
        )
        body = (
            '<div class="side"><a href="/zwgk/zn/">政府信息公开指南</a></div>'
            f'<div class="dept"><h3>部门信息公开</h3><ul class="dept-list">{lis}</ul>{self.pager(page, count)}</div>'
        )
        return self.page("部门信息公开", body)

    def unit_page(self, unit: Unit) -> Response:
        plan = self.plans[unit.slug]
        if plan.waf:
            return blocking.ruishu(412)
        links = [("./jgzn/", "机构职能")]
        if plan.column:
            links.append((f"./{plan.column}/", plan.wording))
        links.append(("./fdzdgk/", "法定主动公开内容"))
        lis = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
        body = f'<div class="unit"><h3>{escape(unit.name)}</h3><ul class="column-list">{lis}</ul></div>'
        return self.page(unit.name, body, encoding=unit.encoding)

    def sub_column(self, unit: Unit, col: str) -> Response:
        return self.page(f"{unit.name}", '<ul class="list"></ul>', encoding=unit.encoding)

    def listing(self, unit: Unit, page: int) -> Response:
        plan = self.plans[unit.slug]
        items = unit.ordered()
        count = max(1, -(-len(items) // PAGE_SIZE))
        if not 1 <= page <= count:
            return Response.not_found()
        rows = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        lis = "".join(
            f'<li><a href="./{self.article_rel(i)}" title="{escape(i.title)}">{escape(i.title)}</a>'
            f"<span>{i.list_date.isoformat()}</span></li>\n"
            for i in rows
        )
        body = f'<div class="list"><h3>{escape(unit.name)}</h3><ul>{lis}</ul>{self.pager(page, count)}</div>'
        return self.page(plan.wording, body, encoding=unit.encoding, column=plan.wording)

    def column_file(self, unit: Unit, ym: str, name: str) -> Response:
        if m := _ARTICLE.match(name):
            item = next((i for i in unit.items if i.docid == int(m["docid"])), None)
            if item is None or self.article_rel(item) != f"{ym}/{name}":
                return Response.not_found()
            return self.article(unit, item)
        for item in unit.reports():
            if item.form != "html" and self.attachment_path(unit, item).endswith(f"{ym}/{name}"):
                return file_response(item)
        return Response.not_found()

    def article(self, unit: Unit, item: Item) -> Response:
        url = self.item_url(unit, item)
        wording = self.plans[unit.slug].wording
        if item.kind != "report":
            html = chrome.article(
                BRAND, item.title, item.list_date.isoformat(), unit.name, item.body_html or "", cms="trs"
            )
        elif item.form != "html":
            href = "./" + self.attachment_path(unit, item).rsplit("/", 1)[1]
            html = content.stub_html(item.truth, href, "trs", encoding=unit.encoding, url=url, column=wording)
        else:
            html = content.article_html(item.truth, "trs", encoding=unit.encoding, url=url, column=wording)
        html = apply_edits(html, item.edits)
        return encoded_page(html, unit.encoding, item.last_modified)

    def _modified(self) -> Any:
        return max(i.last_modified for u in self.units.values() for i in u.items)
