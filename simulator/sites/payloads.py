"""Dangerous payloads for the faults site: the gzip bomb, a 30 MB streamed page, the hostile fixture files."""

from __future__ import annotations

import mimetypes
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

from simulator.sites.server import Response

HOSTILE_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "hostile"
OVERSIZED_BYTES = 30 * 1024 * 1024
GZIP_BOMB_RAW = 1024 * 1024 * 1024
GZIP_BOMB_NAME = "gzip-bomb.html"

_bomb_lock = threading.Lock()
_bomb: bytes | None = None


def gzip_bomb() -> bytes:
    """~1 GiB of zeros as one gzip member of ~1 MB; built on first use (≈1 s) and cached.

    Each 1 MiB of zeros is deflated after a full flush, so every block's bytes are identical and the
    stream is one block repeated; only the CRC needs a pass over the (virtual) data.
    """
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            chunk = bytes(1 << 20)
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp.compress(chunk)
            comp.flush(zlib.Z_FULL_FLUSH)
            block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
            blocks = GZIP_BOMB_RAW // len(chunk)
            crc = 0
            for _ in range(blocks):
                crc = zlib.crc32(chunk, crc)
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
            trailer = struct.pack("<II", crc, GZIP_BOMB_RAW & 0xFFFFFFFF)
            _bomb = header + block * blocks + comp.flush() + trailer
        return _bomb


def gzip_bomb_response() -> Response:
    """Built lazily by the server thread, outside the site lock."""
    return Response(
        lazy=gzip_bomb, content_type="text/html; charset=utf-8", headers={"Content-Encoding": "gzip"}
    )


def oversized_stream(total: int) -> Iterator[bytes]:
    head = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>大页面</title></head><body>'.encode()
    filler = ("<p>" + "政务公开" * 60 + "</p>\n").encode()
    chunk = filler * (65536 // len(filler))
    yield head
    sent = len(head)
    while sent < total:
        part = chunk[: total - sent]
        yield part
        sent += len(part)


def oversized_response() -> Response:
    return Response(
        stream=oversized_stream(OVERSIZED_BYTES),
        stream_length=OVERSIZED_BYTES,
        content_type="text/html; charset=utf-8",
    )


def hostile_names() -> list[str]:
    """Files of tests/fixtures/hostile/ to serve (names starting with '_' or '.' are left out)."""
    if not HOSTILE_DIR.is_dir():
        return []
    return sorted(p.name for p in HOSTILE_DIR.iterdir() if p.is_file() and p.name[0] not in "._")


def hostile_file(name: str) -> Response:
    if name not in hostile_names():
        return Response.not_found()
    target = HOSTILE_DIR / name
    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Response(body=target.read_bytes(), content_type=ctype)
