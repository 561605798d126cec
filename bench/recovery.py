"""Benchmark: digit recovery on the flattened texts (real reports whose table cells ran together).

    .venv/bin/python -m bench.recovery [--rounds N]

For every golden case whose cells ran together (`_empty_ok`: the Pingtan archive's own page.txt renderings
of the 2019 and 2021 reports, and tests/fixtures/reports/*-flat-*.txt made by _flatten.py from the real golden
documents), the cells the parser fills are compared with the report's hand-checked values: share of cells recovered,
share left empty, wrong cells (must be 0), cells the document does not have (must be 0). Speed, as a ratio in
the same run: parsing the flattened copies against parsing their original documents (same process,
interleaved).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.parse import parse_file  # noqa: E402
from crawler.parse.evaluate import Recovery, flattened_cases, recovery  # noqa: E402

REPORTS = ROOT / "tests" / "fixtures" / "reports"


def _original(text: Path) -> Path:
    """The report's own page a copy was made from: '<stem>-flat-<variant>.txt' / '<stem>-pagetxt.txt' →
    '<stem>.<ext>'."""
    stem = text.name.split("-flat-")[0].removesuffix("-pagetxt.txt")
    return next(p for p in text.parent.glob(f"{stem}.*") if not p.name.endswith(".json"))


def run(rounds: int = 3) -> dict[str, Any]:
    """Score every flattened case once, then time flattened vs original parses over `rounds`."""
    cases = flattened_cases(REPORTS)
    total = Recovery()
    for text, truth in cases:
        rec = recovery(json.loads(truth.read_text(encoding="utf-8")), parse_file(text).to_contract())
        total.add(rec)
        print(f"  {text.stem}: {rec.right} right, {len(rec.empty)} empty, {len(rec.wrong)} wrong")
    originals = {truth: _original(text) for text, truth in cases}
    flat_t: list[float] = []
    orig_t: list[float] = []
    for _ in range(rounds):
        a = b = 0.0
        for text, truth in cases:
            t0 = time.perf_counter()
            parse_file(text)
            t1 = time.perf_counter()
            parse_file(originals[truth])
            t2 = time.perf_counter()
            a, b = a + t1 - t0, b + t2 - t1
        flat_t.append(a)
        orig_t.append(b)
    n = max(total.total, 1)
    ratio = statistics.median(flat_t) / statistics.median(orig_t)
    line = (
        f"bench recovery: {len(cases)} real reports with cells run together, {total.total} cells: recovered "
        f"{total.right / n:.1%}, left empty {len(total.empty) / n:.1%}, wrong {len(total.wrong)}, "
        f"extra {len(total.extra)}; parse time flattened/original {ratio:.2f}x"
    )
    print(line)
    return {
        "name": "recovery",
        "line": line,
        "recovered": total.right / n,
        "empty": len(total.empty) / n,
        "wrong": len(total.wrong),
        "ratio": ratio,
        "returncode": 0 if not total.wrong and not total.extra else 1,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    return run(ap.parse_args().rounds)["returncode"]


if __name__ == "__main__":
    sys.exit(main())
