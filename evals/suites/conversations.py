"""The ``conversations`` suite: multi-turn scenarios judged by the records they leave, reported as pass^k.

Each scenario (``evals/data/conversations.jsonl``) is played ``--runs`` times, each time in a fresh seeded
installation. A play passes when every expected row exists, nothing else was created or changed in the
watched tables, no reply leaked another subscriber's contact details, and the scenario could be played as
written. pass^k is the chance that all k plays of a scenario pass (τ-bench's estimator
C(c, k) / C(n, k) over n plays with c passes), averaged over scenarios.
"""

from __future__ import annotations

import time
from math import comb
from typing import Any

from evals import reply_check
from evals.context import EvalContext
from evals.episode import Episode, play
from evals.player import Turn
from evals.result import SuiteResult, share, timing
from evals.scenario import DATA, Scenario, load

NAME = "conversations"
FAILED_TURN = ("model_timeout", "model_error", "internal_error")  # the turn got a reason, not an answer
SOURCE = DATA / "conversations.jsonl"


def pass_hat(passes: list[int], runs: int, k: int) -> float:
    """Mean over scenarios of C(c, k) / C(n, k): all of k plays pass."""
    if not passes or k > runs:
        return 0.0
    return round(sum(comb(c, k) / comb(runs, k) for c in passes) / len(passes), 4)


def transcript_rows(episode: Episode, limit: int = 700) -> list[dict[str, Any]]:
    return [
        {
            "actor": t.actor,
            "sent": t.sent[:limit],
            "reply": t.reply[:limit],
            "tool_calls": t.tool_calls,
            "error": t.error_code,
            "seconds": round(t.seconds, 3),
            "reply_check": checked(t),
        }
        for t in episode.transcript.turns
    ]


def checked(turn: Turn) -> list[dict[str, str]]:
    flags = reply_check.check(turn.reply, said=turn.sent, runs=turn.tool_calls, records=turn.records)
    return reply_check.flag_dicts(flags)


def flagged_replies(scenario: Scenario, episodes: list[Episode]) -> list[dict[str, Any]]:
    """Every flagged reply of every play (the same reply in several plays is listed once per play)."""
    return [
        reply_check.listing(scenario.id, number, t.sent, t.reply, flags)
        for e in episodes
        for number, t in enumerate(e.transcript.turns, start=1)
        if (flags := checked(t))
    ]


def case_row(scenario: Scenario, episodes: list[Episode]) -> dict[str, Any]:
    shown = next((e for e in episodes if not e.passed), episodes[0])
    turns = [t for e in episodes for t in e.transcript.turns]
    return {
        "id": scenario.id,
        "flow": scenario.flow,
        "title": scenario.title,
        "passes": sum(e.passed for e in episodes),
        "runs": len(episodes),
        "passed_all": all(e.passed for e in episodes),
        "failures": shown.verdict.failures,
        "unexpected": shown.verdict.unexpected,
        "leaks": shown.verdict.leaks,
        "problems": shown.transcript.problems,
        "unauthorised_rows": sum(e.verdict.unauthorised for e in episodes),
        "leaked": sum(len(e.verdict.leaks) for e in episodes),
        "seconds": round(sum(e.transcript.seconds for e in episodes) / len(episodes), 3),
        "seconds_per_turn": round(sum(t.seconds for t in turns) / max(len(turns), 1), 3),
        "transcript": transcript_rows(shown),
        "reply_check": flagged_replies(scenario, episodes),
    }


def by_flow(rows: list[dict[str, Any]], runs: int) -> list[dict[str, Any]]:
    flows: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        flows.setdefault(row["flow"], []).append(row)
    return [
        {
            "flow": flow,
            "scenarios": len(items),
            "pass^1": pass_hat([r["passes"] for r in items], runs, 1),
            f"pass^{runs}": pass_hat([r["passes"] for r in items], runs, runs),
        }
        for flow, items in flows.items()
    ]


def run(ctx: EvalContext) -> SuiteResult:
    started = time.perf_counter()
    runs = max(1, ctx.config.runs)
    rows = []
    for scenario in ctx.take(load(SOURCE)):
        rows.append(case_row(scenario, [play(ctx, scenario) for _ in range(runs)]))
    passes = [r["passes"] for r in rows]
    summary: dict[str, Any] = {
        "scenarios": len(rows),
        "runs": runs,
        "pass^1": pass_hat(passes, runs, 1),
        f"pass^{runs}": pass_hat(passes, runs, runs),
        "all_runs_passed": share([r["passed_all"] for r in rows]),
        "unauthorised_rows": sum(r["unauthorised_rows"] for r in rows),
        "leaked_contacts": sum(r["leaked"] for r in rows),
        "turns_failed": sum(1 for r in rows for t in r["transcript"] if t["error"] in FAILED_TURN),
        "seconds_per_scenario": timing([r["seconds"] for r in rows]),
        "seconds_per_turn": timing([t["seconds"] for r in rows for t in r["transcript"]]),
        "reply_check_flags": sum(len(r["reply_check"]) for r in rows),
    }
    curve = [{"k": k, "pass^k": pass_hat(passes, runs, k)} for k in range(1, runs + 1)]
    notes = [
        f"Each scenario was played {runs} time(s) in a fresh copy of a seeded network of "
        f"{ctx.config.network} businesses plus the scenario's cast.",
    ]
    if ctx.config.model == "fake":
        notes.append(
            "With the fake model the assistant's moves are the ones stored with each scenario: this checks "
            "the product's server side (tools, confirmations, records) end to end, not a model's judgement."
        )
    return SuiteResult(
        NAME,
        summary,
        rows,
        tables={
            "by flow": by_flow(rows, runs),
            "pass^k": curve,
            "reply check: flagged replies": [item for r in rows for item in r["reply_check"]],
        },
        notes=notes,
        seconds=round(time.perf_counter() - started, 2),
    )
