"""`python -m bench` (also `make bench`): run every Nianbao benchmark and print one ratio line each.

    python -m bench [--rounds N] [--only crawl,archive,ingest,normalize,sandbox,pdf,ocr,doc,recovery,
                    incremental,wacz,summary,datasette]
                    [--reports N] [--million] [--quick]

Each benchmark measures its baseline in the same run: crawl vs a bare Scrapy spider, incremental vs first
crawl, archive bodies vs raw, the distributed single writer vs SqliteSink direct, normalize vs
trafilatura.extract (bench/normalize.py), parsing in the sandbox worker vs in-process (bench/sandbox.py),
PDF reports/s vs pdfplumber text alone (bench/pdf.py), RapidOCR vs Tesseract on synthetic scans
(bench/ocr.py), antiword vs LibreOffice on merged-cell .doc (bench/doc.py), digit recovery on flattened real
reports vs parsing their originals (bench/recovery.py), normalize of an unchanged archive vs --full
(bench/incremental.py), WACZ export vs reading the bodies (bench/wacz_export.py), the league tables
refreshed for one site vs rebuilt whole (bench/summary.py),
Datasette vs a primary-key lookup (bench/datasette.py).
Results also go to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, run_timed

ALL = (
    "crawl",
    "archive",
    "ingest",
    "normalize",
    "sandbox",
    "pdf",
    "ocr",
    "doc",
    "recovery",
    "incremental",
    "wacz",
    "summary",
    "datasette",
)


DATASETTE_ROW = re.compile(
    r"^(?P<name>\S.*?)[ \t]+(?P<p50>[\d.]+)[ \t]+(?P<p95>[\d.]+)[ \t]+(?P<max>[\d.]+)[ \t]+(?P<r50>[\d.]+)"
    r"[ \t]+(?P<r95>[\d.]+)[ \t]*(?P<target>.*)$",
    re.M,
)


def _external(name: str, cmd: list[str]) -> dict[str, Any]:
    """Run a benchmark owned by another module (bench/normalize.py, bench/datasette.py); keep its output."""
    print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    timed = run_timed(cmd)
    print(timed.output.rstrip(), flush=True)
    return {
        "name": name,
        "returncode": timed.returncode,
        "seconds": timed.wall,
        "output": timed.output[-6000:],
    }


def normalize_result() -> dict[str, Any]:
    result = _external("normalize", [sys.executable, str(ROOT / "bench" / "normalize.py")])
    found = re.search(r"^bench normalize: .*$", result["output"], re.M)
    ratio = re.search(r"ratio parse/trafilatura ([\d.]+)x", result["output"])
    result["ratio"] = float(ratio.group(1)) if ratio else None
    result["line"] = found.group(0) if found else f"normalize: exit {result['returncode']}, no result line"
    return result


def reader_result(name: str) -> dict[str, Any]:
    """bench/pdf.py, bench/ocr.py or bench/doc.py: the lines after its 'bench NAME:' header are the result."""
    result = _external(name, [sys.executable, str(ROOT / "bench" / f"{name}.py")])
    found = re.search(rf"^bench {name}: .*(?:\n  .*)*", result["output"], re.M)
    result["line"] = found.group(0) if found else f"{name}: exit {result['returncode']}, no result line"
    return result


def datasette_result(reports: int, data_dir: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.datasette", "--reports", str(reports)]
    if data_dir is not None:  # build the synthetic archive once, reuse it (and its snapshot) next time
        data_dir.mkdir(parents=True, exist_ok=True)
        cmd += ["--db", str(data_dir / f"archive-{reports}.db")]
        if reports >= 1_000_000:
            cmd.append("--in-place")  # no VACUUM INTO copy of 16 GB; the copy is timed at the smaller size
    result = _external(f"datasette {reports:,} reports", cmd)
    rows = [m.groupdict() for m in DATASETTE_ROW.finditer(result["output"])]
    result["scenarios"] = rows
    parts = [f"{r['name']} p95 {float(r['p95']):.0f} ms ({float(r['r95']):.1f}x pk lookup)" for r in rows]
    result["line"] = f"datasette at {reports:,} reports: " + (
        "; ".join(parts) or f"exit {result['returncode']}"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ALL), help=f"Comma-separated subset of {','.join(ALL)}.")
    parser.add_argument("--rounds", type=int, default=5, help="Crawl throughput rounds (median).")
    parser.add_argument("--site", action="append", default=[], help="Crawl only this simulated site.")
    parser.add_argument("--reports", type=int, default=100_000, help="Datasette benchmark archive size.")
    parser.add_argument(
        "--million", action="store_true", help="Also run the Datasette benchmark at 1M reports."
    )
    parser.add_argument("--quick", action="store_true", help="1 crawl round, 10k-report Datasette archive.")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="Keep the synthetic Datasette archives here and reuse them (e.g. /work/benchdata; default: temp).",
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    rounds, reports = (1, 10_000) if args.quick else (args.rounds, args.reports)
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    results: list[dict[str, Any]] = []
    began = time.monotonic()

    if only & {"crawl", "archive"}:
        from bench import crawl

        print(f"== crawl ({rounds} rounds against the simulator, work dir {work})", flush=True)
        crawled = crawl.run(rounds=rounds, sites=args.site, work=work)
        if "crawl" in only:
            results.extend(crawled)
            for r in crawled:
                print(r["line"], flush=True)
        if "archive" in only:
            from bench.archive import measure

            size = measure(work / "throughput-0.db", work)
            results.append(size)
            print(size["line"], flush=True)
    if "ingest" in only:
        from bench.ingest import run as run_ingest_bench

        writer = run_ingest_bench(pages=500 if args.quick else 3000, work=work)
        results.append(writer)
        print(writer["line"], flush=True)
    if "normalize" in only:
        results.append(normalize_result())
    if "sandbox" in only:
        results.append(reader_result("sandbox"))
    if "pdf" in only:
        results.append(reader_result("pdf"))
    if "ocr" in only:
        results.append(reader_result("ocr"))
    if "doc" in only:
        results.append(reader_result("doc"))
    if "recovery" in only:
        from bench.recovery import run as run_recovery

        print("== recovery (flattened texts of real reports)", flush=True)
        results.append(run_recovery())
    if "incremental" in only:
        from bench.incremental import run as run_incremental

        results.append(run_incremental(copies=2 if args.quick else 10))
    if "wacz" in only:
        from bench.wacz_export import run as run_wacz

        results.append(run_wacz(captures=60 if args.quick else 300))
    if "summary" in only:
        results.append(reader_result("summary"))
    if "datasette" in only:
        sizes = [reports, 1_000_000] if args.million else [reports]
        for n in sizes:
            results.append(datasette_result(n, args.data_dir))

    print("\n== summary")
    for r in results:
        print(r["line"])
    print(f"(all benchmarks: {time.monotonic() - began:.0f}s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(
        {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "results": results}, indent=1, default=str
    )
    (RESULTS / "latest.json").write_text(payload, encoding="utf-8")
    return 0 if all(r.get("returncode", 0) == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
