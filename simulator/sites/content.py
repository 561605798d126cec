"""Adapter over simulator.documents: rendered report pages/files (re-branded per site) and companions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from simulator import documents as docs
from simulator.documents import ReportTruth
from simulator.sites.chrome import Brand

# What simulator.documents prints in every page's chrome (it imitates 沙坡头区); other sites re-brand it.
DOC_SITE_NAME = "中卫市沙坡头区人民政府"
DOC_DOMAIN = "www.spt.gov.cn"
DOC_SITE_CODE = "6405020001"

_lock = threading.Lock()
_file_cache: dict[tuple[str, str, str], bytes] = {}


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


def rebrand(html: str, brand: Brand | None) -> str:
    if brand is None or brand.domain == DOC_DOMAIN:
        return html
    return (
        html.replace(DOC_SITE_NAME, brand.site_name)
        .replace(DOC_DOMAIN, brand.domain)
        .replace(DOC_SITE_CODE, brand.site_code)
    )


def article_html(
    truth: ReportTruth, cms: str, *, encoding: str, url: str, column: str, brand: Brand | None = None
) -> str:
    """The whole article page of a report (for gkmlpt: the body fragment)."""
    data = docs.render_article_html(truth, cms=cms, encoding=encoding, url=url, column=column)
    return rebrand(_decode(data, encoding), brand)


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
    data = docs.render_attachment_stub_html(truth, href, cms, encoding=encoding, url=url, column=column)
    return rebrand(_decode(data, encoding), brand)


def _cached(truth: ReportTruth, kind: str, render: Any) -> bytes:
    key = (truth.key, truth.title, kind)
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
