"""A number OCR'd from a table published as an <img> links to the archived image, drawn with the cell's box.

The archive is the publishing fixture (ds_fixture_db) plus one archived table image; OCR itself is too slow for
a Datasette test (tens of seconds), so one statistics row is given OCR provenance by hand (labelled invented:
the URL, box and confidence below) the way `nianbao normalize` stores it — tests/normalize/test_table_images.py
checks that the real OCR path stores src_url and src_box. The image is table 3 of the real 淮安 2024 report as
the simulator renders it.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
from collections.abc import Iterator

import lxml.html
import pytest
from ds_fixture_db import REPORTS, build_db
from ds_server import Served, start_datasette, stop_datasette

from simulator.sites.image_tables import table3_png

IMAGE_URL = "http://127.0.0.1:9/u/cms/3.png"  # invented
BOX = [0.61, 0.2, 0.68, 0.23]  # invented: fractions of the image (x0, top, x1, bottom)
CONFIDENCE = 0.934  # invented


@pytest.fixture(scope="module")
def ocr_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, int, str, int, bytes]]:
    path = build_db(tmp_path_factory.mktemp("ocrsource") / "archive.db")
    png = table3_png(dpi=72)
    report_id = next(iter(REPORTS))
    conn = sqlite3.connect(path)
    with conn:
        page_url = conn.execute("select document_url from reports where id = ?", [report_id]).fetchone()[0]
        capture_id = conn.execute(
            "insert into captures (url, final_url, method, status, headers, fetched_at, sha256, content_type, "
            "size, body, body_codec, kind) values (?, ?, 'GET', 200, '{}', '2025-02-01T00:00:00Z', 'x', "
            "'image/png', ?, ?, 'identity', 'image')",
            [IMAGE_URL, IMAGE_URL, len(png), png],
        ).lastrowid
        conn.execute(
            "insert into documents (url, site_id, kind, parent_url, latest_capture_id, versions) "
            "select ?, site_id, 'image', ?, ?, 1 from reports where id = ?",
            [IMAGE_URL, page_url, capture_id, report_id],
        )
        row_code, col_code = conn.execute(
            "select row_code, col_code from statistics where report_id = ? and table_name = 'table3' "
            "and value_text != '' order by row_code, col_code limit 1",
            [report_id],
        ).fetchone()
        address = f"table3.{row_code}.{col_code}"
        conn.execute(
            "update statistics set src_table = 10000, src_row = 40, src_col = 700, src_url = ?, src_box = ?, "
            "ocr_confidence = ? where report_id = ? and table_name = 'table3' and row_code = ? and col_code = ?",
            [IMAGE_URL, json.dumps(BOX), CONFIDENCE, report_id, row_code, col_code],
        )
    conn.close()
    proc, base = start_datasette(path)
    try:
        yield Served(base, "archive"), report_id, address, capture_id, png
    finally:
        stop_datasette(proc)


def test_ocr_cell_links_to_the_image_with_its_box_and_confidence(ocr_served) -> None:
    served, report_id, address, capture_id, png = ocr_served
    status, _, body = served.get(f"/archive/reports/{report_id}")
    assert status == 200, body[:500]
    (link,) = lxml.html.fromstring(body).xpath(f"//td[@data-cell='{address}']/a")
    href = link.get("href")
    assert href.startswith(f"/-/capture/archive/{capture_id}?"), href
    assert "OCR 识别，置信度 0.93" in link.get("title")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))
    assert query["view"] == "image" and query["cell"] == address

    status, headers, view = served.get(f"/-/capture/archive/{capture_id}", **query)
    assert status == 200, view[:500]
    page = lxml.html.fromstring(view)
    (image,) = page.xpath("//div[@class='nb-page-frame']/img/@src")
    assert image == "?view=download"
    (box,) = page.xpath("//div[@id='nb-cell']/@style")
    percents = [float(v) for v in box.replace("%", "").replace(";", ":").split(":")[1::2]]
    assert percents == pytest.approx([61, 20, 7, 3], abs=0.01)  # left, top, width, height
    (note,) = page.xpath("//div[@class='nb-source-cell']")
    assert "OCR" in note.text_content() and "0.93" in note.text_content() and "红框" in note.text_content()

    request = urllib.request.Request(served.url(f"/-/capture/archive/{capture_id}", view="download"))
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert response.read() == png  # the image the box is drawn over is the archived original


@pytest.mark.browser
def test_browser_follows_the_link_and_draws_the_box_over_the_image(ocr_served, browser) -> None:
    served, report_id, address, capture_id, _ = ocr_served
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(served.url(f"/archive/reports/{report_id}"))
        page.click(f"td[data-cell='{address}'] a")
        page.wait_for_load_state("load")
        assert f"/-/capture/archive/{capture_id}" in page.url
        image = page.locator(".nb-page-frame img")
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0  # the archived PNG loaded
        frame, box = image.bounding_box(), page.locator("#nb-cell").bounding_box()
        assert frame and box and frame["width"] > 100
        assert (box["x"] - frame["x"]) / frame["width"] == pytest.approx(BOX[0], abs=0.01)
        assert (box["y"] - frame["y"]) / frame["height"] == pytest.approx(BOX[1], abs=0.01)
        assert (box["x"] + box["width"] - frame["x"]) / frame["width"] == pytest.approx(BOX[2], abs=0.01)
    finally:
        context.close()
