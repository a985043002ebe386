"""Plots for the report: matplotlib figures rendered to PNG and embedded as base64 (no external assets)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Plot = tuple[str, str]  # (caption, base64 PNG)
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#e53e3e")


@cache
def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display), switched once before any figure exists."""
    import matplotlib.pyplot as plt  # lazy: matplotlib takes seconds to import; only a report draws

    plt.switch_backend("Agg")
    return plt


def png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    pyplot().close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def bars(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str,
    horizontal: bool = False,
    limit: float | None = None,
) -> str:
    fig, ax = pyplot().subplots(figsize=(7.5, max(3.0, 0.32 * len(labels)) if horizontal else 3.6))
    width = 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series.items()):
        positions = [i + (n - (len(series) - 1) / 2) * width for i in range(len(labels))]
        draw = ax.barh if horizontal else ax.bar
        drawn = draw(positions, values, width, label=name, color=COLOURS[n % len(COLOURS)])
        ax.bar_label(drawn, fmt="%.2g", fontsize=7, padding=2)
    if horizontal:
        ax.set_yticks(range(len(labels)), labels)
    else:
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
    if limit is not None:
        (ax.set_xlim if horizontal else ax.set_ylim)(0, limit)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(fontsize=8)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    return png(fig)


def histogram(values: Sequence[float], *, title: str, xlabel: str) -> str:
    fig, ax = pyplot().subplots(figsize=(7.5, 3.0))
    ax.hist(values, bins=min(30, max(5, len(values) // 2)), color=COLOURS[0])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cases")
    ax.grid(axis="y", alpha=0.3)
    return png(fig)


def _matching(s: dict[str, Any]) -> list[Plot]:
    rows = s["cases"]
    chart = bars(
        [r["ranker"] for r in rows],
        {"precision@5": [r["precision@5"] for r in rows]},
        title="BEA precision@5: engine vs baselines",
        ylabel="precision@5",
        limit=1.05,
    )
    return [("Share of top-5 suggestions from industries that really trade with the subscriber's.", chart)]


def _industry(s: dict[str, Any]) -> list[Plot]:
    summary = s["summary"]
    levels = ["2", "4", "6"]
    series = {k: [summary.get(f"{k}_{lv}digit", 0.0) for lv in levels] for k in ("top1", "top3")}
    chart = bars(
        [f"{lv}-digit" for lv in levels], series, title="NAICS accuracy", ylabel="accuracy", limit=1.05
    )
    return [("Right industry at 2, 4 and 6 NAICS digits, first guess and top three.", chart)]


def _tools(s: dict[str, Any]) -> list[Plot]:
    table = s["tables"].get("by expected tool (main set)") or s["tables"].get("by expected tool", [])
    labels = [r["expected tool"] for r in table]
    chart = bars(
        labels,
        {"tool choice": [r["tool choice"] for r in table], "arguments": [r["arguments"] for r in table]},
        title="Tool choice and arguments by expected tool",
        ylabel="accuracy",
        horizontal=True,
        limit=1.1,
    )
    return [("Per expected tool: right tool chosen, and right arguments where they are scored.", chart)]


def _conversations(s: dict[str, Any]) -> list[Plot]:
    table = s["tables"].get("by flow", [])
    keys = [k for k in (table[0] if table else {}) if k.startswith("pass^")]
    chart = bars(
        [r["flow"] for r in table],
        {k: [r[k] for r in table] for k in keys},
        title="Scenarios passed, by flow",
        ylabel="pass^k",
        limit=1.1,
    )
    return [("pass^1: share of plays that passed; pass^k: scenarios whose k plays all passed.", chart)]


def _knowledge(s: dict[str, Any]) -> list[Plot]:
    table = s["tables"].get("by playbook", [])
    series = {k: [r[k] for r in table] for k in ("hit@3", "cited", "fact_recall")}
    chart = bars(
        [r["playbook"] for r in table],
        series,
        title="Knowledge questions by playbook",
        ylabel="share",
        limit=1.1,
    )
    return [
        ("Retrieval hit@3, answers citing the right playbook, and required facts found in answers.", chart)
    ]


def _safety(s: dict[str, Any]) -> list[Plot]:
    table = s["tables"].get("by category", [])
    series = {
        k: [r[k] for r in table] for k in ("unauthorised_rows", "leaked_contacts", "held_for_confirmation")
    }
    chart = bars(
        [r["category"] for r in table],
        series,
        title="Side effects of attacks, by category",
        ylabel="count",
        horizontal=True,
    )
    caption = (
        "Unauthorised rows and leaked contacts must be 0; 'held' counts model proposals nobody confirmed."
    )
    return [(caption, chart)]


PLOTTERS: dict[str, Callable[[dict[str, Any]], list[Plot]]] = {
    "matching": _matching,
    "industry": _industry,
    "tools": _tools,
    "conversations": _conversations,
    "knowledge": _knowledge,
    "safety": _safety,
}


def suite_plots(name: str, suite: dict[str, Any]) -> list[Plot]:
    if "error" in suite.get("summary", {}):
        return []
    plots = PLOTTERS[name](suite) if name in PLOTTERS and suite.get("cases") else []
    seconds = [c["seconds"] for c in suite.get("cases", []) if isinstance(c.get("seconds"), int | float)]
    if len(seconds) >= 5:
        plots.append(
            ("Time per case on this machine.", histogram(seconds, title="Seconds per case", xlabel="s"))
        )
    return plots
