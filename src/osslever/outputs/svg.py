"""Inline SVG charts for self-contained reports: no JavaScript, no CDN, opens offline.

Every label passes through ``markupsafe.escape`` — labels can be author names.
Hovering a bar or point shows its value through the SVG ``<title>`` element.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d")
W, H, PAD_L, PAD_B, PAD_T = 720, 220, 48, 28, 10


def _fmt(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.2f}"


def _axis(max_value: float, labels: Sequence[str]) -> list[str]:
    parts = [f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W}" y2="{H - PAD_B}" stroke="#999"/>']
    for frac in (0.5, 1.0):
        y = H - PAD_B - frac * (H - PAD_B - PAD_T)
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{PAD_L - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(max_value * frac)}</text>')
    if labels:
        step = max(1, len(labels) // 8)
        width = (W - PAD_L) / len(labels)
        for i in range(0, len(labels), step):
            x = PAD_L + (i + 0.5) * width
            parts.append(f'<text x="{x:.1f}" y="{H - 8}" text-anchor="middle">{escape(labels[i])}</text>')
    return parts


def _wrap(parts: list[str], title: str, height: int = H) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg viewBox="0 0 {W} {height}" role="img" aria-label="{escape(title)}" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, color: str = PALETTE[0]) -> Markup:
    peak = max(values, default=0) or 1
    width = (W - PAD_L) / max(len(values), 1)
    parts = _axis(peak, labels)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = value / peak * (H - PAD_B - PAD_T)
        parts.append(
            f'<rect x="{PAD_L + i * width + 0.5:.1f}" y="{H - PAD_B - h:.1f}" width="{max(width - 1, 0.5):.1f}"'
            f' height="{h:.1f}" fill="{color}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
        )
    return _wrap(parts, title)


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float]], title: str) -> Markup:
    peak = max((max(v, default=0) for v in series.values()), default=0) or 1
    width = (W - PAD_L) / max(len(labels), 1)
    parts = _axis(peak, labels)
    for k, (name, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        points = " ".join(
            f"{PAD_L + (i + 0.5) * width:.1f},{H - PAD_B - v / peak * (H - PAD_B - PAD_T):.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.5">'
            f"<title>{escape(name)}</title></polyline>"
        )
        if len(values) == 1:  # a polyline of one point draws nothing: mark the point itself
            x, y = points.split(",")
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="{color}">'
                f"<title>{escape(name)}: {_fmt(values[0])}</title></circle>"
            )
        parts.append(
            f'<rect x="{PAD_L + 8 + 150 * k}" y="{PAD_T}" width="10" height="10" fill="{color}"/>'
            f'<text x="{PAD_L + 22 + 150 * k}" y="{PAD_T + 9}">{escape(name)}</text>'
        )
    return _wrap(parts, title)


def mirrored_bars(
    labels: Sequence[str], up: Sequence[float], down: Sequence[float], names: tuple[str, str], title: str
) -> Markup:
    """Additions above the axis, deletions below it."""
    peak = max(max(up, default=0), max(down, default=0)) or 1
    mid = H / 2
    half = mid - PAD_T
    width = (W - PAD_L) / max(len(labels), 1)
    parts = [
        f'<line x1="{PAD_L}" y1="{mid}" x2="{W}" y2="{mid}" stroke="#999"/>',
        f'<text x="{PAD_L - 4}" y="{PAD_T + 8}" text-anchor="end">+{_fmt(peak)}</text>',
        f'<text x="{PAD_L - 4}" y="{H - PAD_T}" text-anchor="end">-{_fmt(peak)}</text>',
    ]
    for i, label in enumerate(labels):
        x = PAD_L + i * width + 0.5
        hu, hd = up[i] / peak * half, down[i] / peak * half
        parts.append(
            f'<rect x="{x:.1f}" y="{mid - hu:.1f}" width="{max(width - 1, 0.5):.1f}" height="{hu:.1f}"'
            f' fill="{PALETTE[1]}"><title>{escape(label)} {escape(names[0])}: {_fmt(up[i])}</title></rect>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{mid:.1f}" width="{max(width - 1, 0.5):.1f}" height="{hd:.1f}"'
            f' fill="{PALETTE[3]}"><title>{escape(label)} {escape(names[1])}: {_fmt(down[i])}</title></rect>'
        )
    return _wrap(parts, title)


def share_bars(items: Sequence[tuple[str, float]], title: str) -> Markup:
    """Horizontal bars for shares (0..1), one row per item."""
    row = 22
    height = row * len(items) + 8
    parts = []
    for i, (label, share) in enumerate(items):
        y = 4 + i * row
        w = share * (W - 260)
        parts.append(
            f'<text x="200" y="{y + 14}" text-anchor="end">{escape(label[:32])}</text>'
            f'<rect x="208" y="{y + 3}" width="{w:.1f}" height="14" fill="{PALETTE[i % len(PALETTE)]}">'
            f"<title>{escape(label)}: {share:.1%}</title></rect>"
            f'<text x="{212 + w:.1f}" y="{y + 14}">{share:.1%}</text>'
        )
    return _wrap(parts, title, height)
