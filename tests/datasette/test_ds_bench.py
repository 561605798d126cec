"""The Datasette benchmark stays runnable: build a tiny synthetic archive and time every scenario once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[2]))  # the repo root, for the bench package
from bench.datasette import build_archive, run_benchmark  # noqa: E402


@pytest.mark.slow
def test_benchmark_smoke(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    build_archive(path, 300, echo=lambda _: None)
    lines: list[str] = []
    results = run_benchmark(path, 300, requests=2, echo=lines.append)
    assert any(name.startswith("baseline") for name in results)
    assert {
        "search: canned, ranked",
        "facets: reports (all)",
        "rankings: a year",
        "report page",
    } <= results.keys()
    assert all(r["p95"] > 0 for r in results.values())
    assert lines[0].startswith("snapshot: ")  # served from a snapshot, as in production
    assert any("p50/base" in line for line in lines)
