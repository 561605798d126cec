"""Crawl benchmarks against the simulator: throughput vs a bare Scrapy spider, and incremental vs first run.

Throughput: `nianbao crawl` (politeness off: NIANBAO_FAST=1, registry delay 0) into a fresh archive, then
`bench.bare_spider` fetching exactly the URLs that crawl requested, with the same concurrency and no
archive, parsing or pipeline. Ratio = crawl fetch span / bare fetch span (first to last request seen by the
simulator), median over rounds; target <= 1.3. Wall and CPU time are reported beside it.

Incremental: a second `nianbao crawl` into the same archive vs the first — requests and bytes served.
Measured twice: with the registry's revalidate_days=7 (a real nightly pass) and with revalidate_days=0
(worst case: every known report revalidated, conditionally, every night). Target: bytes <= 5%.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.common import Timed, Traffic, fast_env, nianbao, run_timed, settle, traffic, verdict
from simulator import SimulatedSites

THROUGHPUT_TARGET = 1.3
INCREMENTAL_BYTES_TARGET = 0.05


@dataclass
class CrawlRun:
    timed: Timed
    traffic: Traffic


def _crawl(sim: SimulatedSites, cmd: list[str]) -> CrawlRun:
    start = len(sim.request_log)
    timed = run_timed(cmd, env=fast_env())
    if timed.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} exited {timed.returncode}:\n{timed.output[-3000:]}")
    return CrawlRun(timed, traffic(sim.request_log[start:]))


def _nianbao_crawl(sim: SimulatedSites, registry: Path, db: Path, sites: list[str]) -> CrawlRun:
    args = [a for s in sites for a in ("--site", s)]
    return _crawl(sim, nianbao("crawl", "--sites", str(registry), "--db", str(db), *args))


def _with_revalidate_days(registry: Path, days: int, dest: Path) -> Path:
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    for site in data["sites"]:
        site.setdefault("politeness", {})["revalidate_days"] = days
    dest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def throughput(
    sim: SimulatedSites, registry: Path, work: Path, rounds: int, sites: list[str]
) -> dict[str, Any]:
    ours: list[CrawlRun] = []
    bare: list[CrawlRun] = []
    flat: list[CrawlRun] = []
    for n in range(rounds):
        start = len(sim.request_log)
        ours.append(_nianbao_crawl(sim, registry, work / f"throughput-{n}.db", sites))
        lines = [
            f"http://{r.host}{r.path}\t{r.headers.get('referer', '')}"
            for r in sim.request_log[start:]
            if r.method == "GET"
        ]
        url_file = work / f"urls-{n}.txt"
        url_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        bare.append(_crawl(sim, [sys.executable, "-m", "bench.bare_spider", str(url_file)]))
        flat.append(_crawl(sim, [sys.executable, "-m", "bench.bare_spider", str(url_file), "--flat"]))

    def med(runs: list[CrawlRun], get: Any) -> float:
        return statistics.median(get(r) for r in runs)

    def span(runs: list[CrawlRun]) -> float:
        return med(runs, lambda r: r.traffic.span)

    def wall(runs: list[CrawlRun]) -> float:
        return med(runs, lambda r: r.timed.wall)

    requests = ours[0].traffic.requests

    def cpu_ms(runs: list[CrawlRun]) -> float:
        return 1000 * med(runs, lambda r: r.timed.cpu) / max(requests, 1)

    ratio = span(ours) / span(bare) if span(bare) else float("inf")
    flat_ratio = span(ours) / span(flat) if span(flat) else float("inf")
    return {
        "name": "crawl throughput",
        "rounds": rounds,
        "requests": requests,
        "bytes": ours[0].traffic.bytes,
        "nianbao_span_s": span(ours),
        "bare_span_s": span(bare),
        "flat_span_s": span(flat),
        "nianbao_wall_s": wall(ours),
        "bare_wall_s": wall(bare),
        "nianbao_cpu_ms_per_request": cpu_ms(ours),
        "bare_cpu_ms_per_request": cpu_ms(bare),
        "ratio": ratio,
        "flat_ratio": flat_ratio,
        "target": THROUGHPUT_TARGET,
        "verdict": verdict(ratio, THROUGHPUT_TARGET),
        "line": (
            f"crawl throughput: nianbao {requests} requests in {span(ours):.2f}s "
            f"({requests / span(ours) if span(ours) else 0:.0f} req/s) vs bare Scrapy replaying the same "
            "link "
            f"tree {span(bare):.2f}s -> {ratio:.2f}x (target <= {THROUGHPUT_TARGET}x: "
            f"{verdict(ratio, THROUGHPUT_TARGET)}); "
            f"vs all URLs at once {span(flat):.2f}s -> {flat_ratio:.2f}x; "
            f"wall {wall(ours):.1f}s vs {wall(bare):.1f}s; CPU {cpu_ms(ours):.1f} vs {cpu_ms(bare):.1f} "
            f"ms/request (median of {rounds})"
        ),
    }


def incremental(
    sim: SimulatedSites, registry: Path, work: Path, days: int, sites: list[str]
) -> dict[str, Any]:
    reg = _with_revalidate_days(registry, days, work / f"sites-revalidate-{days}.yml")
    db = work / f"incremental-{days}.db"
    first = _nianbao_crawl(sim, reg, db, sites)
    second = _nianbao_crawl(sim, reg, db, sites)
    b_ratio = second.traffic.bytes / first.traffic.bytes
    r_ratio = second.traffic.requests / first.traffic.requests
    return {
        "name": f"incremental (revalidate_days={days})",
        "revalidate_days": days,
        "first": asdict(first.traffic),
        "second": asdict(second.traffic),
        "bytes_ratio": b_ratio,
        "requests_ratio": r_ratio,
        "ratio": b_ratio,
        "target": INCREMENTAL_BYTES_TARGET,
        "verdict": verdict(b_ratio, INCREMENTAL_BYTES_TARGET),
        "db": str(db),
        "line": (
            f"incremental nightly (revalidate_days={days}): second run {second.traffic.requests} requests / "
            f"{second.traffic.bytes / 1024:.0f} KiB vs first {first.traffic.requests} / "
            f"{first.traffic.bytes / 1024:.0f} KiB -> requests {r_ratio:.2f}x, bytes {100 * b_ratio:.1f}% "
            f"(target <= {100 * INCREMENTAL_BYTES_TARGET:.0f}%: "
            f"{verdict(b_ratio, INCREMENTAL_BYTES_TARGET)}); "
            f"304s {second.traffic.statuses.get(304, 0)}"
        ),
    }


def run(rounds: int = 3, sites: list[str] | None = None, work: Path | None = None) -> list[dict[str, Any]]:
    """All simulator-based crawl benchmarks; returns result dicts (each with a printable `line`)."""
    work = work or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(work / "sites.yml")
        settle(sim)
        _nianbao_crawl(sim, registry, work / "warm-up.db", sites or [])  # OS caches, .pyc: not measured
        results = [throughput(sim, registry, work, rounds, sites or [])]
        results.append(incremental(sim, registry, work, 7, sites or []))
        results.append(incremental(sim, registry, work, 0, sites or []))
    return results
