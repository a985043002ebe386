"""``layer8 eval compare A B``: two runs side by side — models, versions, every score and its change."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from evals.plots import bars
from evals.report import STYLE, key_values, table


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per suite and score present in either run."""
    found = []
    for suite in dict.fromkeys([*a["suites"], *b["suites"]]):
        left = flatten(a["suites"].get(suite, {}).get("summary", {}))
        right = flatten(b["suites"].get(suite, {}).get("summary", {}))
        for metric in dict.fromkeys([*left, *right]):
            x, y = left.get(metric), right.get(metric)
            numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
            delta = round(y - x, 4) if numbers else None  # type: ignore[operator]
            found.append({"suite": suite, "score": metric, "A": x, "B": y, "change": delta})
    return found


def run_label(document: dict[str, Any]) -> str:
    model = document.get("model", {})
    commit = (document.get("git", {}).get("commit") or "?")[:10]
    return f"{model.get('provider')}: {model.get('name')} @ {commit}"


def meta(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    fields: dict[str, Callable[[dict[str, Any]], Any]] = {
        "model": run_label,
        "embedder": lambda d: d.get("embedder"),
        "runs": lambda d: d.get("runs"),
        "started": lambda d: d.get("started_at"),
        "seconds": lambda d: d.get("seconds"),
    }
    found = [{"": name, "A": get(a), "B": get(b)} for name, get in fields.items()]
    versions = dict.fromkeys([*a.get("versions", {}), *b.get("versions", {})])
    for package in versions:
        x, y = a.get("versions", {}).get(package), b.get("versions", {}).get(package)
        if x != y:
            found.append({"": f"version of {package}", "A": x, "B": y})
    return found


def chart(suite: str, items: list[dict[str, Any]]) -> str | None:
    shares = [
        r
        for r in items
        if r["suite"] == suite
        and all(isinstance(r[k], float | int) and 0 <= r[k] <= 1 for k in ("A", "B"))
        and not isinstance(r["A"], bool)
    ]
    if not shares:
        return None
    labels = [r["score"] for r in shares]
    return bars(
        labels,
        {"A": [r["A"] for r in shares], "B": [r["B"] for r in shares]},
        title=f"{suite}: A vs B",
        ylabel="score",
        horizontal=True,
        limit=1.1,
    )


def render(a: dict[str, Any], b: dict[str, Any]) -> str:
    items = rows(a, b)
    parts = [
        "<h1>Layer8 eval comparison</h1>",
        key_values({"A": run_label(a), "B": run_label(b)}),
        "<h2>Runs</h2>",
        table(meta(a, b), ["", "A", "B"]),
    ]
    for suite in dict.fromkeys(r["suite"] for r in items):
        parts.append(f"<h2>{escape(suite)}</h2>")
        image = chart(suite, items)
        if image:
            parts.append(f"<figure><img alt='{escape(suite)}' src='data:image/png;base64,{image}'></figure>")
        parts.append(table([r for r in items if r["suite"] == suite], ["score", "A", "B", "change"]))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Layer8 eval comparison</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


def text_table(a: dict[str, Any], b: dict[str, Any]) -> str:
    lines = [f"A = {run_label(a)}", f"B = {run_label(b)}", ""]
    lines.append(f"{'suite':14} {'score':40} {'A':>12} {'B':>12} {'change':>10}")
    for r in rows(a, b):
        if isinstance(r["A"], dict | list) or isinstance(r["B"], dict | list):
            continue
        change = "" if r["change"] is None else f"{r['change']:+.4g}"
        lines.append(
            f"{r['suite']:14} {r['score'][:40]:40} {_short(r['A']):>12} {_short(r['B']):>12} {change:>10}"
        )
    return "\n".join(lines)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value is None else str(value)[:12]


def write(a: dict[str, Any], b: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(a, b), encoding="utf-8")
