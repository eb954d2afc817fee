"""Inline SVG charts for the finance reports (no JavaScript, no CDN: files open offline).

Every piece of text placed in SVG goes through ``markupsafe.escape``, so a
customer id or scenario name can never inject markup; the result is returned as
``Markup`` for the autoescaping Jinja2 templates.
"""

from __future__ import annotations

from markupsafe import Markup, escape

GREEN, RED, BLUE, GREY, TEAL = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e", "#00897b"


def _money(x: float) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= size:
            return f"{sign}{x / size:.1f}{unit}"
    return f"{sign}{x:.0f}"


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
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
    return _svg(width, height, body, title)


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
    return _svg(width, height, body, title)


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
    return _svg(width, height, body, title)


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
    return _svg(width, height, body, title)


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
    return _svg(width, height, body, title)
