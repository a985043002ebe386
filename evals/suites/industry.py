"""The ``industry`` suite: NAICS classification accuracy at 2, 4 and 6 digits on labelled descriptions.

Wraps :mod:`retrieval.industry_eval` (91 held-out phrases in ``evals/data/industry.jsonl``). A prediction is
right at level L when its first L digits equal those of an accepted code; top-1 and top-3 are reported.
With the fake embedder the classifier runs on its lexical view alone (BM25, no model), which is what CI
measures; with MiniLM it is the product's hybrid.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.context import EvalContext
from evals.result import SuiteResult
from evals.scenario import DATA
from retrieval.industry_eval import LEVELS, Case, evaluate, load_cases, same

NAME = "industry"


@dataclass
class Replay:
    """Hands :func:`evaluate` predictions already made, so each phrase is classified once."""

    results: list[list[Any]]

    def classify_many(self, texts: Sequence[str], k: int = 3) -> list[list[Any]]:
        return self.results


def case_row(case: Case, matches: list[Any]) -> dict[str, Any]:
    codes = [m.code for m in matches]
    row: dict[str, Any] = {
        "text": case.text,
        "label": case.naics,
        "also": list(case.also),
        "predicted": [{"code": m.code, "title": m.title, "score": m.score} for m in matches],
    }
    for level in LEVELS:
        row[f"top1@{level}"] = any(same(codes[0], code, level) for code in case.accepted) if codes else False
        row[f"top3@{level}"] = any(same(p, code, level) for p in codes for code in case.accepted)
    return row


def run(ctx: EvalContext) -> SuiteResult:
    started = time.perf_counter()
    cases = ctx.take(load_cases(DATA / "industry.jsonl"))
    classifier = ctx.classifier
    timed = time.perf_counter()
    results = classifier.classify_many([c.text for c in cases], 3)
    per_case = (time.perf_counter() - timed) / max(len(cases), 1)
    scores = evaluate(Replay(results), cases)  # type: ignore[arg-type]
    summary: dict[str, Any] = {"cases": scores.cases}
    for level in LEVELS:
        summary[f"top1_{level}digit"] = scores.top1[level]
    for level in LEVELS:
        summary[f"top3_{level}digit"] = scores.top3[level]
    summary["seconds_per_case"] = round(per_case, 4)
    mode = "lexical only (BM25, no model)" if ctx.config.embedder_kind == "fake" else "hybrid BM25 + MiniLM"
    return SuiteResult(
        NAME,
        summary,
        [case_row(c, m) for c, m in zip(cases, results, strict=True)],
        tables={"misses (top-1 at 6 digits)": scores.misses},
        notes=[f"Classifier: {mode}.", "Seconds per case exclude building the classifier."],
        seconds=round(time.perf_counter() - started, 2),
    )
