"""The real embedded model (Qwen2.5-Coder-1.5B, llama.cpp in-process): `make test-integration`.

Needs `make model` (llama-cpp-python and the verified GGUF under LAYER8_HOME, default ./var). One model is
loaded for the module; each case is a single short generation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, ConfigDict, Field

from assistant.llm import build_chat_model
from assistant.llm.local import LocalChatModel
from assistant.settings import Settings

pytestmark = pytest.mark.integration

SYSTEM = "Layer8 helps small businesses find suppliers and partners. Use a tool when it helps."


class FindArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    need: str = Field(description="what the subscriber needs, e.g. 'flour supplier'")
    location: str | None = Field(default=None, description="town or region")


@tool(args_schema=FindArgs)
def find_introductions(need: str, location: str | None = None) -> str:
    """Find other subscribers who can help with a need (suppliers, partners, customers)."""
    return ""


@tool
def get_my_profile() -> str:
    """Show the subscriber's own business profile."""
    return ""


@pytest.fixture(scope="module")
def model() -> Iterator[BaseChatModel]:
    settings = Settings(home=Path(os.environ.get("LAYER8_HOME", "var")), llm_provider="local")
    chat = build_chat_model(settings)
    assert isinstance(chat, LocalChatModel)
    yield chat


def _ask(model: BaseChatModel, *messages: Any) -> AIMessage:
    reply = model.bind_tools([get_my_profile, find_introductions]).invoke([SystemMessage(SYSTEM), *messages])
    assert isinstance(reply, AIMessage)
    return reply


def test_calls_the_matching_tool_with_valid_arguments(model: BaseChatModel) -> None:
    reply = _ask(model, HumanMessage("I run a bakery in Leeds and need a reliable flour supplier"))
    assert [c["name"] for c in reply.tool_calls] == ["find_introductions"]
    args = reply.tool_calls[0]["args"]
    FindArgs.model_validate(args)
    assert "flour" in args["need"].lower()


def test_answers_a_plain_question_without_tools(model: BaseChatModel) -> None:
    reply = _ask(model, HumanMessage("In one sentence: why should a bakery keep a cash reserve?"))
    assert reply.tool_calls == []
    assert len(reply.text.split()) >= 5


def test_answers_from_a_tool_result_without_calling_again(model: BaseChatModel) -> None:
    reply = _ask(
        model,
        HumanMessage("I need a flour supplier in Leeds"),
        AIMessage("", tool_calls=[{"name": "find_introductions", "args": {"need": "flour"}, "id": "c1"}]),
        ToolMessage(
            '[{"name": "Pennine Mills", "offers": "stone-ground flour, delivery in Leeds"}]',
            tool_call_id="c1",
            name="find_introductions",
        ),
    )
    assert reply.tool_calls == []
    assert "Pennine Mills" in reply.text


def test_a_restored_kv_snapshot_continues_exactly_like_a_fresh_evaluation(model: BaseChatModel) -> None:
    engine = model.engine  # type: ignore[attr-defined]
    # long enough (~600 tokens) that the engine snapshots it (SAVE_MIN_NEW)
    rules = " ".join(f"Rule {n}: answer politely and mention the number {n}." for n in range(40))

    def prompt(who: str) -> str:
        messages = [{"role": "system", "content": f"{who} {rules}"}, {"role": "user", "content": "Say hi."}]
        return str(engine.template.render(messages))

    first = "".join(engine.generate(prompt("Anna runs a bakery."), max_tokens=12))
    "".join(engine.generate(prompt("Ben runs a garage."), max_tokens=12))  # the live state moves on
    before = engine.cache.restored
    again = "".join(engine.generate(prompt("Anna runs a bakery."), max_tokens=12))
    assert engine.cache.restored == before + 1
    assert again == first


def test_tool_names_are_scored_by_the_model_and_the_engine_still_generates_after(
    model: BaseChatModel,
) -> None:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from assistant.llm.local import CALL_PREFIX
    from assistant.llm.template import to_template_messages

    engine = model.engine  # type: ignore[attr-defined]
    asked = [
        SystemMessage(SYSTEM),
        HumanMessage("I run a bakery in Leeds and need a reliable flour supplier"),
    ]
    shown = [convert_to_openai_tool(t) for t in (get_my_profile, find_introductions)]
    prompt = engine.template.render(to_template_messages(asked), shown) + CALL_PREFIX
    names = ["find_introductions", "get_my_profile", "find_events"]  # two share their first token
    scores = engine.option_logprobs(prompt, [f'{name}"' for name in names])
    assert set(scores) == {f'{name}"' for name in names}
    assert all(score <= 0.0 for score in scores.values())
    assert scores['find_introductions"'] > scores['get_my_profile"']
    text = "".join(engine.generate(prompt + 'find_introductions", "arguments": ', max_tokens=24))
    assert "flour" in text.lower()  # the live state was left usable: the arguments follow on


def test_a_profile_call_writes_only_the_field_the_person_spoke_of(model: BaseChatModel) -> None:
    """Steering a key (assistant/llm/said_keys.py) scores and generates on the real engine, one at a time:
    the first version scored while the call's generation was still open and waited on the engine forever."""
    from tools.registry import schema_tools

    profile = next(t for t in schema_tools() if t.name == "update_my_profile")
    said = "We started doing vegan cakes and wedding cakes too, and we need a van driver, put it on my page"
    reply = model.bind_tools([profile]).invoke([SystemMessage(SYSTEM), HumanMessage(said)])
    assert [c["name"] for c in reply.tool_calls] == ["update_my_profile"]
    args = reply.tool_calls[0]["args"]
    assert set(args) <= {"offers", "needs"}, args
