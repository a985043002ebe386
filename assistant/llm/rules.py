"""A rule-following fake chat model for the model server's ``--fake`` mode (the loopback cluster, its
integration test and the load benchmark): deterministic, instant, and it calls the tools a turn offers.

- after a tool result: a short reply quoting the start of it;
- a message that asks for an introduction, when ``find_introductions`` is offered: that tool, with the
  message as the need (matching then reads the vector index);
- a question about running the business, when ``search_knowledge`` is offered: that tool;
- anything else, when the request carries the router's hints (``layer8 model serve`` with
  ``LAYER8_LLM_ROUTE_HINTS``) and they rank the tool a prose answer stands for among the two likeliest: that
  tool, as the embedded model does;
- anything else: the message echoed.

Unlike :class:`~assistant.llm.fake.FakeChatModel` it records nothing, so a long load run holds no history.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.llm.fake import FakeChatModel

ASKS_FOR_INTRODUCTION = ("introduc", "who can", "supplier", "connect me")
ASKS_FOR_ADVICE = ("how do i", "how can i", "advice", "tips")
PROSE_ARGUMENT = {"search_knowledge": "query", "find_introductions": "need"}  # the tool's one text argument


class RuleChatModel(FakeChatModel):
    """Replies by the rules above; ``bind_tools`` as a real provider."""

    @property
    def _llm_type(self) -> str:
        return "layer8-rules"

    def _next(
        self,
        messages: list[BaseMessage],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        likely_tools: list[str] | None = None,
        prose_means: str | None = None,
        **_: Any,
    ) -> AIMessage:
        offered = {t["function"]["name"] for t in tools or []}
        ranked = (likely_tools or [])[:2]
        standing = prose_means if prose_means in offered and prose_means in ranked else None
        reply = rule_reply(messages, offered, standing)
        calls = [{**c, "id": c.get("id") or f"call_{uuid.uuid4().hex[:16]}"} for c in reply.tool_calls]
        return reply.model_copy(update={"id": f"rules-{uuid.uuid4().hex[:12]}", "tool_calls": calls})


def rule_reply(
    messages: Sequence[BaseMessage], offered: Collection[str], standing: str | None = None
) -> AIMessage:
    last = messages[-1] if messages else HumanMessage("")
    if isinstance(last, ToolMessage):
        return AIMessage(content=f"Here is what I found: {' '.join(last.text.split())[:240]}")
    text = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    lowered = text.lower()
    if "find_introductions" in offered and any(k in lowered for k in ASKS_FOR_INTRODUCTION):
        return FakeChatModel.call("find_introductions", need=text[:200])
    if "search_knowledge" in offered and any(k in lowered for k in ASKS_FOR_ADVICE) and len(text) >= 2:
        return FakeChatModel.call("search_knowledge", query=text[:300])
    if standing is not None and text:
        return FakeChatModel.call(standing, **{PROSE_ARGUMENT.get(standing, "query"): text[:300]})
    return AIMessage(content=f"(fake model) {text}")
