"""Whether a message needs the tools at all: small talk and off-topic chat are answered without them.

Small models call a tool for "cheers" or "ok" when tools are offered, and the embedded 1.5B turned "what's
the capital of Australia?" or "what is this service?" into a knowledge search. Two checks keep the tools
away from such messages, unless the assistant's last reply asked a question (then "ok" may be a yes):

* :func:`small_talk` — the message is made only of greeting, thanks and farewell words;
* :class:`ChatRouter` — the message's embedding is clearly nearer labelled chat examples than labelled tool
  examples (``routing_examples.toml``). Asking the 1.5B model itself "tool or chat?" under a grammar was
  tried first and sorted only 76 of the 92 tools-eval messages right; the embeddings separate them with a
  margin. Only a clear margin routes to chat: a real request answered without tools is the worse mistake.

Questions about Layer8 itself ("what is this?") are a third label, answered by the server from a template.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SMALL_TALK = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "hiya",
        "morning",
        "afternoon",
        "evening",
        "good",
        "night",
        "thanks",
        "thank",
        "you",
        "ta",
        "so",
        "much",
        "very",
        "many",
        "cheers",
        "ok",
        "okay",
        "great",
        "cool",
        "nice",
        "one",
        "lovely",
        "brilliant",
        "perfect",
        "awesome",
        "bye",
        "goodbye",
        "for",
        "now",
        "see",
        "later",
        "talk",
        "soon",
        "that",
        "s",
        "that's",
        "thats",
        "is",
        "was",
        "it",
        "all",
        "today",
        "helpful",
        "useful",
        "fine",
        "alright",
        "lol",
        "haha",
        "never",
        "mind",
        "sorry",
        "my",
        "bad",
        "there",
        "anyone",
        "again",
    }
)
MAX_WORDS = 6
_WORD = re.compile(r"[a-z']+")


def small_talk(text: str, last_reply: str | None = None) -> bool:
    """True when ``text`` is only small talk and does not answer a question the assistant asked."""
    if last_reply and last_reply.rstrip().endswith("?"):
        return False
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= MAX_WORDS and all(w in SMALL_TALK for w in words)


EXAMPLES = Path(__file__).with_name("routing_examples.toml")
MARGIN = 0.06  # mean top-3 similarity to chat examples minus the same for tool examples
TOP_K = 3


class _Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Any: ...


class ChatRouter:
    """Tells chat from requests by nearest labelled examples (all-MiniLM-L6-v2 in production)."""

    def __init__(
        self,
        embedder: _Embedder,
        path: Path = EXAMPLES,
        margin: float = MARGIN,
        extra: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``extra``: more labelled requests by tool, beside the file's (the playbooks' topics for
        ``search_knowledge``: with its 7 written examples alone, a playbook question had the knowledge search
        among the two likeliest tools for 38 of 53 eval questions; with the 81 topic headings, 51)."""
        labelled = tomllib.loads(path.read_text(encoding="utf-8"))
        self._embedder = embedder
        about = list(labelled.get("about", []))
        live = list(labelled.get("live", []))
        by_tool: dict[str, list[str]] = {
            name: [*labelled["tools"].get(name, []), *(extra or {}).get(name, [])]
            for name in dict.fromkeys([*labelled["tools"], *(extra or {})])
        }
        requests = [text for texts in by_tool.values() for text in texts]
        # about Layer8 and live questions are chat too: no tool answers them
        self._chat = _unit(embedder.embed([*labelled["chat"], *about, *live]))
        self._tool = _unit(embedder.embed(requests))
        self._tool_names = [name for name, texts in by_tool.items() for _ in texts]
        self._about = _unit(embedder.embed(about)) if about else None
        self._others = _unit(embedder.embed([*labelled["chat"], *live, *requests]))
        self._live = _unit(embedder.embed(live)) if live else None
        self._not_live = _unit(embedder.embed([*labelled["chat"], *about, *requests]))
        self.margin = margin

    def score(self, text: str) -> float:
        """How much nearer ``text`` is to chat than to requests (positive: nearer chat)."""
        (vector,) = _unit(self._embedder.embed([text]))
        return _top(self._chat @ vector) - _top(self._tool @ vector)

    def is_chat(self, text: str, last_reply: str | None = None) -> bool:
        if last_reply and last_reply.rstrip().endswith("?"):
            return False
        return bool(text.strip()) and self.score(text) > self.margin

    def likely_tools(self, text: str, k: int = 3) -> list[str]:
        """The ``k`` tools whose labelled requests are nearest ``text``, nearest first."""
        best = self.tool_scores(text)
        return sorted(best, key=lambda name: -best[name])[:k]

    def tool_scores(self, text: str) -> dict[str, float]:
        """Each tool's nearest labelled request to ``text`` (cosine similarity)."""
        (vector,) = _unit(self._embedder.embed([text]))
        best: dict[str, float] = {}
        for name, similarity in zip(self._tool_names, (self._tool @ vector).tolist(), strict=True):
            best[name] = max(best.get(name, -1.0), similarity)
        return best

    def is_about(self, text: str, last_reply: str | None = None) -> bool:
        """Whether ``text`` asks what Layer8 is or can do, clearly more than anything else labelled."""
        if self._about is None or not text.strip() or (last_reply and last_reply.rstrip().endswith("?")):
            return False
        (vector,) = _unit(self._embedder.embed([text]))
        return _top(self._about @ vector) - _top(self._others @ vector) > self.margin

    def is_live(self, text: str, last_reply: str | None = None) -> bool:
        """Whether ``text`` asks for what only live data knows (weather, news, scores, today's prices),
        clearly more than anything else labelled."""
        if self._live is None or not text.strip() or (last_reply and last_reply.rstrip().endswith("?")):
            return False
        (vector,) = _unit(self._embedder.embed([text]))
        return _top(self._live @ vector) - _top(self._not_live @ vector) > self.margin


def _unit(vectors: Any) -> Any:
    matrix = np.asarray(vectors, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _top(similarities: Any) -> float:
    return float(np.sort(similarities)[-TOP_K:].mean())
