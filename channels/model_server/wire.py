"""The Chat Completions wire format: requests into LangChain messages, LangChain replies into responses and
streamed chunks, as OpenAI's API (and vLLM, TGI, llama.cpp's server) shape them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, ConfigDict, Field


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class RouteHints(BaseModel):
    """Layer8's own field (``layer8`` in the body): the chat router's hints for this request
    (:mod:`assistant.llm.hints`); OpenAI clients send it as ``extra_body``."""

    model_config = ConfigDict(extra="ignore")

    likely_tools: list[str] = Field(default_factory=list, max_length=64)
    prose_means: str | None = None
    tool_scores: dict[str, float] = Field(default_factory=dict, max_length=64)


class ChatRequest(BaseModel):
    """The fields this server honours; others OpenAI defines (``n``, ``logprobs``…) are ignored, and the
    sampling fields are the served model's (greedy by default: the same prompt, the same answer)."""

    model_config = ConfigDict(extra="ignore")

    model: str = ""
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    tools: list[dict[str, Any]] | None = Field(default=None, max_length=64)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1, le=8192)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=8192)
    stop: str | list[str] | None = None
    layer8: RouteHints | None = None

    @property
    def token_cap(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    @property
    def stop_words(self) -> list[str] | None:
        return [self.stop] if isinstance(self.stop, str) else self.stop


def to_messages(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    return [_message(m) for m in messages]


def _message(message: ChatMessage) -> BaseMessage:
    text = _text(message.content)
    if message.role in ("system", "developer"):
        return SystemMessage(text)
    if message.role == "user":
        return HumanMessage(text)
    if message.role == "tool":
        return ToolMessage(text, tool_call_id=message.tool_call_id or "")
    calls = [_tool_call(c) for c in message.tool_calls or []]
    return AIMessage(content=text, tool_calls=calls)


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    return "".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


def _tool_call(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    try:
        args = json.loads(function.get("arguments") or "{}")
    except json.JSONDecodeError:
        args = {}
    return {
        "name": function.get("name", ""),
        "args": args if isinstance(args, dict) else {},
        "id": call.get("id"),
    }


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(reply: AIMessage, model: str, ident: str) -> dict[str, Any]:
    """A whole ``chat.completion`` for a finished reply."""
    calls = [
        {
            "id": c.get("id") or _call_id(),
            "type": "function",
            "function": {"name": c["name"], "arguments": json.dumps(c["args"])},
        }
        for c in reply.tool_calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or (None if calls else "")}
    if calls:
        message["tool_calls"] = calls
    choice = {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
    return {**_head(ident, model, "chat.completion"), "choices": [choice], "usage": usage(reply)}


def delta_chunk(piece: AIMessageChunk, model: str, ident: str, *, first: bool) -> dict[str, Any] | None:
    """One ``chat.completion.chunk`` with the text and tool-call pieces of ``piece`` (None when empty)."""
    delta: dict[str, Any] = {"role": "assistant"} if first else {}
    if piece.text:
        delta["content"] = piece.text
    calls = [
        {
            "index": c.get("index") or 0,
            "id": c.get("id"),
            "type": "function",
            "function": {"name": c.get("name") or "", "arguments": c.get("args") or ""},
        }
        for c in piece.tool_call_chunks
    ]
    if calls:
        delta["tool_calls"] = calls
    if not delta:
        return None
    return {**_head(ident, model, "chat.completion.chunk"), "choices": [_choice(delta, None)]}


def final_chunk(model: str, ident: str, *, called: bool) -> dict[str, Any]:
    reason = "tool_calls" if called else "stop"
    return {**_head(ident, model, "chat.completion.chunk"), "choices": [_choice({}, reason)]}


def usage_chunk(reply: BaseMessage, model: str, ident: str) -> dict[str, Any]:
    return {**_head(ident, model, "chat.completion.chunk"), "choices": [], "usage": usage(reply)}


def usage(reply: BaseMessage) -> dict[str, int]:
    counted = getattr(reply, "usage_metadata", None) or {}
    prompt, output = int(counted.get("input_tokens", 0)), int(counted.get("output_tokens", 0))
    return {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output}


def error(message: str, kind: str, code: str) -> dict[str, Any]:
    """OpenAI's error body: the ``openai`` client and every compatible one read ``error.message``."""
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def models(name: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "layer8"}]}


def _head(ident: str, model: str, kind: str) -> dict[str, Any]:
    return {"id": ident, "object": kind, "created": int(time.time()), "model": model}


def _choice(delta: dict[str, Any], reason: str | None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": reason}


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:16]}"
