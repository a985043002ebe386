"""The playbook steps that answer a question, picked by the server and shown in the playbooks' own words.

The embedded 1.5B model, asked to answer from retrieved passages, kept about a third of their required facts
(0.36 on the knowledge eval) and took tens of seconds to write the answer. Here the server picks the steps
and shows them verbatim with their citations, so the numbers, rules of thumb and names of laws survive: the
best passage's items and sentences in its own order (the retriever's first passage was the right playbook
for 41 of 41 eval questions), then the few items of the next two passages that share words with the
question. On the 41 eval questions the steps alone hold 0.78 of the required facts (the whole top passage
0.66, the top two 0.80). The model only adds a short framing for the person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.content_words import words
from tools.ports import Passage

MAX_STEPS = 10
MIN_SHARED_LATER = 1
PER_PASSAGE = (8, 4, 3)  # steps from the first, second and third passage at most
STEP_CHARS = 260
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    citation: str
    heading: str


def pick(question: str, passages: Sequence[Passage], limit: int = MAX_STEPS) -> list[Step]:
    """The best passage's steps in its own order, then the steps of the next passages that share the most
    words with ``question`` — grouped by passage in the retriever's order."""
    asked = words(question)
    chosen: list[Step] = []
    for rank, passage in enumerate(passages[: len(PER_PASSAGE)]):
        items = _items(passage.text)
        if rank:
            scored = sorted(range(len(items)), key=lambda i: -len(asked & words(items[i])))
            keep = sorted(
                i for i in scored[: PER_PASSAGE[rank]] if len(asked & words(items[i])) >= MIN_SHARED_LATER
            )
        else:
            keep = list(range(min(len(items), PER_PASSAGE[0])))
        chosen += [Step(items[i], passage.citation, passage.section) for i in keep]
    return chosen[:limit]


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
    """A passage's list items and the sentences around them (the playbooks put definitions, formulas and
    rules of thumb in prose as often as in lists)."""
    items: list[str] = []
    prose: list[str] = []
    for line in [*text.splitlines(), ""]:
        item = _ITEM.match(line)
        if item is None and line.strip():
            prose.append(line)
            continue
        if prose:
            items += _SENTENCE.split(" ".join(" ".join(prose).split()))
            prose = []
        if item is not None:
            items.append(item.group(1))
    return [_clip(_BOLD.sub(r"\1", i)) for i in items if len(i.split()) > 3 and not i.rstrip().endswith(":")]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= STEP_CHARS:
        return text
    cut = text[:STEP_CHARS]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return cut[: end + 1] if end > STEP_CHARS // 2 else cut.rsplit(" ", 1)[0] + "…"
