"""How a benchmark script reports: the machine it ran on, percentiles, its table for the terminal (aligned
columns or Markdown), the PASS/FAIL lines of its checks, and its JSON file under benchmarks/results/.

Each script keeps its own JSON keys and columns; only the way of printing and writing them lives here."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any

MACHINE: dict[str, Callable[[], Any]] = {
    "cpus": os.cpu_count,
    "python": platform.python_version,
    "platform": platform.platform,
    "machine": platform.machine,
    "load": os.getloadavg,
}


def machine(*keys: str) -> dict[str, Any]:
    """What the JSON says of the machine, under the keys the script has always written, in that order."""
    return {key: MACHINE[key]() for key in keys}


def now() -> str:
    """The time of the run, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def percentile(values: Sequence[float], q: float) -> float:
    """The sample nearest the ``q`` quantile (0.0 for no samples)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def ms(seconds: float, digits: int = 1) -> float:
    return round(seconds * 1000, digits)


def cells(row: Mapping[str, Any], keys: Iterable[str]) -> list[Any]:
    """The row's values under ``keys``, in order; ``chat.p50_ms`` reaches into the mapping under ``chat``."""
    return [reduce(lambda found, part: found[part], key.split("."), row) for key in keys]


def columns(spec: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]) -> str:
    """A header and aligned rows; each column is (title, width), a negative width aligning it left."""

    def line(cells: Sequence[Any]) -> str:
        return "".join(_cell(cell, width) for cell, (_, width) in zip(cells, spec, strict=True))

    return "\n".join([line([title for title, _ in spec]), *(line(row) for row in rows)])


def _cell(value: Any, width: int) -> str:
    return f"{value!s:<{-width}}" if width < 0 else f"{value!s:>{width}}"


def markdown(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table, as docs/benchmarks.md quotes them."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def passed(results: Mapping[str, bool]) -> str:
    return "\n".join(f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in results.items())


def write_json(path: Path, data: Any, *, indent: int = 2, ensure_ascii: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=ensure_ascii) + "\n")
