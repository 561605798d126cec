"""Shared helpers for crawler tests: an in-memory sink, registry sites and saved-page responses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, TextResponse

from crawler.crawl.sink import SiteState
from crawler.registry import Agency, Politeness, Site
from crawler.store.captures import CaptureRecord

PAGES = Path(__file__).parent / "pages"
HOST = "http://sim.example"


class MemorySink:
    """An ArchiveSink that keeps every op in a list (what a spider would have written)."""

    def __init__(self, state: SiteState | None = None) -> None:
        self.ops: list[tuple[str, Any]] = []
        self.state = state or SiteState()

    def load_state(self, site_id: str) -> SiteState:
        return self.state

    def start_run(self, site_id: str, started_at: str, host: str) -> int:
        self.ops.append(("start_run", site_id))
        return 1

    def finish_run(self, run_id: int, row: dict[str, Any]) -> None:
        self.ops.append(("finish_run", row))

    def capture(self, record: CaptureRecord) -> None:
        self.ops.append(("capture", record))

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name in ("site", "agency", "fetch", "document", "event", "discovery"):
            return lambda row: self.ops.append((name, row))
        raise AttributeError(name)

    def events(self) -> list[str]:
        return [row["kind"] for name, row in self.ops if name == "event"]


def make_site(cms: str, *, column: str | None = None, directory: str | None = None, **kw: Any) -> Site:
    agencies = kw.pop("agencies", None) or (Agency(name="测试单位", slug="unit", column=column),)
    return Site(
        id="test",
        name="测试区人民政府",
        province="宁夏回族自治区",
        city="中卫市",
        district="沙坡头区",
        region_code="640502",
        portal=f"{HOST}/",
        cms=cms,
        directory=directory,
        politeness=Politeness(delay=0, max_pages=10),
        agencies=agencies,
        **kw,
    )


def page_response(name: str, url: str, **meta: Any) -> TextResponse:
    """A saved page as the spider would receive it (archive middleware already ran: no failure)."""
    body = (PAGES / name).read_bytes()
    request = scrapy.Request(url, meta={"nianbao_capture": (url, "x"), "nianbao_failure": None, **meta})
    if name.endswith(".json") or name.endswith(".xml"):
        ctype = b"application/json" if name.endswith(".json") else b"text/xml; charset=utf-8"
        return TextResponse(
            url, body=body, request=request, headers={"Content-Type": ctype}, encoding="utf-8"
        )
    return HtmlResponse(
        url, body=body, request=request, headers={"Content-Type": b"text/html; charset=utf-8"}
    )


def listing_meta(column: str, page: int = 0, **extra: Any) -> dict[str, Any]:
    return {"nianbao_kind": "listing", "nianbao_agency": "test/unit", "page": page, "column": column, **extra}


def requests_of(output: Any) -> list[scrapy.Request]:
    return [r for r in output if isinstance(r, scrapy.Request)]
