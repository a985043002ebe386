"""What the chat router tells the embedded model about a turn, in process or across ``layer8 model serve``.

In process, :class:`~assistant.llm.local.LocalChatModel` asks the router itself (``narrow``) which tools the
person's message most likely wants, and knows which tool a prose answer to a request stands for
(``prose_means``). Behind ``layer8 model serve`` the model has no router: the API node ranks the tools as it
would in process and sends the ranking with the request, in a ``layer8`` object beside OpenAI's fields (the
``extra_body`` of the ``openai`` client), and the model server hands it to the model for that request only.
What the router decides is the same either way; only where it is asked changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from langchain_core.messages import BaseMessage

WIRE_KEY = "layer8"  # the request body's field for the hints (OpenAI's servers would refuse it: opt-in)
Narrow = Callable[[str], Sequence[str]]
Scores = Callable[[str], Mapping[str, float]]


@runtime_checkable
class Hintable(Protocol):
    """A chat model that takes the router's hints: the embedded model, or the ``openai`` provider's."""

    narrow: Narrow | None
    prose_means: str | None
    tool_scores: Scores | None


@dataclass(frozen=True)
class RouteHints:
    likely_tools: tuple[str, ...] = ()  # the router's likeliest tools for the person's message, nearest first
    prose_means: str | None = None  # the tool a prose answer to a request stands for
    tool_scores: Mapping[str, float] | None = None  # the message's similarity to each tool's examples

    def wire(self) -> dict[str, Any]:
        scores = {name: round(score, 4) for name, score in (self.tool_scores or {}).items()}
        return {
            "likely_tools": list(self.likely_tools),
            "prose_means": self.prose_means,
            "tool_scores": scores,
        }


def hints_for(
    messages: Sequence[BaseMessage],
    narrow: Narrow | None,
    prose_means: str | None,
    tool_scores: Scores | None = None,
) -> RouteHints:
    """The hints for a request: the router's ranking of the person's newest message, and its similarity to
    each tool (with which the model weighs the tool names it scores)."""
    asked = last_request(messages)
    likely = tuple(narrow(asked)) if narrow is not None and asked else ()
    scores = dict(tool_scores(asked)) if tool_scores is not None and asked else None
    return RouteHints(likely, prose_means, scores)


def last_request(messages: Sequence[BaseMessage]) -> str:
    """The person's newest message (what the router ranks tools for)."""
    for message in reversed(messages):
        if message.type == "human":
            return message.text
    return ""
