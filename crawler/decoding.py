"""Bytes → text, one way for the crawler, the parser and the capture view (w3lib reads the declarations).

Precedence, first that holds:
1. a byte-order mark (UTF-8, UTF-16) — it cannot lie;
2. strict UTF-8 — GBK text is almost never valid UTF-8, so this wins even over a declaration (pages that say
   gb2312 but are UTF-8 are common); a non-UTF-8 declaration on such a body is reported;
3. the declared charset (HTTP Content-Type, then <meta>; GB2312/GBK read as GB18030, w3lib's aliases), with a
   few bad bytes replaced (U+FFFD) and reported rather than abandoning the declaration;
4. with nothing declared (or a declaration that does not fit at all): UTF-8 with a few bad bytes, then GB18030
   with a few bad bytes — the common cases on Chinese government sites;
5. charset detection (charset-normalizer) for the rest; GB18030 with replacement as the last resort.
"A few" is at most `TOLERANCE` of the characters (at least 3) and a tenth of the non-ASCII bytes: a page
with three corrupt bytes stays in its own charset instead of being read as something exotic (detection read
such a GBK page as ISO-8859-5), while GBK read as UTF-8 fails on most of its bytes and is not "a few".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

TOLERANCE = 0.005  # share of replaced characters still read as "a few bad bytes"
_ASCII = bytes(range(0x80))
_UTF8 = ("utf-8", "utf8", "ascii", "us-ascii")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec actually used
    problem: str | None = None  # a missing/lying declaration or replaced bytes; the crawler records `charset`
    replaced: int = 0  # bad bytes replaced by U+FFFD


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """(text, replaced) when `encoding` fits with only a few bad bytes, else None."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    replaced = text.count("\ufffd")
    few = replaced <= max(3, len(text) * TOLERANCE)
    rare = replaced * 10 <= len(data.translate(None, _ASCII))  # a tenth of the non-ASCII bytes at most
    return (text, replaced) if replaced == 0 or (few and rare) else None


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None else None


def declared_encoding(data: bytes, content_type: str | None) -> str | None:
    """The charset the HTTP header, else the page's <meta>, declares (normalized by w3lib; gbk → gb18030)."""
    return http_content_type_encoding(content_type or "") or html_body_declared_encoding(data)


def decode_bytes(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode a fetched or archived body; never raises. See the module docstring for the precedence."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding:
        return Decoded(data[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding)
    declared = declared_encoding(data, content_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        lying = declared and declared not in _UTF8 and not data.isascii()
        return Decoded(text, "utf-8", f"declared {declared} but the body is UTF-8" if lying else None)
    if declared:
        fit = _lenient(data, declared)
        if fit is not None:
            text, replaced = fit
            problem = f"{replaced} invalid bytes for the declared {declared} replaced" if replaced else None
            return Decoded(text, declared, problem, replaced)
    why = f"declared {declared} does not decode" if declared else "no charset in header or meta"
    for guess in ("utf-8", "gb18030"):
        fit = _lenient(data, guess)
        if fit is not None:
            text, replaced = fit
            bad = f", {replaced} invalid bytes replaced" if replaced else ""
            return Decoded(text, guess, f"{why}; read as {guess.upper()}{bad}", replaced)
    detected = _detect(data)
    if detected:
        text = data.decode(detected, errors="replace")
        return Decoded(text, detected, f"{why}; detected {detected}", text.count("\ufffd"))
    text = data.decode("gb18030", errors="replace")
    return Decoded(text, "gb18030", f"{why}; read as GB18030 with replacement", text.count("\ufffd"))


def strip_controls(text: str) -> str:
    """Text without NUL and other C0 control characters (tabs and line breaks kept)."""
    return _CONTROL.sub("", text)
