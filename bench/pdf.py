"""Benchmark: PDF reports/s of the parser against pdfplumber text extraction alone, same files, same run.

    .venv/bin/python bench/pdf.py [--rounds N] [PDF ...]

Files: every .pdf golden case with a text layer in tests/fixtures/reports (or the given files). Three sides,
interleaved per file: `pdfplumber` page.extract_text() of every page (the baseline), the ruled-table reader
(pdfplumber text + find_tables, the parser's PDF path before pypdfium2) and `parse_bytes` (pypdfium2 text
lines, the ruled reader only when lines miss cells). Prints reports/s of each and the ratios against the
baseline, and whether the two parser paths give identical cells on every file (they must).
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse import parse_bytes  # noqa: E402
from crawler.parse.document import interpret  # noqa: E402
from crawler.parse.pdf_ruled import read_ruled  # noqa: E402


def plumber_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def ruled(data: bytes) -> dict:
    return {c.address: c.value for c in interpret(read_ruled(data), None).cells}


def ours(data: bytes) -> dict:
    return {c.address: c.value for c in parse_bytes(data, filename="report.pdf").cells}


def files(paths: list[Path]) -> list[tuple[str, bytes]]:
    if not paths:
        reports = ROOT / "tests" / "fixtures" / "reports"
        paths = [p for p in sorted(reports.glob("*.pdf")) if p.with_name(p.stem + ".expected.json").exists()]
    out = [(p.name, p.read_bytes()) for p in paths]
    return [(name, data) for name, data in out if plumber_text(data).strip()]  # scans have no text layer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    docs = files(args.pdfs)
    if not docs:
        print("bench pdf: no PDF with a text layer found", file=sys.stderr)
        return 2
    same = {name: ruled(data) == ours(data) for name, data in docs}  # also warms imports and caches
    sides = {"pdfplumber text": plumber_text, "ruled reader (before)": ruled, "parse_bytes (pypdfium2)": ours}
    totals: dict[str, list[float]] = {k: [] for k in sides}
    gc.disable()
    try:
        for _ in range(args.rounds):
            spent = dict.fromkeys(sides, 0.0)
            for _, data in docs:
                for key, fn in sides.items():
                    t0 = time.perf_counter()
                    fn(data)
                    spent[key] += time.perf_counter() - t0
            for key in sides:
                totals[key].append(spent[key])
    finally:
        gc.enable()
    base = statistics.median(totals["pdfplumber text"])
    print(f"bench pdf: {len(docs)} PDFs, {args.rounds} rounds (median)")
    for key in sides:
        t = statistics.median(totals[key])
        print(f"  {key:26s} {len(docs) / t:8.2f} reports/s   {base / t:6.2f}x the pdfplumber-text rate")
    for name, ok in same.items():
        print(f"  cells identical (ruled reader vs parse_bytes): {name}: {'yes' if ok else 'NO'}")
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
