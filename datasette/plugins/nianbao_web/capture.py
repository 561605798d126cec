"""Archived bodies for reading: decode, sniff the charset, and render as escaped source or sanitized HTML."""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import quote, unquote, urlsplit

import lxml.html
from lxml_html_clean import Cleaner

from crawler.decoding import decode_bytes
from crawler.parse.labels import is_report_table
from crawler.parse.numbers import squeeze
from crawler.store.bodies import decode_body

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


def is_pdf(content_type: str | None, name: str = "") -> bool:
    return (content_type or "").lower().startswith("application/pdf") or name.lower().endswith(".pdf")


# Extensions for a download whose URL and headers give no file name.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/zip": ".zip",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/html": ".html",
    "text/plain": ".txt",
}
_DISPOSITION_NAME = re.compile(r"filename\*\s*=\s*UTF-8''([^;]+)|filename\s*=\s*\"?([^\";]+)", re.I)


def download_name(row: dict) -> str:
    """The original file name: the server's Content-Disposition, else the URL's last path segment, else
    capture-<id>; given the extension of its content type when it has none."""
    name = ""
    try:
        headers = {k.lower(): v for k, v in json.loads(row.get("headers") or "{}").items()}
    except (TypeError, ValueError, AttributeError):
        headers = {}
    found = _DISPOSITION_NAME.search(str(headers.get("content-disposition", "")))
    if found:
        name = unquote(found.group(1) or found.group(2) or "").strip()
    if not name:
        path = urlsplit(row.get("final_url") or row.get("url") or "").path
        name = unquote(path.rsplit("/", 1)[-1])
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or f"capture-{row.get('id')}"
    if "." not in name:
        kind = (row.get("content_type") or "").split(";")[0].strip().lower()
        name += EXTENSIONS.get(kind, "")
    return name[:200]


def content_disposition(name: str, capture_id: object) -> str:
    """attachment with the original name (RFC 6266 filename*) and an ASCII fallback."""
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    ascii_name = (
        name if name.isascii() else f"capture-{capture_id}" + (f".{ext}" if ext.isascii() and ext else "")
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def is_text(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith(TEXT_TYPES)


def body_text(body: bytes | None, codec: str | None, content_type: str | None) -> str:
    """The body decoded to text the one way the crawler and parser decode it (crawler/decoding.py)."""
    return decode_bytes(decode_body(body, codec), content_type).text


def _safe_link(href: str) -> bool:
    return href.lower().startswith(("http://", "https://", "#", "/")) or "://" not in href and ":" not in href


def _span(value: str | None) -> int:
    match = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(match.group(1)), 500)) if match else 1


def find_cell(root: lxml.html.HtmlElement, table: int, row: int, col: int) -> lxml.html.HtmlElement | None:
    """The <td>/<th> the parser read as (table, row, col): the table-th report table (leaf tables whose text
    reads as a report table, as crawler/parse/html_source.py counts them), its row-th <tr>, and the cell that
    covers grid column col once rowspans and colspans are laid out."""
    leaves = [t for t in root.iter("table") if not t.xpath(".//table")]
    tables = [t for t in leaves if is_report_table(squeeze(t.text_content()[:20000]), columns=1)]
    if not 0 <= table < len(tables):
        return None
    occupied: dict[tuple[int, int], lxml.html.HtmlElement] = {}
    for r, tr in enumerate(tables[table].xpath("./tr|./*/tr")[: row + 1]):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            for dr in range(_span(td.get("rowspan"))):
                for dc in range(_span(td.get("colspan"))):
                    occupied[(r + dr, c + dc)] = td
            c += _span(td.get("colspan"))
    return occupied.get((row, col))


def sanitize_html(text: str, base_url: str | None = None, mark: tuple[int, int, int] | None = None) -> str:
    """Sanitized body HTML: no script, handlers, javascript: URLs, frames, forms or styles survive.
    ``mark`` = (table, row, col) of a statistics cell: that cell gets id="nb-cell" to be highlighted."""
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
    if mark is not None:
        cell = find_cell(cleaned, *mark)
        if cell is not None:
            cell.set("id", "nb-cell")
    if base_url:
        cleaned.make_links_absolute(base_url, resolve_base_href=False, handle_failures="discard")
    for element in cleaned.iter("a"):
        if element.get("href"):
            element.set("rel", "noopener noreferrer nofollow")
            element.set("target", "_blank")
    body = cleaned if cleaned.tag == "body" else cleaned.find(".//body")
    root = body if body is not None else cleaned
    return escape(root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
