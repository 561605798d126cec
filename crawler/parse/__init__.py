"""The normalizer: one report document (HTML, text, PDF, DOCX, DOC) → sections, statistics and checks."""

from crawler.parse.document import parse_bytes, parse_file
from crawler.parse.model import Cell, Check, ParsedReport, ReportHints, Section
from crawler.parse.version import PARSER_VERSION

__all__ = [
    "PARSER_VERSION",
    "Cell",
    "Check",
    "ParsedReport",
    "ReportHints",
    "Section",
    "parse_bytes",
    "parse_file",
]
