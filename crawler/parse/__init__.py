"""The normalizer: one report document (HTML, text, PDF, DOCX, DOC) → sections, statistics and checks."""

from crawler.parse.document import parse_bytes, parse_file
from crawler.parse.model import Cell, Check, ParsedReport, ReportHints, Section

__all__ = ["Cell", "Check", "ParsedReport", "ReportHints", "Section", "parse_bytes", "parse_file"]
