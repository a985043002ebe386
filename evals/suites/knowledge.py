"""The ``knowledge`` suite: bottleneck questions over the playbooks, scored on retrieval and on the answer.

Questions are in ``evals/data/knowledge.jsonl`` (``question``, ``expected_doc``, ``required_facts``).

* **retrieval** — the knowledge base's own search: is a chunk of the expected playbook first (hit@1), in the
  three passages the assistant's tool shows the model (hit@3), and at which rank (MRR over the top 5)?
* **answer** — the whole assistant answers the question as a subscriber would ask it: did it cite the right
  playbook (``[doc#section]``), and which required facts appear in its answer (case and spacing ignored)?
  The answer is the playbook steps the server picked, shown verbatim with their citations, then the model's
  short framing. With ``--model fake`` the scripted model searches with the question and frames with a
  sentence that adds no facts, so the answer scores are those of the server's steps alone.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

from assistant.messages import InboundMessage
from evals.context import EvalContext
from evals.player import CHANNEL, join_cast
from evals.result import SuiteResult, share, timing
from evals.scenario import DATA, Member, Scenario
from evals.scripted import Script

NAME = "knowledge"
SOURCE = DATA / "knowledge.jsonl"
TOP = 5
PERSONA_NAME = "Rhubarb & Rye Bakery"
FRAMING = "Start with the first step: it is the quickest to put in place."  # the fake's framing: no facts
PERSONA: dict[str, Any] = {
    "description": "Family bakery in Leeds making sourdough and pastries",
    "offers": "sourdough bread, pastries and celebration cakes",
    "needs": "a reliable flour supplier",
    "locality": "Leeds",
}


def load_questions(path: Path = SOURCE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(re.sub(r"[*_`]", "", text).split())


def facts_found(answer: str, facts: list[str]) -> list[str]:
    said = normalise(answer)
    return [fact for fact in facts if normalise(fact) in said]


def cites(answer: str, doc: str) -> bool:
    return f"{doc}#" in answer or f"[{doc}]" in answer


def retrieval_row(kb: Any, question: dict[str, Any]) -> dict[str, Any]:
    hits = kb.search(question["question"], TOP)
    docs = [str(getattr(h, "citation", "")).split("#")[0] for h in hits]
    rank = docs.index(question["expected_doc"]) + 1 if question["expected_doc"] in docs else None
    return {
        "retrieved": [getattr(h, "citation", "") for h in hits[:3]],
        "hit@1": rank == 1,
        "hit@3": rank is not None and rank <= 3,
        "rank": rank,
        "reciprocal_rank": round(1 / rank, 4) if rank else 0.0,
    }


def answer_row(
    layer8: Any, script: Script | None, me: str, number: int, question: dict[str, Any]
) -> dict[str, Any]:
    """One question in its own thread of one installation (threads do not share history)."""
    if script is not None:
        script.load(
            [{"tool": "search_knowledge", "args": {"query": question["question"]}}, {"text": FRAMING}], {}
        )
    message = InboundMessage(CHANNEL, f"knowledge-{number}", me, text=question["question"])
    started = time.perf_counter()
    reply = layer8.assistant.handle(message)
    seconds = time.perf_counter() - started
    found = facts_found(reply.text, question["required_facts"])
    return {
        "answer": reply.text[:1200],
        "tools": [c.name for c in reply.tool_calls],
        "cited_right": cites(reply.text, question["expected_doc"]),
        "facts_found": found,
        "facts_missing": [f for f in question["required_facts"] if f not in found],
        "fact_recall": round(len(found) / max(len(question["required_facts"]), 1), 4),
        "all_facts": len(found) == len(question["required_facts"]),
        "seconds": round(seconds, 3),
        "error": reply.error_code,
    }


def run(ctx: EvalContext) -> SuiteResult:
    started = time.perf_counter()
    questions = ctx.take(load_questions())
    model, script = ctx.case_model()
    rows = []
    with ctx.world.fresh(model) as layer8:
        retrieval = [retrieval_row(layer8.knowledge, q) for q in questions]
        persona = Scenario("persona", NAME, "", (Member("me", PERSONA_NAME, PERSONA),), (), (), ())
        me = join_cast(layer8, persona)["me"]
        for number, (question, found) in enumerate(zip(questions, retrieval, strict=True)):
            answer = answer_row(layer8, script, me, number, question)
            rows.append(
                {
                    "question": question["question"],
                    "expected_doc": question["expected_doc"],
                    **found,
                    **answer,
                }
            )
    summary = {
        "questions": len(rows),
        "retrieval_hit@1": share([r["hit@1"] for r in rows]),
        "retrieval_hit@3": share([r["hit@3"] for r in rows]),
        "retrieval_mrr@5": round(sum(r["reciprocal_rank"] for r in rows) / max(len(rows), 1), 4),
        "answer_cites_right_playbook": share([r["cited_right"] for r in rows]),
        "answer_fact_recall": round(sum(r["fact_recall"] for r in rows) / max(len(rows), 1), 4),
        "answer_all_facts": share([r["all_facts"] for r in rows]),
        "searched_knowledge": share(["search_knowledge" in r["tools"] for r in rows]),
        "seconds_per_question": timing([r["seconds"] for r in rows]),
    }
    return SuiteResult(
        NAME,
        summary,
        rows,
        tables={"by playbook": by_doc(rows)},
        notes=[f"Embedder: {ctx.config.embedder_kind}. Retrieval looks at the top {TOP} chunks."],
        seconds=round(time.perf_counter() - started, 2),
    )


def by_doc(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    docs: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        docs.setdefault(row["expected_doc"], []).append(row)
    return [
        {
            "playbook": doc,
            "questions": len(items),
            "hit@3": share([r["hit@3"] for r in items]),
            "cited": share([r["cited_right"] for r in items]),
            "fact_recall": round(sum(r["fact_recall"] for r in items) / len(items), 4),
        }
        for doc, items in sorted(docs.items())
    ]
