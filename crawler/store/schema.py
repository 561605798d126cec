"""archive.db schema: creates and migrates every table, index and view, in WAL mode.

Two tiers live in one SQLite file:

* the **raw tier** — what the crawler saw: ``sites``, ``agencies``, ``crawl_runs``, ``fetches``,
  ``captures``, ``documents``, ``crawl_events``. Never rewritten by ``nianbao normalize``.
* the **derived tier** — what the normalizer made of it: ``reports``, ``sections``, ``statistics``,
  ``checks``, ``reports_fts``, and ``normalize_state`` (what was derived from which capture, by which parser
  version). Dropped and rebuilt from the raw tier at will.

Migrations are numbered functions applied in order; ``PRAGMA user_version`` records the last one.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from crawler.store.files import sqlite_uri

DERIVED_TABLES = ("checks", "statistics", "sections", "reports")


def _v1_raw_tier(db: sqlite_utils.Database) -> None:
    db["sites"].create(
        {
            "id": str,  # registry id, e.g. "ningxia-zhongwei-shapotou"
            "name": str,  # 沙坡头区人民政府
            "province": str,
            "city": str,
            "district": str,
            "region_code": str,  # 6-digit administrative division code
            "portal_url": str,
            "cms": str,  # trs | hanweb | ucap | gkmlpt | static | ...
            "verified": int,  # 1 when the entry was checked against the live site
            "config": str,  # JSON: the registry entry as loaded
        },
        pk="id",
        not_null={"name"},
    )
    db["agencies"].create(
        {
            "id": str,  # "<site id>/<agency slug>"
            "site_id": str,
            "name": str,
            "column_url": str,  # the 政府信息公开年报 column, as configured or discovered
            "cms": str,
            "discovered_at": str,
        },
        pk="id",
        foreign_keys=[("site_id", "sites", "id")],
        not_null={"site_id", "name"},
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "site_id": str,
            "started_at": str,
            "ended_at": str,
            "status": str,  # running | ok | warning | failed
            "requests": int,
            "bytes": int,
            "new_reports": int,
            "changed_reports": int,
            "unchanged_reports": int,
            "errors": str,  # JSON object: failure kind -> count
            "blocked": int,  # requests refused by anti-bot / WAF
            "warnings": str,  # JSON list of silent-failure warnings
            "host": str,  # machine that ran it
        },
        pk="id",
        foreign_keys=[("site_id", "sites", "id")],
    )
    db["captures"].create(
        {
            "id": int,
            "url": str,  # requested URL
            "final_url": str,  # after redirects
            "method": str,
            "status": int,
            "headers": str,  # JSON object of response headers
            "fetched_at": str,  # ISO 8601 UTC
            "sha256": str,  # of the body as received (decoded transfer encoding)
            "content_type": str,
            "size": int,  # body length in bytes
            "body": bytes,
            "body_codec": str,  # identity | zlib — how `body` is stored
            "kind": str,  # listing | report | attachment | discovery | robots | other
            "failure_kind": str,  # NULL when fine; else waf | http_404 | soft_404 | oversized | ...
            "site_id": str,
            "agency_id": str,
            "run_id": int,
            "referer": str,
            "link_text": str,  # the anchor text that led here (listing title)
        },
        pk="id",
        foreign_keys=[
            ("site_id", "sites", "id"),
            ("agency_id", "agencies", "id"),
            ("run_id", "crawl_runs", "id"),
        ],
        not_null={"url", "fetched_at", "sha256"},
    )
    # One capture per distinct body of a URL: a re-fetch of identical bytes is a fetch, not a capture.
    db["captures"].create_index(["url", "sha256"], unique=True)
    db["captures"].create_index(["kind"])
    db["captures"].create_index(["site_id", "agency_id"])
    db["fetches"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "fetched_at": str,
            "status": int,
            "bytes": int,
            "capture_id": int,  # NULL for 304 / failures without a body
            "failure_kind": str,
            "conditional": int,  # 1 when sent with If-None-Match / If-Modified-Since
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id"), ("capture_id", "captures", "id")],
    )
    db["fetches"].create_index(["run_id"])
    db["documents"].create(
        {
            "id": int,
            "url": str,  # canonical URL (tracking parameters stripped)
            "site_id": str,
            "agency_id": str,
            "kind": str,  # page | attachment
            "parent_url": str,  # for an attachment: the article page it hangs from
            "title": str,
            "listed_date": str,
            "year": int,  # year covered, from the title
            "first_seen": str,
            "last_checked": str,
            "next_check": str,  # revalidation due date
            "etag": str,
            "last_modified": str,
            "latest_capture_id": int,
            "content_hash": str,  # hash of the normalized text of the latest capture
            "versions": int,
        },
        pk="id",
        foreign_keys=[("site_id", "sites", "id"), ("agency_id", "agencies", "id")],
    )
    db["documents"].create_index(["url"], unique=True)
    db["crawl_events"].create(
        {
            "id": int,
            "run_id": int,
            "site_id": str,
            "url": str,
            "kind": str,  # failure kind or warning kind
            "detail": str,
            "capture_id": int,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db["crawl_events"].create_index(["run_id", "kind"])


def _v2_derived_tier(db: sqlite_utils.Database) -> None:
    create_derived(db)


def create_derived(db: sqlite_utils.Database) -> None:
    """Create the derived tables (used by migrations and by `nianbao normalize` after a drop)."""
    db["reports"].create(
        {
            "id": int,  # = the source capture id, so links survive a rebuild
            "capture_id": int,
            "document_url": str,
            "version": int,  # 1 for the first content seen at this URL, 2 after an edit, ...
            "is_latest": int,
            "site_id": str,
            "agency_id": str,
            "agency": str,
            "province": str,
            "city": str,
            "district": str,
            "region_code": str,
            "year": int,
            "title": str,
            "publish_date": str,
            "published_late": int,  # 1 when published after the legal deadline (crawler/deadlines.py)
            "source_url": str,
            "source_format": str,  # html | text | pdf | docx | doc
            "format": str,  # 2021 | 2019 | other
            "parse_status": str,  # ok | partial | failed | needs_ocr
            "errors": str,  # JSON list
            "content_hash": str,
            "checks_failed": int,
            "applications_received": int,  # table3 new_received.total, for sorting and charts
            "text": str,
            "search_text": str,  # jieba-segmented title + text, indexed by reports_fts
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("site_id", "sites", "id")],
    )
    db["reports"].create_index(["agency_id", "year"])
    db["reports"].create_index(["region_code", "year"])
    db["reports"].create_index(["year"])
    db["reports"].create_index(["document_url"])
    db["sections"].create(
        {"report_id": int, "no": int, "title": str, "text": str},
        pk=("report_id", "no"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["statistics"].create(
        {
            "report_id": int,
            "table_name": str,  # table2 | table3 | table4
            "row_code": str,  # codes of report-json.md, e.g. new_received
            "col_code": str,  # e.g. natural_person
            "value": float,
            "value_text": str,  # as printed
            "row_label": str,  # original label
            "col_label": str,
            "blank": int,  # 1 when the cell was blank / - / 无
            "src_table": int,  # provenance: table index in the source
            "src_row": int,
            "src_col": int,
            "src_page": int,  # PDF page, when applicable
        },
        pk=("report_id", "table_name", "row_code", "col_code"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["statistics"].create_index(["table_name", "row_code", "col_code"])
    db["checks"].create(
        {"id": int, "report_id": int, "rule": str, "ok": int, "detail": str, "cells": str},
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["checks"].create_index(["report_id"])
    db["checks"].create_index(["rule", "ok"])


def _v3_crawl_health(db: sqlite_utils.Database) -> None:
    """Crawler bookkeeping: report links listed per run (for drop detection) and the site_health view."""
    db["crawl_runs"].add_column("reports_listed", int)
    db.execute(
        """CREATE VIEW IF NOT EXISTS site_health AS
        WITH last AS (
            SELECT r.* FROM crawl_runs r
            WHERE r.id = (SELECT MAX(id) FROM crawl_runs r2 WHERE r2.site_id = r.site_id)
        )
        SELECT s.id AS site_id, s.name AS site_name, s.region_code, s.cms,
               last.id AS last_run_id, last.started_at AS last_run_at, last.status AS last_status,
               last.requests AS last_requests, last.new_reports AS last_new_reports,
               last.errors AS last_errors, last.blocked AS last_blocked, last.warnings AS last_warnings,
               (SELECT MAX(ended_at) FROM crawl_runs r3 WHERE r3.site_id = s.id AND r3.status = 'ok')
                   AS last_ok_at,
               (SELECT COUNT(*) FROM documents d WHERE d.site_id = s.id) AS documents,
               (SELECT MAX(year) FROM documents d WHERE d.site_id = s.id) AS latest_report_year,
               CASE WHEN last.id IS NULL THEN 'never crawled'
                    WHEN last.status IN ('failed', 'warning') THEN last.status
                    WHEN COALESCE(last.blocked, 0) > 0 THEN 'blocked'
                    ELSE 'ok' END AS health,
               CASE WHEN last.id IS NULL OR last.status IN ('failed', 'warning')
                         OR COALESCE(last.blocked, 0) > 0 THEN 1 ELSE 0 END AS needs_attention
        FROM sites s LEFT JOIN last ON last.site_id = s.id"""
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1_raw_tier, _v2_derived_tier]
MIGRATIONS.append(_v3_crawl_health)  # crawler helper: crawl_runs.reports_listed + site_health view


def _v4_crawl_lookups(db: sqlite_utils.Database) -> None:
    """Indexes for the crawler's per-site state load (last full fetch of a URL, redirects of a site)."""
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["captures"].create_index(["site_id", "status"], if_not_exists=True)


MIGRATIONS.append(_v4_crawl_lookups)  # crawler helper


def _v5_checks_natural_key(db: sqlite_utils.Database) -> None:
    """checks keyed by (report_id, seq) instead of a surrogate id, so a rebuild writes identical rows.

    Derived data only: the table is recreated empty and refilled by `nianbao normalize`."""
    db.execute("drop table if exists checks")
    db["checks"].create(
        {"report_id": int, "seq": int, "rule": str, "ok": int, "detail": str, "cells": str},
        pk=("report_id", "seq"),
        foreign_keys=[("report_id", "reports", "id")],
    )
    db["checks"].create_index(["rule", "ok"])


MIGRATIONS.append(_v5_checks_natural_key)


def _v6_report_warnings(db: sqlite_utils.Database) -> None:
    """What the parser assumed (e.g. standard column order under an unreadable header) and image-only tables."""
    db["reports"].add_column("warnings", str)
    db["reports"].add_column("table_is_image", int)


MIGRATIONS.append(_v6_report_warnings)


def _v7_statistics_numeric(db: sqlite_utils.Database) -> None:
    """statistics.value with NUMERIC affinity: counts stay integers (27, not 27.0), money keeps its decimals.

    Derived data only: the table is recreated empty and refilled by `nianbao normalize`."""
    db.execute("drop table if exists statistics")
    db.execute(
        """CREATE TABLE statistics (
            report_id INTEGER REFERENCES reports(id), table_name TEXT, row_code TEXT, col_code TEXT,
            value NUMERIC, value_text TEXT, row_label TEXT, col_label TEXT, blank INTEGER,
            src_table INTEGER, src_row INTEGER, src_col INTEGER, src_page INTEGER,
            PRIMARY KEY (report_id, table_name, row_code, col_code))"""
    )
    db["statistics"].create_index(["table_name", "row_code", "col_code"])


MIGRATIONS.append(_v7_statistics_numeric)


def _v8_discovery_ledger(db: sqlite_utils.Database) -> None:
    """Discovery ledger: every candidate link of a unit directory per run with its outcome (no unit dropped
    silently); site_health gains the last run's ledger counts and one readable line."""
    db["discovery"].create(
        {
            "id": int,
            "run_id": int,
            "site_id": str,
            "directory_url": str,  # the directory page that listed the link
            "url": str,  # the candidate link
            "link_text": str,
            "agency_id": str,  # the agency it is (matched to the registry, or discovered)
            "outcome": str,  # column_found | no_column | not_a_unit | blocked | error | capped
            "column_url": str,
            "detail": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id"), ("site_id", "sites", "id")],
    )
    db["discovery"].create_index(["run_id", "outcome"])
    db["discovery"].create_index(["site_id", "run_id"])
    db.execute("DROP VIEW IF EXISTS site_health")
    db.execute(
        """CREATE VIEW site_health AS
        WITH last AS (
            SELECT r.* FROM crawl_runs r
            WHERE r.id = (SELECT MAX(id) FROM crawl_runs r2 WHERE r2.site_id = r.site_id)
        ),
        ledger AS (
            SELECT d.run_id, COUNT(*) AS links,
                   SUM(d.outcome = 'column_found') AS columns, SUM(d.outcome = 'no_column') AS no_column,
                   SUM(d.outcome = 'blocked') AS blocked, SUM(d.outcome = 'error') AS errors,
                   SUM(d.outcome = 'capped') AS capped, SUM(d.outcome = 'not_a_unit') AS not_units
            FROM discovery d GROUP BY d.run_id
        )
        SELECT s.id AS site_id, s.name AS site_name, s.region_code, s.cms,
               last.id AS last_run_id, last.started_at AS last_run_at, last.status AS last_status,
               last.requests AS last_requests, last.new_reports AS last_new_reports,
               last.errors AS last_errors, last.blocked AS last_blocked, last.warnings AS last_warnings,
               (SELECT MAX(ended_at) FROM crawl_runs r3 WHERE r3.site_id = s.id AND r3.status = 'ok')
                   AS last_ok_at,
               (SELECT COUNT(*) FROM documents d WHERE d.site_id = s.id) AS documents,
               (SELECT MAX(year) FROM documents d WHERE d.site_id = s.id) AS latest_report_year,
               CASE WHEN last.id IS NULL THEN 'never crawled'
                    WHEN last.status IN ('failed', 'warning', 'blocked') THEN last.status
                    WHEN COALESCE(last.blocked, 0) > 0 THEN 'blocked'
                    ELSE 'ok' END AS health,
               CASE WHEN last.id IS NULL OR last.status IN ('failed', 'warning', 'blocked')
                         OR COALESCE(last.blocked, 0) > 0 THEN 1 ELSE 0 END AS needs_attention,
               ledger.links AS directory_links, ledger.columns AS directory_columns,
               ledger.no_column AS directory_no_column, ledger.blocked AS directory_blocked,
               ledger.errors AS directory_errors, ledger.capped AS directory_capped,
               ledger.not_units AS directory_not_units,
               CASE WHEN ledger.links IS NULL THEN NULL ELSE
                   printf('directory lists %d links: %d columns, %d without a column, %d blocked, '
                          || '%d errors, %d not visited (max_pages), %d not units', ledger.links,
                          ledger.columns, ledger.no_column, ledger.blocked, ledger.errors, ledger.capped,
                          ledger.not_units) END AS discovery
        FROM sites s LEFT JOIN last ON last.site_id = s.id LEFT JOIN ledger ON ledger.run_id = last.id"""
    )


MIGRATIONS.append(_v8_discovery_ledger)  # crawler helper


def _v9_incremental_normalize(db: sqlite_utils.Database) -> None:
    """What `nianbao normalize` needs to parse only what is new: a parser stamp per report, a ledger of the
    captures it derived (family, fingerprint of the inputs, stamp, whether it became a report), and indexes
    for its lookups (a document by its latest capture; reports still waiting for their search index)."""
    db["reports"].add_column("parser_version", int)
    db.execute(
        """CREATE TABLE normalize_state (
            capture_id INTEGER PRIMARY KEY REFERENCES captures(id),
            family TEXT NOT NULL,  -- the report page (or lone document) URL the capture was derived with
            input_hash TEXT NOT NULL,  -- body sha256 + every column the derivation reads, hashed
            parser_version INTEGER NOT NULL,
            report INTEGER NOT NULL)  -- 1 when the capture is a report (reports.id = capture_id)"""
    )
    db.execute("CREATE INDEX idx_normalize_state_family ON normalize_state (family)")
    db["documents"].create_index(["latest_capture_id"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_reports_unindexed ON reports (id) WHERE search_text IS NULL")


MIGRATIONS.append(_v9_incremental_normalize)  # scale helper: incremental normalize (issue 13)


def _v10_report_deadlines(db: sqlite_utils.Database) -> None:
    """The legal deadline of each report (crawler/deadlines.py): publisher kind, due date, rule, days late."""
    for column, kind in (
        ("publisher_kind", str),
        ("deadline", str),
        ("deadline_rule", str),
        ("days_late", int),
    ):
        db["reports"].add_column(column, kind)
    # Reports derived before this migration get their deadline now: an incremental normalize re-derives only
    # what changed, so it would never fill them.
    from crawler.deadlines import report_columns

    rows = db.execute(
        "select r.id, r.year, r.publish_date, coalesce(a.name, r.agency), r.title from reports r "
        "left join agencies a on a.id = r.agency_id"
    ).fetchall()
    for report_id, year, published, agency, title in rows:
        columns = report_columns(year, published, agency, title)
        db.execute(
            "update reports set publisher_kind = ?, deadline = ?, deadline_rule = ?, days_late = ?, "
            "published_late = ? where id = ?",
            [*columns.values(), report_id],
        )


MIGRATIONS.append(_v10_report_deadlines)


def _v11_agency_summary(db: sqlite_utils.Database) -> None:
    """agency_year_stats and agency_stats: the precomputed league tables (crawler/summary.py), filled by
    `nianbao normalize`."""
    from crawler.summary import create_tables

    create_tables(db)


MIGRATIONS.append(_v11_agency_summary)


def _use_wal(conn: sqlite3.Connection, patience: float = 60.0) -> None:
    """Switch to WAL, waiting out other processes doing the same on a fresh file.

    Changing the journal mode needs an exclusive lock, and SQLite answers "database is locked" at once —
    without calling the busy handler — when two connections race to upgrade their locks (deadlock
    avoidance); four processes opening a new archive together hit it about one time in three."""
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def connect(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open archive.db (creating and migrating it unless read-only) with WAL and foreign keys on."""
    if readonly:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True, check_same_thread=False)
        return sqlite_utils.Database(conn)
    conn = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    _use_wal(conn)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=60000")
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> int:
    """Apply pending migrations in one write transaction; return the schema version.

    BEGIN IMMEDIATE takes the write lock before the version is read, so of two processes creating or upgrading
    the same archive at once, one migrates and the other waits (busy timeout), then finds nothing to do."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
        return len(MIGRATIONS)
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # again, now that no one else writes
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            step(db)
            conn.execute(f"PRAGMA user_version={number}")
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")
    return len(MIGRATIONS)


def _v12_table_images(db: sqlite_utils.Database) -> None:
    """Report pages' table images (documents of kind `image`, found by their page: `parent_url`) and the OCR
    confidence of each statistics cell read from an image or scan (NULL for cells read from text)."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_parent_url ON documents (parent_url, kind)")
    db["statistics"].add_column("ocr_confidence", float)


MIGRATIONS.append(_v12_table_images)  # issue 11: tables published as <img> OCR'd in the nightly


def _v13_ocr_cell_boxes(db: sqlite_utils.Database) -> None:
    """Where an OCR'd cell sits: its box as fractions of the image or scanned page (JSON [x0, top, x1, bottom])
    and, for a table published as an <img>, the image's URL (the report page links the cell to that capture)."""
    db["statistics"].add_column("src_box", str)
    db["statistics"].add_column("src_url", str)


MIGRATIONS.append(_v13_ocr_cell_boxes)


def _v14_site_events(db: sqlite_utils.Database) -> None:
    """An index for the crawler's state load: a site's `listing_incomplete` / `relisting` events."""
    db["crawl_events"].create_index(["site_id", "kind"], if_not_exists=True)


MIGRATIONS.append(_v14_site_events)  # crawler: failed listing pages make the next run walk the column again
