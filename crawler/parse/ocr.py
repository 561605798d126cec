"""Chinese OCR (RapidOCR, PP-OCR models shipped in the wheel) in a worker process under time and memory limits.

One worker process per parsing process loads the models once and recognises page images sent to it over a
pipe. The worker runs under its own address-space limit (RLIMIT_AS, never above the limit the parent
itself runs under), sets its own CPU allowance before each page (RLIMIT_CPU, so a CPU limit inherited from
a parse sandbox does not apply to it) and each page has a hard wall-clock timeout: a page that takes too
long or a worker that dies is killed, recorded as an error, and the next page starts a fresh worker.
"""

from __future__ import annotations

import atexit
import io
import json
import math
import os
import resource
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from crawler.parse import limits
from crawler.parse.boxes import Box


class OcrError(Exception):
    """A page could not be recognised (timeout, memory limit, engine missing or crashed)."""


@dataclass
class OcrPage:
    """The words of one page image, deskewed, with the engine's time and the worker's peak memory."""

    boxes: list[Box]
    seconds: float
    peak_mb: float


def prepare(image_bytes: bytes) -> bytes:
    """Image bytes → PNG of the red channel (red seals and stamps fade to white, black print stays black),
    speckle removed by a 3×3 median filter."""
    from PIL import Image, ImageFilter

    with Image.open(io.BytesIO(image_bytes)) as img:
        if img.width * img.height > limits.OCR_MAX_PIXELS:  # checked before the pixels are decoded
            raise OcrError(f"image of {img.width}x{img.height} pixels is over the OCR cap")
        red = img.convert("RGB").getchannel("R").filter(ImageFilter.MedianFilter(3))
    out = io.BytesIO()
    Image.merge("RGB", (red, red, red)).save(out, format="PNG")
    return out.getvalue()


def deskew(quads: list[tuple[list[list[float]], str, float]]) -> list[Box]:
    """Detected quadrilaterals → axis-aligned boxes, after undoing the page's skew (the median slope of the
    long text lines), so that rows can be found by y."""
    slopes = []
    for quad, _, _ in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        height = math.dist(quad[0], quad[3])
        if x1 - x0 > 3 * height:
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    angle = sorted(slopes)[len(slopes) // 2] if slopes else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)
    boxes = []
    for quad, text, score in quads:
        pts = [(x * cos - y * sin, x * sin + y * cos) for x, y in quad]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes.append(Box(text, min(xs), min(ys), max(xs), max(ys), float(score)))
    return boxes


# ---- the worker side -----------------------------------------------------------------------------------
def serve() -> None:
    """Worker loop: read length-prefixed PNG images on stdin, answer one JSON line each on stdout."""
    import logging

    import numpy as np
    from PIL import Image
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    engine = RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.text_score": 0.3,
            "Det.box_thresh": 0.4,
            "Det.thresh": 0.25,
        }
    )
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    stdout.write(b'{"ready": true}\n')
    stdout.flush()
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        (size,) = struct.unpack(">Q", head)
        data = stdin.read(size)
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + limits.OCR_PAGE_CPU_SECONDS)
        if cpu_hard != resource.RLIM_INFINITY:
            soft = min(soft, cpu_hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))  # this page's CPU allowance (SIGXCPU)
        started = time.monotonic()
        with Image.open(io.BytesIO(data)) as img:
            result = engine(np.array(img.convert("RGB")))
        quads = [] if result.boxes is None else result.boxes.tolist()
        words = [
            [q, t, float(s)] for q, t, s in zip(quads, result.txts or (), result.scores or (), strict=True)
        ]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reply = {"words": words, "seconds": time.monotonic() - started, "peak_mb": peak}
        stdout.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        stdout.flush()


# ---- the parent side -----------------------------------------------------------------------------------
def _memory_cap() -> int:
    """The worker's address-space cap: ours, or the limit this process already runs under if lower."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    inherited = [v for v in (soft, hard) if v != resource.RLIM_INFINITY]
    return min([limits.OCR_MEMORY_BYTES, *inherited])


class Worker:
    """One OCR worker process; started on first use, replaced after a timeout or a crash."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _start(self, timeout: float) -> subprocess.Popen[bytes]:
        cap = _memory_cap()

        def limit() -> None:  # runs in the child before exec
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
        proc = subprocess.Popen(
            [sys.executable, "-c", "from crawler.parse.ocr import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=limit,  # noqa: PLW1509 — no threads of ours run between fork and exec
            env=env,
        )
        self._proc = proc
        ready = self._read_line(min(limits.OCR_START_SECONDS, timeout), "starting the OCR engine")
        if not ready.get("ready"):
            self.close()
            raise OcrError("OCR engine did not start")
        return proc

    def _read_line(self, timeout: float, what: str) -> dict:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise OcrError(f"{what} took longer than {timeout:.0f} s; stopped")
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            self._proc = None
            why = "memory limit" if code in (1, -6, -9, -11) else "crashed"
            raise OcrError(f"OCR worker ended while {what} (exit {code}, {why}?)")
        return json.loads(line)

    def recognise(self, image_bytes: bytes, timeout: float | None = None) -> OcrPage:
        """Words with boxes and confidences of one page image, within `timeout` seconds (start-up included)
        and the per-page limit."""
        png = prepare(image_bytes)
        deadline = time.monotonic() + (limits.OCR_PAGE_SECONDS if timeout is None else timeout)
        with self._lock:
            alive = self._proc is not None and self._proc.poll() is None
            proc = self._proc if alive else self._start(deadline - time.monotonic())
            assert proc.stdin is not None
            try:
                proc.stdin.write(struct.pack(">Q", len(png)) + png)
                proc.stdin.flush()
            except BrokenPipeError as exc:
                self.close()
                raise OcrError("OCR worker is gone") from exc
            left = max(0.0, min(limits.OCR_PAGE_SECONDS, deadline - time.monotonic()))
            reply = self._read_line(left, "recognising a page")
        quads = [(w[0], w[1], w[2]) for w in reply["words"]]
        return OcrPage(deskew(quads), float(reply["seconds"]), float(reply["peak_mb"]))

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()


_WORKER = Worker()
atexit.register(_WORKER.close)


def recognise(image_bytes: bytes, timeout: float | None = None) -> OcrPage:
    """Recognise one page image with the process-wide worker (the models are loaded once)."""
    try:
        return _WORKER.recognise(image_bytes, timeout)
    except OSError as exc:
        raise OcrError(f"cannot read the image: {exc}") from exc
