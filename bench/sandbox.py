"""Benchmark: what parsing in the sandbox worker (crawler/parse/sandbox.py) costs per report.

    .venv/bin/python bench/sandbox.py [--rounds N]

Documents: every golden case in tests/fixtures/reports (HTML, PDF, DOCX, DOC, text). Each is parsed with
`parse_bytes` in this process and with `Sandbox.parse` (a reusable worker under RLIMIT_CPU/RLIMIT_AS),
interleaved; the overhead per report is the median of (sandbox − direct) over documents and rounds, and the
ratio is total sandbox time / total direct time. Also: the cost of a fresh worker after a kill.
Target: overhead ≤ 5 ms per report, ratio ≤ 1.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse import parse_bytes  # noqa: E402
from crawler.parse.sandbox import Sandbox  # noqa: E402

REPORTS = ROOT / "tests" / "fixtures" / "reports"
SUFFIXES = {".html", ".htm", ".pdf", ".docx", ".doc", ".txt"}


def documents() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(REPORTS.iterdir())
        if p.suffix.lower() in SUFFIXES and p.with_name(p.stem + ".expected.json").exists()
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    docs = documents()
    box = Sandbox()
    for name, data in docs:  # warm up both sides (imports, caches, the worker)
        parse_bytes(data, filename=name)
        box.parse(data, filename=name)
    direct: list[float] = []
    boxed: list[float] = []
    for _ in range(args.rounds):
        for name, data in docs:
            t0 = time.perf_counter()
            parse_bytes(data, filename=name)
            t1 = time.perf_counter()
            box.parse(data, filename=name)
            t2 = time.perf_counter()
            direct.append(t1 - t0)
            boxed.append(t2 - t1)
    restarts = []
    for _ in range(3):
        box.close()
        t0 = time.perf_counter()
        box.parse(b"<p>x</p>", filename="x.html")
        restarts.append(time.perf_counter() - t0)
    box.close()
    overhead = statistics.median(b - d for b, d in zip(boxed, direct, strict=True))
    ratio = sum(boxed) / sum(direct)
    print(
        f"bench sandbox: {len(docs)} golden documents x {args.rounds} rounds: overhead {overhead * 1000:.1f} ms "
        f"per report (median), ratio sandbox/direct {ratio:.2f}x (direct {sum(direct) / len(direct) * 1000:.0f} ms "
        f"per report); a fresh worker after a kill {statistics.median(restarts) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
