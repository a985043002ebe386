"""The playbook steps that answer a question, picked by the server and shown in the playbooks' own words.

The embedded 1.5B model, asked to answer from retrieved passages, kept about a quarter of their facts and
took tens of seconds to write the answer. Here the server picks the steps — list items (or sentences, for a
passage without a list) from the top passages, ranked by the content words they share with the question,
with a head start for the best-retrieved passage — and shows them verbatim with their citations, so the
numbers, rules of thumb and names of laws survive. The model only adds a short framing for the person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.content_words import words
from tools.ports import Passage

MAX_STEPS = 4
MIN_SHARED_LATER = 2
PER_PASSAGE = 3
STEP_CHARS = 260
RANK_BONUS = (2, 1, 0)  # the retriever's order counts: its first passage was right 41 of 41 times
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    citation: str
    heading: str


def pick(question: str, passages: Sequence[Passage], limit: int = MAX_STEPS) -> list[Step]:
    """The steps that best answer ``question``, grouped by passage in the retriever's order."""
    asked = words(question)
    scored: list[tuple[float, int, int, Step]] = []
    for rank, passage in enumerate(passages[: len(RANK_BONUS)]):
        items = _items(passage.text)
        ranked = sorted(
            range(len(items)), key=lambda i: -(len(asked & words(items[i])) + (0.5 if i == 0 else 0))
        )
        for order in ranked[:PER_PASSAGE]:
            shared = len(asked & words(items[order]))
            if rank and shared < MIN_SHARED_LATER:
                continue  # a lower passage adds a step only when the step itself speaks to the question
            step = Step(items[order], passage.citation, passage.section)
            scored.append((shared + RANK_BONUS[rank], rank, order, step))
    best = sorted(scored, key=lambda s: (-s[0], s[1], s[2]))[:limit]
    return [s[3] for s in sorted(best, key=lambda s: (s[1], s[2]))]


def render(steps: Sequence[Step]) -> str:
    """Steps under their section headings, as a person reads them in any channel."""
    lines: list[str] = []
    heading = None
    for step in steps:
        if step.heading != heading:
            heading = step.heading
            lines.append(f"{heading} [{step.citation}]" if heading else f"[{step.citation}]")
        lines.append(f"- {step.text}")
    return "\n".join(lines)


def _items(text: str) -> list[str]:
    """A passage's list items; its sentences when it has no list (the lead sentence is never an item)."""
    lines = text.splitlines()
    items = [m.group(1) for line in lines if (m := _ITEM.match(line))]
    if not items:
        body = " ".join(" ".join(lines).split())
        items = _SENTENCE.split(body)[1:] or [body]
    return [_clip(_BOLD.sub(r"\1", item)) for item in items if item.strip()]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= STEP_CHARS:
        return text
    cut = text[:STEP_CHARS]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return cut[: end + 1] if end > STEP_CHARS // 2 else cut.rsplit(" ", 1)[0] + "…"
