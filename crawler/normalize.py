"""`nianbao normalize`: re-derive reports, sections, statistics and checks from the archived raw captures.

Each report is written in one transaction (delete its old rows, insert the new ones), so Datasette readers
never see half a report, a kill mid-way loses nothing, and a second run writes the same rows again.
A report's id is its source capture's id, so links into Datasette survive a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from tqdm import tqdm

from crawler.parse import ParsedReport, ReportHints, parse_bytes
from crawler.search import build_search_index, snapshot_search_text
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
select c.id, c.url, c.final_url, c.content_type, c.kind, c.site_id, c.agency_id,
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
        "agency": row["agency_name"]
        or report.agency,  # the registry's name wins; the page's stays in `title`
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
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "table_is_image": int(report.table_is_image),
        "content_hash": digest,
        "checks_failed": sum(1 for c in report.checks if not c.ok),
        "applications_received": received if isinstance(received, int | float) else None,
        "text": report.text,
        "search_text": None,  # segmented in bulk by crawler.search.build_search_index
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


def _insert(
    conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]], *, replace: bool = False
) -> None:
    """Plain executemany: sqlite-utils' inserts commit on their own, which would split a report's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    verb = "insert or replace" if replace else "insert"
    conn.executemany(
        f"{verb} into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[r[c] for c in columns] for r in rows],
    )


def _delete_children(conn: sqlite3.Connection, report_id: int) -> None:
    for table in ("checks", "statistics", "sections"):
        conn.execute(f"delete from {table} where report_id = ?", [report_id])


def write_report(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    report: ParsedReport,
    version: int,
    digest: str,
    *,
    is_latest: bool,
) -> None:
    """Replace one report and everything hanging from it in a single transaction."""
    report_id = row["id"]
    with db.conn as conn:
        _delete_children(conn, report_id)
        _insert(
            conn,
            "reports",
            [{**_report_row(row, report, version, digest), "is_latest": int(is_latest)}],
            replace=True,
        )
        _insert(
            conn,
            "sections",
            [{"report_id": report_id, "no": s.no, "title": s.title, "text": s.text} for s in report.sections],
        )
        _insert(conn, "statistics", list(_statistics_rows(report_id, report)))
        _insert(
            conn,
            "checks",
            [
                {
                    "report_id": report_id,
                    "seq": seq,
                    "rule": c.rule,
                    "ok": int(c.ok),
                    "detail": c.detail,
                    "cells": json.dumps(c.cells, ensure_ascii=False),
                }
                for seq, c in enumerate(report.checks)
            ],
        )


def _delete_report(db: sqlite_utils.Database, report_id: int) -> None:
    with db.conn as conn:
        _delete_children(conn, report_id)
        conn.execute("delete from reports where id = ?", [report_id])


def _richness(report: ParsedReport) -> tuple[int, int, int]:
    status_rank = {"ok": 2, "partial": 1}.get(report.parse_status, 0)
    return (len(report.cells), status_rank, len(report.text))


def _versions(ids: list[int], digests: dict[int, str], result: RebuildResult) -> dict[int, int]:
    """Number the distinct contents of one document in fetch order; an unchanged re-capture is no version."""
    versions: dict[int, int] = {}
    version, last_digest = 0, None
    for capture_id in ids:
        if digests[capture_id] == last_digest:
            result.versions_skipped += 1
            continue
        version += 1
        last_digest = digests[capture_id]
        versions[capture_id] = version
    return versions


def _derive_family(
    db: sqlite_utils.Database, rows: list[dict[str, Any]], result: RebuildResult
) -> dict[int, int]:
    """Parse a report page and its attachments (every capture of each), write the reports, return kept ids."""
    bodies = {
        r["id"]: (r["body"], r["body_codec"])
        for r in db.query(
            f"select id, body, body_codec from captures where id in ({', '.join('?' for _ in rows)})",
            [r["id"] for r in rows],
        )
    }
    parsed: dict[int, ParsedReport] = {}
    digests: dict[int, str] = {}
    by_document: dict[str, list[int]] = {}
    for row in rows:
        parsed[row["id"]] = report = _parse(
            {**row, "body": bodies[row["id"]][0], "body_codec": bodies[row["id"]][1]}
        )
        digests[row["id"]] = content_hash(report)
        by_document.setdefault(row["document_url"] or row["url"], []).append(row["id"])
    keep: dict[int, int] = {}
    for ids in by_document.values():
        keep.update(_versions(ids, digests, result))
    # A report published both as a page and as an attachment: keep the fuller form only.
    latest = {
        doc: max((i for i in ids if i in keep), key=keep.__getitem__)
        for doc, ids in by_document.items()
        if any(i in keep for i in ids)
    }
    rows_by_id = {r["id"]: r for r in rows}
    for doc, capture_id in list(latest.items()):
        parent = rows_by_id[capture_id]["parent_url"]
        if parent and parent in latest and doc in latest:
            fuller_is_attachment = _richness(parsed[capture_id]) > _richness(parsed[latest[parent]])
            loser = parent if fuller_is_attachment else doc
            for i in by_document[loser]:
                if keep.pop(i, None) is not None:
                    result.superseded += 1
            latest.pop(loser)
    for capture_id, version in keep.items():
        report = parsed[capture_id]
        is_latest = (
            latest.get(rows_by_id[capture_id]["document_url"] or rows_by_id[capture_id]["url"]) == capture_id
        )
        write_report(db, rows_by_id[capture_id], report, version, digests[capture_id], is_latest=is_latest)
        result.reports += 1
        result.statuses[report.parse_status] = result.statuses.get(report.parse_status, 0) + 1
        result.checks_failed += sum(1 for c in report.checks if not c.ok)
    return keep


def rebuild(db_path: str | Path, *, progress: bool = True) -> RebuildResult:
    """Derive every report from the archive; idempotent, resumable, one transaction per report.

    Captures are read family by family (a report page with its attachments), so memory stays bounded by the
    largest family, not the archive.
    """
    started = time.monotonic()
    db = connect(db_path)
    result = RebuildResult()
    reuse = snapshot_search_text(db)  # segmentation of unchanged reports is reused, not redone
    families: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(CANDIDATES_SQL):
        row = dict(row)
        families.setdefault(row["parent_url"] or row["document_url"] or row["url"], []).append(row)
        result.captures += 1
    show = progress and sys.stderr.isatty()
    kept: set[int] = set()
    with tqdm(total=result.captures, unit="capture", disable=not show, desc="normalize") as bar:
        for rows in families.values():
            kept.update(_derive_family(db, rows, result))
            bar.update(len(rows))
    stale = [r["id"] for r in db.query("select id from reports")]
    for report_id in stale:
        if report_id not in kept:
            _delete_report(db, report_id)

    build_search_index(db, reuse=reuse)
    result.seconds = time.monotonic() - started
    return result
