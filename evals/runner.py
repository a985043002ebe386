"""Runs suites and writes ``results.json`` and a self-contained ``report.html`` into the output folder.

``results.json``: ``{"format", "started_at", "seconds", "model", "embedder", "runs", "git", "versions",
"machine", "suites": {name: {"summary", "cases", "tables", "notes", "seconds"}}}``. A suite that fails
is recorded with its error (``summary.error``) and the others still run.
"""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from evals import metadata
from evals.context import EvalConfig, EvalContext
from evals.report import write_report
from evals.result import SuiteResult
from evals.suites import SUITES

logger = logging.getLogger(__name__)

FORMAT = "layer8-eval/1"
Progress = Callable[[SuiteResult], None]


def suite_names(requested: str) -> list[str]:
    if requested == "all":
        return list(SUITES)
    names = [n.strip() for n in requested.split(",") if n.strip()]
    unknown = [n for n in names if n not in SUITES]
    if unknown or not names:
        raise ValueError(
            f"unknown suite {', '.join(unknown) or requested!r}: use one of {', '.join(SUITES)} or all"
        )
    return names


def run_suite(name: str, ctx: EvalContext) -> SuiteResult:
    module = importlib.import_module(f"evals.suites.{name}")
    started = time.perf_counter()
    try:
        result: SuiteResult = module.run(ctx)
    except Exception as exc:  # one broken suite must not hide the others' results
        logger.exception("suite %s failed", name)
        result = SuiteResult(name, {"error": f"{type(exc).__name__}: {exc}"}, notes=[traceback.format_exc()])
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def run(
    names: Sequence[str],
    config: EvalConfig,
    out: Path,
    *,
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run ``names``; write ``out/results.json`` and ``out/report.html`` (after each suite); return them."""
    ctx = EvalContext(config, settings)
    started_at, started = datetime.now(UTC), time.perf_counter()
    document: dict[str, Any] = {
        "format": FORMAT,
        "started_at": started_at.isoformat(timespec="seconds"),
        "model": ctx.model_info(),
        "embedder": config.embedder_kind,
        "runs": config.runs,
        "limit": config.limit,
        "git": metadata.git(),
        "versions": metadata.versions(),
        "machine": metadata.machine(),
        "suites": {},
    }
    try:
        for name in names:
            result = run_suite(name, ctx)
            document["suites"][name] = result.to_dict()
            _write(document, out, started)  # after every suite: a long run stopped early keeps what it did
            if progress is not None:
                progress(result)
    finally:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    _write(document, out, started)
    return document


def _write(document: dict[str, Any], out: Path, started: float) -> None:
    document["seconds"] = round(time.perf_counter() - started, 2)
    document["machine"]["load_average_at_end"] = metadata.machine()["load_average_at_start"]
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str) + "\n")
    write_report(document, out / "report.html")


def load(folder: Path) -> dict[str, Any]:
    path = folder / "results.json" if folder.is_dir() else folder
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document
