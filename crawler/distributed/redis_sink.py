"""RedisSink: the ArchiveSink of a distributed crawler — every op is pushed, as JSON, onto one Redis list.

Each element is ``<op id>\\t<op JSON>`` (``crawler.crawl.sink.op_to_json``); the op id lets the single writer
apply each op exactly once even when it is killed between committing and acknowledging. Run ids are random
62-bit tokens chosen here (the crawler has no database to ask); the writer maps each token to a real
``crawl_runs.id``.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
import uuid
from typing import Any

import redis

from crawler.crawl.sink import SiteState, op_to_json
from crawler.distributed.keys import OPS
from crawler.distributed.state import fetch_state
from crawler.store.captures import CaptureRecord

logger = logging.getLogger(__name__)


def encode_op(name: str, payload: Any) -> bytes:
    return f"{uuid.uuid4().hex}\t{op_to_json(name, payload)}".encode()


def decode_op(raw: bytes) -> tuple[str, str]:
    """Split a queue element into (op id, op JSON)."""
    op_id, _, body = raw.partition(b"\t")
    return op_id.decode("ascii"), body.decode("utf-8")


MAX_BACKLOG = int(os.environ.get("NIANBAO_MAX_BACKLOG", "50000"))  # queued ops before crawlers wait
CHECK_EVERY = 100


class RedisSink:
    """Ships every archive write of a crawl to `nianbao ingest` through Redis (see module docstring).

    Backpressure: ops carry response bodies, so a writer that falls behind (or is down) would fill Redis's
    memory. Every CHECK_EVERY pushes the sink looks at the queue length and, above MAX_BACKLOG, blocks the
    crawler (downloads stall with it) until the writer has caught up.
    """

    def __init__(self, redis_url: str, max_backlog: int = MAX_BACKLOG) -> None:
        self.server = redis.Redis.from_url(redis_url)
        self.server.ping()
        self.max_backlog = max_backlog
        self._pushed = 0

    def _push(self, name: str, payload: Any) -> None:
        length = self.server.lpush(OPS, encode_op(name, payload))
        self._pushed += 1
        if self._pushed % CHECK_EVERY == 0 and length > self.max_backlog:
            self._wait_for_writer()

    def _wait_for_writer(self) -> None:
        queued = self.server.llen(OPS)
        logger.warning(
            "RedisSink: %d ops queued (max %d): waiting for `nianbao ingest`", queued, self.max_backlog
        )
        while self.server.llen(OPS) > self.max_backlog // 2:
            time.sleep(1.0)

    def load_state(self, site_id: str) -> SiteState:
        return fetch_state(self.server, site_id)

    def site(self, row: dict[str, Any]) -> None:
        self._push("site", row)

    def agency(self, row: dict[str, Any]) -> None:
        self._push("agency", row)

    def start_run(self, site_id: str, started_at: str, host: str) -> int:
        token = secrets.randbits(62) | 1
        self._push("start_run", {"site_id": site_id, "started_at": started_at, "host": host, "run_id": token})
        return token

    def capture(self, record: CaptureRecord) -> None:
        self._push("capture", record)

    def fetch(self, row: dict[str, Any]) -> None:
        self._push("fetch", row)

    def document(self, row: dict[str, Any]) -> None:
        self._push("document", row)

    def event(self, row: dict[str, Any]) -> None:
        self._push("event", row)

    def discovery(self, row: dict[str, Any]) -> None:
        self._push("discovery", row)

    def finish_run(self, run_id: int, row: dict[str, Any]) -> None:
        self._push("finish_run", {"run_id": run_id, "row": row})

    def close(self) -> None:
        self.server.close()
