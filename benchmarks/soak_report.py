"""The soak's figures: per-minute latencies, errors, the server's RSS and the machine's load, summed up into
the checks (no error, RSS growth after warm-up ≤ 10 %, the last minutes' p99 within 2× the first ones')."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

KINDS = ("chat", "slack", "whatsapp", "console", "api")


@dataclass
class Minute:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=dict)
    rss: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # the machine's 1-minute load average


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def row(index: int, minute: Minute) -> dict[str, Any]:
    every = [v for values in minute.latencies.values() for v in values]
    return {
        "minute": index + 1,
        "requests": len(every),
        "errors": sum(minute.errors.values()),
        "error_kinds": minute.errors,
        "p50_ms": round(percentile(every, 0.5) * 1000, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "chat_p99_ms": round(percentile(minute.latencies["chat"], 0.99) * 1000, 1),
        "rss_mb": round(statistics.median(minute.rss), 1) if minute.rss else None,
        "load_avg": round(statistics.median(minute.load), 1) if minute.load else None,
    }


def summarise(minutes: list[Minute], warmup: int) -> dict[str, Any]:
    rows = [row(index, minute) for index, minute in enumerate(minutes)]
    warm = min(warmup, len(rows) - 1)
    base = rows[warm]["rss_mb"] or rows[0]["rss_mb"] or 1.0
    end = rows[-1]["rss_mb"] or base
    peak = max(r["rss_mb"] or 0.0 for r in rows[warm:])
    head = [r["p99_ms"] for r in rows[warm : warm + 3]]
    tail = [r["p99_ms"] for r in rows[-3:]]
    growth = (end - base) / base * 100
    p99_ratio = statistics.median(tail) / max(statistics.median(head), 0.001)
    errors = sum(r["errors"] for r in rows)
    return {
        "minutes": rows,
        "rss_after_warmup_mb": base,
        "rss_end_mb": end,
        "rss_peak_after_warmup_mb": peak,
        "rss_growth_pct": round(growth, 1),
        "p99_tail_over_head": round(p99_ratio, 2),
        "requests": sum(r["requests"] for r in rows),
        "errors": errors,
        "checks": {
            "no_errors": errors == 0,
            "rss_growth_le_10pct": growth <= 10.0,
            "p99_stable_within_2x": p99_ratio <= 2.0,
        },
    }


def print_table(summary: dict[str, Any]) -> None:
    print(f"{'min':>4}{'req':>7}{'err':>5}{'p50 ms':>9}{'p99 ms':>9}{'chat p99':>10}{'RSS MB':>9}{'load':>6}")
    for r in summary["minutes"]:
        print(
            f"{r['minute']:>4}{r['requests']:>7}{r['errors']:>5}{r['p50_ms']:>9}{r['p99_ms']:>9}"
            f"{r['chat_p99_ms']:>10}{r['rss_mb'] or '-':>9}{r['load_avg'] or '-':>6}"
        )
    print(
        f"RSS {summary['rss_after_warmup_mb']} MB after warm-up → {summary['rss_end_mb']} MB at the end "
        f"({summary['rss_growth_pct']:+} %), peak {summary['rss_peak_after_warmup_mb']} MB; "
        f"p99 last/first minutes ×{summary['p99_tail_over_head']}; {summary['requests']} requests, "
        f"{summary['errors']} errors"
    )
    for name, ok in summary["checks"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
