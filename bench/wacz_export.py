"""Benchmark: `nianbao wacz` export speed (MB of archived bodies per second) and WACZ size against the bodies.

    python -m bench.wacz_export [--captures 300]

The archive: real report pages and a real report PDF (tests/fixtures/reports: Pingtan 2019/2021 pages, the
Huai'an 2024 PDF), stored `--captures` times under different URLs the way the crawler stores them (zlib where
it pays). Baseline in the same run: reading and decoding every body from archive.db (what any export must do).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT
from crawler.store.bodies import decode_body
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect
from crawler.wacz import export_wacz

SOURCES = [
    ("pingtan-2019.html", "text/html; charset=UTF-8", "report"),
    ("pingtan-2021.html", "text/html; charset=UTF-8", "report"),
    ("huaian-szf-2024.pdf", "application/pdf", "attachment"),
]


def build(path: Path, captures: int) -> int:
    """Write `captures` captures cycling through the real sources; return the bytes of bodies as received."""
    db = connect(path)
    bodies = [(ROOT / "tests" / "fixtures" / "reports" / name).read_bytes() for name, _, _ in SOURCES]
    total = 0
    for i in range(captures):
        (name, content_type, kind), body = SOURCES[i % len(SOURCES)], bodies[i % len(SOURCES)]
        record = CaptureRecord(
            url=f"https://bench.gov.cn/{i}/{name}", final_url=f"https://bench.gov.cn/{i}/{name}", method="GET",
            status=200, headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            fetched_at=f"2025-01-{1 + i % 28:02d}T00:00:00Z", body=body, content_type=content_type, kind=kind,
        )  # fmt: skip
        write_capture(db, record)
        total += len(body)
    db.conn.close()
    return total


def read_bodies(path: Path) -> float:
    started = time.monotonic()
    db = connect(path, readonly=True)
    for stored, codec in db.execute("select body, body_codec from captures"):
        decode_body(stored, codec)
    db.conn.close()
    return time.monotonic() - started


def run(captures: int = 300, echo: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-wacz-") as tmp:
        path = Path(tmp) / "archive.db"
        bodies = build(path, captures)
        stored = path.stat().st_size
        baseline = read_bodies(path)
        result = export_wacz(path, Path(tmp) / "archive.wacz")
        size = result.path.stat().st_size
    mbs = bodies / 1e6 / result.seconds
    line = (
        f"bench wacz: {captures} captures, {bodies / 1e6:.1f} MB of bodies (archive.db {stored / 1e6:.1f} MB) → "
        f"WACZ {size / 1e6:.1f} MB = {size / bodies:.0%} of the bodies; export {result.seconds:.1f} s = "
        f"{mbs:.1f} MB/s; reading + decoding the bodies alone {baseline:.2f} s (export = "
        f"{result.seconds / baseline:.0f}x)"
    )
    echo(line)
    return {"name": "wacz export", "line": line, "mb_per_s": mbs, "size_ratio": size / bodies,
            "seconds": result.seconds, "baseline_s": baseline}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=300)
    args = parser.parse_args(argv)
    run(args.captures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
