"""Adapter over simulator.documents: rendered report pages/files (re-branded per site) and companions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from simulator import documents as docs
from simulator.documents import ReportTruth
from simulator.sites.chrome import Brand

_lock = threading.Lock()
_file_cache: dict[tuple[str, str, str], bytes] = {}
_render_locks: dict[tuple[str, str, str], threading.Lock] = {}


@dataclass(frozen=True)
class Companion:
    """A non-report item of a 年报 column (图文解读, 一图读懂, notice, news)."""

    title: str
    publish_date: str
    body_html: str
    kind: str


def _decode(data: bytes | str, encoding: str) -> str:
    if isinstance(data, str):
        return data
    return data.decode("gb18030" if encoding in ("gbk", "gb2312", "gb18030") else "utf-8")


def _site(brand: Brand | None) -> docs.Site:
    if brand is None:
        return docs.SPT
    return docs.Site(name=brand.site_name, domain=brand.domain, code=brand.site_code)


def article_html(
    truth: ReportTruth,
    cms: str,
    *,
    encoding: str,
    url: str,
    column: str,
    brand: Brand | None = None,
    charset_style: str = "http-equiv",
    declared_charset: str | None = None,
) -> str:
    """The whole article page of a report in the site's chrome (for gkmlpt: the body fragment)."""
    data = docs.render_article_html(
        truth,
        cms=cms,
        encoding=encoding,
        url=url,
        column=column,
        site=_site(brand),
        charset_style=charset_style,
        declared_charset=declared_charset,
    )
    return _decode(data, encoding)


def stub_html(
    truth: ReportTruth,
    href: str,
    cms: str,
    *,
    encoding: str,
    url: str,
    column: str,
    brand: Brand | None = None,
) -> str:
    """An article page whose body is "详见附件" plus a link to `href` (for gkmlpt: the fragment)."""
    data = docs.render_attachment_stub_html(
        truth, href, cms, encoding=encoding, url=url, column=column, site=_site(brand)
    )
    return _decode(data, encoding)


def _cached(truth: ReportTruth, kind: str, render: Any) -> bytes:
    """Render once per (report, kind) across threads and SimulatedSites instances."""
    key = (truth.key, truth.title, kind)
    with _lock:
        if key in _file_cache:
            return _file_cache[key]
        key_lock = _render_locks.setdefault(key, threading.Lock())
    with key_lock:
        with _lock:
            if key in _file_cache:
                return _file_cache[key]
        data = bytes(render(truth))
        with _lock:
            _file_cache[key] = data
    return data


def pdf_bytes(truth: ReportTruth) -> bytes:
    # import the submodule's function: after `import simulator.documents.render_pdf` the package attribute
    # `documents.render_pdf` is the submodule, not the wrapper function
    from simulator.documents.render_pdf import render_pdf

    return _cached(truth, "pdf", render_pdf)


def docx_bytes(truth: ReportTruth) -> bytes:
    from simulator.documents.render_docx import render_docx

    return _cached(truth, "docx", render_docx)


def companions(agency: str, year: int) -> list[Companion]:
    return [
        Companion(c.title, c.publish_date, c.body_html, c.kind) for c in docs.companion_articles(agency, year)
    ]


def expected(truth: ReportTruth) -> dict[str, Any]:
    return dict(truth.to_expected())
