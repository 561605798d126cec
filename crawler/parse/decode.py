"""Bytes → text for HTML and plain-text reports: BOM, UTF-8, declared charset, then detection."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def declared_charset(data: bytes, content_type: str | None) -> str | None:
    """The charset named in a Content-Type value or in a <meta> of the first 4 KB."""
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type, re.I)
        if m:
            return m.group(1).lower()
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def decode_text(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode bytes; returns (text, encoding used). Never raises; NUL and control bytes are dropped."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _clean(data.decode(enc, errors="replace")), enc
    candidates = ["utf-8"]
    declared = declared_charset(data, content_type)
    if declared:
        candidates.append("gb18030" if declared in _GB else declared)
    candidates.append("gb18030")
    for enc in candidates:
        try:
            return _clean(data.decode(enc)), enc
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return _clean(data.decode(best.encoding, errors="replace")), best.encoding
    except Exception:  # noqa: BLE001 — detection is best effort
        pass
    return _clean(data.decode("gb18030", errors="replace")), "gb18030"


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)
