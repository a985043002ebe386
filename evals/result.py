"""What a suite returns: headline scores, one row per case, extra tables, and notes for the reader."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SuiteResult:
    suite: str
    summary: dict[str, Any]  # headline scores: name -> number (or short text)
    cases: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # extra tables for the report
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SuiteResult:
        return cls(
            suite=raw["suite"],
            summary=dict(raw.get("summary") or {}),
            cases=list(raw.get("cases") or []),
            tables=dict(raw.get("tables") or {}),
            notes=list(raw.get("notes") or []),
            seconds=float(raw.get("seconds") or 0.0),
        )


def timing(seconds: list[float]) -> dict[str, float]:
    """Seconds per case: mean, p50, p95 (nearest rank)."""
    if not seconds:
        return {"mean": 0.0, "p50": 0.0, "p95": 0.0}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "mean": round(statistics.fmean(ordered), 3),
        "p50": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
    }


def share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0
