"""The normalizer: one report document (HTML, text, PDF, DOCX, DOC) → sections, statistics and checks."""

from crawler.normalize.model import Cell, Check, ParsedReport, ReportHints, Section
from crawler.normalize.parse import parse_bytes, parse_file

__all__ = ["Cell", "Check", "ParsedReport", "ReportHints", "Section", "parse_bytes", "parse_file"]
