"""A report whose table 3 is an <img>: real Scrapy crawl → archived image → `nianbao normalize` OCRs it.

The page is invented (simulator `imgtables`); the image is table 3 of the real 淮安 2024 report and the
expected values are read by hand from that report (shared corpus expected JSON). One image is OCR'd on the
first normalize (tens of seconds on a loaded machine); the second, after the image changed, is a blank PNG.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from crawler.normalize import rebuild
from crawler.store.bodies import encode_body, sha256
from crawler.store.schema import connect
from simulator import SimulatedSites

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NIANBAO_FAST": "1"}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("imgtables")
    db = work / "archive.db"
    with SimulatedSites(faults=False, image_tables=True) as sim:
        registry = sim.write_registry(work / "sites.yml")
        crawl = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--sites", str(registry), "--db", str(db)]
            + ["--site", "imgtables"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=ENV,
            timeout=300,
        )
        (expected,) = sim.site("imgtables").expected_reports()
    assert crawl.returncode in (0, 2), crawl.stdout + crawl.stderr[-3000:]
    return db, expected


def test_crawl_archives_the_table_image_and_records_the_missing_ones(crawled: tuple[Path, dict]) -> None:
    db_path, expected = crawled
    db = connect(db_path)
    (image_url,) = expected["image_urls"]
    doc = db.execute(
        "select d.kind, d.parent_url, c.status, c.content_type, c.sha256, c.kind, length(c.body) "
        "from documents d join captures c on c.id = d.latest_capture_id where d.url = ?",
        [image_url],
    ).fetchone()
    assert doc[:4] == ("image", expected["page_url"], 200, "image/png")
    assert doc[5] == "image" and len(doc[4]) == 64 and doc[6] > 10_000
    for missing in expected["missing_image_urls"]:  # 404: a fetch, a capture and an event, no document
        assert db.execute("select status from fetches where url = ?", [missing]).fetchone() == (404,)
        assert db.execute("select kind from crawl_events where url = ?", [missing]).fetchone() == (
            "http_404",
        )
        assert db.execute("select 1 from documents where url = ?", [missing]).fetchone() is None
    chrome = db.execute("select count(*) from fetches where url like '%/images/%'").fetchone()[0]
    assert chrome == 0  # the header logo is site chrome, never fetched
    run = db.execute("select new_reports from crawl_runs where site_id = 'imgtables'").fetchone()
    assert run == (1,)  # the image is archived, not counted as a report


def test_normalize_ocrs_the_image_and_rederives_when_it_changes(crawled: tuple[Path, dict]) -> None:
    db_path, expected = crawled
    rebuild(db_path, progress=False)
    db = connect(db_path)
    report_id, source_url, status, is_image, errors = db.execute(
        "select id, source_url, parse_status, table_is_image, errors from reports"
    ).fetchone()
    assert source_url == expected["page_url"]  # provenance: the page, not the image
    assert not is_image and status in ("ok", "partial")
    cells = db.execute(
        "select row_code, col_code, value, ocr_confidence from statistics "
        "where report_id = ? and table_name = 'table3'",
        [report_id],
    ).fetchall()
    right = [c for c in cells if expected["table3"].get(c[0], {}).get(c[1]) == c[2]]
    wrong = [c for c in cells if c not in right]
    assert wrong == [], f"wrong numbers from OCR: {wrong}"
    assert len(right) >= 170, (len(right), errors)  # of its 175 cells (measured: all 175 at 200 dpi)
    print(f"table 3: {len(right)} cells right, 0 wrong; {status}; errors {errors}")
    assert all(0 < conf <= 1 for *_, conf in cells), "every OCR'd cell carries its confidence"
    (image_url,) = expected["image_urls"]
    where = db.execute(
        "select row_code, col_code, src_url, src_box from statistics where report_id = ? and table_name = 'table3'",
        [report_id],
    ).fetchall()
    assert {url for _, _, url, _ in where} == {image_url}  # each cell names the image it was read from
    boxes = {(r, c): json.loads(box) for r, c, _, box in where}
    assert all(0 <= x0 < x1 <= 1 and 0 <= top < bottom <= 1 for x0, top, x1, bottom in boxes.values())
    # the table's geometry, as printed: rows go down the image, columns to the right (centres compared)
    first_row, last_row = (
        boxes[("new_received", "natural_person")],
        boxes[("results_total", "natural_person")],
    )
    assert first_row[1] < last_row[1] and abs(first_row[0] - last_row[0]) < 0.02
    left, right = boxes[("new_received", "natural_person")], boxes[("new_received", "total")]
    assert left[0] < right[0] and abs(left[1] - right[1]) < 0.01
    if status == "partial":  # tables 2 and 4 are 404 images; any cell left out is named too
        assert {"table2 not found", "table4 not found"} <= set(json.loads(errors))

    # The image changes (a blank PNG re-captured): the page's family is parsed again, its table 3 is gone.
    blank = io.BytesIO()
    Image.new("RGB", (400, 120), "white").save(blank, format="PNG")
    body, codec = encode_body(blank.getvalue())
    (image_url,) = expected["image_urls"]
    with db.conn:
        old = db.execute("select * from captures where url = ?", [image_url]).fetchone()
        columns = [d[0] for d in db.execute("select * from captures limit 0").description]
        row = dict(zip(columns, old, strict=True))
        row.update(id=None, body=body, body_codec=codec, sha256=sha256(blank.getvalue()))
        row["fetched_at"] = "2099-01-01T00:00:00Z"
        new_id = db["captures"].insert(row).last_pk
        db.execute("update documents set latest_capture_id = ? where url = ?", [new_id, image_url])
    again = rebuild(db_path, progress=False)
    assert again.parsed == 1 and again.families_skipped == 0
    after = db.execute(
        "select count(*) from statistics where report_id = ? and table_name = 'table3'", [report_id]
    ).fetchone()[0]
    assert after == 0
    assert rebuild(db_path, progress=False).parsed == 0  # nothing changed since: nothing parsed
