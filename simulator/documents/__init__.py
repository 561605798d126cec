"""Report documents the simulated government sites serve (HTML/PDF/DOCX) and their ground truth."""

from .catalogue import district_reports, report_by_key
from .companions import Companion, companion_articles
from .render_html import (
    SPT,
    Site,
    article_id,
    index_no,
    pub_time,
    render_article_html,
    render_attachment_stub_html,
    render_body_html,
)
from .truth import ReportTruth

__all__ = [
    "Companion",
    "SPT",
    "Site",
    "article_id",
    "index_no",
    "pub_time",
    "ReportTruth",
    "companion_articles",
    "district_reports",
    "render_article_html",
    "render_attachment_stub_html",
    "render_body_html",
    "render_docx",
    "render_pdf",
    "report_by_key",
]


def render_pdf(truth: ReportTruth) -> bytes:
    """The report as a PDF with a real text layer (see render_pdf.py)."""
    from .render_pdf import render_pdf as _render

    return _render(truth)


def render_docx(truth: ReportTruth) -> bytes:
    """The report as a .docx with real merged table cells (see render_docx.py)."""
    from .render_docx import render_docx as _render

    return _render(truth)
