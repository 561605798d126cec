"""Server-side inline SVG bar charts (no JavaScript, works offline): applications by year, refusal grounds."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#2b6cb0"
HIGHLIGHT = "#c05621"  # the report being read, among its agency's years


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def column_chart(
    points: Sequence[tuple[str, float | None]], *, title: str, unit: str = "件", highlight: str | None = None
) -> str:
    """Vertical bars, one per label (e.g. years); None values are drawn as 'no data'; `highlight` stands out."""
    width, height, left, bottom, top = max(460, 70 * len(points) + 60), 250, 50, 44, 44
    values = [v for _, v in points if v is not None]
    peak = max(values, default=0) or 1
    plot_h = height - bottom - top
    step = (width - left - 10) / max(len(points), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
    ]
    for i, (label, value) in enumerate(points):
        x = left + i * step + step * 0.15
        bar_w = step * 0.7
        cx = x + bar_w / 2
        flat = label.replace("\n", " ")
        if value is None:
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom - 6}" font-size="11" text-anchor="middle" '
                f'fill="#999">无数据</text>'
            )
        else:
            bar_h = plot_h * value / peak
            y = height - bottom - bar_h
            parts.append(
                f'<rect class="nb-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
                f'fill="{HIGHLIGHT if label == highlight else BAR}">'
                f"<title>{escape(flat)}: {_num(value)} {escape(unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{_num(value)}</text>'
            )
        for n, line in enumerate(label.split("\n")):  # a second line (e.g. a report count) in smaller type
            style = 'font-size="12"' if n == 0 else 'font-size="10" fill="#666"'
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 16 + 14 * n}" {style} '
                f'text-anchor="middle">{escape(line)}</text>'
            )
    if not values:
        parts.append(
            f'<text x="{left}" y="{height - bottom - plot_h / 2:.0f}" font-size="13" fill="#999">无数据 / no data</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str = "件") -> str:
    """Horizontal bars with long labels on the left (e.g. refusal grounds), largest first as given."""
    label_w, bar_max, row_h, top = 330, 320, 24, 30
    width, height = label_w + bar_max + 70, top + row_h * max(len(items), 1) + 10
    peak = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        bar_w = bar_max * value / peak
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" text-anchor="end">{escape(label)}</text>'
            f'<rect class="nb-bar" x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"><title>{escape(label)}: {_num(value)} {escape(unit)}</title></rect>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 16}" font-size="12">{_num(value)}</text>'
        )
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" font-size="12" fill="#999">无数据 / no data</text>')
    parts.append("</svg>")
    return "".join(parts)
