"""Issue 14 item 2: each hostile document is parsed in the sandbox worker and stopped at the CPU or memory limit
(or refused by a size cap) — recorded `failed` with the reason, within bounded time and memory — and the next
document parses normally. Limits are lowered here (1 s CPU, 512 MB) so each case costs seconds, not minutes."""

from __future__ import annotations

import io
import os
import re
import signal
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.parse import parse_bytes
from crawler.parse.sandbox import Limits, Sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES / "hostile"))
import _attacks  # noqa: E402

LIMITS = Limits(cpu_seconds=1, memory_bytes=512 * 1024**2, wall_slack=30)  # a busy machine: CPU, not wall
CPU = "parse exceeded 1 s CPU"
MEMORY = "parse exceeded 512 MB memory"
EXPECTED = {  # how each attack must end
    "xobject-recursion.pdf": {CPU, MEMORY},
    "flate-bomb.pdf": {MEMORY},
    "dense-text.pdf": {CPU, MEMORY},
    "dense-lines.pdf": {CPU, MEMORY},
    "150k-pages.pdf": {CPU, MEMORY},
    "huge-rels.docx": {
        "DOCX part word/_rels/document.xml.rels is 207629211 bytes (over the 20971520 byte cap per part)"
    },
    "huge-main-part.docx": {
        "DOCX part word/content.bin is 207620971 bytes (over the 20971520 byte cap per part)"
    },
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(LIMITS)
    yield box
    box.close()


def _peak_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def measured_parse(box: Sandbox, data: bytes, filename: str):
    """Parse in the sandbox while sampling the worker's peak resident size; (report, seconds, peak bytes)."""
    box.start()
    pid, peak, done = box.pid, [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _peak_rss(pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    report = box.parse(data, filename=filename)
    seconds = time.monotonic() - started
    done.set()
    watcher.join()
    return report, seconds, peak[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_attacks.ATTACKS))
def test_attack_is_contained_and_recorded_failed(name: str, sandbox: Sandbox) -> None:
    data = _attacks.ATTACKS[name]()
    report, seconds, peak = measured_parse(sandbox, data, name)
    print(f"{name}: {len(data)} bytes, {seconds:.1f} s, peak {peak >> 20} MB: {report.errors}")
    assert report.parse_status == "failed"
    assert len(report.errors) == 1 and report.errors[0].startswith(tuple(EXPECTED[name])), report.errors
    assert seconds < LIMITS.wall_seconds
    assert peak < LIMITS.memory_bytes


def test_sandbox_parses_like_the_parser_and_survives_a_kill(sandbox: Sandbox) -> None:
    pdf = (FIXTURES / "reports" / "huaian-szf-2024.pdf").read_bytes()
    direct = parse_bytes(pdf, filename="huaian.pdf").to_contract()
    assert sandbox.parse(pdf, filename="huaian.pdf").to_contract() == direct
    killed = sandbox.parse(_attacks.xobject_recursion(), filename="x.pdf")
    assert killed.parse_status == "failed" and killed.errors[0].startswith((CPU, MEMORY))
    assert sandbox.parse(pdf, filename="huaian.pdf").to_contract() == direct  # a fresh worker took over


def test_worker_blocked_past_the_wall_clock_is_killed() -> None:
    box = Sandbox(Limits(cpu_seconds=0.1, memory_bytes=LIMITS.memory_bytes, wall_slack=1))
    box.start()
    os.kill(box.pid, signal.SIGSTOP)  # a worker that never answers and uses no CPU
    try:
        report = box.parse(b"<p>x</p>", filename="a.html")
    finally:
        box.close()
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"parse exceeded {box.limits.wall_seconds:g} s wall time (0.")


def test_docx_malformed_grid_before_does_not_fail_the_document() -> None:
    source = (FIXTURES / "reports" / "docx-merged-2023.docx").read_bytes()
    original = parse_bytes(source, filename="a.docx")
    spoiled = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(spoiled, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data, count = re.subn(
                    rb"<w:tr( [^>]*)?>", rb'\g<0><w:trPr><w:gridBefore w:val="abc"/></w:trPr>', data
                )
                assert count > 10
            dst.writestr(info, data)
    report = parse_bytes(spoiled.getvalue(), filename="a.docx")
    assert original.parse_status == "ok"
    assert report.parse_status == "ok", report.errors
    assert report.to_contract() == original.to_contract()
