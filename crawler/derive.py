"""`nianbao normalize`: re-derive reports, sections, statistics and checks from the archived raw captures.

Each report is written in one transaction (delete its old rows, insert the new ones), so Datasette readers
never see half a report, a kill mid-way loses nothing, and a second run writes the same rows again.
A report's id is its source capture's id, so links into Datasette survive a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from tqdm import tqdm

from crawler.normalize import ParsedReport, ReportHints, parse_bytes
from crawler.store.bodies import decode_body
from crawler.store.schema import connect

CANDIDATES_SQL = """
with candidates as (
    -- the document a capture belongs to: by its latest capture (redirected downloads), else by URL
    select c.*, coalesce(
        (select d.id from documents d where d.latest_capture_id = c.id),
        (select d.id from documents d where d.url = c.url),
        (select d.id from documents d where d.url = c.final_url)
    ) as document_id
    from captures c
    where c.kind in ('report', 'attachment') and c.failure_kind is null and c.status = 200
)
select c.id, c.url, c.final_url, c.content_type, c.body, c.body_codec, c.kind, c.site_id, c.agency_id,
       c.link_text, c.fetched_at,
       d.url as document_url, d.parent_url, d.title as document_title, d.listed_date, d.year as document_year,
       a.name as agency_name,
       s.province, s.city, s.district, s.region_code
from candidates c
left join documents d on d.id = c.document_id
left join agencies a on a.id = c.agency_id
left join sites s on s.id = c.site_id
order by coalesce(d.url, c.url), c.fetched_at, c.id
"""


@dataclass
class RebuildResult:
    captures: int = 0
    reports: int = 0
    versions_skipped: int = 0  # re-captures whose content did not change
    superseded: int = 0  # page/attachment pairs where the other form was fuller
    statuses: dict[str, int] = field(default_factory=dict)
    checks_failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "none"
        return (
            f"normalize: {self.reports} reports from {self.captures} captures ({statuses}); "
            f"{self.checks_failed} failed checks; {self.versions_skipped} unchanged re-captures, "
            f"{self.superseded} superseded forms; {self.seconds:.1f}s"
        )


def content_hash(report: ParsedReport) -> str:
    """Hash of what the report says (text and numbers), blind to page chrome and byte-level noise."""
    payload = json.dumps(
        {
            "text": " ".join(report.text.split()),
            "cells": sorted((c.table, c.row_code, c.col_code, str(c.value)) for c in report.cells),
        },
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hints(row: dict[str, Any]) -> ReportHints:
    return ReportHints(
        year=row["document_year"],
        agency=row["agency_name"],
        title=row["document_title"] or row["link_text"],
        url=row["final_url"] or row["url"],
        publish_date=row["listed_date"],
    )


def _parse(row: dict[str, Any]) -> ParsedReport:
    data = decode_body(row["body"], row["body_codec"])
    filename = (row["final_url"] or row["url"]).rsplit("/", 1)[-1].split("?")[0]
    try:
        return parse_bytes(data, filename=filename, content_type=row["content_type"], hints=_hints(row))
    except Exception as exc:  # the parser promises not to raise; a bug there must not stop the run
        report = parse_bytes(b"", filename="empty.txt", hints=_hints(row))
        report.parse_status = "failed"
        report.errors = [f"parser crashed: {type(exc).__name__}: {exc}"]
        return report


def _published_late(year: int | None, publish_date: str | None) -> int | None:
    if not year or not publish_date:
        return None
    return int(publish_date[:10] > f"{year + 1}-01-31")


def _report_row(row: dict[str, Any], report: ParsedReport, version: int, digest: str) -> dict[str, Any]:
    from crawler.search import segment

    received = next(
        (
            c.value
            for c in report.cells
            if (c.table, c.row_code, c.col_code) == ("table3", "new_received", "total")
        ),
        None,
    )
    return {
        "id": row["id"],
        "capture_id": row["id"],
        "document_url": row["document_url"] or row["url"],
        "version": version,
        "is_latest": 0,
        "site_id": row["site_id"],
        "agency_id": row["agency_id"],
        "agency": report.agency or row["agency_name"],
        "province": row["province"],
        "city": row["city"],
        "district": row["district"],
        "region_code": row["region_code"],
        "year": report.year,
        "title": report.title,
        "publish_date": report.publish_date,
        "published_late": _published_late(report.year, report.publish_date),
        "source_url": row["final_url"] or row["url"],
        "source_format": report.source_format,
        "format": report.format,
        "parse_status": report.parse_status,
        "errors": json.dumps(report.errors, ensure_ascii=False),
        "content_hash": digest,
        "checks_failed": sum(1 for c in report.checks if not c.ok),
        "applications_received": received if isinstance(received, int | float) else None,
        "text": report.text,
        "search_text": segment(f"{report.title or ''} {report.text}"),
    }


def _statistics_rows(report_id: int, report: ParsedReport) -> Iterator[dict[str, Any]]:
    for c in report.cells:
        numeric = isinstance(c.value, int | float) and not isinstance(c.value, bool)
        yield {
            "report_id": report_id,
            "table_name": c.table,
            "row_code": c.row_code,
            "col_code": c.col_code,
            "value": c.value if numeric else None,
            "value_text": c.value_text,
            "row_label": c.row_label,
            "col_label": c.col_label,
            "blank": int(c.blank),
            "src_table": c.src_table,
            "src_row": c.src_row,
            "src_col": c.src_col,
            "src_page": c.src_page,
        }


def write_report(
    db: sqlite_utils.Database, row: dict[str, Any], report: ParsedReport, version: int, digest: str
) -> None:
    """Replace one report and everything hanging from it, atomically."""
    report_id = row["id"]
    with db.conn:
        for table in ("checks", "statistics", "sections"):
            db.execute(f"delete from {table} where report_id = ?", [report_id])
        db["reports"].insert(_report_row(row, report, version, digest), replace=True)
        db["sections"].insert_all(
            {"report_id": report_id, "no": s.no, "title": s.title, "text": s.text} for s in report.sections
        )
        db["statistics"].insert_all(_statistics_rows(report_id, report))
        db["checks"].insert_all(
            {
                "report_id": report_id,
                "rule": c.rule,
                "ok": int(c.ok),
                "detail": c.detail,
                "cells": json.dumps(c.cells, ensure_ascii=False),
            }
            for c in report.checks
        )


def _delete_report(db: sqlite_utils.Database, report_id: int) -> None:
    with db.conn:
        for table in ("checks", "statistics", "sections"):
            db.execute(f"delete from {table} where report_id = ?", [report_id])
        db.execute("delete from reports where id = ?", [report_id])


def _richness(report: ParsedReport) -> tuple[int, int, int]:
    status_rank = {"ok": 2, "partial": 1}.get(report.parse_status, 0)
    return (len(report.cells), status_rank, len(report.text))


def rebuild(db_path: str | Path, *, progress: bool = True) -> RebuildResult:
    """Derive every report from the archive; idempotent, resumable, one transaction per report."""
    started = time.monotonic()
    db = connect(db_path)
    result = RebuildResult()
    rows = [dict(r) for r in db.query(CANDIDATES_SQL)]
    result.captures = len(rows)
    show = progress and sys.stderr.isatty()
    bar = tqdm(total=len(rows), unit="capture", disable=not show, desc="normalize")

    parsed: dict[int, tuple[dict[str, Any], ParsedReport, str]] = {}
    for row in rows:
        report = _parse(row)
        parsed[row["id"]] = (row, report, content_hash(report))
        bar.update(1)
    bar.close()

    keep: dict[int, int] = {}  # capture id -> version
    by_document: dict[str, list[int]] = {}
    for capture_id, (row, _report, _digest) in parsed.items():
        by_document.setdefault(row["document_url"] or row["url"], []).append(capture_id)
    for ids in by_document.values():
        version, last_digest = 0, None
        for capture_id in ids:  # already in fetch order
            digest = parsed[capture_id][2]
            if digest == last_digest:
                result.versions_skipped += 1
                continue
            version += 1
            last_digest = digest
            keep[capture_id] = version

    # A report published both as a page and as an attachment: keep the fuller form only.
    latest_by_document = {
        doc: max((i for i in ids if i in keep), key=lambda i: keep[i])
        for doc, ids in by_document.items()
        if any(i in keep for i in ids)
    }
    for doc, capture_id in latest_by_document.items():
        row = parsed[capture_id][0]
        parent = row["parent_url"]
        if parent and parent in latest_by_document:
            page_id = latest_by_document[parent]
            loser = doc if _richness(parsed[capture_id][1]) <= _richness(parsed[page_id][1]) else parent
            for i in by_document[loser]:
                if keep.pop(i, None) is not None:
                    result.superseded += 1

    existing = {r["id"] for r in db.query("select id from reports")}
    for capture_id in sorted(existing - keep.keys()):
        _delete_report(db, capture_id)
    for capture_id, version in keep.items():
        row, report, digest = parsed[capture_id]
        write_report(db, row, report, version, digest)
        result.reports += 1
        result.statuses[report.parse_status] = result.statuses.get(report.parse_status, 0) + 1
        result.checks_failed += sum(1 for c in report.checks if not c.ok)
    with db.conn:
        db.execute("update reports set is_latest = 0")
        db.execute(
            "update reports set is_latest = 1 where id in "
            "(select id from reports r where version = (select max(version) from reports r2 "
            "where r2.document_url = r.document_url))"
        )

    from crawler.search import build_search_index

    build_search_index(db)
    result.seconds = time.monotonic() - started
    return result
