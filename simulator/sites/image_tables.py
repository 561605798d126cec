"""`imgtables`: one report page whose table 3 is an <img> (opt-in: `SimulatedSites(image_tables=True)`).

INVENTED page, REAL table: the page is the constructed golden case `tests/fixtures/reports/image-tables-2022.html`
(某某镇人民政府, invented); its table-3 image `/u/cms/3.png` is rendered on first request from pages 4–5 of the real
淮安市人民政府 2024 report (`tests/fixtures/reports/huaian-szf-2024.pdf`, shared corpus) — the bands holding
table 3 stacked into one PNG, the way agencies paste a screenshot of their Word table. Expected values: table 3 of
`huaian-szf-2024.expected.json` (read by hand from that PDF). The page's other two table images (2.png, 4.png)
answer 404, so the crawl records their outcome and only one image is OCR'd (OCR takes tens of seconds).
"""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from simulator.sites import chrome
from simulator.sites.base import Site
from simulator.sites.server import Request, Response

REPORTS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "reports"
PAGE = REPORTS / "image-tables-2022.html"  # constructed page (invented agency), three <img> tables
HUAIAN = REPORTS / "huaian-szf-2024.pdf"  # real report; pages 4–5 hold table 3
EXPECTED = REPORTS / "huaian-szf-2024.expected.json"
# (page index, vertical band as shares of the page height) of table 3: the end of page 4, the top of page 5
TABLE3_BANDS = ((3, (0.425, 0.937)), (4, (0.02, 0.535)))
COLUMN = "/xxgk/xxgknb/"
ARTICLE = COLUMN + "202301/t20230112_700001.html"
IMAGE = "/u/cms/3.png"
MISSING_IMAGES = ("/u/cms/2.png", "/u/cms/4.png")
UNIT_NAME, UNIT_SLUG = "某某镇人民政府", "mmzzf"
TITLE = "某某镇人民政府2022年政府信息公开工作年度报告"
LISTED = date(2023, 1, 12)
MODIFIED = datetime(2023, 1, 12, 9, 30, tzinfo=UTC)
BRAND = chrome.Brand(site_name=UNIT_NAME, domain="www.mmz.gov.cn", site_code="3500000001")
_render_lock = threading.Lock()


@cache
def table3_png(dpi: int = 200) -> bytes:
    """Table 3 of the real 淮安 2024 report as one PNG: its part on page 4 stacked on its part on page 5."""
    import pypdfium2 as pdfium
    from PIL import Image

    with _render_lock:
        doc = pdfium.PdfDocument(HUAIAN.read_bytes())
        try:
            pages = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i, _ in TABLE3_BANDS]
        finally:
            doc.close()
    parts = [
        page.crop((0, int(page.height * top), page.width, int(page.height * bottom)))
        for page, (_, (top, bottom)) in zip(pages, TABLE3_BANDS, strict=True)
    ]
    table = Image.new("RGB", (parts[0].width, sum(p.height for p in parts)), "white")
    y = 0
    for part in parts:
        table.paste(part, (0, y))
        y += part.height
    out = io.BytesIO()
    table.save(out, format="PNG")
    return out.getvalue()


class ImageTablesSite(Site):
    """A static site with one 年报 column listing one report page whose tables are images."""

    kind = "imgtables"
    cms = "static"
    pretends = "www.mmz.gov.cn (invented)"
    name = "某某镇人民政府门户网站（虚构）"
    region = {"province": "江苏省", "city": "淮安市", "district": "某某镇", "code": "320800"}

    def registry_entry(self) -> dict[str, Any]:
        return {
            **self.registry_header(),
            "agencies": [{"name": UNIT_NAME, "slug": UNIT_SLUG, "column": self.url(COLUMN)}],
        }

    def expected_reports(self) -> list[dict[str, Any]]:
        truth = json.loads(EXPECTED.read_text(encoding="utf-8"))
        return [
            {
                "title": TITLE,
                "agency": UNIT_NAME,
                "year": 2022,
                "format": "2021",
                "table3": truth["table3"],  # from the real report whose table the image shows
                "site_id": self.id,
                "agency_slug": UNIT_SLUG,
                "agency_name": UNIT_NAME,
                "url": self.url(ARTICLE),
                "page_url": self.url(ARTICLE),
                "attachment_urls": [],
                "image_urls": [self.url(IMAGE)],
                "missing_image_urls": [self.url(p) for p in MISSING_IMAGES],
                "source_format": "html",
                "publish_date": LISTED.isoformat(),
                "fault": None,
                "reachable": True,
                "invented": "page and agency invented; table 3 image from the real 淮安市人民政府 2024 report",
            }
        ]

    def route(self, req: Request) -> Response:
        if req.path in ("/", "/index.html"):
            body = f'<ul><li><a href="{COLUMN}">政府信息公开年报</a></li></ul>'
            return Response.html(chrome.page(BRAND, BRAND.site_name, body))
        if req.path in (COLUMN, COLUMN + "index.html"):
            href = "./" + ARTICLE[len(COLUMN) :]
            rows = (
                f'<ul class="list"><li><a href="{href}" title="{TITLE}" target="_blank">{TITLE}</a>'
                f"<span>{LISTED.isoformat()}</span></li></ul>"
            )
            return Response.html(chrome.page(BRAND, "政府信息公开年报", rows, column="政府信息公开年报"))
        if req.path == ARTICLE:
            return Response(body=PAGE.read_bytes()).cacheable(MODIFIED)
        if req.path == IMAGE:
            return Response(lazy=table3_png, content_type="image/png").cacheable(MODIFIED, version=IMAGE)
        return Response.not_found()
