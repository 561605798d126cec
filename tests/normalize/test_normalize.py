"""`nianbao normalize` over an archive built by hand from simulator documents: versions, page vs attachment,
bad captures, idempotence, and the rows a report leaves behind."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import crawler.normalize
from crawler.normalize import input_hash, rebuild
from crawler.parse import PARSER_VERSION
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect
from simulator.documents import district_reports, render_article_html, render_attachment_stub_html, render_pdf

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:9/xxgk/bmxxgkml/unit/xxgknb_12345/"
DERIVED = (
    "reports",
    "sections",
    "statistics",
    "checks",
    "normalize_state",
    "agency_year_stats",
    "agency_stats",
)


def _truth(key: str):
    return next(t for t in district_reports() if f"{t.agency_slug}-{t.year}" == key)


def _capture(
    db,
    url: str,
    body: bytes,
    *,
    kind: str = "report",
    at: str = "2025-02-01T00:00:00Z",
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
) -> int:
    record = CaptureRecord(
        url=url,
        final_url=url,
        method="GET",
        status=status,
        headers={},
        fetched_at=at,
        body=body,
        content_type=content_type,
        kind=kind,
        site_id="spt",
        agency_id="spt/unit",
    )
    return write_capture(db, record)[0]


def _document(
    db, url: str, *, kind: str = "page", parent: str | None = None, year: int | None = None
) -> None:
    db["documents"].insert(
        {
            "url": url,
            "site_id": "spt",
            "agency_id": "spt/unit",
            "kind": kind,
            "parent_url": parent,
            "year": year,
            "versions": 1,
        }
    )


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "archive.db"
    db = connect(path)
    db["sites"].insert(
        {
            "id": "spt",
            "name": "中卫市沙坡头区人民政府",
            "province": "宁夏回族自治区",
            "city": "中卫市",
            "district": "沙坡头区",
            "region_code": "640502",
            "cms": "trs",
        }
    )
    db["agencies"].insert({"id": "spt/unit", "site_id": "spt", "name": "沙坡头区政务服务中心"})
    return path, db


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every derived row, and every (term, report, column, offset) entry of the search index."""
    conn = sqlite3.connect(path)
    try:
        dump = {t: conn.execute(f"select * from {t} order by 1, 2, 3").fetchall() for t in DERIVED}
        conn.execute("create virtual table temp.fts_entries using fts5vocab(main, reports_fts, instance)")
        dump["reports_fts"] = conn.execute("select * from temp.fts_entries order by 1, 2, 3, 4").fetchall()
        return dump
    finally:
        conn.close()


def test_edit_makes_a_second_version_and_chrome_noise_does_not(archive):
    path, db = archive
    truth = _truth("sptqzwfwzx-2023")
    url = BASE + "202401/t20240125_1.html"
    _document(db, url, year=2023)
    original = render_article_html(truth)
    first = _capture(db, url, original, at="2025-02-01T00:00:00Z")
    # the same report with a different visit counter in the page chrome: bytes differ, content does not
    noisy = _capture(
        db, url, original.replace(b"</body>", b"<!-- visits: 1234 --></body>"), at="2025-02-02T00:00:00Z"
    )
    truth.sections[0] = (truth.sections[0][0], truth.sections[0][1], truth.sections[0][2] + "（更正）")
    edited = _capture(db, url, render_article_html(truth), at="2025-03-01T00:00:00Z")

    result = rebuild(path, progress=False)

    rows = {r["id"]: r for r in db.query("select id, version, is_latest from reports")}
    assert set(rows) == {first, edited} and noisy not in rows
    assert (rows[first]["version"], rows[first]["is_latest"]) == (1, 0)
    assert (rows[edited]["version"], rows[edited]["is_latest"]) == (2, 1)
    assert result.versions_skipped == 1


def test_attachment_only_report_replaces_its_stub_page(archive):
    path, db = archive
    truth = _truth("sptqjyj-2023")
    page = BASE + "202401/t20240129_2.html"
    pdf = BASE + "202401/P020240129000000000001.pdf"
    _document(db, page, year=2023)
    _document(db, pdf, kind="attachment", parent=page, year=2023)
    _capture(db, page, render_attachment_stub_html(truth, "./P020240129000000000001.pdf", "trs"))
    pdf_id = _capture(db, pdf, render_pdf(truth), kind="attachment", content_type="application/pdf")

    result = rebuild(path, progress=False)

    reports = list(db.query("select id, source_format, parse_status, year from reports"))
    assert [(r["id"], r["source_format"], r["year"]) for r in reports] == [(pdf_id, "pdf", 2023)]
    assert result.superseded == 1
    received = db.execute(
        "select value from statistics where report_id = ? and table_name = 'table3' and "
        "row_code = 'new_received' and col_code = 'total'",
        [pdf_id],
    ).fetchone()[0]
    assert received == truth.table3["new_received"]["total"]


def test_a_bad_capture_is_a_failed_report_not_a_crash(archive):
    path, db = archive
    good = _capture(db, BASE + "good.html", render_article_html(_truth("sptqzwfwzx-2022")))
    bad = _capture(db, BASE + "bad.pdf", b"%PDF-1.7\n garbage", content_type="application/pdf")
    rebuild(path, progress=False)
    statuses = dict(db.execute("select id, parse_status from reports").fetchall())
    assert statuses[good] == "ok" and statuses[bad] == "failed"
    errors = db.execute("select errors from reports where id = ?", [bad]).fetchone()[0]
    assert errors and errors != "[]"


def test_failed_downloads_and_listings_are_not_reports(archive):
    path, db = archive
    _capture(db, BASE + "index.html", b"<html>listing</html>", kind="listing")
    _capture(db, BASE + "waf.html", b"<script>$_ts=1</script>", status=412)
    rebuild(path, progress=False)
    assert db.execute("select count(*) from reports").fetchone()[0] == 0


def test_rebuild_is_idempotent_and_leaves_consistent_rows(archive):
    path, db = archive
    for key in ("sptqzwfwzx-2024", "sptqjyj-2022", "bhzrmzf-2022"):
        truth = _truth(key)
        _capture(db, BASE + f"{key}.html", render_article_html(truth))
    rebuild(path, progress=False)
    first = _dump(path)
    rebuild(path, progress=False)
    assert _dump(path) == first
    assert len(first["reports"]) == 3
    orphans = db.execute("select count(*) from statistics where report_id not in (select id from reports)")
    assert orphans.fetchone()[0] == 0
    failed = {r[0] for r in db.execute("select rule from checks where ok = 0")}
    assert "table3.balance" in failed  # sptqjyj-2022 is off by one on purpose


def test_normalize_command_prints_one_summary_line(archive):
    path, db = archive
    _capture(db, BASE + "a.html", render_article_html(_truth("sptqzwfwzx-2024")))
    db.conn.close()
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "normalize", "--db", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("normalize: 1 reports from 1 captures (ok 1)")


def test_a_page_title_never_overrides_the_registry_agency(archive):
    """A crawled page that names another agency in its title: the registry's name is the report's agency;
    the page's own title is kept as the report title."""
    path, db = archive
    truth = _truth("sptqzwfwzx-2023")
    url = BASE + "202401/t20240125_9.html"
    _document(db, url, year=2023)
    page = render_article_html(truth).decode("utf-8").replace(truth.agency, "中卫市公安局")
    _capture(db, url, page.encode("utf-8"))

    rebuild(path, progress=False)

    (agency, title) = db.execute("select agency, title from reports").fetchone()
    assert agency == "沙坡头区政务服务中心" and "中卫市公安局" in title


def _full_rebuild_of_a_copy(path: Path, tmp_path: Path, name: str) -> dict[str, list[tuple]]:
    copy = tmp_path / f"{name}.db"
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    source.backup(target)
    source.close(), target.close()
    rebuild(copy, full=True, progress=False)
    return _dump(copy)


def test_incremental_normalize_parses_only_what_changed_and_matches_a_full_rebuild(
    archive, tmp_path, monkeypatch
):
    path, db = archive
    page = BASE + "202401/t20240129_2.html"
    pdf = BASE + "202401/P020240129000000000001.pdf"
    _document(db, page, year=2023)
    _document(db, pdf, kind="attachment", parent=page, year=2023)
    _capture(db, page, render_attachment_stub_html(_truth("sptqjyj-2023"), "./P02.pdf", "trs"))
    _capture(db, pdf, render_pdf(_truth("sptqjyj-2023")), kind="attachment", content_type="application/pdf")
    for key in ("sptqzwfwzx-2024", "sptqjyj-2022"):
        _capture(db, BASE + f"{key}.html", render_article_html(_truth(key)))
    first = rebuild(path, progress=False)
    assert (first.parsed, first.reports) == (4, 3)

    # unchanged archive: nothing parsed, nothing written
    before = _dump(path)
    again = rebuild(path, progress=False)
    assert (again.parsed, again.families_skipped, again.reports) == (0, 3, 3)
    assert _dump(path) == before == _full_rebuild_of_a_copy(path, tmp_path, "unchanged")

    # a new capture: only its family is parsed
    new = _capture(db, BASE + "bhzrmzf-2022.html", render_article_html(_truth("bhzrmzf-2022")))
    added = rebuild(path, progress=False)
    assert (added.parsed, added.families_skipped, added.reports) == (1, 3, 4)
    assert (
        db.execute("select parser_version from reports where id = ?", [new]).fetchone()[0] == PARSER_VERSION
    )
    assert _dump(path) == _full_rebuild_of_a_copy(path, tmp_path, "added")

    # an edited version of a report: its family again, the old version kept as version 1
    truth = _truth("sptqzwfwzx-2024")
    truth.sections[0] = (truth.sections[0][0], truth.sections[0][1], truth.sections[0][2] + "（更正）")
    _capture(db, BASE + "sptqzwfwzx-2024.html", render_article_html(truth), at="2025-03-01T00:00:00Z")
    edited = rebuild(path, progress=False)
    assert (edited.parsed, edited.reports) == (2, 5)
    assert _dump(path) == _full_rebuild_of_a_copy(path, tmp_path, "edited")

    # document metadata the parser reads (the listing title) changed: that family only
    db.execute("update documents set title = '2023年报告' where url = ?", [page])
    db.conn.commit()
    retitled = rebuild(path, progress=False)
    assert retitled.parsed == 2 and retitled.families_skipped == 3
    assert _dump(path) == _full_rebuild_of_a_copy(path, tmp_path, "retitled")

    # a newer parser: every capture again, same rows as a full rebuild under the new version
    monkeypatch.setattr(crawler.normalize, "PARSER_VERSION", PARSER_VERSION + 1)
    bumped = rebuild(path, progress=False)
    assert (bumped.parsed, bumped.families_skipped) == (6, 0)
    assert {v for (v,) in db.execute("select distinct parser_version from reports")} == {PARSER_VERSION + 1}
    assert _dump(path) == _full_rebuild_of_a_copy(path, tmp_path, "bumped")

    # a capture removed by an operator (sqlite3 shell: foreign keys off) takes its report with it
    with sqlite3.connect(path) as shell:
        shell.execute("delete from captures where id = ?", [new])
    removed = rebuild(path, progress=False)
    assert removed.reports == 4 and new not in {r for (r,) in db.execute("select id from reports")}
    assert _dump(path) == _full_rebuild_of_a_copy(path, tmp_path, "removed")


def test_rebuild_fills_deadlines_and_the_agency_summary(archive):
    path, db = archive
    truth = _truth("sptqzwfwzx-2023")
    url = BASE + "202401/t20240125_1.html"
    _document(db, url, year=2023)
    report_id = _capture(db, url, render_article_html(truth))
    rebuild(path, progress=False)
    report = next(db.query("select * from reports where id = ?", [report_id]))
    # a department (政务服务中心) under the 2019 rules: due 31 January of the next year
    assert (report["year"], report["publisher_kind"], report["deadline"]) == (2023, "政府部门", "2024-01-31")
    assert report["deadline_rule"].startswith("2019年《条例》第四十九条第一款")
    stats = list(db.query("select * from agency_year_stats"))
    assert [(s["agency_id"], s["year"], s["report_id"], s["missing"]) for s in stats] == [
        ("spt/unit", 2023, report_id, 0)
    ]
    assert stats[0]["requests_received"] == report["applications_received"]
    assert [r["years_reported"] for r in db.query("select * from agency_stats")] == [1]


def test_input_hash_counts_a_pages_table_images_and_nothing_else_changes_without_them() -> None:
    """A page with no archived table images keeps the fingerprint it had before images were archived (no mass
    re-parse); with images, their url + sha256 are part of it (a changed image re-parses the page)."""
    row = {"family": "http://h/a.html", "id": 1, "url": "http://h/a.html", "sha256": "0" * 64}
    assert input_hash({**row, "images": None}) == input_hash(row)
    one = input_hash({**row, "images": "http://h/u/3.png " + "a" * 64})
    assert one != input_hash(row) and one != input_hash({**row, "images": "http://h/u/3.png " + "b" * 64})
