"""Parse documents in a reusable worker process under hard CPU-time and memory limits (setrlimit).

The worker sets RLIMIT_AS once (its whole address space) and, before each document, RLIMIT_CPU to the CPU
time it has used so far plus the per-document allowance. A document that runs past it gets SIGXCPU from the
kernel and the worker dies; one whose allocations fail under RLIMIT_AS raises MemoryError; one that blocks
(a stuck subprocess) is killed after a wall-clock backstop. Either way the caller gets a `failed` report
naming the limit, a fresh worker takes the next document, and a normalize run always finishes. (The wall
clock is generous: it must outlast OCR and LibreOffice, which run in children with their own timeouts.)

Limits come from NIANBAO_PARSE_CPU_SECONDS (default 20) and NIANBAO_PARSE_MEMORY_MB (default 2048).
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import re
import resource
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from crawler.parse import limits as parse_limits
from crawler.parse.document import parse_file
from crawler.parse.model import ParsedReport, ReportHints

DEFAULT_CPU_SECONDS = 20.0
DEFAULT_MEMORY_MB = 2048
RECYCLE_RSS_BYTES = 768 * 1024 * 1024  # a worker whose heap grew past this is replaced after its document
# Modules the fork server imports once, so a fresh worker (after a kill) starts in milliseconds.
PRELOAD = [
    "pdfplumber",
    "pypdfium2",
    "docx",
    "crawler.parse.document",
    "crawler.parse.pdf_source",
    "crawler.parse.docx_source",
    "crawler.parse.doc_source",
    "crawler.parse.html_source",
    "crawler.parse.text_source",
]
# The wall clock only catches a worker that waits without using CPU. Its legitimate waits are on child
# processes with their own timeouts (OCR: model start + a timeout per page; LibreOffice), so it allows those.
WALL_SLACK = (
    parse_limits.OCR_START_SECONDS
    + parse_limits.OCR_MAX_PAGES * parse_limits.OCR_PAGE_SECONDS
    + parse_limits.SOFFICE_TIMEOUT
)
NEAR_LIMIT = 0.8  # a worker whose address space peaked past this share of the limit ran out of memory
_MEMORY_ERROR = re.compile(r"\bMemoryError\b")  # a parser that caught MemoryError still names it


@dataclass(frozen=True)
class Limits:
    """Per-document CPU seconds and worker address space; wall seconds only catch a worker that blocks."""

    cpu_seconds: float = DEFAULT_CPU_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_MB * 1024 * 1024
    wall_slack: float = WALL_SLACK  # wall seconds = 3 × CPU seconds (a busy machine) + this

    @property
    def wall_seconds(self) -> float:
        return self.cpu_seconds * 3 + self.wall_slack

    @classmethod
    def from_env(cls) -> Limits:
        cpu = float(os.environ.get("NIANBAO_PARSE_CPU_SECONDS", DEFAULT_CPU_SECONDS))
        memory_mb = int(os.environ.get("NIANBAO_PARSE_MEMORY_MB", DEFAULT_MEMORY_MB))
        return cls(cpu_seconds=cpu, memory_bytes=memory_mb * 1024 * 1024)

    def cpu_text(self) -> str:
        return f"parse exceeded {self.cpu_seconds:g} s CPU"

    def memory_text(self) -> str:
        size = self.memory_bytes / 1024**3
        return (
            f"parse exceeded {size:g} GB memory" if size >= 1 else f"parse exceeded {size * 1024:g} MB memory"
        )


@dataclass
class Outcome:
    """What the worker sent back for one document."""

    report: ParsedReport
    out_of_memory: bool
    cpu_seconds: float  # CPU time this document took in the worker
    peak_rss_bytes: int  # the worker's peak resident size so far


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmPeak:"))
    return int(line.split()[1]) * 1024


def _hit_memory_limit(report: ParsedReport, limits: Limits) -> bool:
    """A MemoryError named in the errors, or the address space filled: some parsers wrap or swallow it."""
    if any(_MEMORY_ERROR.search(e) for e in report.errors):
        return True
    return _peak_address_space() > NEAR_LIMIT * limits.memory_bytes


def _worker(conn: Connection, limits: Limits) -> None:
    """Worker loop: receive (data, filename, content_type, hints, images), send an Outcome; exit after MemoryError."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed worker must not write a 2 GB core file
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    from crawler.parse.document import parse_bytes

    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            data, filename, content_type, hints, images = conn.recv()
        except EOFError:
            return
        started = _cpu_used()
        soft = math.ceil(started + limits.cpu_seconds)
        if cpu_hard != resource.RLIM_INFINITY:
            soft = min(soft, cpu_hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
        try:
            report = parse_bytes(
                data, filename=filename, content_type=content_type, hints=hints, images=images
            )
            out_of_memory = _hit_memory_limit(report, limits)
        except MemoryError:
            report, out_of_memory = ParsedReport(), True
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        del data, images
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        conn.send(Outcome(report, out_of_memory, _cpu_used() - started, peak))
        if out_of_memory or _rss_bytes() > RECYCLE_RSS_BYTES:
            return


def _cpu_seconds_of(pid: int | None) -> float | None:
    """User + system CPU seconds of a running process, from /proc (None when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _failed(message: str, hints: ReportHints | None) -> ParsedReport:
    report = ParsedReport(parse_status="failed", errors=[message])
    if hints:
        report.title, report.agency, report.year = hints.title, hints.agency, hints.year
        report.publish_date = hints.publish_date
    return report


class Sandbox:
    """One reusable worker process; parse() is thread-safe (documents go through it one at a time)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_env()
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self.last: Outcome | None = None  # the latest document's measurements (None when the worker died)

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self._process is None or self._conn is None or not self._process.is_alive():
            self.close()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            parent, child = context.Pipe()
            self._process = context.Process(target=_worker, args=(child, self.limits), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
        return self._process, self._conn

    @property
    def pid(self) -> int | None:
        """The worker's process id, once started (for measuring it from outside)."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the worker now rather than with the first document."""
        with self._lock:
            self._start()

    def _death(self, process: BaseProcess) -> str:
        process.join(5)
        code = process.exitcode
        if code == -signal.SIGXCPU:
            return self.limits.cpu_text()
        if code == -signal.SIGABRT:  # C++ code (pdfium) aborts when an allocation fails under RLIMIT_AS
            return f"{self.limits.memory_text()} (the worker aborted)"
        if code == -signal.SIGKILL:
            return "parse killed (SIGKILL; out of memory?)"
        if code is not None and code < 0:
            return f"parse crashed ({signal.Signals(-code).name})"
        return f"parse worker exited with code {code}"

    def parse(
        self,
        data: bytes,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        hints: ReportHints | None = None,
        images: Mapping[str, bytes] | None = None,
    ) -> ParsedReport:
        """Parse one document in the worker; never raises, never runs past the limits."""
        with self._lock:
            self.last = None
            process, conn = self._start()
            try:
                conn.send((data, filename, content_type, hints, dict(images) if images else None))
                if not conn.poll(self.limits.wall_seconds):
                    used = _cpu_seconds_of(process.pid)
                    self.close()
                    message = f"parse exceeded {self.limits.wall_seconds:g} s wall time"
                    return _failed(message + (f" ({used:.1f} s CPU)" if used is not None else ""), hints)
                outcome: Outcome = conn.recv()
            except (EOFError, OSError):
                reason = self._death(process)
                self.close()
                return _failed(reason, hints)
            self.last = outcome
            if outcome.out_of_memory:
                self.close()
                return _failed(self.limits.memory_text(), hints)
            return outcome.report

    def close(self) -> None:
        """Stop the worker (it is started again on the next document)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
            self._process = None


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """The process-wide sandbox (limits read from the environment when first used)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox()
            atexit.register(_shared.close)
        return _shared


def parse_file_in_sandbox(path: Path, hints: ReportHints | None = None) -> ParsedReport:
    """parse_file() with the parsing in the shared worker (the file is read, size-capped, in this process)."""
    return parse_file(path, hints=hints, parse=parse_in_sandbox)


def parse_in_sandbox(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    hints: ReportHints | None = None,
    images: Mapping[str, bytes] | None = None,
) -> ParsedReport:
    """parse_bytes() in the shared worker, under the CPU and memory limits (`images`: a page's table images)."""
    return shared_sandbox().parse(
        data, filename=filename, content_type=content_type, hints=hints, images=images
    )
