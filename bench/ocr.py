"""Benchmark: OCR engines on synthetic scans of a real report — seconds per page, peak memory, cells right.

    .venv/bin/python bench/ocr.py [--pages 2,3,4] [--seal-x 0.62]

Scans: pages of the real 淮安 2024 report (shared corpus) rendered at 200 dpi, a red seal stamped over the
table, skewed, noised and saved as JPEG (tests/parse/ocr_scans.py). Both engines read the same images and
their words go through the same path into the same table reader (crawler/parse/ocr_source.add_boxes →
document.interpret): RapidOCR (PyPI `rapidocr`, PP-OCRv6 models in the wheel; the parser's engine, in its
worker process) and Tesseract 5 with `chi_sim` (Debian `tesseract-ocr-chi-sim`, one `tesseract` process
per page, words from its TSV output). Cells are compared with the hand-read expected JSON: right, wrong
(must be 0), not read. Seconds per page include each engine's model loading on every page for Tesseract
(a process per page) and once for RapidOCR (reported apart).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "parse"))

from ocr_scans import HUAIAN, REPORTS, cells_against, scan_pages  # noqa: E402

from crawler.parse.boxes import Box  # noqa: E402
from crawler.parse.document import interpret  # noqa: E402
from crawler.parse.extracted import Extracted  # noqa: E402
from crawler.parse.ocr import Worker, prepare  # noqa: E402
from crawler.parse.ocr_source import add_boxes  # noqa: E402


def tesseract(image: bytes, psm: int) -> tuple[list[Box], float, float]:
    """Words of one page from `tesseract - - -l chi_sim tsv`; (boxes, seconds, peak MB of the process)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.png"
        src.write_bytes(prepare(image))
        started = time.monotonic()
        proc = subprocess.Popen(
            ["tesseract", str(src), str(Path(tmp) / "out"), "-l", "chi_sim", "--psm", str(psm), "tsv"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, _, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        proc.returncode = 0
        seconds = time.monotonic() - started
        peak = usage.ru_maxrss / 1024
        out = (Path(tmp) / "out.tsv").read_text(encoding="utf-8", errors="replace")
    boxes = []
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and text and float(row["conf"]) >= 0:
            x, y, w, h = (float(row[k]) for k in ("left", "top", "width", "height"))
            boxes.append(Box(text, x, y, x + w, y + h, float(row["conf"]) / 100))
    return boxes, seconds, peak


def score(pages: list[tuple[int, list[Box]]]) -> tuple[int, list[str], str]:
    import json

    ex = Extracted(source_format="pdf", ocr=True)
    for page, boxes in pages:
        add_boxes(ex, boxes, page)
    report = interpret(ex, None)
    expected = json.loads((REPORTS / "huaian-szf-2024.expected.json").read_text(encoding="utf-8"))
    right, wrong = cells_against(expected, report.to_contract())
    return right, wrong, report.parse_status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default="3,4", help="0-based pages of the 淮安 report (3,4 = tables 3 and 4)")
    ap.add_argument("--seal-x", type=float, default=0.62)
    args = ap.parse_args()
    pages = [int(p) for p in args.pages.split(",")]
    images = scan_pages(HUAIAN, pages, seal_x=args.seal_x)
    # the cells on these pages: what the expected JSON holds for the rows printed there
    results = []

    worker = Worker()
    t0 = time.monotonic()
    first = worker.recognise(images[0])  # model load + first page
    load_and_first = time.monotonic() - t0
    rapid = [(pages[0] + 1, first.boxes)]
    seconds = [first.seconds]
    for page, image in zip(pages[1:], images[1:], strict=True):
        result = worker.recognise(image)
        rapid.append((page + 1, result.boxes))
        seconds.append(result.seconds)
    peak = max(first.peak_mb, result.peak_mb if len(images) > 1 else 0)
    worker.close()
    results.append(("rapidocr (PP-OCRv6)", sum(seconds) / len(seconds), peak, score(rapid)))
    startup = load_and_first - first.seconds

    for psm in (6, 11):
        tess, secs, peaks = [], [], []
        for page, image in zip(pages, images, strict=True):
            boxes, s, p = tesseract(image, psm)
            tess.append((page + 1, boxes))
            secs.append(s)
            peaks.append(p)
        results.append((f"tesseract chi_sim psm {psm}", sum(secs) / len(secs), max(peaks), score(tess)))

    print(
        f"bench ocr: {len(pages)} synthetic scans (淮安 2024 pages {args.pages}, 200 dpi, seal, skew, JPEG)"
    )
    for name, per_page, peak_mb, (right, wrong, status) in results:
        print(
            f"  {name:26s} {per_page:6.1f} s/page  peak {peak_mb:5.0f} MB  cells right {right:3d}"
            f"  wrong {len(wrong)}  ({status}){'  WRONG: ' + ', '.join(wrong[:6]) if wrong else ''}"
        )
    print(f"  rapidocr worker start (process + models): {startup:.1f} s, once per parsing process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
