"""The ``matching`` suite: BEA precision@5 of the matching engine against two baselines in the same run.

Wraps :mod:`evals.matching` (owned by the retrieval engineers): it seeds a synthetic network, indexes it and
scores, for each subscriber, whether the industries of its top-5 suggestions are among the real top-20 BEA
suppliers of its industry or buyers of what it makes — for the engine, for 5 random discoverable subscribers
and for plain whole-profile embedding similarity. It also counts hard-filter violations (must be 0).
"""

from __future__ import annotations

import time
from typing import Any

from composition.container import build
from evals.context import EvalContext
from evals.matching import run_matching_eval
from evals.result import SuiteResult
from network.migrate import upgrade

NAME = "matching"


def run(ctx: EvalContext) -> SuiteResult:
    started = time.perf_counter()
    kind = ctx.config.embedder_kind
    subscribers = ctx.config.matching_subscribers or (150 if kind == "fake" else 500)
    home = ctx.workdir / "matching"
    layer8 = build(ctx.settings.model_copy(update={"home": home, "database_url": None, "chroma_url": None}))
    layer8.__dict__["embedder"] = ctx.embedder
    try:
        upgrade(layer8.db)
        report: dict[str, Any] = run_matching_eval(
            layer8, subscribers, ctx.config.seed, evaluate=ctx.config.limit
        )
    finally:
        layer8.close()
    precision = report["precision_at_5"]
    summary: dict[str, Any] = {
        "subscribers": report["n_subscribers"],
        "evaluated": report["evaluated"],
        "engine_precision@5": precision["engine"],
        "random_precision@5": precision["random"],
        "embedding_precision@5": precision["embedding"],
        "lift_over_random": round(precision["engine"] / precision["random"], 2)
        if precision["random"]
        else None,
        "lift_over_embedding": (
            round(precision["engine"] / precision["embedding"], 2) if precision["embedding"] else None
        ),
        "hard_filter_violations": report["hard_filter_violations"],
        "engine_latency_ms": report["engine_latency_ms"],
    }
    rows = [{"ranker": name, "precision@5": value} for name, value in precision.items()]
    return SuiteResult(
        NAME,
        summary,
        rows,
        notes=[
            f"Embedder: {kind}; {subscribers} synthetic subscribers, seed {ctx.config.seed}.",
            "The matching module reports aggregates only; the rows are the three rankers.",
        ],
        seconds=round(time.perf_counter() - started, 2),
    )
