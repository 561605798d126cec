"""`nianbao ingest`: the single writer of a distributed crawl — Redis op queue → SqliteSink → archive.db.

Reliable-queue protocol: ops are moved (BLMOVE, then up to BATCH-1 LMOVEs) from ``nianbao:ops`` into
``nianbao:ops:processing``, applied in one transaction (group commit; each op's id is recorded in
``ingest_ops`` in that same transaction), and only then removed from the processing list. A writer killed at
any point loses nothing: on restart it re-applies what is left in the processing list, skipping ops whose id
is already recorded. An op that cannot be applied is rolled back to its own savepoint and parked in
``nianbao:ops:failed`` with the error, so one bad op never blocks the queue.

One writer at a time: a Redis lock (``nianbao:writer``), refreshed while running and expiring 10 s
(``NIANBAO_WRITER_LOCK_TTL``) after a crash.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import sqlite_utils

from crawler.crawl.sink import SqliteSink, op_from_json
from crawler.distributed.keys import OPS, OPS_PROCESSING, PREFIX, WRITER_LOCK
from crawler.distributed.redis_sink import decode_op
from crawler.distributed.state import publish_state
from crawler.store.captures import CaptureRecord
from crawler.store.schema import migrate

logger = logging.getLogger(__name__)

OPS_FAILED = f"{PREFIX}:ops:failed"
LOCK_TTL_MS = int(float(os.environ.get("NIANBAO_WRITER_LOCK_TTL", "10")) * 1000)
BATCH = 200
KEEP_OP_IDS_DAYS = 14

_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_TABLES = """
CREATE TABLE IF NOT EXISTS ingest_ops (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_runs (token INTEGER PRIMARY KEY, run_id INTEGER NOT NULL);
"""


class BatchConnection(sqlite3.Connection):
    """A connection whose `with conn:` blocks neither commit nor roll back while a batch is open, so the
    writer can group many SqliteSink ops into one transaction (outside a batch it behaves as usual)."""

    batching = False

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        if self.batching:
            return False
        return super().__exit__(exc_type, exc, tb)


def _batch_database(db_path: str | Path) -> sqlite_utils.Database:
    """archive.db opened like crawler.store.schema.connect, on a BatchConnection."""
    conn = sqlite3.connect(str(db_path), timeout=60, factory=BatchConnection, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=60000"):
        db.execute(f"PRAGMA {pragma}")
    migrate(db)
    return db


class WriterBusy(RuntimeError):
    """Another `nianbao ingest` holds the writer lock."""


@dataclass
class IngestStats:
    applied: int = 0
    skipped: int = 0  # already applied (a restart after a commit)
    failed: int = 0
    recovered: int = 0  # found in the processing list at start
    by_op: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def line(self, db_path: str | Path, reason: str) -> str:
        ops = ", ".join(f"{k} {v}" for k, v in sorted(self.by_op.items())) or "none"
        return (
            f"ingest: {self.applied} ops applied to {db_path} ({ops}); {self.skipped} already applied, "
            f"{self.recovered} recovered, {self.failed} failed; {time.monotonic() - self.started:.1f}s; "
            f"stopped: {reason}"
        )


class Writer:
    """Applies queued ops to one archive; see the module docstring for the protocol."""

    def __init__(self, server: redis.Redis, db_path: str | Path) -> None:
        self.server = server
        self.db_path = db_path
        self.sink = SqliteSink(db_path)
        self.sink.db.conn.close()
        self.sink.db = _batch_database(db_path)  # same SqliteSink code, group-committed by apply_batch
        self.conn: BatchConnection = self.sink.db.conn  # type: ignore[assignment]
        self.conn.executescript(_TABLES)
        self.stats = IngestStats()
        self.dirty_sites: set[str] = set()
        self.token = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self._refresh = server.register_script(_REFRESH)
        self._release = server.register_script(_RELEASE)

    # ---- lock --------------------------------------------------------------------------------------
    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while not self.server.set(WRITER_LOCK, self.token, nx=True, px=LOCK_TTL_MS):
            if time.monotonic() > deadline:
                holder = self.server.get(WRITER_LOCK)
                raise WriterBusy(f"another writer holds {WRITER_LOCK}: {holder!r}")
            time.sleep(0.25)

    def refresh(self) -> None:
        if not self._refresh(keys=[WRITER_LOCK], args=[self.token, LOCK_TTL_MS]):
            raise WriterBusy(f"lost the writer lock {WRITER_LOCK}")

    def release(self) -> None:
        self._release(keys=[WRITER_LOCK], args=[self.token])

    # ---- applying ----------------------------------------------------------------------------------
    def _run_id(self, token: Any) -> Any:
        if not isinstance(token, int):
            return token
        row = self.conn.execute("SELECT run_id FROM ingest_runs WHERE token = ?", [token]).fetchone()
        return row[0] if row else None

    def _start_run(self, payload: dict[str, Any]) -> None:
        cursor = self.conn.execute(
            "INSERT INTO crawl_runs (site_id, started_at, status, requests, bytes, new_reports, "
            "changed_reports, unchanged_reports, errors, blocked, warnings, host) "
            "VALUES (?, ?, 'running', 0, 0, 0, 0, 0, '{}', 0, '[]', ?)",
            [payload["site_id"], payload["started_at"], payload["host"]],
        )
        self.conn.execute(
            "INSERT INTO ingest_runs (token, run_id) VALUES (?, ?)", [payload["run_id"], cursor.lastrowid]
        )

    def apply(self, raw: bytes) -> None:
        """Apply one queue element exactly once (idempotent across restarts)."""
        self.apply_batch([raw])

    def apply_batch(self, raws: list[bytes]) -> None:
        """Apply queue elements in order, in ONE transaction (group commit); each op in its own savepoint,
        so a failing op is parked without undoing the others."""
        applied: list[tuple[str, str | None]] = []
        failed: list[tuple[bytes, bytes]] = []
        conn = self.conn
        if conn.in_transaction:  # never fold earlier work into a batch
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        conn.batching = True  # SqliteSink's `with conn:` blocks must not commit half a batch
        try:
            for raw in raws:
                outcome = self._apply_one(raw)
                if isinstance(outcome, bytes):
                    failed.append((outcome, raw))
                elif outcome is not None:
                    applied.append(outcome)
        except BaseException:
            conn.batching = False
            conn.rollback()
            raise
        conn.batching = False
        conn.commit()
        for error, raw in failed:
            self.server.lpush(OPS_FAILED, error + b"\n" + raw)
        for name, site_id in applied:
            self.stats.applied += 1
            self.stats.by_op[name] = self.stats.by_op.get(name, 0) + 1
            if site_id:
                self.dirty_sites.add(site_id)
        if any(name == "finish_run" for name, _ in applied):  # the next pass may start soon
            self.publish_dirty()

    def _apply_one(self, raw: bytes) -> tuple[str, str | None] | bytes | None:
        """Inside the batch transaction: (op, site) when applied, None when already applied, the error
        (bytes) when the op failed and was rolled back to its savepoint."""
        op_id, body = decode_op(raw)
        if self.conn.execute("SELECT 1 FROM ingest_ops WHERE id = ?", [op_id]).fetchone():
            self.stats.skipped += 1
            return None
        name = "?"
        self.conn.execute("SAVEPOINT ingest_op")
        try:
            name, payload = op_from_json(body)
            site_id = payload.site_id if isinstance(payload, CaptureRecord) else payload.get("site_id")
            self.conn.execute("INSERT INTO ingest_ops (id, applied_at) VALUES (?, datetime('now'))", [op_id])
            if name == "start_run":
                self._start_run(payload)
            elif isinstance(payload, CaptureRecord):
                payload.run_id = self._run_id(payload.run_id)
                self.sink.apply(name, payload)
            else:
                if "run_id" in payload:
                    payload["run_id"] = self._run_id(payload["run_id"])
                self.sink.apply(name, payload)
        except Exception as exc:  # a bad op is parked, never retried forever
            self.conn.execute("ROLLBACK TO ingest_op")
            self.conn.execute("RELEASE ingest_op")
            self.stats.failed += 1
            logger.error("ingest: op %s (%s) failed: %s: %s", op_id, name, type(exc).__name__, exc)
            return json.dumps({"op_id": op_id, "op": name, "error": f"{type(exc).__name__}: {exc}"}).encode()
        self.conn.execute("RELEASE ingest_op")
        return name, site_id

    def recover(self) -> int:
        """Re-apply whatever a previous writer left in the processing list (oldest first), then clear it."""
        left = self.server.lrange(OPS_PROCESSING, 0, -1)
        if left:  # LMOVE pushes on the left: the oldest element is rightmost
            self.apply_batch(list(reversed(left)))
        self.server.delete(OPS_PROCESSING)
        self.stats.recovered += len(left)
        return len(left)

    def drain_once(self, timeout: float) -> int:
        """Move up to BATCH ops into the processing list, apply them, acknowledge; return how many."""
        first = self.server.blmove(OPS, OPS_PROCESSING, timeout, "RIGHT", "LEFT")
        if first is None:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for _ in range(BATCH - 1):
            pipe.lmove(OPS, OPS_PROCESSING, "RIGHT", "LEFT")
        batch = [first, *(raw for raw in pipe.execute() if raw is not None)]
        self.apply_batch(batch)
        self.server.delete(OPS_PROCESSING)  # the list holds exactly this batch: one writer at a time
        return len(batch)

    # ---- incremental state for crawlers --------------------------------------------------------------
    def publish_dirty(self) -> None:
        for site_id in sorted(self.dirty_sites):
            publish_state(self.server, site_id, self.sink.load_state(site_id))
        self.dirty_sites.clear()

    def publish_all(self) -> None:
        self.dirty_sites.update(r[0] for r in self.conn.execute("SELECT id FROM sites"))
        self.publish_dirty()

    def prune(self) -> None:
        with self.conn:
            self.conn.execute(
                "DELETE FROM ingest_ops WHERE applied_at < datetime('now', ?)", [f"-{KEEP_OP_IDS_DAYS} days"]
            )

    def close(self) -> None:
        self.sink.close()


def run_ingest(redis_url: str, db_path: str | Path, idle_exit: float = 0, lock_wait: float = 30.0) -> str:
    """Run the single writer until idle for `idle_exit` s (0: forever) or SIGTERM/SIGINT; return a summary."""
    server = redis.Redis.from_url(redis_url)
    server.ping()
    writer = Writer(server, db_path)
    stopping: list[str] = []

    def _stop(signum: int, _frame: Any) -> None:
        stopping.append(signal.Signals(signum).name)

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    reason = "idle"
    try:
        writer.acquire(wait=lock_wait)
        writer.prune()
        writer.recover()
        writer.publish_all()
        idle_since = time.monotonic()
        while not stopping:
            writer.refresh()
            if writer.drain_once(timeout=1.0):
                idle_since = time.monotonic()
                continue
            if writer.dirty_sites:
                writer.publish_dirty()
            if idle_exit and time.monotonic() - idle_since >= idle_exit:
                break
        else:
            reason = stopping[0]
        writer.publish_dirty()
    finally:
        writer.release()
        writer.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return writer.stats.line(db_path, reason)
