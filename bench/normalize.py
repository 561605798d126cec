"""Benchmark: normalizer throughput on HTML report pages, and its cost relative to trafilatura.extract.

    .venv/bin/python bench/normalize.py [--rounds N] [DIR ...]

Pages: every .html/.htm golden case in tests/fixtures/reports (or the given directories). Both sides parse
the same bytes in the same process, interleaved per page; the ratio is total parse time / total
trafilatura.extract(output_format="xml", include_tables=True) time. Target: ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse import parse_bytes  # noqa: E402

TARGET = 1.5


def pages(dirs: list[Path]) -> list[tuple[str, bytes]]:
    out = []
    for d in dirs:
        for p in sorted(d.iterdir()):
            if p.suffix.lower() in (".html", ".htm") and p.with_name(p.stem + ".expected.json").exists():
                out.append((p.name, p.read_bytes()))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[ROOT / "tests" / "fixtures" / "reports"])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import trafilatura

    docs = pages(args.dirs)
    if not docs:
        print("bench normalize: no HTML pages found", file=sys.stderr)
        return 2
    for name, data in docs:  # warm up imports and caches on both sides
        parse_bytes(data, filename=name)
        trafilatura.extract(data, output_format="xml", include_tables=True)
    ours: list[float] = []
    theirs: list[float] = []
    gc.disable()
    try:
        for _ in range(args.rounds):
            for name, data in docs:
                t0 = time.perf_counter()
                parse_bytes(data, filename=name)
                t1 = time.perf_counter()
                trafilatura.extract(data, output_format="xml", include_tables=True)
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                theirs.append(t2 - t1)
    finally:
        gc.enable()
    total_ours, total_theirs = sum(ours), sum(theirs)
    ratio = total_ours / total_theirs
    kb = sum(len(d) for _, d in docs) / len(docs) / 1024
    print(
        f"bench normalize: {len(docs)} HTML pages (avg {kb:.0f} KB) x {args.rounds} rounds: "
        f"{len(ours) / total_ours:.1f} reports/s, parse median {1000 * statistics.median(ours):.1f} ms/page, "
        f"trafilatura.extract median {1000 * statistics.median(theirs):.1f} ms/page, "
        f"ratio parse/trafilatura {ratio:.2f}x (target <= {TARGET}x: {'PASS' if ratio <= TARGET else 'FAIL'})"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
