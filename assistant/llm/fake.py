"""A scripted chat model for tests: replies from a queue and/or a function, tool calls included.

Works with ``langchain.agents.create_agent``: ``bind_tools`` records what was bound and returns a binding,
like a real provider. Every call is recorded (messages, tools, tool choice) so tests can assert on them.

    model = FakeChatModel()
    model.enqueue(FakeChatModel.call("find_introductions", need="flour"), "Pennine Mills can help.")
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr

Reply = AIMessage | str
Responder = Callable[[list[BaseMessage]], Reply]


class ScriptExhausted(AssertionError):
    """The test asked the fake for more replies than it scripted."""


@dataclass
class FakeCall:
    """One request the fake received."""

    messages: list[BaseMessage]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = None
    # the router's hints sent with the request (``layer8 model serve``): likely_tools, prose_means
    hints: dict[str, Any] | None = None

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]


class FakeChatModel(BaseChatModel):
    """Replies in order from ``script`` (messages, strings or functions of the messages), then from
    ``responder``; with neither left, :class:`ScriptExhausted` names the unanswered message."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any] = Field(default_factory=list)  # Reply | Responder; Any: pydantic must not coerce
    responder: Responder | None = None
    calls: list[FakeCall] = Field(default_factory=list)
    bound_tools: list[dict[str, Any]] = Field(default_factory=list)
    _queue: deque[Reply | Responder] = PrivateAttr(default_factory=deque)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any, /) -> None:
        self._queue.extend(self.script)

    @property
    def _llm_type(self) -> str:
        return "layer8-fake"

    @staticmethod
    def call(name: str, /, **args: Any) -> AIMessage:
        """A reply that calls one tool."""
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": _call_id()}])

    @staticmethod
    def calls_many(*calls: tuple[str, dict[str, Any]]) -> AIMessage:
        """A reply that calls several tools at once."""
        return AIMessage(content="", tool_calls=[{"name": n, "args": a, "id": _call_id()} for n, a in calls])

    def enqueue(self, *replies: Reply | Responder) -> FakeChatModel:
        self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        return len(self._queue)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        self.bound_tools = formatted
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages, **kwargs))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages, **kwargs)
        for word in _words(reply.text):
            if run_manager:
                run_manager.on_llm_new_token(word)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word, id=reply.id))
        chunks = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c.get("id"), index=i)
            for i, c in enumerate(reply.tool_calls)
        ]
        yield ChatGenerationChunk(
            message=AIMessageChunk(content="", tool_call_chunks=chunks, id=reply.id, chunk_position="last")
        )

    def _next(
        self,
        messages: list[BaseMessage],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        likely_tools: list[str] | None = None,
        prose_means: str | None = None,
        **_: Any,
    ) -> AIMessage:
        hints = None if likely_tools is None else {"likely_tools": likely_tools, "prose_means": prose_means}
        with self._lock:
            self.calls.append(FakeCall(list(messages), list(tools or []), tool_choice, hints))
            step = self._queue.popleft() if self._queue else self.responder
        if step is None:
            last = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
            raise ScriptExhausted(f"the fake chat model has no reply scripted for {last[:80]!r}")
        reply = step(list(messages)) if callable(step) else step
        message = AIMessage(content=reply) if isinstance(reply, str) else reply
        return message.model_copy(
            update={"id": message.id or f"fake-{uuid.uuid4().hex[:12]}", "tool_calls": _with_ids(message)}
        )


def echo_responder(messages: list[BaseMessage]) -> Reply:
    """Default for ``LAYER8_LLM_PROVIDER=fake`` outside tests: repeat the last thing the person said."""
    last = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    return f"(fake model) {last}"


def _with_ids(message: AIMessage) -> list[Any]:
    return [{**c, "id": c.get("id") or _call_id()} for c in message.tool_calls]


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:16]}"


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]] if text else []
