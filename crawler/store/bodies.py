"""How raw response bodies are stored in `captures.body`: compressed with zlib when that saves space."""

from __future__ import annotations

import hashlib
import zlib

MIN_COMPRESS = 512  # below this, compression rarely pays for its header


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_body(data: bytes) -> tuple[bytes, str]:
    """Return (stored bytes, codec name) for a body as received."""
    if len(data) >= MIN_COMPRESS:
        packed = zlib.compress(data, 6)
        if len(packed) < len(data) * 0.9:
            return packed, "zlib"
    return data, "identity"


def decode_body(stored: bytes | None, codec: str | None) -> bytes:
    """Return the body exactly as it was received."""
    if stored is None:
        return b""
    if codec == "zlib":
        return zlib.decompress(stored)
    return bytes(stored)
