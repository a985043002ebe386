"""The ``tools`` suite: single-turn utterances → the right tool with the right arguments.

Wraps :mod:`evals.tools_suite` (cases in ``evals/data/tools.jsonl``, exact deterministic scoring, owned by the
assistant's engineers). With ``--model fake`` the model is that module's oracle, which answers every case as
expected: it checks the cases and the scorer end to end, not a model — 100% is the only right answer.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from assistant import shown
from assistant.llm.local import LocalChatModel
from assistant.routing import ChatRouter
from evals import reply_check, tools_suite
from evals.context import EvalContext
from evals.result import SuiteResult, share, timing
from retrieval.knowledge import playbook_topics

NAME = "tools"


def by_tool(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["expected_tool"] or "(no tool)", []).append(row)
    return [
        {
            "expected tool": tool,
            "cases": len(items),
            "tool choice": share([r["tool_ok"] for r in items]),
            "arguments": share([bool(r["args_ok"]) for r in items if r["has_expected_args"]]),
        }
        for tool, items in sorted(groups.items())
    ]


def confusion(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wrong = Counter((r["expected_tool"] or "(no tool)", r["chosen_tool"] or "(no tool)") for r in rows)
    return [
        {"expected": expected, "chosen": chosen, "cases": count}
        for (expected, chosen), count in wrong.most_common()
        if expected != chosen
    ]


def _play(
    ctx: EvalContext, cases: list[tools_suite.Case], part: str, router: ChatRouter | None
) -> tuple[dict[str, Any], list[Any]]:
    model = tools_suite.oracle(cases) if ctx.config.model == "fake" else ctx.chat_model
    report = tools_suite.run(model, cases, name=ctx.config.model, router=router).to_dict()
    rows: list[dict[str, Any]] = report["results"]
    for row, case in zip(rows, cases, strict=True):
        row["set"] = part
        row["utterance"] = case.utterance
        row["expected_args"] = case.expected_args
        # checked as the person would see it: the product replaces a call written out or the prompt read back
        row["model_reply"] = row["reply"]
        row["reply"] = shown.shown_text(row["reply"]) if row["reply"] else ""
        row["reply_check"] = reply_check.flag_dicts(reply_check.check(row["reply"], said=case.utterance))
    return report, rows


def flagged_replies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        reply_check.listing(f"{r['set']}/{r['id']}", 1, r["utterance"], r["reply"], r["reply_check"])
        for r in rows
        if r["reply_check"]
    ]


def run(ctx: EvalContext) -> SuiteResult:
    started = time.perf_counter()
    router = None
    if ctx.config.embedder_kind != "fake" and ctx.settings.chat_router:
        router = ChatRouter(
            ctx.embedder, extra={"search_knowledge": playbook_topics()}
        )  # as production routes: MiniLM sorts chat from requests
        if isinstance(ctx.chat_model, LocalChatModel):  # and narrows an unnamed call to its likeliest tools
            ctx.chat_model.narrow = router.likely_tools
            ctx.chat_model.tool_scores = router.tool_scores
            ctx.chat_model.prose_means = "search_knowledge"  # as composition/assistant.py wires it
    report, rows = _play(ctx, ctx.take(tools_suite.load_cases()), "main", router)
    held, held_rows = _play(ctx, ctx.take(tools_suite.load_cases(tools_suite.HOLDOUT)), "held-out", router)
    no_tool = [r for r in rows if r["expected_tool"] is None]
    summary = {
        "cases": len(rows),
        "no_tool_cases": len(no_tool),
        "tool_accuracy": round(report["tool_accuracy"], 4),
        "argument_accuracy": round(report["argument_accuracy"], 4),
        "argument_accuracy_all": round(report["argument_accuracy_all"], 4),
        "no_tool_accuracy": share([r["tool_ok"] for r in no_tool]),
        "holdout_cases": len(held_rows),
        "holdout_tool_accuracy": round(held["tool_accuracy"], 4),
        "holdout_argument_accuracy": round(held["argument_accuracy"], 4),
        "errors": sum(1 for r in [*rows, *held_rows] if r.get("error")),
        "seconds_per_case": timing([r["seconds"] for r in [*rows, *held_rows]]),
        "reply_check_flags": len(flagged_replies([*rows, *held_rows])),
    }
    notes = [
        "Arguments are scored among right tool choices; 'argument_accuracy_all' counts a wrong tool as "
        "wrong.",
        "The main set (evals/data/tools.jsonl) guided the prompt's wording and examples; the held-out set "
        "(tools_holdout.jsonl) was written after the prompt was frozen and never used to tune it.",
    ]
    if ctx.config.model == "fake":
        notes.append(
            "Fake model = the oracle that answers every case as labelled: a check of the data and scorer."
        )
    return SuiteResult(
        NAME,
        summary,
        [*rows, *held_rows],
        tables={
            "by expected tool (main set)": by_tool(rows),
            "by expected tool (held-out set)": by_tool(held_rows),
            "confusions (both sets)": confusion([*rows, *held_rows]),
            "reply check: flagged replies": flagged_replies([*rows, *held_rows]),
        },
        notes=notes,
        seconds=round(time.perf_counter() - started, 2),
    )
