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
# A playbook's sections are of two sorts: what to do (a plan, a method, a calculation, a script) and what
# surrounds it (the symptoms, the root causes, the usual mistakes, what to measure, how the network can
# help, a worked example, an overview). The retriever ranks sections by likeness alone, and a question
# describes a problem in the words of its symptoms ("hardly anyone applies to our adverts", "customers stop
# buying"), so the sections around a remedy often come first: on the knowledge questions the steps then
# missed the remedy's facts (dual-sourcing for "we rely on a single supplier", the call to action for "our
# website gets visitors but no enquiries"). A surrounding section therefore yields its place to a nearby
# section that says what to do — unless the question asks for that sort ("why", "what are the signs",
# "what should I measure", "what mistakes", "an example", "who could help").
AROUND = {
    "symptoms": (re.compile(r"^symptoms\b"), re.compile(r"\b(signs?|symptoms?|tell (?:if|whether))\b")),
    "causes": (re.compile(r"^root causes\b"), re.compile(r"\b(why|causes?|reasons?)\b")),
    "mistakes": (re.compile(r"^common .*mistakes$"), re.compile(r"\b(mistakes?|wrong|avoid|pitfalls?)\b")),
    "measure": (re.compile(r"^what to measure\b"), re.compile(r"\b(measure|track|kpis?|metrics?|weekly)\b")),
    "network": (re.compile(r"^how your network\b"), re.compile(r"\b(network|who|partners?|introduc\w*)\b")),
    "example": (re.compile(r"^worked example\b"), re.compile(r"\b(example|worked|calculate|cost)\b")),
    "overview": (re.compile(r"^overview$"), re.compile(r"\b(what is|what are|explain)\b")),
}
AROUND_PENALTY = 0.15  # in cosine similarity: a surrounding section must be clearly nearer to stay first
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


def order(question: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages by similarity, with a surrounding section behind the sections that say what to do
    (:data:`AROUND`) unless the question asks for its sort. Stable: ties keep the retriever's order."""
    asked = question.lower()

    def adjusted(passage: Passage) -> float:
        heading = passage.section.strip().lower()
        for section, wanted in AROUND.values():
            if section.search(heading) and not wanted.search(asked):
                return passage.score - AROUND_PENALTY
        return passage.score

    return sorted(passages, key=adjusted, reverse=True)


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
