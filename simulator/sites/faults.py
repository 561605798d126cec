"""The faults site (simulated 中宁县): one faulty 年报 listing and fault columns — every failure kind, on demand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from simulator.sites import blocking, chrome, content, payloads
from simulator.sites.base import Site
from simulator.sites.catalog import Item, Unit, apply_edits, news_body
from simulator.sites.moved import OLD_PATH, MovedSite
from simulator.sites.server import Request, Response
from simulator.sites.trs import page_script
from simulator.sites.truths import make_truth

BRAND = chrome.Brand(
    site_name="中宁县人民政府",
    domain="www.zhongning.gov.cn",
    site_code="6405210001",
    sponsor="中宁县人民政府办公室",
)
COLUMN = "/xxgk/gzlm/xxgknb/"  # the faulty unit's 年报 listing
UNIT_SLUG = "zngzlm"
UNIT_NAME = "中宁县政务公开办公室"
ENDLESS = "/xxgk/wjfy/xxgknb/"
ENDLESS_ROW = "202401/t2024011{n}_90070{n}.html"
CHAIN_HOP = "/xxgk/old/900008.html"
CHAIN_TARGET = 900018  # docid the same-host redirect chain ends at
LOOP = ("/xxgk/loop/a.html", "/xxgk/loop/b.html")
TRACKING = ("?utm_source=wechat&utm_medium=social", "?from=timeline&isappinstalled=0")
SSRF_LINKS = (
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://10.0.0.1/xxgk/xxgknb/",
    "file:///etc/passwd",
    "ftp://ftp.zhongning.gov.cn/pub/2023nb.pdf",
    "http://127.0.0.1:6379/",
    "gopher://127.0.0.1:6379/_INFO",
)
OFFSITE_LINKS = (
    "http://www.yrdcpcn.com/zwgk/2024/zfxxgknb_zn.html",
    "https://www.zhongning.gov.cn.realkrom.com/xxgk/xxgknb/",
)


@dataclass(frozen=True)
class Row:
    """One row of the faulty listing: how its article URL answers and what the crawler should record."""

    docid: int
    day: date
    action: str  # see FaultsSite.answer
    kind: str | None = None  # failure kind to record for this URL (None: must succeed)
    note: str = ""
    title: str = ""  # non-report rows
    year: int | None = None  # rows carrying a report (title from its truth)
    report_fault: str | None = None  # the `fault` tag of that report in expected_reports()


ROWS = (
    Row(900001, date(2025, 1, 20), "report", year=2024),
    Row(900002, date(2025, 1, 18), "gone404", "http_404", "article deleted: 404", "关于2024年政务公开工作的通知"),
    Row(900003, date(2025, 1, 17), "gone410", "http_410", "410 Gone", "2024年工作总结"),
    Row(900004, date(2024, 1, 26), "flaky", None, "500 × flaky_failures, then 200", year=2023, report_fault="http_5xx"),
    Row(900005, date(2024, 1, 25), "always503", "http_5xx", "always 503", "关于调整领导小组的通知"),
    Row(900006, date(2024, 1, 24), "slow", "timeout", "answers after timeout_delay s", "召开政务公开推进会"),
    Row(900007, date(2024, 1, 23), "offsite", "redirect_offsite", "301 → moved domain → 302 → its article"),
    Row(900008, date(2023, 1, 20), "chain", None, "301 → /xxgk/old/ → 302 → 900018 (same host)", year=2022),
    Row(900009, date(2023, 1, 19), "loop", "redirect_loop", "302 a → b → a …", "政策解读"),
    Row(900011, date(2022, 1, 21), "gbk_bare", "charset", "GBK; no charset anywhere", year=2021, report_fault="charset"),
    Row(900012, date(2021, 1, 22), "utf8_lies", "charset", "UTF-8; meta says gb2312", year=2020, report_fault="charset"),
    Row(900013, date(2020, 1, 16), "report", None, "also listed with tracking params", year=2019, report_fault="duplicate"),
    Row(900014, date(2020, 1, 15), "oversized", "oversized", "30 MiB streamed", "信息公开目录（全量）"),
    Row(900015, date(2020, 1, 14), "soft404", "soft_404", "200 with 您访问的页面不存在", "2019年政务公开工作要点"),
    Row(900016, date(2020, 1, 13), "ruishu", "waf", "瑞数 412 on one article", "关于公开征求意见的公告"),
)  # fmt: skip


@dataclass(frozen=True)
class FaultColumn:
    """A registry agency whose whole column (every path under `path`) exhibits one fault."""

    slug: str
    name: str
    path: str
    kind: str
    note: str


FAULT_COLUMNS = (
    FaultColumn("znrswaf", "中宁县发展和改革局", "/xxgk/rswaf/xxgknb/", "waf", "瑞数 412 + $_ts body, meta r='m'"),
    FaultColumn("znrswaf202", "中宁县财政局", "/xxgk/rswaf202/xxgknb/", "waf", "瑞数 202 JS challenge, tiny body"),
    FaultColumn("znwfg01", "中宁县公安局", "/xxgk/wfg01/xxgknb/", "waf", "网防G01 405 block page (4 644 bytes)"),
    FaultColumn("znsafedog", "中宁县民政局", "/xxgk/safedog/xxgknb/", "waf", "安全狗: 200 with an empty body"),
    FaultColumn("znydlm", "中宁县司法局", "/xxgk/ydlm/xxgknb/", "moved_to_home", "column moved: 301 → /"),
    FaultColumn("znsclm", "中宁县审计局", "/xxgk/sclm/xxgknb/", "http_404", "column deleted: 404"),
    FaultColumn("znwjfy", "中宁县水务局", ENDLESS, "endless_pagination", "index_N always links index_N+1"),
    FaultColumn("znhostile", "中宁县档案馆", "/hostile/", "hostile", "hostile documents + gzip bomb"),
)  # fmt: skip

_INDEX_N = re.compile(r"^(?:index(?:_(\d+))?\.html)?$")


def rel(docid: int, day: date) -> str:
    return f"{day:%Y%m}/t{day:%Y%m%d}_{docid}.html"


class FaultsSite(Site):
    """中宁县: the faulty unit's listing links every article-level fault; each column fault is its own agency."""

    kind = "faults"
    cms = "trs"
    pretends = "www.zhongning.gov.cn"
    name = "中宁县人民政府"
    region = {"province": "宁夏回族自治区", "city": "中卫市", "district": "中宁县", "code": "640521"}

    def __init__(
        self, site_id: str = "faults", *, seed: int, faults: bool, timeout_delay: float, flaky_failures: int
    ) -> None:
        super().__init__(site_id, seed=seed, faults=faults)
        self.timeout_delay = timeout_delay
        self.flaky_failures = flaky_failures
        self.moved: MovedSite | None = None
        self.hits: dict[str, int] = {}
        self.unit = Unit(site_id, UNIT_SLUG, UNIT_NAME)
        self.units[UNIT_SLUG] = self.unit
        self.rows: dict[str, Row] = {}  # article path → row
        self.reports: dict[int, Item] = {}  # row docid → report item
        self.moved_here: dict[str, Item] = {}  # redirect-chain targets: path → report item
        for row in ROWS:
            self.rows[COLUMN + rel(row.docid, row.day)] = row
            if row.year is not None:
                item = self.reports[row.docid] = self._report(row)
                if item.docid != row.docid:
                    self.moved_here[COLUMN + rel(item.docid, row.day)] = item

    def _report(self, row: Row) -> Item:
        assert row.year is not None
        truth = make_truth(
            UNIT_NAME,
            UNIT_SLUG,
            row.year,
            publish_date=row.day.isoformat(),
            seed=self.seed,
            region=self.name,
            fmt="2019" if row.year < 2021 else "2021",
        )
        extra: dict[str, Any] = {"fault": row.report_fault} if row.report_fault else {}
        docid = row.docid
        if row.action == "chain":
            extra["listed_url"] = COLUMN + rel(row.docid, row.day)
            docid = CHAIN_TARGET
        item = Item(
            key=f"{UNIT_SLUG}/{row.year}",
            kind="report",
            title=truth.title,
            list_date=row.day,
            url_date=row.day,
            truth=truth,
            year=row.year,
            docid=docid,
            extra=extra,
        )
        self.unit.items.append(item)
        return item

    def bind(self, sites: dict[str, Site]) -> None:
        moved = sites.get("moved")
        self.moved = moved if isinstance(moved, MovedSite) else None

    # -- truth ---------------------------------------------------------------------------------------
    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(COLUMN + rel(item.docid, item.list_date))

    def row_title(self, row: Row) -> str:
        if row.docid in self.reports:
            return self.reports[row.docid].title
        if row.action == "offsite":
            return "中宁县人民政府2018年政府信息公开工作年度报告"
        return UNIT_NAME + row.title

    def listing_rows(self) -> list[tuple[str, str, date]]:
        """(href, title, date) in listing order: article rows, tracking duplicates, off-site and SSRF links."""
        out = []
        for row in ROWS:
            out.append(("./" + rel(row.docid, row.day), self.row_title(row), row.day))
            if row.report_fault == "duplicate":
                out += [("./" + rel(row.docid, row.day) + q, self.row_title(row), row.day) for q in TRACKING]
        out += [
            (h, f"中宁县2024年政府信息公开工作年度报告（转载{n}）", date(2019, 12, 30))
            for n, h in enumerate(OFFSITE_LINKS, 1)
        ]
        out += [(h, f"{UNIT_NAME}内部资料{n}", date(2019, 12, 20)) for n, h in enumerate(SSRF_LINKS, 1)]
        return out

    def expected_faults(self) -> list[dict[str, Any]]:
        def fault(kind: str, url: str, note: str) -> dict[str, Any]:
            return {"site_id": self.id, "url": url, "kind": kind, "note": note}

        out = [fault(r.kind, self.url(COLUMN + rel(r.docid, r.day)), r.note) for r in ROWS if r.kind]
        dup = next(r for r in ROWS if r.report_fault == "duplicate")
        out += [
            fault(
                "duplicate",
                self.url(COLUMN + rel(dup.docid, dup.day) + q),
                "same article, tracking parameters",
            )
            for q in TRACKING
        ]
        out += [fault("offsite_link", h, "host not in the registry: never fetch") for h in OFFSITE_LINKS]
        out += [
            fault("ssrf_refused", h, "private/loopback address, non-http scheme or port") for h in SSRF_LINKS
        ]
        out += [fault(c.kind, self.url(c.path), c.note) for c in FAULT_COLUMNS]
        return out

    def registry_entry(self) -> dict[str, Any]:
        agencies = [{"name": UNIT_NAME, "slug": UNIT_SLUG, "column": self.url(COLUMN)}]
        agencies += [{"name": c.name, "slug": c.slug, "column": self.url(c.path)} for c in FAULT_COLUMNS]
        return {
            **self.registry_header(),
            "agencies": agencies,
        }

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path in ("/", "/index.html"):
            return self.portal()
        if path in (COLUMN, COLUMN + "index.html"):
            return self.listing()
        if row := self.rows.get(path):
            return self.answer(row, req)
        if path == CHAIN_HOP:
            chained = next(r for r in ROWS if r.action == "chain")
            return Response.redirect(COLUMN + rel(CHAIN_TARGET, chained.day), 302)
        if item := self.moved_here.get(path):
            return self.article(item)
        if path in LOOP:
            return Response.redirect(LOOP[1 - LOOP.index(path)], 302)
        if path.startswith(ENDLESS):
            return self.endless(path[len(ENDLESS) :])
        if path.startswith("/hostile/"):
            return self.hostile(path[len("/hostile/") :])
        return self.column_fault(path)

    def answer(self, row: Row, req: Request) -> Response:
        item = self.reports.get(row.docid)
        match row.action:
            case "report":
                return self.article(item)
            case "gone404":
                return Response.not_found()
            case "gone410":
                return Response(status=410, body=b"<h1>410 Gone</h1>")
            case "flaky":
                count = self.hits[req.path] = self.hits.get(req.path, 0) + 1
                if count <= self.flaky_failures:
                    return Response(status=500, body=b"<h1>500 Internal Server Error</h1>")
                return self.article(item)
            case "always503":
                return Response(status=503, body=b"<h1>503 Service Temporarily Unavailable</h1>")
            case "slow":
                resp = self.news(self.row_title(row), row.day, UNIT_NAME)
                resp.delay = self.timeout_delay
                return resp
            case "offsite":
                target = (self.moved.base_url if self.moved else "http://127.0.0.1:9") + OLD_PATH
                return Response.redirect(target, 301)
            case "chain":
                return Response.redirect(CHAIN_HOP, 301)
            case "loop":
                return Response.redirect(LOOP[0], 302)
            case "gbk_bare":  # GBK bytes, no charset in the header and none in the page
                return self.variant(item, "gbk", charset_style="none")
            case "utf8_lies":  # UTF-8 bytes whose <meta charset> claims gb2312
                return self.variant(item, "utf-8", charset_style="meta", declared_charset="gb2312")
            case "oversized":
                return payloads.oversized_response()
            case "soft404":
                return blocking.soft_404(BRAND)
            case "ruishu":
                return blocking.ruishu(412)
        raise ValueError(row.action)

    def column_fault(self, path: str) -> Response:
        """Whole-column faults: every path under the column's prefix behaves the same."""
        if path.startswith("/xxgk/rswaf/"):
            return blocking.ruishu(412)
        if path.startswith("/xxgk/rswaf202/"):
            return blocking.ruishu(202)
        if path.startswith("/xxgk/wfg01/"):
            return blocking.wangfang()
        if path.startswith("/xxgk/safedog/"):
            return blocking.safedog()
        if path.startswith("/xxgk/ydlm/"):
            return Response.redirect(self.url("/"), 301)
        return Response.not_found()  # /xxgk/sclm/… (deleted column) and everything else

    # -- pages ---------------------------------------------------------------------------------------
    def portal(self) -> Response:
        lis = f'<li><a href="{COLUMN}">{UNIT_NAME} 政府信息公开年报</a></li>' + "".join(
            f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in FAULT_COLUMNS
        )
        return Response.html(chrome.page(BRAND, BRAND.site_name, f"<ul>{lis}</ul>"))

    def listing_page(self, title: str, rows: list[tuple[str, str, date]], count: int, page: int) -> str:
        lis = "".join(
            f'<li><a href="{escape(href)}" title="{escape(t)}" target="_blank">{escape(t)}</a>'
            f"<span>{d.isoformat()}</span></li>\n"
            for href, t, d in rows
        )
        body = f'<div class="list-box"><ul class="list">\n{lis}</ul>\n{page_script(count, page)}</div>\n'
        return chrome.page(BRAND, f"政府信息公开年报_{title}", body, column="政府信息公开年报")

    def listing(self) -> Response:
        return Response.html(self.listing_page(UNIT_NAME, self.listing_rows(), 1, 0))

    def article(self, item: Item | None) -> Response:
        if item is None:
            return Response.not_found()
        html = content.article_html(
            item.truth,
            "trs",
            encoding="utf-8",
            url=self.item_url(self.unit, item),
            column="政府信息公开年报",
            brand=BRAND,
        )
        return Response.html(apply_edits(html, item.edits)).cacheable(item.last_modified)

    def variant(self, item: Item | None, encoding: str, **charset: Any) -> Response:
        """A report page in `encoding` with a missing or lying charset declaration; header without charset."""
        if item is None:
            return Response.not_found()
        html = content.article_html(
            item.truth,
            "trs",
            encoding=encoding,
            url=self.item_url(self.unit, item),
            column="政府信息公开年报",
            brand=BRAND,
            **charset,
        )
        body = apply_edits(html, item.edits).encode(
            "gbk" if encoding == "gbk" else "utf-8", "xmlcharrefreplace"
        )
        return Response(body=body, content_type="text/html").cacheable(item.last_modified)

    def news(self, title: str, day: date, source: str) -> Response:
        return Response.html(chrome.article(BRAND, title, day.isoformat(), source, news_body(source, day)))

    def endless(self, name: str) -> Response:
        """index_N.html exists for every N and always links index_{N+1}; its 3 rows never change."""
        for n in range(3):
            if name == ENDLESS_ROW.format(n=n):
                return self.news(f"中宁县水务局政务动态（{n + 1}）", date(2024, 1, 10 + n), "中宁县水务局")
        m = _INDEX_N.match(name)
        if not m:
            return Response.not_found()
        page = int(m[1] or 0)
        rows = [
            ("./" + ENDLESS_ROW.format(n=n), f"中宁县水务局政务动态（{n + 1}）", date(2024, 1, 10 + n))
            for n in range(3)
        ]
        html = self.listing_page("中宁县水务局", rows, page + 2, page)
        html = html.replace(
            "</ul>", f'</ul><div class="page"><a href="index_{page + 1}.html">下一页</a></div>', 1
        )
        return Response.html(html)

    def hostile(self, name: str) -> Response:
        """/hostile/: a listing of the gzip bomb and every hostile fixture file; /hostile/<name> serves one."""
        if name in ("", "index.html"):
            names = [payloads.GZIP_BOMB_NAME, *payloads.hostile_names()]
            rows = [(f"./{n}", f"中宁县档案馆资料 {n}", date(2024, 1, 10)) for n in names]
            return Response.html(self.listing_page("中宁县档案馆", rows, 1, 0))
        if name == payloads.GZIP_BOMB_NAME:
            return payloads.gzip_bomb_response()
        return payloads.hostile_file(name)
