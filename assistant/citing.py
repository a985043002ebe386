"""Sources for an answer built on ``search_knowledge``, cited by the server rather than by the model.

The embedded 1.5B model uses the passages it is given but never writes their ``[doc#section]`` markers
(0 of 41 answers in the knowledge eval, retrieval right for all 41), so the person could not see where advice
came from. When a turn searched the playbooks and the answer cites nothing, the server names the passages the
answer draws on: those that share the most content words with it. An answer that draws on none (a refusal,
a reply about something the playbooks do not cover) gets no Sources line: citing the top passage anyway
put "Sources: [digital-presence#review-request-scripts]" under an invented phone number in the safety eval.
An answer that already cites is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.content_words import words
from tools.context import Source

CITED = re.compile(r"\[[a-z0-9-]+#[a-z0-9-]+\]")
MAX_SOURCES = 2
MIN_SHARED = 3  # content words an answer must share with a passage to count as drawing on it


def with_sources(answer: str, sources: Sequence[Source]) -> str:
    """``answer`` plus a ``Sources:`` line naming what it draws on, unless it cites or draws on none."""
    chosen = [] if CITED.search(answer) else drawn_on(answer, sources)
    if not chosen:
        return answer
    return f"{answer.rstrip()}\n\nSources: {', '.join(f'[{c}]' for c in chosen)}"


def drawn_on(answer: str, sources: Sequence[Source]) -> list[str]:
    """Citations of the passages ``answer`` draws on, most shared words first (at most two; maybe none)."""
    said = words(answer)
    scored: dict[str, int] = {}
    for source in sources:
        shared = len(said & words(source.text))
        scored[source.citation] = max(shared, scored.get(source.citation, 0))
    ranked = sorted(scored, key=lambda c: -scored[c])  # stable: ties keep the retrieval order
    return [c for c in ranked if scored[c] >= MIN_SHARED][:MAX_SOURCES]
