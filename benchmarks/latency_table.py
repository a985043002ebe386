"""Latency rows (p50, p95, failures, flagged replies, ratio to the raw model speed) and their tables."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.report import percentile


def stats(
    label: str, turns: list[dict[str, Any]], raw: dict[str, Any] | None, key: str = "seconds"
) -> dict[str, Any]:
    values = [t[key] for t in turns]
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    out: dict[str, Any] = {"kind": label, "n": len(values), "p50_s": round(p50, 2), "p95_s": round(p95, 2)}
    out["failed"] = sum(1 for t in turns if t.get("error_code") or t.get("status") != 200)
    out["reply_flags"] = sum(1 for t in turns if t.get("reply_check"))
    if raw is not None:
        out["ratio_p50"] = round(p50 / raw["reference_s"], 1)
        out["prompt_tokens_p50"] = round(p50 * raw["best"]["prompt_tokens_per_s"])
    return out


def print_table(rows: list[dict[str, Any]], raw: dict[str, Any] | None) -> None:
    head = f"{'kind':<28}{'n':>4}{'p50 s':>9}{'p95 s':>9}{'ratio p50':>11}{'failed':>8}{'flagged':>9}"
    print(f"\n{head}{'ready s':>9}")
    for r in rows:
        ratio = f"{r['ratio_p50']:.1f}" if "ratio_p50" in r else "—"
        ready = f"{r['ready_s']:.1f}" if "ready_s" in r else ""
        print(
            f"{r['kind']:<28}{r['n']:>4}{r['p50_s']:>9.2f}{r['p95_s']:>9.2f}{ratio:>11}{r['failed']:>8}"
            f"{r['reply_flags']:>9}{ready:>9}"
        )
    if raw is not None:
        print(f"ratio = p50 / {raw['reference_s']} s (100 prompt + 20 generated tokens at raw speed)")


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| kind | n | p50 s | p95 s | ratio p50 | failed | flagged | ready s |", "|---|" + "---:|" * 7]
    for r in rows:
        ratio = f"{r['ratio_p50']:.1f}" if "ratio_p50" in r else "—"
        ready = f"{r['ready_s']:.1f}" if "ready_s" in r else ""
        lines.append(
            f"| {r['kind']} | {r['n']} | {r['p50_s']:.1f} | {r['p95_s']:.1f} | {ratio} | {r['failed']} | "
            f"{r['reply_flags']} | {ready} |"
        )
    return "\n".join(lines)
