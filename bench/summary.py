"""bench summary: the league tables (crawler/summary.py) — a full rebuild of agency_year_stats / agency_stats
vs refreshing one site's agencies for one year (what an incremental nightly does), and the league-table queries
of /-/rankings vs a primary-key lookup, on a synthetic archive (bench/datasette.py's generator).

    python -m bench.summary [--reports 20000] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "datasette" / "plugins")]  # run as a script by python -m bench

from nianbao_web import rankings as rk  # noqa: E402

from bench.datasette import build_archive  # noqa: E402
from crawler.store.schema import connect  # noqa: E402
from crawler.summary import refresh_summary  # noqa: E402

QUERIES = (  # (label, year, sort, region, view)
    ("a year by refusal rate", "2020", "refusal_rate", "", "main"),
    ("a province, a year", "2020", "litigation_lost_rate", "北京市", "main"),
    ("all years", "", "requests_received", "", "main"),
    ("a year by one refusal ground", "2020", "denied_state_secret", "", "grounds"),
)


def _best_ms(conn: sqlite3.Connection, sql: str, params: dict, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(path: Path) -> dict:
    db = connect(path)
    started = time.monotonic()
    rows = refresh_summary(db)
    full = time.monotonic() - started
    site = db.execute("select site_id from agencies limit 1").fetchone()[0]
    agencies = [r[0] for r in db.execute("select id from agencies where site_id = ?", [site])]
    started = time.monotonic()
    part_rows = refresh_summary(db, agencies, [2020])
    partial = time.monotonic() - started
    db.conn.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    base = _best_ms(conn, "select * from reports where id = :id", {"id": 1})
    queries = {}
    for label, year, sort, region, view in QUERIES:
        params = {"year": year, "region": region, "level": "", "kind": "", "agency": "", "min_requests": 0}
        rows_sql, count_sql = rk.ranking_sql(year, sort, True, rk.metrics_for(year, view), params)
        params["offset"] = 0
        queries[label] = _best_ms(conn, rows_sql, params) + _best_ms(conn, count_sql, params)
    return {
        "agency_years": rows,
        "full_s": full,
        "partial_rows": part_rows,
        "partial_s": partial,
        "pk_ms": base,
        "queries_ms": queries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--db", type=Path, default=None, help="Reuse/create this synthetic archive.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-summary-") as tmp:
        path = args.db or Path(tmp) / "archive.db"
        if not path.exists():
            build_archive(path, args.reports, echo=lambda _: None)
        r = run(path)
    per_row_full = r["full_s"] / max(r["agency_years"], 1)
    per_row_partial = r["partial_s"] / max(r["partial_rows"], 1)
    print(
        f"bench summary: full rebuild {r['agency_years']:,} agency-years in {r['full_s']:.1f} s; one site × one "
        f"year ({r['partial_rows']} rows) {r['partial_s'] * 1000:.0f} ms — {per_row_partial / per_row_full:.1f}x "
        "the full rebuild's time per row"
    )
    for label, ms in r["queries_ms"].items():
        print(f"  rankings, {label}: {ms:.1f} ms ({ms / r['pk_ms']:.0f}x a pk lookup of {r['pk_ms']:.2f} ms)")
    print(json.dumps(r, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
