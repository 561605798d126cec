"""Benchmark: `nianbao normalize` of an unchanged archive (and of a nightly with a few new reports) vs `--full`.

    python -m bench.incremental [--copies 10] [--new 5]

The archive: the simulator's district reports (HTML pages, PDF/DOCX attachments with their stub pages),
written `--copies` times under different URLs as captures, the way the crawler stores them. All three runs
are `nianbao normalize` subprocesses on the same archive: `--full` first (the baseline), then a run with
nothing new, then one after `--new` new report pages arrived. Target: unchanged ≤ 5 % of `--full`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import nianbao, run_timed
from crawler.store.captures import CaptureRecord, write_capture
from crawler.store.schema import connect
from simulator.documents import district_reports, render_article_html, render_attachment_stub_html, render_pdf

TARGET = 0.05


def _capture(db, url: str, body: bytes, kind: str, content_type: str, at: str) -> None:
    record = CaptureRecord(
        url=url, final_url=url, method="GET", status=200, headers={}, fetched_at=at, body=body,
        content_type=content_type, kind=kind, site_id="bench", agency_id="bench/unit",
    )  # fmt: skip
    write_capture(db, record)


def build(path: Path, copies: int) -> int:
    """Write `copies` × the district reports; every third one as a PDF attachment under its stub page."""
    db = connect(path)
    db["sites"].insert(
        {"id": "bench", "name": "基准区人民政府", "province": "宁夏回族自治区", "district": "基准区"}
    )
    db["agencies"].insert({"id": "bench/unit", "site_id": "bench", "name": "基准区政务服务中心"})
    count = 0
    for copy in range(copies):
        for n, truth in enumerate(district_reports()):
            base = f"http://127.0.0.1:9/c{copy}/{truth.agency_slug}-{truth.year}"
            page = base + ".html"
            db["documents"].insert({"url": page, "site_id": "bench", "kind": "page", "year": truth.year})
            if n % 3 == 0:
                pdf = base + ".pdf"
                db["documents"].insert(
                    {
                        "url": pdf,
                        "site_id": "bench",
                        "kind": "attachment",
                        "parent_url": page,
                        "year": truth.year,
                    }
                )
                stub = render_attachment_stub_html(truth, pdf, "trs")
                _capture(db, page, stub, "report", "text/html", "2025-02-01T00:00:00Z")
                _capture(db, pdf, render_pdf(truth), "attachment", "application/pdf", "2025-02-01T00:00:00Z")
            else:
                body = render_article_html(truth)
                _capture(db, page, body, "report", "text/html; charset=utf-8", "2025-02-01T00:00:00Z")
            count += 1
    db.conn.close()
    return count


def add_new(path: Path, new: int) -> None:
    db = connect(path)
    for i, truth in enumerate(district_reports()[:new]):
        url = f"http://127.0.0.1:9/new/{i}.html"
        _capture(db, url, render_article_html(truth), "report", "text/html", "2025-03-01T00:00:00Z")
    db.conn.close()


def _normalize(path: Path, *extra: str) -> tuple[float, float, str]:
    """Wall time of the subprocess, the time normalize itself reports (no interpreter start-up), its line."""
    timed = run_timed(nianbao("normalize", "--quiet", "--db", str(path), *extra))
    if timed.returncode:
        raise RuntimeError(timed.output[-2000:])
    line = timed.output.strip().splitlines()[-1]
    return timed.wall, float(re.search(r"; ([\d.]+)s$", line).group(1)), line


def run(copies: int = 10, new: int = 5, echo: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-incr-") as tmp:
        path = Path(tmp) / "archive.db"
        documents = build(path, copies)
        full_wall, full, full_line = _normalize(path, "--full")
        unchanged_wall, unchanged, unchanged_line = _normalize(path)
        add_new(path, new)
        nightly_wall, nightly, nightly_line = _normalize(path)
    for line in (full_line, unchanged_line, nightly_line):
        echo("  " + line)
    parsed = re.search(r"parsed (\d+) captures", unchanged_line)
    ratio, nightly_ratio = unchanged / full, nightly / full
    verdict = "ok" if ratio <= TARGET else f"MISS (> {TARGET:.0%})"
    line = (
        f"bench incremental normalize: {documents} reports; --full {full:.1f} s; unchanged {unchanged:.2f} s "
        f"= {ratio:.1%} of --full ({verdict}, parsed {parsed.group(1) if parsed else '?'}); "
        f"{new} new reports {nightly:.2f} s = {nightly_ratio:.1%}; wall with interpreter start-up: "
        f"{full_wall:.1f} / {unchanged_wall:.1f} / {nightly_wall:.1f} s = {unchanged_wall / full_wall:.1%}"
    )
    echo(line)
    return {"name": "incremental normalize", "line": line, "full_s": full, "unchanged_s": unchanged,
            "nightly_s": nightly, "ratio": ratio, "nightly_ratio": nightly_ratio, "full_wall_s": full_wall,
            "unchanged_wall_s": unchanged_wall, "nightly_wall_s": nightly_wall}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="Copies of the 15 simulated district reports.")
    parser.add_argument("--new", type=int, default=5, help="New report pages before the nightly run.")
    args = parser.parse_args(argv)
    run(args.copies, args.new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
