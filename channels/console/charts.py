"""Charts as inline SVG drawn on the server: no script, no canvas, styled by the console's CSS.

Each chart is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it shows in words; the page
puts the same numbers in a data table beside it. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 640
Format = Callable[[int], str]


def _plain(value: int) -> str:
    return f"{value:,}"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # every piece above is escaped


def hbars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    fmt: Format = _plain,
    label_width: int = 230,
) -> Markup:
    """Horizontal bars, one per label (a funnel, a top list)."""
    row, gap, top = 30, 8, 6
    height = top + len(labels) * (row + gap) + 4
    peak = max([*values, 1])
    room = WIDTH - label_width - 90
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (row + gap)
        width = max(2.0, room * value / peak) if value else 0.0
        text = escape(_shorten(label, 34))
        body += [
            f'<text class="chart-label" x="{label_width - 8}" y="{y + row * 0.68:.1f}" '
            f'text-anchor="end">{text}</text>',
            f'<rect class="chart-bar bar-{i % 6}" x="{label_width}" y="{y}" width="{width:.1f}" '
            f'height="{row}" rx="3"><title>{escape(label)}: {escape(fmt(value))}</title></rect>',
            f'<text class="chart-value" x="{label_width + width + 6:.1f}" y="{y + row * 0.68:.1f}">'
            f"{escape(fmt(value))}</text>",
        ]
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in zip(labels, values, strict=True))
    return _svg(chart_id, title, desc or "no data", height, body)


def columns(
    chart_id: str,
    title: str,
    periods: Sequence[str],
    values: Sequence[int],
    *,
    fmt: Format = _plain,
) -> Markup:
    """Vertical bars over time, one per period, with a baseline and the peak marked."""
    height, left, bottom, top = 240, 64, 40, 16
    plot_w, plot_h = WIDTH - left - 12, height - top - bottom
    peak = max([*values, 1])
    slot = plot_w / max(len(periods), 1)
    step = max(1, round(len(periods) / 8))  # at most ~8 axis labels
    body = [
        f'<line class="chart-axis" x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 12}" y2="{top + plot_h}"/>',
        f'<text class="chart-tick" x="{left - 6}" y="{top + 10}" text-anchor="end">'
        f"{escape(fmt(peak))}</text>",
        f'<text class="chart-tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, (period, value) in enumerate(zip(periods, values, strict=True)):
        bar_h = plot_h * value / peak if value else 0.0
        x = left + i * slot + slot * 0.15
        body.append(
            f'<rect class="chart-bar bar-0" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{bar_h:.1f}"><title>{escape(period)}: '
            f"{escape(fmt(value))}</title></rect>"
        )
        if i % step == 0:
            body.append(
                f'<text class="chart-tick" x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(_short_period(period))}</text>'
            )
    total = sum(values)
    first = periods[0] if periods else "—"
    desc = f"{len(periods)} periods from {first}; total {fmt(total)}; highest {fmt(peak if total else 0)}"
    return _svg(chart_id, title, desc, height, body)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_period(period: str) -> str:
    """``2026-11-05`` → ``11-05``; a month ``2026-11`` stays as it is."""
    return period[5:] if len(period) == 10 else period
