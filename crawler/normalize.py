"""`nianbao normalize`: derive reports, sections, statistics and checks from the archived raw captures.

Incremental: captures are grouped into families (a report page with its attachments); a family is parsed
again only when one of its captures is new, any input of its derivation changed (body, the page's archived
table images, document metadata, agency, site — fingerprinted in ``normalize_state``), or it was derived by an older ``PARSER_VERSION``.
``--full`` derives every family. Both write the same rows: a family's rows depend on its own captures only.
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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import sqlite_utils
from tqdm import tqdm

from crawler.deadlines import report_columns
from crawler.parse import PARSER_VERSION, ParsedReport, ReportHints, parse_bytes
from crawler.parse.sandbox import parse_in_sandbox
from crawler.search import (
    analyze,
    body_key,
    create_fts,
    create_serving_indexes,
    index_pending,
    refill_fts,
    unindex_report,
)
from crawler.store.bodies import decode_body
from crawler.store.schema import connect
from crawler.summary import refresh_summary

CANDIDATE_CAPTURES = "c.kind in ('report', 'attachment') and c.failure_kind is null and c.status = 200"
CANDIDATES_SQL = f"""
with candidates as (
    -- the document a capture belongs to: by its latest capture (redirected downloads), else by URL
    select c.*, coalesce(
        (select d.id from documents d where d.latest_capture_id = c.id),
        (select d.id from documents d where d.url = c.url),
        (select d.id from documents d where d.url = c.final_url)
    ) as document_id
    from captures c
    where {CANDIDATE_CAPTURES}
)
select coalesce(nullif(d.parent_url, ''), nullif(d.url, ''), c.url) as family,
       c.id, c.url, c.final_url, c.content_type, c.kind, c.site_id, c.agency_id,
       c.link_text, c.fetched_at, c.sha256,
       d.url as document_url, d.parent_url, d.title as document_title, d.listed_date, d.year as document_year,
       a.name as agency_name,
       s.province, s.city, s.district, s.region_code,
       case when d.kind = 'page' then (
           -- the page's table images (crawler/crawl/images.py): 'url sha256' lines, part of the input hash
           select group_concat(image, char(10)) from (
               select ic.url || ' ' || ic.sha256 as image
               from documents di join captures ic on ic.id = di.latest_capture_id
               where di.parent_url = d.url and di.kind = 'image' and ic.status = 200 and ic.failure_kind is null
               order by ic.url)
       ) end as images
from candidates c
left join documents d on d.id = c.document_id
left join agencies a on a.id = c.agency_id
left join sites s on s.id = c.site_id
order by family, coalesce(d.url, c.url), c.fetched_at, c.id
"""
# Ledger rows of captures that are no longer candidates (deleted by an operator): their reports must go.
VANISHED_SQL = f"""
select n.capture_id, n.family, n.report from normalize_state n
where not exists (select 1 from captures c where c.id = n.capture_id and {CANDIDATE_CAPTURES})
"""
INDEX_EVERY = 2000  # segment and index written reports in batches of this many (bounded memory)
ANALYZE_SAMPLE = 1000  # rows per index ANALYZE samples after an incremental run that changed something


@dataclass
class RebuildResult:
    captures: int = 0
    reports: int = 0  # in the derived tier after the run
    parsed: int = 0  # captures parsed in this run
    families_skipped: int = 0  # families whose captures and parser version had not changed
    versions_skipped: int = 0  # re-captures whose content did not change
    superseded: int = 0  # page/attachment pairs where the other form was fuller
    statuses: dict[str, int] = field(default_factory=dict)
    checks_failed: int = 0
    seconds: float = 0.0
    touched: set[tuple[str | None, int | None]] = field(default_factory=set, repr=False)  # (agency, year)

    def line(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "none"
        return (
            f"normalize: {self.reports} reports from {self.captures} captures ({statuses}); "
            f"{self.checks_failed} failed checks; parsed {self.parsed} captures "
            f"({self.families_skipped} unchanged families skipped; among the parsed, {self.versions_skipped} "
            f"unchanged re-captures, {self.superseded} superseded forms); {self.seconds:.1f}s"
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


def _images(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, bytes] | None:
    """The archived table images of a report page, by absolute URL (the parser resolves each src to it)."""
    if not row.get("images"):
        return None
    found = {}
    for line in row["images"].splitlines():
        url, digest = line.rsplit(" ", 1)
        hit = db.execute(
            "select body, body_codec from captures where url = ? and sha256 = ? limit 1", [url, digest]
        ).fetchone()
        if hit:
            found[url] = decode_body(*hit)
    return found


def _parse(row: dict[str, Any], images: dict[str, bytes] | None = None) -> ParsedReport:
    data = decode_body(row["body"], row["body_codec"])
    filename = (row["final_url"] or row["url"]).rsplit("/", 1)[-1].split("?")[0]
    try:
        return parse_in_sandbox(
            data, filename=filename, content_type=row["content_type"], hints=_hints(row), images=images
        )
    except Exception as exc:  # the parser promises not to raise; a bug there must not stop the run
        report = parse_bytes(b"", filename="empty.txt", hints=_hints(row))
        report.parse_status = "failed"
        report.errors = [f"parser crashed: {type(exc).__name__}: {exc}"]
        return report


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
        **report_columns(report.year, report.publish_date, row["agency_name"] or report.agency, report.title),
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
        "search_text": None,  # segmented and indexed in batches by crawler.search.index_pending
        "parser_version": PARSER_VERSION,
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
            "ocr_confidence": c.confidence,
            "src_box": json.dumps([round(v, 5) for v in c.src_box]) if c.src_box else None,
            "src_url": c.src_url,
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
        unindex_report(conn, report_id)
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
        unindex_report(conn, report_id)
        _delete_children(conn, report_id)
        conn.execute("delete from reports where id = ?", [report_id])


def _richness(report: ParsedReport) -> tuple[int, int, int]:
    """How fully a form was read: cells, then status, then fewer warnings (assumptions the reader made).

    The text's length is no measure: a PDF's text carries page furniture an HTML page has not, so on a tie
    the page itself is kept (the attachment must be strictly fuller to replace it)."""
    status_rank = {"ok": 2, "partial": 1}.get(report.parse_status, 0)
    return (len(report.cells), status_rank, -len(report.warnings))


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
            {**row, "body": bodies[row["id"]][0], "body_codec": bodies[row["id"]][1]}, _images(db, row)
        )
        result.parsed += 1
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
    return keep


def input_hash(row: dict[str, Any]) -> str:
    """Fingerprint of everything a capture's derivation reads: its body (sha256), its page's table images
    (url + sha256) and the joined metadata. No images: the same hash as before images were archived."""
    payload = json.dumps(
        {k: v for k, v in row.items() if k != "family" and not (k == "images" and v is None)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _families(db: sqlite_utils.Database) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Candidate captures (metadata, no bodies), one family at a time."""
    for family, rows in groupby(db.query(CANDIDATES_SQL), key=lambda r: r["family"]):
        yield family, [dict(r) for r in rows]


def _ledger(db: sqlite_utils.Database) -> dict[int, tuple[str, str, int]]:
    """capture id -> (family, input hash, parser version) of the last derivation."""
    return {
        capture_id: (family, digest, version)
        for capture_id, family, digest, version in db.execute(
            "select capture_id, family, input_hash, parser_version from normalize_state"
        )
    }


def _dirty_families(db: sqlite_utils.Database, full: bool, result: RebuildResult) -> tuple[set[str], int]:
    """The families to derive again and how many captures they hold (first pass: metadata only)."""
    ledger = {} if full else _ledger(db)
    dirty: set[str] = set()
    sizes: dict[str, int] = {}
    for family, rows in _families(db):
        sizes[family] = len(rows)
        for row in rows:
            done = ledger.get(row["id"])
            if done != (family, input_hash(row), PARSER_VERSION):
                dirty.add(family)
                if done is not None:
                    dirty.add(done[0])  # the capture moved: the family it left changes too
    for _, family, _ in db.execute(VANISHED_SQL).fetchall():
        dirty.add(family)
    result.captures = sum(sizes.values())
    result.families_skipped = len(sizes.keys() - dirty)
    return dirty, sum(size for family, size in sizes.items() if family in dirty)


def _reusable_segmentation(db: sqlite_utils.Database, ids: Iterable[int]) -> dict[str, str]:
    marks = list(ids)
    rows = db.execute(
        f"select title, text, search_text from reports where search_text is not null and id in "
        f"({', '.join('?' for _ in marks)})",
        marks,
    )
    return {body_key(title, text): segmented for title, text, segmented in rows}


def _rederive(
    db: sqlite_utils.Database, family: str, rows: list[dict[str, Any]], result: RebuildResult, reuse: dict
) -> int:
    """Derive one family again, drop the reports it no longer yields, record it in the ledger."""
    members = [r["id"] for r in rows]
    marks = ", ".join("?" for _ in members)
    before = {
        capture_id
        for (capture_id,) in db.execute(
            f"select capture_id from normalize_state where report = 1 and (family = ? or capture_id in ({marks}))",
            [family, *members],
        )
    }
    reuse.update(_reusable_segmentation(db, {*before, *members}))
    result.touched |= _scope(db, {*before, *members})
    keep = _derive_family(db, rows, result)
    result.touched |= _scope(db, keep)
    for report_id in before - set(keep):
        _delete_report(db, report_id)
    with db.conn as conn:
        conn.execute(
            f"delete from normalize_state where family = ? or capture_id in ({marks})", [family, *members]
        )
        conn.executemany(
            "insert into normalize_state (capture_id, family, input_hash, parser_version, report) "
            "values (?, ?, ?, ?, ?)",
            [(r["id"], family, input_hash(r), PARSER_VERSION, int(r["id"] in keep)) for r in rows],
        )
    return len(keep)


def _scope(db: sqlite_utils.Database, ids: Iterable[int]) -> set[tuple[str | None, int | None]]:
    """The (agency, year) pairs of these reports: the summary rows a change to them touches."""
    marks = list(ids)
    return set(
        db.execute(
            f"select agency_id, year from reports where id in ({', '.join('?' for _ in marks)})", marks
        )
    )


def _drop_vanished(db: sqlite_utils.Database, result: RebuildResult) -> None:
    """Reports and ledger rows of captures that are no longer candidates (their families were re-derived)."""
    for capture_id, _, report in db.execute(VANISHED_SQL).fetchall():
        if report:
            result.touched |= _scope(db, [capture_id])
            _delete_report(db, capture_id)
        with db.conn:
            db.execute("delete from normalize_state where capture_id = ?", [capture_id])


def _drop_unledgered_reports(db: sqlite_utils.Database, result: RebuildResult) -> None:
    """Reports no derivation accounts for (from before the ledger existed, or a killed run's leftovers)."""
    stale = db.execute(
        "select id from reports where id not in (select capture_id from normalize_state where report = 1)"
    ).fetchall()
    for (report_id,) in stale:
        result.touched |= _scope(db, [report_id])
        _delete_report(db, report_id)


def _refresh_summary(db: sqlite_utils.Database, full: bool, result: RebuildResult) -> None:
    """The league tables (crawler/summary.py): all rows after a full run, else only the touched agencies/years."""
    if full:
        refresh_summary(db)
    elif result.touched:
        agencies = {agency for agency, _ in result.touched if agency is not None}
        years = {year for _, year in result.touched if year is not None}
        refresh_summary(db, agencies, years)


def _totals(db: sqlite_utils.Database, result: RebuildResult) -> None:
    result.statuses = dict(db.execute("select parse_status, count(*) from reports group by parse_status"))
    result.reports = sum(result.statuses.values())
    result.checks_failed = db.execute("select count(*) from checks where ok = 0").fetchone()[0]


def rebuild(db_path: str | Path, *, full: bool = False, progress: bool = True) -> RebuildResult:
    """Derive the reports of every new or changed capture family (every family with ``full``).

    Idempotent and resumable: one transaction per report, then one per family for its ledger rows, so a
    family killed half-way is simply derived again by the next run. Captures are read family by family, so
    memory stays bounded by the largest family, not the archive. A first run on an archive without a
    ledger is a full run.
    """
    started = time.monotonic()
    db = connect(db_path)
    create_fts(db)
    index_pending(db)  # reports a killed run wrote but did not index yet
    full = full or db.execute("select count(*) from normalize_state").fetchone()[0] == 0
    result = RebuildResult()
    dirty, todo = _dirty_families(db, full, result)
    show = progress and sys.stderr.isatty()
    reuse: dict[str, str] = {}
    written = 0
    if dirty:
        with tqdm(total=todo, unit="capture", disable=not show, desc="normalize") as bar:
            for family, rows in _families(db):
                if family not in dirty:
                    continue
                written += _rederive(db, family, rows, result, reuse)
                bar.update(len(rows))
                if written >= INDEX_EVERY:
                    index_pending(db, reuse=reuse)
                    reuse.clear()
                    written = 0
        _drop_vanished(db, result)
    _drop_unledgered_reports(db, result)
    index_pending(db, reuse=reuse)
    if full:
        refill_fts(db)
    create_serving_indexes(db)
    _refresh_summary(db, full, result)
    if full or dirty:
        analyze(db, limit=0 if full else ANALYZE_SAMPLE)
    _totals(db, result)
    result.seconds = time.monotonic() - started
    return result
