"""Reading the numbers printed in report tables: full-width digits, separators, units, blanks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

BLANK_MARKS = frozenset(
    {"", "-", "--", "—", "——", "–", "―", "――", "‐", "‑", "‒", "/", "//", "无", "_", "\\", "、", "空"}
)
_UNIT = re.compile(r"(万元|元|件|个|项|条|次|宗|人次|份|家)$")
_WS = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_VALUE_LIKE = re.compile(r"[+-]?[\d.,]*\d[\d.,]*(万元|元|件|个|项|条|次|宗|人次|份|家)?")


def squeeze(text: str) -> str:
    """NFKC (full-width digits/brackets → ASCII) and no whitespace at all."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def is_value_text(text: str | None) -> bool:
    """True when a cell holds a number, a blank mark or nothing — i.e. it is not a label."""
    if text is None:
        return False
    s = squeeze(text)
    return s in BLANK_MARKS or bool(_VALUE_LIKE.fullmatch(s))


@dataclass
class Parsed:
    """A cell value: the number (or string), whether it was blank, and an error when unreadable."""

    value: int | float | str | None
    blank: bool = False
    error: str | None = None
    unit: str | None = None


def parse_value(text: str, *, money: bool = False, signed: bool = False, as_string: bool = False) -> Parsed:
    """Read one cell. Blank marks are 0 (blank=True); malformed or negative counts give an error."""
    s = squeeze(text)
    if s in BLANK_MARKS:
        return Parsed(0, blank=True)
    if as_string:
        return Parsed(unicodedata.normalize("NFKC", text).strip())
    unit = None
    m = _UNIT.search(s)
    if m:
        unit = m.group(1)
        s = s[: m.start()]
    if _GROUPED.fullmatch(s):
        s = s.replace(",", "")
    if not _PLAIN.fullmatch(s):
        return Parsed(None, error=f"not a number: {text.strip()!r}")
    if s.startswith("-") and not signed:
        return Parsed(None, error=f"negative count: {text.strip()!r}")
    if "." in s:
        if not money:
            return Parsed(None, error=f"not a whole number: {text.strip()!r}")
        value: int | float = float(s)
    else:
        value = int(s)
    return Parsed(value, unit=unit)
