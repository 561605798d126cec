"""Raw captures: the record of one HTTP response as received, and how it is written (deduplicated) to archive.db."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from crawler.store.bodies import encode_body, sha256

CAPTURE_KINDS = ("listing", "report", "attachment", "image", "discovery", "robots", "other")


@dataclass
class CaptureRecord:
    """One response exactly as the downloader returned it, plus what the crawler knew about why it asked."""

    url: str
    final_url: str
    method: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    body: bytes
    content_type: str | None = None
    kind: str = "other"
    failure_kind: str | None = None
    site_id: str | None = None
    agency_id: str | None = None
    run_id: int | None = None
    referer: str | None = None
    link_text: str | None = None
    sha256: str = field(default="")

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = sha256(self.body)

    def to_json(self) -> str:
        """Serialize (body as base64) so the record can travel through a queue to a single writer."""
        data = asdict(self)
        data["body"] = base64.b64encode(self.body).decode("ascii")
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> CaptureRecord:
        data: dict[str, Any] = json.loads(text)
        data["body"] = base64.b64decode(data["body"])
        return cls(**data)


def find_capture(db: sqlite_utils.Database, url: str, digest: str) -> int | None:
    """The id of the capture holding exactly these bytes for this URL, if any."""
    row = db.execute("SELECT id FROM captures WHERE url = ? AND sha256 = ?", [url, digest]).fetchone()
    return int(row[0]) if row else None


def write_capture(db: sqlite_utils.Database, record: CaptureRecord) -> tuple[int, bool]:
    """Store a capture unless the same URL already has these exact bytes; return (capture id, created)."""
    existing = find_capture(db, record.url, record.sha256)
    if existing is not None:
        return existing, False
    stored, codec = encode_body(record.body)
    cursor = db.execute(
        """INSERT INTO captures (url, final_url, method, status, headers, fetched_at, sha256, content_type,
               size, body, body_codec, kind, failure_kind, site_id, agency_id, run_id, referer, link_text)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            record.url,
            record.final_url,
            record.method,
            record.status,
            json.dumps(record.headers, ensure_ascii=False),
            record.fetched_at,
            record.sha256,
            record.content_type,
            len(record.body),
            stored,
            codec,
            record.kind,
            record.failure_kind,
            record.site_id,
            record.agency_id,
            record.run_id,
            record.referer,
            record.link_text,
        ],
    )
    return int(cursor.lastrowid), True
