"""One page of an archived PDF as a PNG, with the box of a table cell the parser read (run in a limited child).

The parser (crawler/parse/pdf_source.py) numbers tables across the document in pdfplumber's find_tables() order
(pages without a text layer have none) and a cell by its row and its position in that row; the same walk here
finds the cell's box again. The page is drawn with pypdfium2. Usage:
``python pdfpage.py PAGE [TABLE ROW COL]`` with the PDF on stdin; prints JSON (size, box, base64 PNG).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import resource
import sys
from pathlib import Path

SCALE = 1.5  # 108 dpi: table digits readable on a phone, a page image of ~150–300 KB
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 20
WALL_SECONDS = 30.0


def cell_box(data: bytes, page_no: int, table: int, row: int, col: int) -> list[float] | None:
    """(x0, top, x1, bottom) in PDF points of the parser's cell, or None when it cannot be found again."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        before = 0
        for page in pdf.pages[: page_no - 1]:
            if (page.extract_text() or "").strip():
                before += len(page.find_tables())
        found = pdf.pages[page_no - 1].find_tables()
        local = table - before
        if not 0 <= local < len(found) or not 0 <= row < len(found[local].rows):
            return None
        cells = found[local].rows[row].cells
        box = cells[col] if 0 <= col < len(cells) else None
        return [float(v) for v in box] if box else None


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


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


async def render_limited(data: bytes, page_no: int, cell: tuple[int, int, int] | None) -> dict:
    """render() in a child process under memory, CPU and wall-clock limits; {"error": ...} when it fails."""
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
