"""Charts as inline SVG drawn on the server: no script, no canvas, styled by the console's CSS.

The SVGs have no viewBox: they are as wide as their card and place bars in percentages, so text keeps its
real size on a phone and on a desktop. Each chart is an ``<svg role="img">`` whose ``<title>`` and
``<desc>`` say what it shows in words; the page puts the same numbers in a data table beside it. Every
label is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

Format = Callable[[int], str]
LABEL_CHARS = 42  # about what a phone's card shows at 13px


def _plain(value: int) -> str:
    return f"{value:,}"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart-svg" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # every piece above is escaped


def hbars(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[int], *, fmt: Format = _plain
) -> Markup:
    """Horizontal bars, one per label (a funnel, a top list): the label and value above each bar."""
    row, bar = 42, 16
    peak = max([*values, 1])
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row
        share = max(100 * value / peak, 0.5) if value else 0.0
        text = escape(f"{_shorten(label, LABEL_CHARS)}: {fmt(value)}")
        body += [
            f'<text class="chart-label" x="0" y="{y + 14}">{text}</text>',
            f'<rect class="chart-track" x="0" y="{y + 20}" width="100%" height="{bar}" rx="3"/>',
            f'<rect class="chart-bar bar-{i % 6}" x="0" y="{y + 20}" width="{share:.2f}%" '
            f'height="{bar}" rx="3"><title>{escape(label)}: {escape(fmt(value))}</title></rect>',
        ]
    desc = "; ".join(f"{label}: {fmt(value)}" for label, value in zip(labels, values, strict=True))
    return _svg(chart_id, title, desc or "no data", max(len(labels) * row, row), body)


def columns(
    chart_id: str, title: str, periods: Sequence[str], values: Sequence[int], *, fmt: Format = _plain
) -> Markup:
    """Vertical bars over time, one per period, with a baseline and the highest value named."""
    height, top, plot_h = 200, 22, 150
    base = top + plot_h
    peak = max([*values, 1])
    slot = 100 / max(len(periods), 1)
    step = max(1, round(len(periods) / 6))  # at most ~6 axis labels, readable on a phone
    total = sum(values)
    body = [
        f'<text class="chart-tick" x="0" y="12">highest {escape(fmt(peak if total else 0))}</text>',
        f'<line class="chart-grid" x1="0" y1="{top}" x2="100%" y2="{top}"/>',
        f'<line class="chart-axis" x1="0" y1="{base}" x2="100%" y2="{base}"/>',
    ]
    for i, (period, value) in enumerate(zip(periods, values, strict=True)):
        bar_h = plot_h * value / peak if value else 0.0
        body.append(
            f'<rect class="chart-bar bar-0" x="{i * slot + slot * 0.15:.3f}%" y="{base - bar_h:.1f}" '
            f'width="{slot * 0.7:.3f}%" height="{bar_h:.1f}"><title>{escape(period)}: '
            f"{escape(fmt(value))}</title></rect>"
        )
        if i % step == 0:
            body.append(
                f'<text class="chart-tick" x="{i * slot + slot / 2:.3f}%" y="{base + 18}" '
                f'text-anchor="middle">{escape(_short_period(period))}</text>'
            )
    first = periods[0] if periods else "—"
    desc = f"{len(periods)} periods from {first}; total {fmt(total)}; highest {fmt(peak if total else 0)}"
    return _svg(chart_id, title, desc, height, body)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_period(period: str) -> str:
    """``2026-11-05`` → ``11-05``; a month ``2026-11`` stays as it is."""
    return period[5:] if len(period) == 10 else period
