"""``tool_choice`` as ChatOpenAI understands it, and when the local model offers its tools at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

ToolChoice = str | None
"""``None``/``"auto"`` (the model decides), ``"none"``, ``"any"`` (some tool), or one tool's name."""


def normalise_tool_choice(choice: Mapping[str, Any] | str | bool | None, names: Sequence[str]) -> ToolChoice:
    """Every form ``ChatOpenAI.bind_tools`` accepts, reduced to :data:`ToolChoice`."""
    if choice is None or choice is False:
        return None
    if choice is True or choice in ("any", "required"):
        return "any"
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if choice.get("type") in ("any", "required"):
            return "any"
        if choice.get("type") in ("auto", "none"):
            return str(choice["type"])
        choice = name
    if choice in ("auto", "none"):
        return str(choice)
    if isinstance(choice, str) and choice in names:
        return choice
    raise ValueError(
        f"unrecognised tool_choice {choice!r}; expected auto, none, any, required or one of {names}"
    )


def after_tool_result(messages: Sequence[BaseMessage]) -> bool:
    """Whether a tool result arrived since the person last spoke (the answer is being written)."""
    for message in reversed(messages):
        if isinstance(message, ToolMessage):
            return True
        if isinstance(message, HumanMessage):
            return False
    return False


def offers_tools(
    messages: Sequence[BaseMessage], choice: ToolChoice, has_tools: bool, tools_after_result: bool
) -> bool:
    """Tools are rendered into the prompt unless none are bound, ``"none"`` is asked, or (with the default
    policy) a tool result has already arrived this turn and the model is free to choose."""
    if not has_tools or choice == "none":
        return False
    if choice in (None, "auto") and not tools_after_result:
        return not after_tool_result(messages)
    return True
