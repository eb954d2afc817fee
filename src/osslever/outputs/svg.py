"""Inline SVG charts for self-contained reports: no JavaScript, no CDN, opens offline.

The one chart module of the offline reports: the community report (bars, lines,
mirrored bars, shares) and the finance reports (waterfall, cohort heatmap, bars,
forecast band, tornado). The dashboard draws its interactive charts in the
browser (``web/static/charts.js``) from the same documents' series.

Every label passes through ``markupsafe.escape`` — labels can be author names,
customer ids or scenario names. Hovering a bar or point shows its value through
the SVG ``<title>`` element. Results are ``Markup`` for the autoescaping templates.
Text is set in the one font stack (``styles.FONT_FAMILY``): chart labels are Chinese
in a Chinese report, and a bare ``sans-serif`` has no CJK glyphs on many systems.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from osslever.outputs.styles import FONT_FAMILY

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
        f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="{escape(FONT_FAMILY)}">'
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


# --- finance reports ----------------------------------------------------------------

GREEN, RED, BLUE, GREY, TEAL = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#00897b"


def _money(x: float) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= size:
            return f"{sign}{x / size:.1f}{unit}"
    return f"{sign}{x:.0f}"


def _sized(width: int, height: int, body: list[str], title: str) -> Markup:
    """An SVG of a fixed pixel size (the finance reports lay charts out at their size)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def waterfall(steps: list[tuple[str, float]], title: str) -> Markup:
    """Bridge from a start value through signed movements to an end value.

    ``steps``: first and last are totals (label, value); the middle ones are deltas.
    """
    width, height, pad = 640, 260, 40
    levels = [steps[0][1]]
    for _, delta in steps[1:-1]:
        levels.append(levels[-1] + delta)
    top = max([*levels, steps[-1][1], steps[0][1], 1e-9])
    bottom = min([0.0, *levels])
    span = (top - bottom) or 1.0
    bar_w = (width - 2 * pad) / len(steps)

    def y(v: float) -> float:
        return pad + (top - v) / span * (height - 2 * pad)

    body = []
    running = steps[0][1]
    for i, (label, value) in enumerate(steps):
        x = pad + i * bar_w + 4
        if i == 0 or i == len(steps) - 1:
            y0, y1, color = y(value), y(0), BLUE
        else:
            y0, y1 = sorted((y(running), y(running + value)))
            color = GREEN if value >= 0 else RED
            running += value
        body.append(
            f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar_w - 8:.1f}" height="{max(y1 - y0, 1):.1f}" fill="{color}"/>'
        )
        body.append(
            f'<text x="{x + (bar_w - 8) / 2:.1f}" y="{height - pad + 14}" '
            f'font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
        body.append(
            f'<text x="{x + (bar_w - 8) / 2:.1f}" y="{y0 - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{escape(_money(value))}</text>'
        )
    return _sized(width, height, body, title)


def heatmap(rows: list[tuple[str, list[float | None]]], title: str, max_cols: int = 24) -> Markup:
    """Cohort × months-since grid; cell colour = retention (0 → red, 1 → white, >1 → green)."""
    rows = rows[-24:]
    cols = min(max_cols, max((len(v) for _, v in rows), default=0))
    cell, left, top = 22, 62, 20
    width, height = left + cols * cell + 10, top + len(rows) * cell + 10
    body = []
    for j in range(cols):
        body.append(
            f'<text x="{left + j * cell + cell / 2}" y="{top - 6}" font-size="9" text-anchor="middle">{j}</text>'
        )
    for i, (label, values) in enumerate(rows):
        yy = top + i * cell
        body.append(f'<text x="{left - 4}" y="{yy + 15}" font-size="10" text-anchor="end">{escape(label)}</text>')
        for j, v in enumerate(values[:cols]):
            if v is None:
                continue
            body.append(
                f'<rect x="{left + j * cell}" y="{yy}" width="{cell - 1}" '
                f'height="{cell - 1}" fill="{_heat(v)}"><title>{escape(label)} +{j}: '
                f"{v:.0%}</title></rect>"
            )
    return _sized(width, height, body, title)


def _heat(v: float) -> str:
    if v >= 1:
        k = min((v - 1) / 0.5, 1.0)
        r, g, b = int(255 - 155 * k), int(255 - 60 * k), int(255 - 155 * k)
    else:
        k = max(0.0, min(1 - v, 1.0))
        r, g, b = 255, int(255 - 175 * k), int(255 - 175 * k)
    return f"#{r:02x}{g:02x}{b:02x}"


def bars(items: list[tuple[str, float]], title: str, percent: bool = True) -> Markup:
    """Horizontal bars, e.g. concentration shares."""
    width, left, row = 520, 90, 26
    height = 20 + row * len(items)
    top = max([v for _, v in items] + [1.0 if percent else 1e-9])
    body = []
    for i, (label, v) in enumerate(items):
        yy = 10 + i * row
        w = (width - left - 60) * (v / top if top else 0)
        text = f"{v:.1%}" if percent else _money(v)
        body.append(f'<text x="{left - 6}" y="{yy + 15}" font-size="11" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{left}" y="{yy + 2}" width="{max(w, 0):.1f}" height="18" fill="{TEAL}"/>')
        body.append(f'<text x="{left + w + 4:.1f}" y="{yy + 15}" font-size="11">{escape(text)}</text>')
    return _sized(width, height, body, title)


def band(p10: list[float], p50: list[float], p90: list[float], title: str, threshold: float | None = None) -> Markup:
    """P10–P90 band with the P50 line over months (forecast ARR)."""
    width, height, pad = 560, 220, 44
    n = len(p50)
    top = max([*p90, threshold or 0.0, 1.0])

    def xy(i: int, v: float) -> str:
        x = pad + (i / max(n - 1, 1)) * (width - 2 * pad)
        y = height - pad - (v / top) * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    area = (
        " ".join(xy(i, v) for i, v in enumerate(p90))
        + " "
        + " ".join(xy(i, v) for i, v in reversed(list(enumerate(p10))))
    )
    body = [
        f'<polygon points="{area}" fill="{BLUE}" fill-opacity="0.2"/>',
        f'<polyline points="{" ".join(xy(i, v) for i, v in enumerate(p50))}" '
        f'fill="none" stroke="{BLUE}" stroke-width="2"/>',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="{GREY}"/>',
        f'<text x="{pad}" y="{pad - 8}" font-size="10">{escape(_money(top))}</text>',
        f'<text x="{width - pad}" y="{height - pad + 14}" font-size="10" text-anchor="end">{n}</text>',
    ]
    if threshold:
        yv = xy(0, threshold).split(",")[1]
        body.append(
            f'<line x1="{pad}" y1="{yv}" x2="{width - pad}" y2="{yv}" stroke="{RED}" '
            f'stroke-dasharray="4 3"/><text x="{width - pad}" y="{float(yv) - 3}" '
            f'font-size="10" text-anchor="end">{escape(_money(threshold))}</text>'
        )
    return _sized(width, height, body, title)


def tornado(rows: list[tuple[str, float, float, float]], title: str) -> Markup:
    """Bars from the base value to the low and high outcomes, widest swing on top."""
    rows = rows[:10]
    width, left, row = 640, 300, 24
    height = 30 + row * len(rows)
    values = [v for _, lo, hi, base in rows for v in (lo, hi, base)] or [0.0, 1.0]
    lo_all, hi_all = min(values), max(values)
    span = (hi_all - lo_all) or 1.0

    def x(v: float) -> float:
        return left + (v - lo_all) / span * (width - left - 20)

    body = []
    base = rows[0][3] if rows else 0.0
    for i, (label, lo, hi, _b) in enumerate(rows):
        yy = 10 + i * row
        body.append(f'<text x="{left - 6}" y="{yy + 15}" font-size="10" text-anchor="end">{escape(label)}</text>')
        for v, color in ((lo, RED), (hi, GREEN)):
            x0, x1 = sorted((x(base), x(v)))
            body.append(
                f'<rect x="{x0:.1f}" y="{yy + 3}" width="{max(x1 - x0, 1):.1f}" '
                f'height="16" fill="{color}" fill-opacity="0.75"/>'
            )
    body.append(f'<line x1="{x(base):.1f}" y1="5" x2="{x(base):.1f}" y2="{height - 5}" stroke="{GREY}"/>')
    return _sized(width, height, body, title)
