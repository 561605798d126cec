"""Caps that keep one hostile document from using unbounded time or memory."""

MAX_INPUT_BYTES = 30 * 1024 * 1024  # larger inputs are refused before parsing
MAX_TEXT_CHARS = 2_000_000  # decoded text beyond this is cut
# stored report/section text beyond this is cut, with a warning: 300,000 Chinese characters are ~0.9 MB of
# UTF-8, under the public server's 1 MB per-value guard (datasette/plugins/nianbao_guard.py); a report is 5–50k
MAX_STORED_TEXT_CHARS = 300_000
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
SOFFICE_TIMEOUT = 60  # one LibreOffice DOC → DOCX conversion (≈5 s, most of it start-up)
OCR_PAGE_SECONDS = 120.0  # one page image in the OCR worker (measured 40–60 s under a load average of 12)
OCR_PAGE_CPU_SECONDS = 90  # CPU seconds (all threads) one page may use in the OCR worker
OCR_START_SECONDS = 120.0  # loading the OCR models
OCR_DOCUMENT_SECONDS = 120.0  # all OCR of one document, start-up included (bounds a nightly's cost per scan)
OCR_MEMORY_BYTES = 3 * 1024**3  # the OCR worker's address space (resident peak measured 0.6–0.95 GB)
OCR_MAX_PAGES = 12  # scanned pages OCR'd per document (tables sit in the first pages of a report)
OCR_MAX_PIXELS = 40_000_000  # a larger image is refused before decoding
OCR_DPI = 150  # scanned PDF pages are rendered at this resolution
OCR_LOW_CONFIDENCE = 0.8  # an OCR'd number read with less confidence is named in the warnings
