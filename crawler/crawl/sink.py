"""The one door through which a crawl writes to archive.db: JSON-serializable ops applied by a sink.

Every write a crawl makes (sites, agencies, runs, captures, fetches, documents, events) is an *op*: a name and
a JSON-serializable payload. ``SqliteSink`` applies ops directly to archive.db; a distributed crawl ships
the same ops (``op_to_json``) to a single writer process that feeds them to ``SqliteSink.apply``. Ops refer
to captures by their natural key (url, sha256), never by row id, so they can be applied asynchronously.

The only reads are ``load_state`` (known documents, discovered columns, previous runs) taken once when a
site's crawl starts, and ``start_run`` which returns the new run id.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin

import sqlite_utils

from crawler.crawl.reports import canonical_url
from crawler.store.bodies import decode_body
from crawler.store.captures import CaptureRecord, find_capture, write_capture
from crawler.store.schema import connect


@dataclass
class KnownDocument:
    """What the archive already holds about one document URL."""

    url: str
    agency_id: str | None
    kind: str
    year: int | None
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    next_check: str | None
    versions: int
    title: str | None = None
    parent_url: str | None = None
    last_full_fetch: str | None = None  # last time a body was downloaded (not a 304)


@dataclass
class ArchivedPage:
    """A report page as the archive holds it: enough to read its links again without fetching it."""

    url: str
    content_type: str | None
    body: bytes


@dataclass
class PastCandidate:
    """What the discovery ledger of earlier runs says about one directory link."""

    outcome: str  # its row's outcome in the latest run that listed it
    visited_run: int = 0  # the latest run that visited or decided it (0: only ever capped)


@dataclass
class SiteState:
    """The archive's memory of one site, read when its crawl starts."""

    documents: dict[str, KnownDocument] = field(default_factory=dict)
    columns: dict[str, str] = field(
        default_factory=dict
    )  # agency id -> column URL (configured or discovered)
    agency_names: dict[str, str] = field(default_factory=dict)  # agency id -> name
    previous_runs: list[dict[str, Any]] = field(default_factory=list)  # newest first
    # Listed URLs already fetched that are not documents (news, 解读 companions …): url -> capture kind.
    seen: dict[str, str] = field(default_factory=dict)
    # Listed URLs that redirect (within the site) to a known document: url -> document url.
    aliases: dict[str, str] = field(default_factory=dict)
    # The site's last run never ended (killed): walk every listing page again, not just the new ones,
    # since pages it fetched may hold entries whose reports it never got to request.
    interrupted: bool = False
    # Columns whose last walk hit a failed listing page (spiders/base.py `listing_failed`): column URL -> what
    # failed. Their every page is walked again, as after a killed run, until a walk gets past the first page
    # without such a failure (a `relisting` event after the last `listing_incomplete` one).
    relist: dict[str, str] = field(default_factory=dict)
    # Report pages first archived by the killed runs, as archived: their attachment links are read again
    # from the archive (no download), since the killed run may never have requested them.
    resume_pages: dict[str, ArchivedPage] = field(default_factory=dict)
    # Directory links of earlier runs (the discovery ledger): url -> latest outcome and last visit.
    discovery: dict[str, PastCandidate] = field(default_factory=dict)


class ArchiveSink(Protocol):
    """Where a crawl's writes go. Implementations: SqliteSink (in-process); a queue-backed sink (distributed)."""

    def load_state(self, site_id: str) -> SiteState: ...
    def site(self, row: dict[str, Any]) -> None: ...
    def agency(self, row: dict[str, Any]) -> None: ...
    def start_run(self, site_id: str, started_at: str, host: str) -> int: ...
    def capture(self, record: CaptureRecord) -> None: ...
    def fetch(self, row: dict[str, Any]) -> None: ...
    def document(self, row: dict[str, Any]) -> None: ...
    def event(self, row: dict[str, Any]) -> None: ...
    def discovery(self, row: dict[str, Any]) -> None: ...
    def finish_run(self, run_id: int, row: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def op_to_json(name: str, payload: Any) -> str:
    """Serialize one op for a queue (captures carry their body as base64)."""
    if isinstance(payload, CaptureRecord):
        return json.dumps({"op": name, "capture": json.loads(payload.to_json())}, ensure_ascii=False)
    return json.dumps({"op": name, "payload": payload}, ensure_ascii=False)


def op_from_json(text: str | bytes) -> tuple[str, Any]:
    data = json.loads(text)
    if "capture" in data:
        return data["op"], CaptureRecord.from_json(json.dumps(data["capture"]))
    return data["op"], data["payload"]


class SqliteSink:
    """Applies ops to archive.db in this process (thread-safe; one connection, commit per op)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db: sqlite_utils.Database = connect(db_path)
        self._lock = threading.RLock()

    # ---- reads -------------------------------------------------------------------------------------
    def load_state(self, site_id: str) -> SiteState:
        state = SiteState()
        with self._lock:
            rows = self.db.execute(
                """SELECT d.url, d.agency_id, d.kind, d.year, d.content_hash, d.etag, d.last_modified,
                          d.next_check, d.versions, d.title, d.parent_url,
                          (SELECT MAX(f.fetched_at) FROM fetches f
                            WHERE f.url = d.url AND f.capture_id IS NOT NULL) AS last_full_fetch
                     FROM documents d WHERE d.site_id = ?""",
                [site_id],
            ).fetchall()
            for r in rows:
                state.documents[r[0]] = KnownDocument(*r)
            for agency_id, name, column in self.db.execute(
                "SELECT id, name, column_url FROM agencies WHERE site_id = ?", [site_id]
            ).fetchall():
                state.agency_names[agency_id] = name
                if column:
                    state.columns[agency_id] = column
            for url, kind in self.db.execute(
                # non-report entries fetched before; those that failed transiently (5xx, WAF) are retried
                "SELECT DISTINCT url, kind FROM captures WHERE site_id = ? AND kind = 'other' AND status < 500 "
                "AND COALESCE(failure_kind, '') NOT IN ('waf', 'http_403', 'rate_limited')",
                [site_id],
            ).fetchall():
                state.seen[url] = kind
            state.aliases = self._aliases(site_id, state.documents)
            # A run that never ended was killed. Its leftovers (listing pages not walked, attachments not
            # fetched) are taken up by the first run that starts after its last fetch and ends; until one has,
            # the site is "interrupted". A run that merely ended later does not count: in distributed mode a
            # peer that started while the killed worker was still busy never saw what that worker left undone.
            (killed_since,) = self.db.execute(
                "SELECT MIN(k.started_at) FROM crawl_runs k WHERE k.site_id = ? AND k.ended_at IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM crawl_runs s WHERE s.site_id = k.site_id "
                "AND s.ended_at IS NOT NULL AND s.started_at > COALESCE("
                "(SELECT MAX(f.fetched_at) FROM fetches f WHERE f.run_id = k.id), k.started_at))",
                [site_id],
            ).fetchone()
            state.interrupted = killed_since is not None
            if killed_since is not None:
                for url, final_url, content_type, body, codec in self.db.execute(
                    "SELECT d.url, c.final_url, c.content_type, c.body, c.body_codec FROM documents d "
                    "JOIN captures c ON c.id = d.latest_capture_id "
                    "WHERE d.site_id = ? AND d.kind = 'page' AND d.first_seen >= ?",
                    [site_id, killed_since],
                ):
                    state.resume_pages[url] = ArchivedPage(
                        final_url or url, content_type, decode_body(body, codec)
                    )
            for column, kind, detail in self.db.execute(
                "SELECT url, kind, detail FROM crawl_events WHERE site_id = ? "
                "AND kind IN ('listing_incomplete', 'relisting') ORDER BY id",
                [site_id],
            ):
                if kind == "listing_incomplete":
                    state.relist[column] = detail
                else:
                    state.relist.pop(column, None)
            for url, outcome, run_id in self.db.execute(
                "SELECT url, outcome, run_id FROM discovery WHERE site_id = ? ORDER BY run_id, id", [site_id]
            ):
                past = state.discovery.setdefault(url, PastCandidate(outcome))
                past.outcome = outcome
                if outcome != "capped":
                    past.visited_run = run_id
            cols = [c for c in self.db["crawl_runs"].columns_dict]
            state.previous_runs = [
                dict(zip(cols, row, strict=False))
                for row in self.db.execute(
                    f"SELECT {', '.join(cols)} FROM crawl_runs WHERE site_id = ? AND ended_at IS NOT NULL "
                    "ORDER BY id DESC LIMIT 5",
                    [site_id],
                ).fetchall()
            ]
        return state

    def _aliases(self, site_id: str, documents: dict[str, KnownDocument]) -> dict[str, str]:
        """Follow archived 3xx captures (Location headers) to the documents they end at."""
        hops: dict[str, str] = {}
        for url, headers in self.db.execute(
            "SELECT url, headers FROM captures WHERE site_id = ? AND status BETWEEN 300 AND 399", [site_id]
        ).fetchall():
            location = {k.lower(): v for k, v in json.loads(headers or "{}").items()}.get("location")
            if location:
                hops[url] = canonical_url(urljoin(url, location))
        aliases: dict[str, str] = {}
        for start in hops:
            url, steps = start, 0
            while url in hops and steps < 10:
                url, steps = hops[url], steps + 1
            if url in documents and url != start:
                aliases[canonical_url(start)] = url
        return aliases

    # ---- writes ------------------------------------------------------------------------------------
    def apply(self, name: str, payload: Any) -> Any:
        """Apply one op by name (used by a single-writer process draining a queue)."""
        if name == "start_run":
            return self.start_run(payload["site_id"], payload["started_at"], payload["host"])
        if name == "finish_run":
            return self.finish_run(payload["run_id"], payload["row"])
        return getattr(self, name)(payload)

    def site(self, row: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            self.db["sites"].upsert(row, pk="id")

    def agency(self, row: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            existing = self.db.execute("SELECT column_url FROM agencies WHERE id = ?", [row["id"]]).fetchone()
            if existing and not row.get("column_url"):
                row = {k: v for k, v in row.items() if k not in ("column_url", "discovered_at")}
            self.db["agencies"].upsert(row, pk="id")

    def start_run(self, site_id: str, started_at: str, host: str) -> int:
        with self._lock, self.db.conn:
            self.db.execute(  # runs that never ended were killed; say so in `nianbao status`
                "UPDATE crawl_runs SET status = 'interrupted' WHERE site_id = ? AND ended_at IS NULL",
                [site_id],
            )
            cursor = self.db.execute(
                "INSERT INTO crawl_runs (site_id, started_at, status, requests, bytes, new_reports, "
                "changed_reports, unchanged_reports, errors, blocked, warnings, host) "
                "VALUES (?, ?, 'running', 0, 0, 0, 0, 0, '{}', 0, '[]', ?)",
                [site_id, started_at, host],
            )
            return int(cursor.lastrowid)

    def capture(self, record: CaptureRecord) -> None:
        with self._lock, self.db.conn:
            write_capture(self.db, record)

    def _capture_id(self, row: dict[str, Any]) -> int | None:
        if row.get("capture_url") and row.get("capture_sha256"):
            return find_capture(self.db, row["capture_url"], row["capture_sha256"])
        return None

    def fetch(self, row: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            self.db.execute(
                "INSERT INTO fetches (run_id, url, fetched_at, status, bytes, capture_id, failure_kind, "
                "conditional) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    row.get("run_id"),
                    row["url"],
                    row["fetched_at"],
                    row.get("status"),
                    row.get("bytes", 0),
                    self._capture_id(row),
                    row.get("failure_kind"),
                    int(bool(row.get("conditional"))),
                ],
            )

    def document(self, row: dict[str, Any]) -> None:
        """Insert or update a document; a new content hash makes a new version (old captures stay)."""
        with self._lock, self.db.conn:
            capture_id = self._capture_id(row)
            current = self.db.execute(
                "SELECT id, content_hash, versions, latest_capture_id FROM documents WHERE url = ?",
                [row["url"]],
            ).fetchone()
            checked = row["checked_at"]
            if current is None:
                self.db.execute(
                    """INSERT INTO documents (url, site_id, agency_id, kind, parent_url, title, listed_date, year,
                           first_seen, last_checked, next_check, etag, last_modified, latest_capture_id,
                           content_hash, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)""",
                    [
                        row["url"],
                        row["site_id"],
                        row.get("agency_id"),
                        row["kind"],
                        row.get("parent_url"),
                        row.get("title"),
                        row.get("listed_date"),
                        row.get("year"),
                        checked,
                        checked,
                        row.get("next_check"),
                        row.get("etag"),
                        row.get("last_modified"),
                        capture_id,
                        row.get("content_hash"),
                    ],
                )
                return
            doc_id, old_hash, versions, latest = current
            new_hash = row.get("content_hash") or old_hash
            if row.get("content_hash") and old_hash and row["content_hash"] != old_hash:
                versions = (versions or 1) + 1
            self.db.execute(
                """UPDATE documents SET last_checked = ?, next_check = ?, etag = COALESCE(?, etag),
                       last_modified = COALESCE(?, last_modified), latest_capture_id = ?, content_hash = ?,
                       versions = ?, title = COALESCE(title, ?), year = COALESCE(year, ?),
                       listed_date = COALESCE(listed_date, ?) WHERE id = ?""",
                [
                    checked,
                    row.get("next_check"),
                    row.get("etag"),
                    row.get("last_modified"),
                    capture_id or latest,
                    new_hash,
                    versions,
                    row.get("title"),
                    row.get("year"),
                    row.get("listed_date"),
                    doc_id,
                ],
            )

    def event(self, row: dict[str, Any]) -> None:
        with self._lock, self.db.conn:
            self.db.execute(
                "INSERT INTO crawl_events (run_id, site_id, url, kind, detail, capture_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    row.get("run_id"),
                    row.get("site_id"),
                    row.get("url"),
                    row["kind"],
                    row.get("detail"),
                    self._capture_id(row),
                    row["at"],
                ],
            )

    def discovery(self, row: dict[str, Any]) -> None:
        """One discovery-ledger row: a candidate link of a unit directory and its outcome."""
        with self._lock, self.db.conn:
            self.db["discovery"].insert(row)

    def finish_run(self, run_id: int, row: dict[str, Any]) -> None:
        data = dict(row)
        for key in ("errors", "warnings"):
            if key in data and not isinstance(data[key], str):
                data[key] = json.dumps(data[key], ensure_ascii=False)
        with self._lock, self.db.conn:
            self.db["crawl_runs"].update(run_id, data)

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()
