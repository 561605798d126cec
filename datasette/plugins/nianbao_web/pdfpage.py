"""One page of an archived PDF as a PNG, with the box of a table cell the parser read (run in a limited child).

The parser's positions (statistics.src_*) are followed back to a box on the page (see cell_box); the page is drawn
with pypdfium2. Usage:
``python pdfpage.py PAGE [TABLE ROW COL]`` with the PDF on stdin; prints JSON (size, box, base64 PNG).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import resource
import sys
from functools import lru_cache
from pathlib import Path

SCALE = 1.5  # 108 dpi: table digits readable on a phone, a page image of ~150–300 KB
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 20
WALL_SECONDS = 30.0


def cell_box(data: bytes, page_no: int, table: int, row: int, col: int) -> list[float] | None:
    """(x0, top, x1, bottom) in PDF points of the cell the parser read as (table, row, col) on page_no, or None.

    The parser itself is asked which reading it used (crawler/parse/pdf_source.py): text lines (pypdfium2;
    row = line number in the document, col = cell in the split line) or ruled tables (pdfplumber; table
    numbered across the document, row and cell position in find_tables() order)."""
    from crawler.parse.pdf_source import read_pdf

    source = next(
        (r for r in read_pdf(data).rows if r.table == table and r.row == row and r.page == page_no), None
    )
    if source is None:
        return None
    if source.kind == "text":
        return _line_box(data, page_no, row, col)
    return _ruled_box(data, page_no, table, row, col)


@lru_cache(maxsize=8)
def _ruled_tables(data: bytes, page_no: int) -> tuple[int, list[list[list]]]:
    """(tables on the pages before, each table's rows of cell boxes on page_no), as the parser counts them."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        before = 0
        for page in pdf.pages[: page_no - 1]:
            if (page.extract_text() or "").strip():
                before += len(page.find_tables())
        found = pdf.pages[page_no - 1].find_tables()
        return before, [[list(row.cells) for row in table.rows] for table in found]


def _ruled_box(data: bytes, page_no: int, table: int, row: int, col: int) -> list[float] | None:
    before, tables = _ruled_tables(data, page_no)
    local = table - before
    if not 0 <= local < len(tables) or not 0 <= row < len(tables[local]):
        return None
    cells = tables[local][row]
    box = cells[col] if 0 <= col < len(cells) else None
    return [float(v) for v in box] if box else None


def _parts(line: str, col: int) -> tuple[int, int] | None:
    """Character span in ``line`` (stripped) of the cell split_line numbers ``col``."""
    from crawler.parse.text_source import NO_POSITIONS, split_line

    for sep in (NO_POSITIONS, "\t", "|"):
        if sep in line and (sep != "|" or (line.startswith("|") and line.count("|") >= 2)):
            body_start = len(line) - len(line.lstrip("|")) if sep == "|" else 0
            pos, spans = body_start, []
            for part in (line.strip("|") if sep == "|" else line).split(sep):
                lead = len(part) - len(part.lstrip())
                spans.append((pos + lead, pos + len(part.rstrip())))
                pos += len(part) + len(sep)
            return spans[col] if 0 <= col < len(spans) else None
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    parsed = split_line(line, 0)
    if parsed is None or not tokens:
        return None
    cells = parsed.cells
    if len(cells) == 1:
        return (0, len(line))
    if cells[0].col == 1:  # numbers only, numbered from 1
        index = col - 1
    elif len(cells) == len(tokens):  # one cell per word (a header line)
        index = col
    else:  # a label, then the trailing numbers
        index = len(tokens) - (len(cells) - 1) + col - 1 if col > 0 else -1
    if index == -1:
        return (tokens[0][0], tokens[len(tokens) - (len(cells) - 1) - 1][1])
    return tokens[index] if 0 <= index < len(tokens) else None


def _line_box(data: bytes, page_no: int, row: int, col: int) -> list[float] | None:
    import pypdfium2

    from crawler.parse.pdf_ruled import PAGE_NO

    pdf = pypdfium2.PdfDocument(data)
    try:
        index = 0
        for number in range(1, page_no + 1):
            try:
                textpage = pdf[number - 1].get_textpage()
                text = textpage.get_text_range()
            except Exception:  # noqa: BLE001 — the parser skips an unreadable page the same way
                continue
            for match in re.finditer(r"[^\r\n]+", text):
                line = match.group(0)
                if not line.strip() or PAGE_NO.match(line):
                    continue
                if index == row:
                    if number != page_no:
                        return None
                    span = _parts(line.strip(), col)
                    if span is None:
                        return None
                    offset = match.start() + len(line) - len(line.lstrip())
                    boxes = [textpage.get_charbox(i) for i in range(offset + span[0], offset + span[1])]
                    boxes = [b for b in boxes if b[2] > b[0]]
                    if not boxes:
                        return None
                    height = pdf[number - 1].get_size()[1]
                    return [
                        min(b[0] for b in boxes) - 2,
                        height - max(b[3] for b in boxes) - 2,
                        max(b[2] for b in boxes) + 2,
                        height - min(b[1] for b in boxes) + 2,
                    ]
                index += 1
        return None
    finally:
        pdf.close()


def render(data: bytes, page_no: int, cell: tuple[int, int, int] | None) -> dict:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = len(pdf)
        if not 1 <= page_no <= pages:
            return {"pages": pages, "error": "no such page"}
        page = pdf[page_no - 1]
        width, height = page.get_size()
        image = page.render(scale=SCALE).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    finally:
        pdf.close()
    box = cell_box(data, page_no, *cell) if cell else None
    return {
        "pages": pages,
        "width": width,
        "height": height,
        "box": box,
        "png": base64.b64encode(out.getvalue()).decode("ascii"),
    }


CONCURRENT_RENDERS = 2  # page renderers running at once (each up to MEMORY_BYTES); the rest wait their turn
_RENDER_SLOTS = asyncio.Semaphore(CONCURRENT_RENDERS)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


async def render_limited(data: bytes, page_no: int, cell: tuple[int, int, int] | None) -> dict:
    """render() in a child process under memory, CPU and wall-clock limits, at most CONCURRENT_RENDERS at a
    time (a crowd of page views must not start a crowd of renderers); {"error": ...} when it fails."""
    try:
        await asyncio.wait_for(_RENDER_SLOTS.acquire(), WALL_SECONDS)
    except TimeoutError:
        return {"error": "服务器繁忙 / busy"}
    try:
        return await _render_in_child(data, page_no, cell)
    finally:
        _RENDER_SLOTS.release()


async def _render_in_child(data: bytes, page_no: int, cell: tuple[int, int, int] | None) -> dict:
    args = [str(page_no), *(str(v) for v in cell or ())]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).resolve()),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), WALL_SECONDS)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return {"error": "timeout"}
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    try:
        return json.loads(out)
    except ValueError:
        return {"error": "bad output"}


def main(argv: list[str]) -> int:
    _limit()  # in the child itself: preexec_fn is unsafe in Datasette's threaded process
    numbers = [int(v) for v in argv]
    cell = (numbers[1], numbers[2], numbers[3]) if len(numbers) == 4 else None
    try:
        result = render(sys.stdin.buffer.read(), numbers[0], cell)
    except Exception as exc:  # noqa: BLE001 — a hostile or broken PDF: say so, do not crash the caller
        result = {"error": f"{type(exc).__name__}"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
