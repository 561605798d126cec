"""A popped request stays in flight until every output of its callback has been handled (real Scrapy engine).

Scrapy schedules a callback's outputs from a bounded asyncio queue, after the callback's generator has
ended; dropping the in-flight entry at the generator's end left a window in which a SIGKILLed crawler lost
the requests still waiting in that queue (seen on a simulated Hanweb column: the last two reports of a
listing page were never fetched by any crawler).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_in_flight_entry_dropped_only_after_every_output_is_handled(redis_url: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = Path(__file__).with_name("outputs_crawl.py")
    done = subprocess.run(
        [sys.executable, str(script), redis_url], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    roots = [d for d in result["drops"] if d["url"] and d["url"].endswith("/root.html")]
    assert len(roots) == 1, result
    root = roots[0]
    assert root["children_in_redis"] == result["children"], f"requests still unscheduled at the drop: {root}"
    assert sorted(root["items_done"]) == ["first", "last"], (
        f"items still in the pipelines at the drop: {root}"
    )
    children = [d for d in result["drops"] if d["url"] and "/child-" in d["url"]]
    assert len(children) == result["children"]  # each fetched once, each entry dropped once
