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
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    fmt: Format = _plain,
    classes: Sequence[str] = (),
) -> Markup:
    """Horizontal bars, one per label (a funnel, a top list): the label and value above each bar;
    ``classes`` names each bar's colour class (default: the palette in turn)."""
    row, bar = 42, 16
    peak = max([*values, 1])
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row
        share = max(100 * value / peak, 0.5) if value else 0.0
        text = escape(f"{_shorten(label, LABEL_CHARS)}: {fmt(value)}")
        colour = classes[i] if i < len(classes) else f"bar-{i % 6}"
        body += [
            f'<text class="chart-label" x="0" y="{y + 14}">{text}</text>',
            f'<rect class="chart-track" x="0" y="{y + 20}" width="100%" height="{bar}" rx="3"/>',
            f'<rect class="chart-bar {colour}" x="0" y="{y + 20}" width="{share:.2f}%" '
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


def signed_bars(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None]) -> Markup:
    """Bars either side of a centre line for values from −100 to 100 (an NPS): the label and value above."""
    row, bar = 42, 16
    body = [f'<line class="chart-axis" x1="50%" y1="0" x2="50%" y2="{max(len(labels), 1) * row}"/>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row
        shown = "—" if value is None else f"{value:+.1f}"
        text = escape(f"{_shorten(label, LABEL_CHARS)}: {shown}")
        body.append(f'<text class="chart-label" x="0" y="{y + 14}">{text}</text>')
        if value:
            width = abs(value) / 2
            x, colour = (50.0, 2) if value > 0 else (50 - width, 4)
            body.append(
                f'<rect class="chart-bar bar-{colour}" x="{x:.2f}%" y="{y + 20}" width="{width:.2f}%" '
                f'height="{bar}" rx="3"><title>{escape(label)}: {shown}</title></rect>'
            )
    pairs = zip(labels, values, strict=True)
    desc = "; ".join(f"{label}: {'—' if v is None else f'{v:+.1f}'}" for label, v in pairs)
    return _svg(chart_id, title, desc or "no data", max(len(labels) * row, row), body)


def _segment(n: int, x1: float, y1: float, x2: float, y2: float, tip: str = "") -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<line class="chart-line line-{n % 6}" x1="{x1:.2f}%" y1="{y1:.1f}" x2="{x2:.2f}%" y2="{y2:.1f}">'
        f"{title}</line>"
    )


def steps(chart_id: str, title: str, curves: Sequence[tuple[str, Sequence[tuple[int, float]]]]) -> Markup:
    """Survival curves as steps: x is days (0 to the longest), y the share still a member (1 at the top)."""
    top, plot_h = 10, 160
    longest = max([day for _, points in curves for day, _ in points] + [1])
    body = [
        f'<line class="chart-axis" x1="0" y1="{top + plot_h}" x2="100%" y2="{top + plot_h}"/>',
        f'<text class="chart-tick" x="0" y="{top + plot_h + 18}">day 0</text>',
        f'<text class="chart-tick" x="100%" y="{top + 12}" text-anchor="end">100% still members</text>',
        f'<text class="chart-tick" x="100%" y="{top + plot_h + 18}" text-anchor="end">day {longest}</text>',
    ]
    for n, (name, points) in enumerate(curves):
        last_x, last_y = 0.0, float(top)
        for day, survival in points:
            x, y = 100 * day / longest, top + plot_h * (1 - survival)
            body += [_segment(n, last_x, last_y, x, last_y), _segment(n, x, last_y, x, y)]
            last_x, last_y = x, y
        body.append(_segment(n, last_x, last_y, 100.0, last_y, name))
    desc = "; ".join(
        f"{name}: {points[-1][1]:.0%} still members at day {points[-1][0]}"
        for name, points in curves
        if points
    )
    return _svg(chart_id, title, desc or "no data", top + plot_h + 26, body)
