"""Archived bodies for reading: decode, sniff the charset, and render as escaped source or sanitized HTML."""

from __future__ import annotations

import re
from html import escape

import lxml.html
from lxml_html_clean import Cleaner

from crawler.store.bodies import decode_body

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
HTML_TYPES = ("text/html", "application/xhtml")
TEXT_TYPES = ("text/", "application/json", "application/xml")

# Strips every way an archived page could run code or pull resources: scripts, event-handler attributes,
# javascript: URLs, frames, objects, forms, styles (CSS can exfiltrate), meta refresh, base.
CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=True,
    kill_tags=frozenset({"svg", "math", "noscript", "template"}),
    safe_attrs_only=True,
    safe_attrs=frozenset({"href", "src", "alt", "title", "colspan", "rowspan", "align", "width", "height"}),
)


def is_html(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith(HTML_TYPES)


def is_text(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith(TEXT_TYPES)


def body_text(body: bytes | None, codec: str | None, content_type: str | None) -> str:
    """The body decoded to text: charset from Content-Type, else <meta charset>, else UTF-8, else GB18030."""
    raw = decode_body(body, codec)
    candidates: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        candidates.append(header.group(1))
    meta = _META_CHARSET.search(raw[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    candidates += ["utf-8", "gb18030"]
    for charset in candidates:
        name = "gb18030" if charset.lower() in ("gb2312", "gbk") else charset
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _safe_link(href: str) -> bool:
    return href.lower().startswith(("http://", "https://", "#", "/")) or "://" not in href and ":" not in href


def sanitize_html(text: str, base_url: str | None = None) -> str:
    """Sanitized body HTML: no script, handlers, javascript: URLs, frames, forms or styles survive."""
    if not text.strip():
        return ""
    try:
        doc = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return ""
    cleaned = CLEANER.clean_html(doc)
    for element in cleaned.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("href", "src"):
            value = element.get(attr)
            if value is not None and (not value.strip() or not _safe_link(value.strip())):
                del element.attrib[attr]
    for img in list(cleaned.iter("img")):
        # Images would be fetched from the live site (blocked by the CSP anyway): say where one was instead.
        placeholder = lxml.html.Element("span", {"class": "nb-img"})
        placeholder.text = f"[图片 image{': ' + img.get('alt') if img.get('alt') else ''}]"
        placeholder.tail = img.tail
        img.getparent().replace(img, placeholder)
    if base_url:
        cleaned.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    for element in cleaned.iter("a"):
        if element.get("href"):
            element.set("rel", "noopener noreferrer nofollow")
            element.set("target", "_blank")
    body = cleaned if cleaned.tag == "body" else cleaned.find(".//body")
    root = body if body is not None else cleaned
    return escape(root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
