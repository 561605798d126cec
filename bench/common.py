"""Helpers shared by the benchmarks: subprocess runs with CPU accounting and the simulator's request log."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@dataclass
class Timed:
    returncode: int
    wall: float  # seconds, process start to exit
    cpu: float  # user + sys seconds of the child
    output: str


def run_timed(cmd: Sequence[str], env: dict[str, str] | None = None, timeout: float = 1800) -> Timed:
    """Run a child process to completion; measure its wall and CPU time (children run one at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    proc = subprocess.run(
        list(cmd), env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout
    )
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(proc.returncode, wall, cpu, proc.stdout.decode("utf-8", "replace"))


def nianbao(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def fast_env(**extra: str) -> dict[str, str]:
    """Politeness off (the simulator only): no delay, no AutoThrottle, no progress line."""
    env = dict(os.environ)
    env.update(NIANBAO_FAST="1", NIANBAO_PROGRESS="0", PYTHONPATH=str(ROOT), **extra)
    return env


@dataclass
class Traffic:
    """What the simulator served between two points of its request log."""

    requests: int
    bytes: int
    span: float  # seconds from the first to the last request
    statuses: dict[int, int]


def traffic(log: Sequence[object]) -> Traffic:
    statuses: dict[int, int] = {}
    for r in log:
        statuses[r.status] = statuses.get(r.status, 0) + 1  # type: ignore[attr-defined]
    span = log[-1].timestamp - log[0].timestamp if len(log) > 1 else 0.0  # type: ignore[attr-defined]
    return Traffic(len(log), sum(r.bytes for r in log), span, statuses)  # type: ignore[attr-defined]


def settle(sim: object, timeout: float = 300) -> None:
    """Wait until the simulator has pre-rendered its PDF/DOCX attachments (a thread in this process that
    would otherwise steal the GIL from the servers during the first measured crawl)."""
    for thread in threading.enumerate():
        if thread.name == "warm-attachments":
            thread.join(timeout)


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"
