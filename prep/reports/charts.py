"""Histograms as inline SVG, drawn from the exact histograms prep keeps (value -> examples).

Token lengths span orders of magnitude, and a limit of 65,536 tokens beside
examples of 50 would squash a linear axis, so the x axis is logarithmic: bins of
equal width in log space from 1 to past the largest value or limit, and one bar
for 0 (an example with nothing trained). Each limit is a dashed vertical line
with its label. Every bar has a ``<title>`` (its range and count), which a
browser shows on hover; no script is needed. Text passes through `html.escape`.
"""

from __future__ import annotations

import math
from collections import Counter
from html import escape

__all__ = ["BINS", "bin_counts", "histogram_svg"]

#: Bins between 1 and the top of the axis (plus one for 0).
BINS = 40
_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 570, 230, 44, 14, 28, 36


def bin_counts(hist: Counter[int], top: int, bins: int = BINS) -> list[tuple[int, int, int]]:
    """(low, high, examples) of each log-spaced bin over [1, top], the values in [low, high); first (0, 1, n)."""
    edges = sorted({0, *(math.ceil(top ** (i / bins)) for i in range(bins + 1))})
    edges[-1] = max(edges[-1], top + 1)
    counts = [0] * (len(edges) - 1)
    for value, n in hist.items():
        low, high = 0, len(edges) - 1  # the last edge not above value
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if edges[mid] <= value else (low, mid)
        counts[min(low, len(counts) - 1)] += n
    return [(edges[i], edges[i + 1], counts[i]) for i in range(len(counts))]


def histogram_svg(hist: Counter[int], limits: list[tuple[str, int]], *, title: str, unit: str = "tokens") -> str:
    """An SVG histogram of ``hist`` with each (label, value) of ``limits`` drawn as a vertical line."""
    top = max([*hist, *(v for _, v in limits), 1])
    top = int(top * 1.15) + 1
    rows = bin_counts(hist, top)
    most = max((n for _, _, n in rows), default=0) or 1
    x = _scale(top)
    parts = [
        f'<svg class="histogram" role="img" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="{_LEFT}" y="16" class="chart-title">{escape(title)}</text>',
        *_bars(rows, x, most, unit),
        *_axes(top, x, most, unit),
        *_limits(limits, x),
        "</svg>",
    ]
    return "".join(parts)


def _scale(top: int) -> list[float]:
    """x position of each value 0..: 0 has its own slot left of 1, then log10 up to ``top``."""
    span = _W - _LEFT - _RIGHT
    zero = span / (BINS + 1)
    return [_LEFT, _LEFT + zero, span - zero, math.log10(top)]


def _x(value: float, x: list[float]) -> float:
    left, one, width, logtop = x
    return left if value <= 0 else one + width * math.log10(max(value, 1)) / logtop


def _bars(rows: list[tuple[int, int, int]], x: list[float], most: int, unit: str) -> list[str]:
    out, base = [], _H - _BOTTOM
    for low, high, n in rows:
        if not n:
            continue
        left, right = _x(low, x), _x(high, x) if low else x[1]
        height = max((base - _TOP) * n / most, 1.0)
        what = f"{low:,} {unit}" if high - low == 1 else f"{low:,}–{high - 1:,} {unit}"
        out.append(
            f'<rect class="bar" x="{left:.1f}" y="{base - height:.1f}" width="{max(right - left - 1, 1):.1f}" '
            f'height="{height:.1f}"><title>{what}: {n:,} example(s)</title></rect>'
        )
    return out


def _axes(top: int, x: list[float], most: int, unit: str) -> list[str]:
    base = _H - _BOTTOM
    out = [f'<line class="axis" x1="{_LEFT}" y1="{base}" x2="{_W - _RIGHT}" y2="{base}"/>']
    ticks = [0] + [10**k for k in range(int(math.log10(top)) + 1)]
    for t in ticks:
        out.append(f'<text class="tick" x="{_x(t, x):.1f}" y="{base + 14}">{_short(t)}</text>')
    out.append(f'<text class="tick" x="{_LEFT - 6}" y="{_TOP + 4}" text-anchor="end">{most:,}</text>')
    out.append(f'<text class="tick" x="{_LEFT - 6}" y="{base}" text-anchor="end">0</text>')
    out.append(f'<text class="axis-label" x="{_W - _RIGHT}" y="{_H - 4}" text-anchor="end">{unit} (log scale)</text>')
    return out


def _limits(limits: list[tuple[str, int]], x: list[float]) -> list[str]:
    out = []
    for i, (label, value) in enumerate(limits):
        at = _x(value, x)
        out.append(f'<line class="limit" x1="{at:.1f}" y1="{_TOP - 4}" x2="{at:.1f}" y2="{_H - _BOTTOM}"/>')
        out.append(
            f'<text class="limit-label" x="{at - 4:.1f}" y="{_TOP + 10 + 12 * i}" text-anchor="end">'
            f"{escape(label)} {value:,}</text>"
        )
    return out


def _short(value: int) -> str:
    for size, suffix in ((10**6, "M"), (10**3, "k")):
        if value >= size:
            return f"{value // size}{suffix}"
    return str(value)
