"""Single-writer benchmark: ops through Redis + `nianbao ingest` vs the same ops applied by SqliteSink.

Synthetic pages (a ~30 KB compressible HTML body each → capture + fetch + document ops) are written twice:
directly through `SqliteSink` (the baseline: what a local crawl does) and by pushing them with `RedisSink` to
a throwaway redis-server and draining them with the writer (`crawler.distributed.ingest.Writer`). The ratio
is the writer's time over the baseline's; pages/s of the writer bounds a distributed crawl's throughput.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

from crawler.crawl.sink import SqliteSink
from crawler.distributed.ingest import Writer
from crawler.distributed.keys import OPS
from crawler.distributed.redis_sink import RedisSink
from crawler.store.captures import CaptureRecord

SITE = {
    "id": "bench",
    "name": "基准区人民政府",
    "province": "P",
    "city": "C",
    "district": "D",
    "region_code": "999999",
    "portal_url": "http://127.0.0.1/",
    "cms": "static",
    "verified": 0,
    "config": "{}",
}
WORDS = [
    "政府",
    "信息",
    "公开",
    "工作",
    "年度",
    "报告",
    "主动",
    "申请",
    "办理",
    "行政",
    "复议",
    "诉讼",
    "统计",
    "情况",
    "问题",
    "改进",
]


def _ops(pages: int, seed: int = 1) -> list[tuple[str, Any]]:
    rng = random.Random(seed)
    ops: list[tuple[str, Any]] = []
    for i in range(pages):
        url = f"http://127.0.0.1/bench/{i}.html"
        text = " ".join(rng.choice(WORDS) for _ in range(3000))
        body = f"<html><body><h1>报告 {i}</h1><p>{text}</p></body></html>".encode()
        record = CaptureRecord(
            url=url, final_url=url, method="GET", status=200, headers={"content-type": "text/html"},
            fetched_at="2026-01-01T00:00:00Z", body=body, content_type="text/html", kind="report",
            site_id="bench", run_id=None,
        )  # fmt: skip
        ops.append(("capture", record))
        ops.append(
            ("fetch", {"run_id": None, "url": url, "fetched_at": record.fetched_at, "status": 200,
                       "bytes": len(body), "capture_url": url, "capture_sha256": record.sha256})
        )  # fmt: skip
        ops.append(
            ("document", {"url": url, "site_id": "bench", "kind": "page", "checked_at": record.fetched_at,
                          "capture_url": url, "capture_sha256": record.sha256, "content_hash": str(i)})
        )  # fmt: skip
    return ops


def _apply(sink: Any, ops: list[tuple[str, Any]]) -> None:
    sink.site(SITE)
    run_id = sink.start_run("bench", "2026-01-01T00:00:00Z", "bench")
    for name, payload in ops:
        if isinstance(payload, CaptureRecord):
            payload.run_id = run_id
        else:
            payload["run_id"] = run_id
        getattr(sink, name)(payload)
    sink.finish_run(run_id, {"ended_at": "2026-01-01T01:00:00Z", "status": "ok"})


def run(pages: int = 2000, work: Path | None = None) -> dict[str, Any]:
    work = work or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    binary = shutil.which("redis-server")
    if binary is None:
        return {"name": "single writer", "line": "single writer: skipped (redis-server is not installed)"}
    direct = SqliteSink(work / "direct.db")
    began = time.perf_counter()
    _apply(direct, _ops(pages))
    direct_s = time.perf_counter() - began
    direct.close()

    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        _wait_ping(client)
        sink = RedisSink(url)
        began = time.perf_counter()
        _apply(sink, _ops(pages))
        push_s = time.perf_counter() - began
        queued = client.llen(OPS)
        writer = Writer(client, work / "ingest.db")
        began = time.perf_counter()
        while writer.drain_once(timeout=0.05):
            pass
        writer_s = time.perf_counter() - began
        writer.close()
    finally:
        server.terminate()
        server.wait(10)
    ratio = writer_s / direct_s
    return {
        "name": "single writer",
        "pages": pages,
        "ops": queued,
        "direct_s": direct_s,
        "push_s": push_s,
        "writer_s": writer_s,
        "writer_ops_per_s": queued / writer_s,
        "writer_pages_per_s": pages / writer_s,
        "ratio": ratio,
        "line": (
            f"single writer: {pages} pages ({queued} ops, ~30 KB bodies) drained by `nianbao ingest` in "
            f"{writer_s:.2f}s ({queued / writer_s:.0f} ops/s, {pages / writer_s:.0f} pages/s) vs SqliteSink "
            f"direct {direct_s:.2f}s -> {ratio:.2f}x; crawler-side RedisSink push {push_s:.2f}s"
        ),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ping(client: redis.Redis, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
