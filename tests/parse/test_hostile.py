"""Hostile inputs through `nianbao parse` in a child process: no traceback, exit 0/1, one-line error,
bounded wall time and memory (RLIMIT_AS on the child)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
NIANBAO = Path(sys.executable).with_name("nianbao")
MEMORY_LIMIT = 2 * 1024**3  # address space of the child
WALL_LIMIT = 30.0  # seconds per file

sys.path.insert(0, str(HOSTILE))
import _make  # noqa: E402


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(path: Path) -> tuple[Path, subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run(
        [str(NIANBAO), "parse", str(path)],
        capture_output=True,
        text=True,
        timeout=WALL_LIMIT * 2,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    return path, proc, time.monotonic() - started


@pytest.fixture(scope="module")
def results(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[Path, subprocess.CompletedProcess, float]]:
    big = _make.big_files(tmp_path_factory.mktemp("hostile"))
    files = sorted(p for p in HOSTILE.iterdir() if p.is_file() and not p.name.startswith("_")) + big
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(_run, files))


def test_enough_hostile_inputs(results) -> None:
    assert len(results) >= 30


def test_no_crash_bounded_one_line_error(results) -> None:
    problems = []
    for path, proc, seconds in results:
        out = proc.stderr.strip()
        if proc.returncode not in (0, 1):
            problems.append(f"{path.name}: exit {proc.returncode}: {out[-300:]}")
        elif "Traceback" in proc.stderr:
            problems.append(f"{path.name}: traceback: {out[-300:]}")
        elif proc.returncode == 1 and (len(out.splitlines()) != 1 or "nianbao parse:" not in out):
            problems.append(f"{path.name}: error not one line: {out[:300]!r}")
        elif proc.returncode == 0 and out:
            problems.append(f"{path.name}: stderr on success: {out[:300]!r}")
        elif seconds > WALL_LIMIT:
            problems.append(f"{path.name}: took {seconds:.1f} s")
        else:
            report = json.loads(proc.stdout)
            if report["parse_status"] != "ok" and not report["errors"]:
                problems.append(f"{path.name}: {report['parse_status']} without errors")
    assert not problems, "\n".join(problems)


def test_children_memory_bounded(results) -> None:
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb < 1024 * 1024, f"a child used {peak_kb // 1024} MB"


def test_expected_outcomes(results) -> None:
    by_name = {p.name: (proc.returncode, json.loads(proc.stdout)) for p, proc, _ in results}
    assert by_name["fifty-mb.html"][1]["errors"][0].endswith("byte cap")
    assert "zip bomb" in by_name["zip-bomb.docx"][1]["errors"][0]
    assert "encrypted" in by_name["encrypted.pdf"][1]["errors"][0]
    assert "only the first 60 read" in by_name["five-hundred-pages.pdf"][1]["errors"][0]
    assert "only the first 2000 read" in by_name["ten-thousand-rows.html"][1]["errors"][0]
    assert "nested more than 255 levels" in by_name["deep-divs.html"][1]["errors"][0]
    bad = by_name["bad-numbers.html"][1]
    assert bad["parse_status"] == "partial"
    assert any("'1,0 0'" in e for e in bad["errors"]) and any(
        "negative count: '-3'" in e for e in bad["errors"]
    )
    assert "natural_person" not in bad["table3"]["new_received"]  # never invented
    mismatch = by_name["title2021-over-2019-tables.html"][1]
    assert mismatch["format"] == "2019" and any("format and year disagree" in e for e in mismatch["errors"])
    for name in (
        "corrupt.pdf",
        "truncated.pdf",
        "garbage.bin",
        "empty.html",
        "fake.doc",
        "waf-challenge.html",
    ):
        assert by_name[name][0] == 1 and by_name[name][1]["parse_status"] == "failed", name
