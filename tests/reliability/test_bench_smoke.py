"""Smoke test of the crawl benchmark at a tiny size (one simulated site, one round), so it cannot rot."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.common import settle
from bench.crawl import incremental, throughput
from simulator import SimulatedSites

pytestmark = pytest.mark.slow


def test_crawl_benchmark_runs_at_tiny_size(tmp_path: Path) -> None:
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(tmp_path / "sites.yml")
        settle(sim)
        site = sorted(sim.sites)[0]
        speed = throughput(sim, registry, tmp_path, rounds=1, sites=[site])
        again = incremental(sim, registry, tmp_path, days=7, sites=[site])
    assert speed["requests"] > 0 and math.isfinite(speed["ratio"]) and speed["ratio"] > 0, speed["line"]
    assert "crawl throughput:" in speed["line"]
    assert again["second"]["requests"] > 0 and again["bytes_ratio"] < 1, again["line"]
