"""The tool-calling agent: a small loop over any LangChain chat model (ChatOpenAI, embedded, fake).

One turn: the model sees the conversation with the tools bound; if it calls tools, the server runs them
(bound to the verified context). When every tool that ran speaks for itself (an action, a lookup, a
failure: its artifact carries the server's ``reply``), those replies are the answer and the model is not
called again — the slow, error-prone second call the embedded model made after every tool. Otherwise
(advice) their framed results are added, and after at most ``tool_rounds`` rounds the model answers
**without tools offered**. That last rule is from measurement: offered the tools again after a result,
the embedded 1.5B model re-issued the same call or echoed raw results (0 of 3 good answers). Text streams as
generated.

The loop is plain Python rather than ``create_agent`` so those two rules — the round limit and the tool-free
final answer — stay visible and testable, and so the turn can stop at a deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall, ToolMessage
from langchain_core.messages.utils import message_chunk_to_message
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ValidationError

from network.errors import ModelUnavailable
from tools.registry import failed_reply, invalid_arguments, unknown_tool

logger = logging.getLogger(__name__)


class TurnTimeout(ModelUnavailable):
    code = "model_timeout"
    status = 504


@dataclass(frozen=True)
class ToolRun:
    """One tool call the model made and what came of it."""

    name: str
    args: dict[str, Any]
    content: str
    artifact: dict[str, Any] | None

    @property
    def reply(self) -> str | None:
        """The server's words for this run, when the tool speaks for itself."""
        said = (self.artifact or {}).get("reply")
        return said if isinstance(said, str) else None


@dataclass
class AgentResult:
    text: str
    runs: list[ToolRun] = field(default_factory=list)
    refused: bool = False
    spoken: bool = False  # the text is the server's own words for what the tools did


@dataclass
class Agent:
    model: BaseChatModel
    tool_rounds: int = 1
    max_calls: int = 4  # per round; extra calls are answered "skipped"
    timeout_s: float | None = None
    answer_max_tokens: int | None = None  # a cap on the model's own answer (chat): each token costs time

    def stream(
        self, messages: Sequence[BaseMessage], tools: Sequence[BaseTool]
    ) -> Generator[str, None, AgentResult]:
        """Yield text as it is generated; return the :class:`AgentResult`."""
        deadline = time.monotonic() + self.timeout_s if self.timeout_s else None
        history = list(messages)
        runs: list[ToolRun] = []
        by_name = {t.name: t for t in tools}
        for _ in range(self.tool_rounds if tools else 0):
            reply = yield from self._generate(self.model.bind_tools(list(tools)), history, deadline)
            if not reply.tool_calls:
                return _result(reply, runs)
            history.append(reply)
            ran: list[ToolRun] = []
            for index, call in enumerate(reply.tool_calls):
                message, run = self._run(call, by_name, skipped=index >= self.max_calls)
                history.append(message)
                if run is not None:
                    ran.append(run)
            runs += ran
            if not ran:
                # it called only tools that do not exist ("confirm"): nothing ran, and a model answer now
                # would claim what it wanted done ("Confirmed!"), so the server says nothing was done
                text = failed_reply("", "unknown_tool")
                yield text
                return AgentResult(text=text, runs=runs, spoken=True)
            if all(r.reply is not None for r in ran):
                text = "\n\n".join(_unique(r.reply or "" for r in ran))
                yield text  # the server's words are ready at once: the person sees them straight away
                return AgentResult(text=text, runs=runs, spoken=True)
        answering = (
            self.model.bind(max_tokens=self.answer_max_tokens) if self.answer_max_tokens else self.model
        )
        final = yield from self._generate(answering, history, deadline)
        if final.tool_calls:
            logger.info("model asked for tools in the tool-free final answer; ignored")
        return _result(final, runs)

    def _generate(
        self,
        runnable: Runnable[LanguageModelInput, Any],
        history: list[BaseMessage],
        deadline: float | None,
    ) -> Generator[str, None, AIMessage]:
        total: AIMessageChunk | None = None
        calling = False
        for chunk in runnable.stream(history):
            if not isinstance(chunk, AIMessageChunk):
                continue
            total = chunk if total is None else total + chunk
            calling = calling or bool(chunk.tool_call_chunks)
            text = chunk.text
            if text and not calling:
                yield text
            if deadline is not None and time.monotonic() > deadline:
                raise TurnTimeout("the model took too long")
        if total is None:
            return AIMessage(content="")
        message = message_chunk_to_message(total)
        return message if isinstance(message, AIMessage) else AIMessage(content=message.text)

    def _run(
        self, call: ToolCall, by_name: dict[str, BaseTool], *, skipped: bool
    ) -> tuple[ToolMessage, ToolRun | None]:
        name, call_id = call["name"], call.get("id") or ""
        if skipped:
            return ToolMessage("skipped: too many tool calls at once", tool_call_id=call_id, name=name), None
        tool = by_name.get(name)
        if tool is None:
            logger.info("model called an unknown tool %r", name[:60])
            return ToolMessage(unknown_tool(name), tool_call_id=call_id, name=name, status="error"), None
        args = dict(call.get("args") or {})
        refused = _refuse(tool, args)
        if refused is not None:  # checked here too: LangChain drops unknown keys for argument-less tools
            message = ToolMessage(refused, tool_call_id=call_id, name=name, status="error")
            return message, ToolRun(name, args, refused, _unclear(name))
        message = tool.invoke({**call, "type": "tool_call"})
        if not isinstance(message, ToolMessage):  # a tool always answers a tool call with a ToolMessage
            message = ToolMessage(str(message), tool_call_id=call_id, name=name)
        artifact = message.artifact if isinstance(message.artifact, dict) else None
        if message.status == "error" and artifact is None:
            artifact = _unclear(name)
        return message, ToolRun(name, args, message.text, artifact)


def _refuse(tool: BaseTool, args: dict[str, Any]) -> str | None:
    """The model-facing refusal when ``args`` do not fit the tool's schema (extra fields included)."""
    schema = tool.args_schema
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        return None
    try:
        schema.model_validate(args)
    except ValidationError as exc:
        return invalid_arguments(tool.name, exc)
    return None


def _unclear(name: str) -> dict[str, Any]:
    return {"error": "invalid_arguments", "reply": failed_reply(name, "invalid_arguments")}


def _unique(texts: Iterable[str]) -> list[str]:
    """Each reply once: two calls that failed alike say so once."""
    return list(dict.fromkeys(t for t in texts if t))


def _result(message: AIMessage, runs: list[ToolRun]) -> AgentResult:
    refusal = message.additional_kwargs.get("refusal")
    if refusal:
        return AgentResult(text="", runs=runs, refused=True)
    return AgentResult(text=message.text.strip(), runs=runs)
