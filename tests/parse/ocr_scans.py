"""Synthetic scans made at test time from real report PDFs: pages rendered, a red seal stamped over the
table, skewed, noised and saved as low-quality JPEG inside an image-only PDF (as a scanner would)."""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
HUAIAN = REPORTS / "huaian-szf-2024.pdf"  # real: 淮安市人民政府 2024 report (shared corpus)


def render(pdf: Path, page_index: int, dpi: int = 200) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return doc[page_index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def stamp_seal(img: Image.Image, centre: tuple[float, float], radius: float) -> Image.Image:
    """A red official seal (ring, star, arc of dots) blended over the page, as stamped on a printout."""
    seal = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    cx, cy = centre
    red = (215, 25, 30, 170)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red, width=int(radius / 12))
    star = [
        (
            cx + radius * 0.3 * (1 if k % 2 == 0 else 0.4) * math.sin(k * math.pi / 5),
            cy - radius * 0.3 * (1 if k % 2 == 0 else 0.4) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=red)
    for k in range(24):  # the agency name round the rim, as blobs
        a = math.pi * (0.8 + 1.4 * k / 23)
        x, y = cx + radius * 0.72 * math.cos(a), cy + radius * 0.72 * math.sin(a)
        draw.rectangle((x - radius / 16, y - radius / 12, x + radius / 16, y + radius / 12), fill=red)
    return Image.alpha_composite(img.convert("RGBA"), seal).convert("RGB")


def degrade(img: Image.Image, seed: int, skew_degrees: float = 1.2, quality: int = 40) -> bytes:
    """Skew, blur, speckle noise and JPEG artefacts; returns JPEG bytes."""
    rng = random.Random(seed)
    img = img.rotate(skew_degrees, resample=Image.Resampling.BICUBIC, expand=False, fillcolor="white")
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    px = img.load()
    width, height = img.size
    for _ in range(width * height // 800):
        x, y = rng.randrange(width), rng.randrange(height)
        v = rng.choice((0, 90, 200))
        px[x, y] = (v, v, v)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def scan_pages(pdf: Path, pages: list[int], seed: int = 7, seal_x: float = 0.62) -> list[bytes]:
    """JPEG scans of the given pages (0-based), each with a seal at `seal_x` of the width (0.3: over the
    row labels of a table; 0.62: over its numbers)."""
    out = []
    for n, index in enumerate(pages):
        img = render(pdf, index)
        width, height = img.size
        img = stamp_seal(img, (width * seal_x, height * (0.45 + 0.1 * n)), width * 0.13)
        out.append(degrade(img, seed + n, skew_degrees=1.2 if n % 2 == 0 else -0.8))
    return out


def scanned_pdf(pdf: Path, pages: list[int], seed: int = 7, seal_x: float = 0.62) -> bytes:
    """An image-only PDF of degraded scans of the given pages (no text layer)."""
    images = [Image.open(io.BytesIO(jpeg)) for jpeg in scan_pages(pdf, pages, seed, seal_x)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=200, save_all=True, append_images=images[1:])
    return out.getvalue()


def table_image(pdf: Path, page_index: int, top: float, bottom: float, seed: int = 11) -> bytes:
    """A degraded JPEG of a horizontal band of a page (a table published as an image)."""
    img = render(pdf, page_index)
    width, height = img.size
    img = stamp_seal(img, (width * 0.35, height * (top + bottom) / 2), width * 0.1)
    return degrade(img.crop((0, int(height * top), width, int(height * bottom))), seed, skew_degrees=0.7)


def cells_against(expected: dict, contract: dict) -> tuple[int, list[str]]:
    """(cells equal to the expected values, addresses of the cells that differ) over tables 2–4."""
    right, wrong = 0, []
    for table in ("table2", "table3", "table4"):
        for row, cols in (contract.get(table) or {}).items():
            for col, value in cols.items():
                if (expected.get(table) or {}).get(row, {}).get(col) == value:
                    right += 1
                else:
                    wrong.append(f"{table}.{row}.{col}={value!r}")
    return right, wrong
