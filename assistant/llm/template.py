"""Rendering a conversation into the model's prompt with the GGUF's own chat template.

The template (Jinja, from the GGUF metadata) is rendered the way Hugging Face renders it: messages as
OpenAI-style dicts whose tool-call ``arguments`` are objects, tools as OpenAI function specs.

One change to the template's layout: a system message that carries this person's *session* (see
:func:`system_message`) has it rendered at the end of the first system turn, after the tools block, not in
front of it. Qwen's template puts the tools after the first system message, so per-person text in that message
would sit in front of the ~1,000-token tools block and no two subscribers would share it; as a second system
turn it cost tool choice (0.71 vs 0.81 on the hard cases of the tools eval). Inside the first turn, after the
tools, everything before it is one byte-identical prefix for every conversation. Other providers see one
ordinary system message: the instructions, then the session.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage

Message = dict[str, Any]

SESSION = "layer8_session"  # the per-person end of the first system message (additional_kwargs, dicts)
TURN_END = "<|im_end|>"  # ChatML (Qwen): where the first system turn ends


class ChatTemplate:
    """A compiled chat template; ``render`` gives the prompt text up to the assistant's turn."""

    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.filters["tojson"] = _tojson  # as Hugging Face renders it: key order kept, no HTML escaping
        env.globals["raise_exception"] = _raise
        self._template = env.from_string(source)
        self._special = {"bos_token": bos_token, "eos_token": eos_token}

    def render(self, messages: Sequence[Message], tools: Sequence[Message] | None = None) -> str:
        first = messages[0] if messages else {}
        session = first.get(SESSION)
        if session:
            shared = [{**_plain(first), "content": first["content"].removesuffix(session).rstrip()}]
            text = self._render([*shared, *messages[1:]], tools)
            end = text.find(TURN_END)
            if text.startswith("<|im_start|>system") and end > 0:
                return f"{text[:end]}\n\n{session}{text[end:]}"
        return self._render([_plain(m) for m in messages], tools)

    def _render(self, messages: Sequence[Message], tools: Sequence[Message] | None) -> str:
        return self._template.render(
            messages=list(messages),
            tools=list(tools) if tools else None,
            add_generation_prompt=True,
            **self._special,
        )


def system_message(shared: str, session: str) -> SystemMessage:
    """One system message: the instructions everyone shares, then this person's session (which the local
    model renders after the tools block)."""
    content = f"{shared}\n\n{session}" if session else shared
    return SystemMessage(content, additional_kwargs={SESSION: session} if session else {})


def to_template_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    """LangChain messages as the dicts chat templates expect."""
    return [_one(m) for m in messages]


def _one(message: BaseMessage) -> Message:
    if isinstance(message, SystemMessage):
        system: Message = {"role": "system", "content": message.text}
        session = message.additional_kwargs.get(SESSION)
        if isinstance(session, str) and session and message.text.endswith(session):
            system[SESSION] = session
        return system
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


def _plain(message: Message) -> Message:
    return {k: v for k, v in message.items() if k != SESSION}


def _tojson(
    value: Any, indent: int | None = None, separators: tuple[str, str] | None = None, sort_keys: bool = False
) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)


def _raise(message: str) -> None:
    raise ValueError(message)
