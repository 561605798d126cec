"""Decoding fetched pages: honour declarations, read GB2312/GBK as GB18030, and notice lying or missing ones."""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

GB_FAMILY = ("gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030")
UTF8_NAMES = ("utf-8", "utf8", "ascii", "us-ascii")


def decode_page(body: bytes, content_type: str = "") -> tuple[str, str | None]:
    """(text, problem). Strict UTF-8 wins when it decodes (GBK text is almost never valid UTF-8), whatever was
    declared; otherwise the declared charset (GB2312/GBK as GB18030); with nothing declared, GB18030.
    `problem` describes a missing or wrong declaration (recorded as failure kind ``charset``)."""
    header = http_content_type_encoding(content_type)
    meta = html_body_declared_encoding(body)
    declared = (header or meta or "").lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if declared and declared not in UTF8_NAMES and not body.isascii():
            return text, f"declared {declared} but the body is UTF-8"
        return text, None
    if declared:
        encoding = "gb18030" if declared in GB_FAMILY else declared
        try:
            return body.decode(encoding), None
        except (UnicodeDecodeError, LookupError):
            return body.decode("gb18030", "replace"), f"declared {declared} does not decode; read as GB18030"
    return body.decode("gb18030", "replace"), "no charset in header or meta; read as GB18030"
