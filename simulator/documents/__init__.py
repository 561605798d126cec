"""Report documents the simulated government sites serve (HTML/PDF/DOCX) and their ground truth."""

from .catalogue import district_reports, report_by_key
from .companions import Companion, companion_articles
from .render_docx import render_docx
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
from .render_pdf import render_pdf
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
