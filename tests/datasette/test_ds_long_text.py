"""A report whose text is longer than one value the public server will return (1 MB, ~350,000 Chinese
characters): the parser stores its first MAX_STORED_TEXT_CHARS with a warning, and a real Datasette serves its
reports row on the table, row and JSON pages without the guard's "value too big" error.

The page is invented: a report title, section 一 and about 400,000 characters of repeated real-looking prose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from ds_server import Served, start_datasette, stop_datasette

from crawler.normalize import rebuild
from crawler.parse import parse_bytes
from crawler.parse.limits import MAX_STORED_TEXT_CHARS
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect

URL = "http://127.0.0.1:9/xxgk/xxgknb/t20250120_1.html"  # invented
TITLE = "某某区人民政府2024年政府信息公开工作年度报告"  # invented
LINE = "本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。"  # 40 characters
PARAGRAPHS = 10_000  # 400,000 characters of text: ~1.2 MB of UTF-8, over the guard's 1 MB per value


def _long_page() -> bytes:
    body = "".join(f"<p>{LINE}</p>\n" for _ in range(PARAGRAPHS))
    html = f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1><p>一、总体情况</p>\n{body}</body></html>"
    return html.encode("utf-8")


def test_long_text_is_cut_with_a_warning() -> None:
    report = parse_bytes(_long_page(), filename="t.html", content_type="text/html; charset=utf-8")
    assert len(LINE) * PARAGRAPHS > MAX_STORED_TEXT_CHARS
    assert len(report.text) == MAX_STORED_TEXT_CHARS
    assert len(report.text.encode("utf-8")) < 1024 * 1024
    assert any(w.startswith(f"text cut at {MAX_STORED_TEXT_CHARS:,} of ") for w in report.warnings)
    assert all(len(s.text) <= MAX_STORED_TEXT_CHARS for s in report.sections)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("longtext") / "archive.db"
    db = connect(path)
    db["sites"].insert({"id": "mm", "name": "某某区人民政府", "province": "某省", "cms": "static"})
    db["agencies"].insert({"id": "mm/szf", "site_id": "mm", "name": "某某区人民政府"})
    db["documents"].insert(
        {"url": URL, "site_id": "mm", "agency_id": "mm/szf", "kind": "page", "title": TITLE, "year": 2024}
    )
    record = CaptureRecord(
        url=URL,
        final_url=URL,
        method="GET",
        status=200,
        headers={},
        fetched_at="2025-01-20T08:00:00Z",
        body=_long_page(),
        content_type="text/html; charset=utf-8",
        kind="report",
        site_id="mm",
        agency_id="mm/szf",
    )
    write_capture(db, record)
    db.conn.commit()
    rebuild(path, progress=False)
    proc, base = start_datasette(path)
    try:
        yield Served(base, "archive")
    finally:
        stop_datasette(proc)


def test_the_reports_row_is_served_without_the_guard_error(served: Served) -> None:
    rows = served.json("/archive/reports.json", _shape="array", _col="text")
    assert len(rows) == 1
    report_id, text = rows[0]["id"], rows[0]["text"]
    assert len(text) == MAX_STORED_TEXT_CHARS
    warnings = served.json("/archive/reports.json", _shape="array", _col="warnings")[0]["warnings"]
    assert any(w.startswith("text cut at") for w in json.loads(warnings))
    for path in ("/archive/reports", f"/archive/reports/{report_id}"):
        status, _, page = served.get(path)
        assert status == 200, page[:500]
        assert "值过大" not in page and "over the 1 MB limit" not in page
        assert TITLE in page
