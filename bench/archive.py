"""Archive-size benchmark: bytes per report and how much `captures.body_codec` (zlib) saves over raw bodies.

Baseline: the same bodies stored as received (identity). Measured on an archive the crawl benchmark built,
before and after `nianbao normalize` (the derived tier and the search index live in the same file).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from bench.common import nianbao, run_timed


def _file_size(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db.stat().st_size


def measure(source_db: Path, work: Path) -> dict[str, Any]:
    db = work / "archive-size.db"
    shutil.copy(source_db, db)
    raw_tier = _file_size(db)
    conn = sqlite3.connect(db)
    try:
        codecs = {
            codec: (n, raw or 0, stored or 0)
            for codec, n, raw, stored in conn.execute(
                "select body_codec, count(*), sum(size), sum(length(body)) from captures group by 1"
            )
        }
        reports_raw = conn.execute(
            "select count(*), sum(c.size), sum(length(c.body)) from documents d "
            "join captures c on c.id = d.latest_capture_id"
        ).fetchone()
    finally:
        conn.close()
    normalized = run_timed(nianbao("normalize", "--quiet", "--db", str(db)))
    if normalized.returncode != 0:
        raise RuntimeError(f"normalize failed:\n{normalized.output[-3000:]}")
    conn = sqlite3.connect(db)
    try:
        reports = conn.execute("select count(*) from reports where is_latest = 1").fetchone()[0]
    finally:
        conn.close()
    full = _file_size(db)
    raw = sum(v[1] for v in codecs.values())
    stored = sum(v[2] for v in codecs.values())
    zlib_raw, zlib_stored = codecs.get("zlib", (0, 0, 0))[1:]
    ratio = raw / stored if stored else 0.0
    per_report = full / reports if reports else 0.0
    return {
        "name": "archive size",
        "captures": sum(v[0] for v in codecs.values()),
        "codecs": {k: {"captures": v[0], "raw": v[1], "stored": v[2]} for k, v in codecs.items()},
        "raw_body_bytes": raw,
        "stored_body_bytes": stored,
        "compression_ratio": ratio,
        "zlib_only_ratio": zlib_raw / zlib_stored if zlib_stored else 0.0,
        "documents": reports_raw[0],
        "document_body_bytes": reports_raw[1],
        "reports": reports,
        "raw_tier_file_bytes": raw_tier,
        "file_bytes": full,
        "bytes_per_report": per_report,
        "raw_tier_bytes_per_report": raw_tier / reports if reports else 0.0,
        "ratio": ratio,
        "line": (
            f"archive size: {sum(v[0] for v in codecs.values())} captures, {raw / 2**20:.2f} MiB "
            f"of bodies as received stored in {stored / 2**20:.2f} MiB -> {ratio:.2f}x smaller than raw "
            f"(zlib-coded bodies alone {zlib_raw / zlib_stored if zlib_stored else 0:.2f}x); archive.db "
            f"{raw_tier / 2**20:.2f} MiB raw tier, {full / 2**20:.2f} MiB with derived tier + search for "
            f"{reports} reports -> {per_report / 1024:.0f} KiB per report "
            f"({raw_tier / max(reports, 1) / 1024:.0f} KiB raw tier)"
        ),
    }
