"""The faults site (simulated 中宁县) and its "moved domain": every failure kind a crawler must record, on demand."""

from __future__ import annotations

import mimetypes
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from simulator.sites import chrome, content
from simulator.sites.base import Site
from simulator.sites.catalog import Item, Unit, apply_edits, news_body
from simulator.sites.server import Request, Response
from simulator.sites.trs import page_script
from simulator.sites.truths import make_truth

HOSTILE_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "hostile"
OVERSIZED_BYTES = 30 * 1024 * 1024
GZIP_BOMB_RAW = 1024 * 1024 * 1024
BRAND = chrome.Brand(
    site_name="中宁县人民政府",
    domain="www.zhongning.gov.cn",
    site_code="6405210001",
    sponsor="中宁县人民政府办公室",
)
MOVED_BRAND = chrome.Brand(site_name="中宁县人民政府", domain="www.znx.gov.cn", site_code="6405210001")
COLUMN = "/xxgk/gzlm/xxgknb/"  # the faulty unit's 年报 listing
ENDLESS_ROW = "202401/t2024011{n}_90070{n}.html"
UNIT_SLUG = "zngzlm"
UNIT_NAME = "中宁县政务公开办公室"
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
class FaultColumn:
    """A registry agency whose whole column exhibits one fault."""

    slug: str
    name: str
    path: str
    kind: str
    note: str


FAULT_COLUMNS = [
    FaultColumn(
        "znrswaf", "中宁县发展和改革局", "/xxgk/rswaf/xxgknb/", "waf", "瑞数 412 + $_ts body, meta r='m'"
    ),
    FaultColumn(
        "znrswaf202", "中宁县财政局", "/xxgk/rswaf202/xxgknb/", "waf", "瑞数 202 JS challenge, tiny body"
    ),
    FaultColumn(
        "znwfg01", "中宁县公安局", "/xxgk/wfg01/xxgknb/", "waf", "网防G01 405 block page (4 644 bytes)"
    ),
    FaultColumn(
        "znsafedog", "中宁县民政局", "/xxgk/safedog/xxgknb/", "waf", "安全狗: 200 with an empty body"
    ),
    FaultColumn("znydlm", "中宁县司法局", "/xxgk/ydlm/xxgknb/", "moved_to_home", "column moved: 301 → /"),
    FaultColumn("znsclm", "中宁县审计局", "/xxgk/sclm/xxgknb/", "http_404", "column deleted: 404"),
    FaultColumn(
        "znwjfy", "中宁县水务局", "/xxgk/wjfy/xxgknb/", "endless_pagination", "index_N always links index_N+1"
    ),
    FaultColumn("znhostile", "中宁县档案馆", "/hostile/", "hostile", "hostile documents + gzip bomb"),
]

_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """~1 GiB of zeros as one gzip member of ~1 MB; built on first use (≈1 s) and cached.

    Each 1 MiB of zeros is deflated once after a full flush, so every block's bytes are identical and
    the stream is the same block repeated; only the CRC needs a pass over the (virtual) data.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            chunk = bytes(1 << 20)
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp.compress(chunk)
            comp.flush(zlib.Z_FULL_FLUSH)
            block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
            blocks = GZIP_BOMB_RAW // len(chunk)
            crc = 0
            for _ in range(blocks):
                crc = zlib.crc32(chunk, crc)
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            trailer = struct.pack("<II", crc, GZIP_BOMB_RAW & 0xFFFFFFFF)
            _bomb = header + block * blocks + comp.flush() + trailer
        return _bomb


def oversized_stream(total: int) -> Iterator[bytes]:
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>\xe5\xa4\xa7\xe9\xa1\xb5\xe9\x9d\xa2</title></head><body>'
    filler = ("<p>" + "政务公开" * 60 + "</p>\n").encode()
    chunk = filler * (65536 // len(filler))
    yield head
    sent = len(head)
    while sent < total:
        part = chunk[: total - sent]
        yield part
        sent += len(part)


def ruishu_page(status: int) -> Response:
    if status == 202:
        body = "<html><head><meta r='m'><script r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=37415;</script></head></html>"
    else:
        body = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta id="9DhefwqGPrzGxEp9hPaoag" content="' + "lqfpEtWv3mZ1vQ8d" * 12 + "\" r='m'>"
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
            '$_ts.nsd=80716;$_ts.cd="' + "qxrcrrAlEqWGcGlmqqAqaq" * 10 + '";</script>'
            '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" r=\'m\'>'
            "</script></head><body></body></html>"
        )
    return Response(
        status=status,
        body=body.encode(),
        content_type="text/html",
        headers={"Set-Cookie": "FSSBBIl1UgzbN7NS=5Xk7vq0cH3Ppn4zdzBQ; Path=/; HttpOnly"},
    )


def wangfang_page() -> Response:
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网防G01提示</title><style>'
        "body{margin:0;background:#f3f3f3;font-family:微软雅黑}.box{width:600px;margin:120px auto;background:#fff}"
    )
    tail = (
        '</style></head><body><div class="box"><h2>网防G01</h2><p>您的访问请求可能对网站造成安全威胁，'
        "请求已被拦截。</p><p>如有疑问请联系网站管理员。</p></div></body></html>"
    )
    pad = 4644 - len((head + tail).encode())
    body = (head + "/*" + "x" * max(0, pad - 4) + "*/" + tail).encode()
    return Response(status=405, body=body, content_type="text/html; charset=utf-8")


def soft_404_page() -> Response:
    body = chrome.page(
        BRAND, "页面不存在", '<div class="error"><h2>抱歉，您访问的页面不存在或已被删除！</h2></div>'
    )
    return Response.html(body)


class FaultsSite(Site):
    """中宁县: one faulty 年报 listing linking every article-level fault, plus one registry column per column fault."""

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
        self.rows: list[tuple[str, str, date]] = []  # href (relative to COLUMN), title, list date
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self.faults_list: list[dict[str, Any]] = []
        self._plan()

    # -- plan ----------------------------------------------------------------------------------------
    def _report(self, year: int, docid: int, day: date, **extra: Any) -> Item:
        truth = make_truth(
            UNIT_NAME,
            UNIT_SLUG,
            year,
            publish_date=day.isoformat(),
            seed=self.seed,
            region=self.name,
            fmt="2019" if year < 2021 else "2021",
        )
        item = Item(
            key=f"{UNIT_SLUG}/{year}",
            kind="report",
            title=truth.title,
            list_date=day,
            url_date=day,
            truth=truth,
            year=year,
            docid=docid,
            extra=dict(extra),
        )
        self.unit.items.append(item)
        return item

    def rel(self, docid: int, day: date) -> str:
        return f"{day:%Y%m}/t{day:%Y%m%d}_{docid}.html"

    def _fault(self, kind: str, url: str, note: str) -> None:
        self.faults_list.append({"site_id": self.id, "url": url, "kind": kind, "note": note})

    def _row(
        self,
        docid: int,
        day: date,
        title: str,
        kind: str | None,
        handler: Callable[[Request], Response],
        note: str = "",
    ) -> str:
        rel = self.rel(docid, day)
        self.rows.append((rel, title, day))
        self.routes[COLUMN + rel] = handler
        if kind:
            self._fault(kind, COLUMN + rel, note)
        return rel

    def _plan(self) -> None:
        d = date(2025, 1, 20)
        good = self._report(2024, 900001, d)
        self._row(900001, d, good.title, None, lambda r, i=good: self.article(i))
        self._row(
            900002,
            date(2025, 1, 18),
            "中宁县政务公开办公室关于2024年政务公开工作的通知",
            "http_404",
            lambda r: Response.not_found(),
            "article deleted: 404",
        )
        self._row(
            900003,
            date(2025, 1, 17),
            "中宁县政务公开办公室2024年工作总结",
            "http_410",
            lambda r: Response(status=410, body=b"<h1>410 Gone</h1>"),
            "410 Gone",
        )
        flaky = self._report(2023, 900004, date(2024, 1, 26), fault="http_5xx")
        self._row(900004, flaky.list_date, flaky.title, None, lambda r, i=flaky: self.flaky(r, i))
        self._row(
            900005,
            date(2024, 1, 25),
            "中宁县政务公开办公室关于调整领导小组的通知",
            "http_5xx",
            lambda r: Response(status=503, body=b"<h1>503 Service Temporarily Unavailable</h1>"),
            "always 503",
        )
        self._row(
            900006,
            date(2024, 1, 24),
            "中宁县政务公开办公室召开政务公开推进会",
            "timeout",
            lambda r: self.slow(),
            "answers only after timeout_delay seconds",
        )
        # redirect chain to the moved domain (another port, not in the registry)
        self._row(
            900007,
            date(2024, 1, 23),
            "中宁县人民政府2018年政府信息公开工作年度报告",
            "redirect_offsite",
            lambda r: Response.redirect(self.moved_url("/old/900007.html"), 301),
            "301 → moved domain /old/ → 302 → its article",
        )
        # same-host redirect chain ending at a report (not a fault: must be followed, 2 hops)
        chained = self._report(
            2022, 900018, date(2023, 1, 20), listed_url=COLUMN + self.rel(900008, date(2023, 1, 20))
        )
        self._row(
            900008,
            chained.list_date,
            chained.title,
            None,
            lambda r: Response.redirect("/xxgk/old/900008.html", 301),
        )
        self.routes["/xxgk/old/900008.html"] = lambda r: Response.redirect(
            COLUMN + self.rel(900018, chained.list_date), 302
        )
        self.routes[COLUMN + self.rel(900018, chained.list_date)] = lambda r, i=chained: self.article(i)
        self._row(
            900009,
            date(2023, 1, 19),
            "中宁县政务公开办公室政策解读",
            "redirect_loop",
            lambda r: Response.redirect("/xxgk/loop/a.html", 302),
            "302 a → b → a …",
        )
        self.routes["/xxgk/loop/a.html"] = lambda r: Response.redirect("/xxgk/loop/b.html", 302)
        self.routes["/xxgk/loop/b.html"] = lambda r: Response.redirect("/xxgk/loop/a.html", 302)
        missing = self._report(2021, 900011, date(2022, 1, 21), fault="charset")
        self._row(
            900011,
            missing.list_date,
            missing.title,
            "charset",
            lambda r, i=missing: self.gbk_no_charset(i),
            "GBK body; no charset in header or meta",
        )
        wrong = self._report(2020, 900012, date(2021, 1, 22), fault="charset")
        self._row(
            900012,
            wrong.list_date,
            wrong.title,
            "charset",
            lambda r, i=wrong: self.utf8_says_gb2312(i),
            "UTF-8 body; meta says gb2312; header has no charset",
        )
        dup = self._report(2019, 900013, date(2020, 1, 16), fault="duplicate")
        rel = self._row(900013, dup.list_date, dup.title, None, lambda r, i=dup: self.article(i))
        for query in ("?utm_source=wechat&utm_medium=social", "?from=timeline&isappinstalled=0"):
            self.rows.append((rel + query, dup.title, dup.list_date))
            self._fault("duplicate", COLUMN + rel + query, "same article, tracking parameters")
        self._row(
            900014,
            date(2020, 1, 15),
            "中宁县政务公开办公室信息公开目录（全量）",
            "oversized",
            lambda r: self.oversized(),
            f"{OVERSIZED_BYTES} bytes streamed",
        )
        self._row(
            900015,
            date(2020, 1, 14),
            "中宁县政务公开办公室2019年政务公开工作要点",
            "soft_404",
            lambda r: soft_404_page(),
            "200 with 您访问的页面不存在",
        )
        self._row(
            900016,
            date(2020, 1, 13),
            "中宁县政务公开办公室关于公开征求意见的公告",
            "waf",
            lambda r: ruishu_page(412),
            "瑞数 412 on one article",
        )
        for n, href in enumerate(OFFSITE_LINKS):
            self.rows.append(
                (href, f"中宁县2024年政府信息公开工作年度报告（转载{n + 1}）", date(2019, 12, 30))
            )
            self._fault("offsite_link", href, "host not in the registry: never fetch")
        for n, href in enumerate(SSRF_LINKS):
            self.rows.append((href, f"中宁县政务公开办公室内部资料{n + 1}", date(2019, 12, 20)))
            self._fault(
                "ssrf_refused", href, "private/loopback address, non-http scheme or non-standard port"
            )
        for col in FAULT_COLUMNS:
            self._fault(col.kind, col.path, col.note)

    def bind(self, sites: dict[str, Site]) -> None:
        moved = sites.get("moved")
        self.moved = moved if isinstance(moved, MovedSite) else None

    def moved_url(self, path: str) -> str:
        return (self.moved.base_url if self.moved else "http://127.0.0.1:9") + path

    # -- truth ---------------------------------------------------------------------------------------
    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(COLUMN + self.rel(item.docid, item.list_date))

    def expected_faults(self) -> list[dict[str, Any]]:
        return [
            dict(f, url=self.url(f["url"]) if f["url"].startswith("/") else f["url"])
            for f in self.faults_list
        ]

    def registry_entry(self) -> dict[str, Any]:
        agencies = [{"name": UNIT_NAME, "slug": UNIT_SLUG, "column": self.url(COLUMN)}]
        agencies += [{"name": c.name, "slug": c.slug, "column": self.url(c.path)} for c in FAULT_COLUMNS]
        return {
            "id": self.id,
            "name": self.name,
            "region": dict(self.region),
            "portal": self.url("/"),
            "cms": "trs",
            "agencies": agencies,
        }

    # -- routing -------------------------------------------------------------------------------------
    def route(self, req: Request) -> Response:
        path = req.path
        if path in ("/", "/index.html"):
            return self.portal()
        if path in (COLUMN, COLUMN + "index.html"):
            return self.listing()
        if handler := self.routes.get(path):
            return handler(req)
        if path.startswith("/xxgk/rswaf/"):
            return ruishu_page(412)
        if path.startswith("/xxgk/rswaf202/"):
            return ruishu_page(202)
        if path.startswith("/xxgk/wfg01/"):
            return wangfang_page()
        if path.startswith("/xxgk/safedog/"):
            return Response(
                body=b"",
                content_type="text/html",
                headers={"Set-Cookie": "safedog-flow-item=6A3F0B8C21D; path=/", "X-Powered-By": "WAF/2.0"},
            )
        if path.startswith("/xxgk/ydlm/"):
            return Response.redirect(self.url("/"), 301)
        if path.startswith("/xxgk/wjfy/xxgknb/"):
            return self.endless(path)
        if path.startswith("/hostile/"):
            return self.hostile(path[len("/hostile/") :])
        return Response.not_found()

    # -- pages ---------------------------------------------------------------------------------------
    def portal(self) -> Response:
        lis = f'<li><a href="{COLUMN}">{UNIT_NAME} 政府信息公开年报</a></li>' + "".join(
            f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in FAULT_COLUMNS
        )
        return Response.html(chrome.page(BRAND, BRAND.site_name, f"<ul>{lis}</ul>"))

    def listing(self) -> Response:
        lis = "".join(
            f'<li><a href="{escape(href if ":" in href else "./" + href)}" title="{escape(t)}" target="_blank">'
            f"{escape(t)}</a><span>{d.isoformat()}</span></li>\n"
            for href, t, d in self.rows
        )
        body = f'<div class="list-box"><ul class="list">\n{lis}</ul>\n{page_script(1, 0)}</div>\n'
        html = chrome.page(BRAND, f"政府信息公开年报_{UNIT_NAME}", body, column="政府信息公开年报")
        return Response.html(html)

    def article(self, item: Item) -> Response:
        html = content.article_html(
            item.truth,
            "trs",
            encoding="utf-8",
            url=self.item_url(self.unit, item),
            column="政府信息公开年报",
            brand=BRAND,
        )
        return Response.html(apply_edits(html, item.edits)).cacheable(item.last_modified)

    def flaky(self, req: Request, item: Item) -> Response:
        """500 for the first `flaky_failures` requests of this URL, then the report."""
        count = self.hits.get(req.path, 0) + 1
        self.hits[req.path] = count
        if count <= self.flaky_failures:
            return Response(status=500, body=b"<h1>500 Internal Server Error</h1>")
        return self.article(item)

    def slow(self) -> Response:
        body = chrome.article(
            BRAND,
            "中宁县政务公开办公室召开政务公开推进会",
            "2024-01-24",
            UNIT_NAME,
            news_body(UNIT_NAME, date(2024, 1, 24)),
        )
        resp = Response.html(body)
        resp.delay = self.timeout_delay
        return resp

    def _variant(self, item: Item, encoding: str, **charset: Any) -> Response:
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

    def gbk_no_charset(self, item: Item) -> Response:
        """GBK bytes, no charset in the Content-Type header and none in the page."""
        return self._variant(item, "gbk", charset_style="none")

    def utf8_says_gb2312(self, item: Item) -> Response:
        """UTF-8 bytes whose <meta charset> claims gb2312 (header without charset)."""
        return self._variant(item, "utf-8", charset_style="meta", declared_charset="gb2312")

    def oversized(self) -> Response:
        return Response(
            stream=oversized_stream(OVERSIZED_BYTES),
            stream_length=OVERSIZED_BYTES,
            content_type="text/html; charset=utf-8",
        )

    def endless(self, path: str) -> Response:
        name = path[len("/xxgk/wjfy/xxgknb/") :]
        if name in ("", "index.html"):
            page = 0
        elif name.startswith("index_") and name.endswith(".html") and name[6:-5].isdigit():
            page = int(name[6:-5])
        else:
            return self.endless_article(name)
        rows = "".join(
            f'<li><a href="./{ENDLESS_ROW.format(n=n)}">中宁县水务局政务动态（{n + 1}）</a><span>2024-01-1{n}</span></li>'
            for n in range(3)
        )
        body = (
            f'<ul class="list">{rows}</ul>'
            + page_script(page + 2, page)
            + f'<div class="page"><a href="index_{page + 1}.html">下一页</a></div>'
        )
        return Response.html(
            chrome.page(BRAND, "政府信息公开年报_中宁县水务局", body, column="政府信息公开年报")
        )

    def endless_article(self, name: str) -> Response:
        """The three (repeated) rows of the endless listing are ordinary news pages."""
        for n in range(3):
            if name == ENDLESS_ROW.format(n=n):
                day = date(2024, 1, 10 + n)
                title = f"中宁县水务局政务动态（{n + 1}）"
                html = chrome.article(
                    BRAND, title, day.isoformat(), "中宁县水务局", news_body("中宁县水务局", day)
                )
                return Response.html(html)
        return Response.not_found()

    def hostile(self, name: str) -> Response:
        if name in ("", "index.html"):
            files = (
                sorted(p.name for p in HOSTILE_DIR.iterdir() if p.is_file() and p.name[0] not in "._")
                if HOSTILE_DIR.is_dir()
                else []
            )
            links = ["gzip-bomb.html", *files]
            lis = "".join(
                f'<li><a href="./{escape(n)}" title="{escape(n)}">中宁县档案馆资料 {escape(n)}</a><span>2024-01-10</span></li>\n'
                for n in links
            )
            body = f'<ul class="list">{lis}</ul>' + page_script(1, 0)
            return Response.html(
                chrome.page(BRAND, "政府信息公开年报_中宁县档案馆", body, column="政府信息公开年报")
            )
        if name == "gzip-bomb.html":
            return Response(
                lazy=gzip_bomb,
                content_type="text/html; charset=utf-8",
                headers={"Content-Encoding": "gzip"},
            )
        target = (HOSTILE_DIR / name).resolve()
        if name[:1] in ("", ".", "_") or not target.is_file() or target.parent != HOSTILE_DIR.resolve():
            return Response.not_found()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(body=target.read_bytes(), content_type=ctype)


class MovedSite(Site):
    """The "moved domain" (another port, NOT in the registry): old paths 302 to its copy of a report."""

    kind = "moved"
    pretends = "www.znx.gov.cn"
    name = "中宁县人民政府（新域名）"
    region = FaultsSite.region

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

    def item_url(self, unit: Unit, item: Item) -> str:
        return self.url(f"/xxgk/xxgknb/{item.url_date:%Y%m}/t{item.url_date:%Y%m%d}_{item.docid}.html")

    def registry_entry(self) -> dict[str, Any]:
        return {}

    def route(self, req: Request) -> Response:
        if req.path == "/old/900007.html":
            return Response.redirect(self.item_url(self.unit, self.item), 302)
        if self.url(req.path) == self.item_url(self.unit, self.item):
            html = content.article_html(
                self.item.truth,
                "trs",
                encoding="utf-8",
                url=self.url(req.path),
                column="政府信息公开年报",
                brand=MOVED_BRAND,
            )
            return Response.html(apply_edits(html, self.item.edits)).cacheable(self.item.last_modified)
        return Response.not_found()
