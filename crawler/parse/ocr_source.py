"""Scanned pages and table images → lines and table rows, from OCR'd words with their boxes and confidences."""

from __future__ import annotations

import io
import time
from collections.abc import Iterable

from crawler.parse import limits
from crawler.parse.boxes import Box, line_row, page_lines
from crawler.parse.extracted import Extracted, title_from_lines
from crawler.parse.ocr import OcrError, recognise


def add_boxes(
    ex: Extracted, boxes: list[Box], page: int | None, table: int = 0, size: tuple[int, int] | None = None
) -> None:
    """Append one page's words to `ex`: a line and a row per visual line, each cell's confidence kept, and
    its box as fractions of the image when the image's (width, height) is known."""
    for line in page_lines(boxes):
        index = len(ex.lines)
        ex.lines.append(line.text)
        row = line_row(line, index, table, page)
        ex.rows.append(row)
        for cell, box in zip(row.cells, line.cells, strict=True):
            ex.confidence[(page, index, cell.col)] = box.conf
            if size:
                width, height = size
                fractions = (box.x0 / width, box.top / height, box.x1 / width, box.bottom / height)
                ex.boxes[(page, index, cell.col)] = tuple(min(1.0, max(0.0, v)) for v in fractions)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of an image from its header, or None when it cannot be read."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.width, img.height
    except Exception:  # noqa: BLE001 — the OCR worker reports unreadable images itself
        return None


def ocr_images(
    ex: Extracted,
    images: Iterable[tuple[int | None, bytes]],
    table: int = 0,
    deadline: float | None = None,
) -> int:
    """OCR each (page, image bytes) into `ex` (at most OCR_MAX_PAGES) before `deadline` (time.monotonic();
    default: OCR_DOCUMENT_SECONDS from now); failures become errors. Returns the number of pages read."""
    deadline = time.monotonic() + limits.OCR_DOCUMENT_SECONDS if deadline is None else deadline
    read = 0
    for n, (page, data) in enumerate(images):
        where = f"page {page}" if page is not None else "image"
        if n >= limits.OCR_MAX_PAGES:
            ex.errors.append(f"OCR stopped after {limits.OCR_MAX_PAGES} images; {where} and later not read")
            break
        left = deadline - time.monotonic()
        if left <= 0:
            ex.errors.append(
                f"OCR stopped at {where}: the document's {limits.OCR_DOCUMENT_SECONDS:g} s of OCR are used up"
            )
            break
        try:
            result = recognise(data, timeout=left)
        except OcrError as exc:
            ex.errors.append(f"{where}: OCR failed: {exc}")
            continue
        add_boxes(ex, result.boxes, page, table, image_size(data))
        read += 1
    ex.ocr = ex.ocr or read > 0
    return read


def read_image(data: bytes) -> Extracted:
    """A report published as one image (a scanned page saved as PNG/JPEG)."""
    ex = Extracted(source_format="image", pdf_title_join=True)
    if not ocr_images(ex, [(1, data)]):
        ex.fatal = ex.errors[0] if ex.errors else "no text recognised in the image"
        return ex
    title_from_lines(ex)
    return ex
