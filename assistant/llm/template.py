"""Rendering a conversation into the model's prompt with the GGUF's own chat template.

The template (Jinja, from the GGUF metadata) is rendered the way Hugging Face renders it: messages as
OpenAI-style dicts whose tool-call ``arguments`` are objects, tools as OpenAI function specs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

Message = dict[str, Any]


class ChatTemplate:
    """A compiled chat template; ``render`` gives the prompt text up to the assistant's turn."""

    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.filters["tojson"] = _tojson  # as Hugging Face renders it: key order kept, no HTML escaping
        env.globals["raise_exception"] = _raise
        self._template = env.from_string(source)
        self._special = {"bos_token": bos_token, "eos_token": eos_token}

    def render(self, messages: Sequence[Message], tools: Sequence[Message] | None = None) -> str:
        return self._template.render(
            messages=list(messages),
            tools=list(tools) if tools else None,
            add_generation_prompt=True,
            **self._special,
        )


def to_template_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    """LangChain messages as the dicts chat templates expect."""
    return [_one(m) for m in messages]


def _one(message: BaseMessage) -> Message:
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": message.text}
    if isinstance(message, ToolMessage):
        return {
            "role": "tool",
            "content": message.text,
            "name": message.name or "",
            "tool_call_id": message.tool_call_id,
        }
    if isinstance(message, AIMessage):
        out: Message = {"role": "assistant", "content": message.text}
        if message.tool_calls:
            out["tool_calls"] = [
                {
                    "type": "function",
                    "id": c.get("id"),
                    "function": {"name": c["name"], "arguments": c["args"]},
                }
                for c in message.tool_calls
            ]
        return out
    return {"role": "user", "content": message.text}


def _tojson(
    value: Any, indent: int | None = None, separators: tuple[str, str] | None = None, sort_keys: bool = False
) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)


def _raise(message: str) -> None:
    raise ValueError(message)
