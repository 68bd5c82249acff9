"""Small inline SVG charts for reports: no plotting library, no fonts, nothing downloaded.

A report must open offline on any machine and print the same, so charts are plain SVG with
the system's sans-serif font; labels and numbers arrive already translated and formatted.
"""

from __future__ import annotations

from html import escape

BAR = "#1f5f8b"
TEXT = "#222"
GRID = "#ccc"


def hbars(items: list[tuple[str, float, str]], width: int = 640, row: int = 22) -> str:
    """Horizontal bars: (label, value, value as shown) per row, in the order given."""
    if not items:
        return ""
    label_w = 200
    bar_w = width - label_w - 70
    top = max(v for _, v, _ in items) or 1.0
    height = row * len(items) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">'
    ]
    for i, (label, value, shown) in enumerate(items):
        y = 4 + i * row
        w = max(1.0, bar_w * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" '
            f'fill="{TEXT}">{escape(label[:32])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.65:.1f}" fill="{TEXT}">'
            f"{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(items: list[tuple[str, float, str]], width: int = 720, height: int = 220) -> str:
    """Vertical columns (a time series): (label, value, value as shown) per column."""
    if not items:
        return ""
    left, bottom, top_pad = 10, 46, 18
    plot_h = height - bottom - top_pad
    step = (width - 2 * left) / len(items)
    top = max(v for _, v, _ in items) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - left}" '
        f'y2="{top_pad + plot_h}" stroke="{GRID}"/>',
    ]
    for i, (label, value, shown) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step
        cx = x + step / 2
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR}"/>'
            f'<text x="{cx:.1f}" y="{top_pad + plot_h - h - 3:.1f}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(shown)}</text>'
            f'<text x="{cx:.1f}" y="{top_pad + plot_h + 12}" text-anchor="end" fill="{TEXT}" '
            f'transform="rotate(-45 {cx:.1f} {top_pad + plot_h + 12})">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
