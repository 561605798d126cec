"""Caps that keep one hostile document from using unbounded time or memory."""

MAX_INPUT_BYTES = 30 * 1024 * 1024  # larger inputs are refused before parsing
MAX_TEXT_CHARS = 2_000_000  # decoded text beyond this is cut
MAX_PDF_PAGES = 60  # a report is 5–20 pages; the rest is not read
MAX_TABLE_ROWS = 2_000  # per source table
MAX_TOTAL_ROWS = 6_000  # over the whole document
MAX_COLSPAN = 64
MAX_ROWSPAN = 500
MAX_GRID_COLS = 128
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # sum of member sizes in a DOCX zip (images included)
MAX_DOCX_PART = (
    20 * 1024 * 1024
)  # any one ZIP member, whatever its name (.rels and renamed main parts are XML too)
MAX_DOCX_RATIO = 200  # uncompressed / compressed, per member
MAX_LINES = 50_000
PARSE_DEADLINE_SECONDS = 60.0  # PDF page loop stops after this
ANTIWORD_TIMEOUT = 20
