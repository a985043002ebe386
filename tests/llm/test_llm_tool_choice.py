"""Which tool a call the model opened is for: the model's own likelihood of each name plus the router's
similarity, then the arguments written after the chosen name — over a scripted engine that also scores."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool

from assistant.llm.local import LocalChatModel
from assistant.llm.toolcalls import opens_call
from tests.llm.conftest import ScriptedEngine


@tool
def log_referral(to_business: str, prospect: str) -> str:
    """Log a referral the person gave to another business."""
    return "logged"


@tool
def request_introduction(business: str) -> str:
    """Ask to be introduced to a named business."""
    return "asked"


TOOLS = [log_referral, request_introduction]
SAID = "I recommended Kirkstall Brewing to my friend Sam"
ASK = [SystemMessage("Layer8 test system prompt."), HumanMessage(SAID)]


@dataclass
class ScoringEngine(ScriptedEngine):
    """A scripted engine that also answers ``option_logprobs`` with fixed log-probabilities per name."""

    logprobs: Mapping[str, float] = field(default_factory=dict)
    scored: list[tuple[str, list[str]]] = field(default_factory=list)

    def option_logprobs(self, prompt: str, options: Sequence[str]) -> dict[str, float]:
        assert not self.busy, "scoring began while a generation was open"
        self.scored.append((prompt, list(options)))
        return {option: self.logprobs[option.rstrip('"')] for option in options}


def model_with(
    *outputs: str, logprobs: Mapping[str, float], near: Mapping[str, float] | None = None, weight: float = 6.0
) -> tuple[LocalChatModel, ScoringEngine]:
    engine = ScoringEngine(list(outputs), logprobs=logprobs)
    model = LocalChatModel(engine=engine, router_weight=weight)
    if near is not None:
        model.tool_scores = lambda text: dict(near) if text == SAID else {}
    return model, engine


def test_an_opened_call_takes_the_name_the_model_finds_likeliest_and_the_rest_as_it_writes_it() -> None:
    model, engine = model_with(
        '<tools>\n{"name": "request_intro',  # where the name began, the model's own choice stops counting
        ', "arguments": {"to_business": "Kirkstall Brewing", "prospect": "Sam"}}\n</tools> and more',
        logprobs={"log_referral": -0.2, "request_introduction": -1.8},
    )
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("log_referral", {"to_business": "Kirkstall Brewing", "prospect": "Sam"})
    ]
    ((scored_prompt, options),) = engine.scored
    assert scored_prompt.endswith('<|im_start|>assistant\n<tools>\n{"name": "')
    assert options == ['log_referral"', 'request_introduction"']
    assert engine.requests[1].prompt.endswith('<tools>\n{"name": "log_referral"')
    assert engine.requests[1].schema is None  # free: the grammar only when the call does not parse


def test_the_router_moves_a_close_choice_but_not_a_clear_one() -> None:
    near = {"log_referral": 0.62, "request_introduction": 0.30}
    close = {"log_referral": -1.1, "request_introduction": -0.4}  # 0.33 against 0.67
    opened = '<tool_call>\n{"name": "'
    rest = ', "arguments": {"to_business": "K", "prospect": "Sam"}}'
    model, _ = model_with(opened, rest, logprobs=close, near=near)
    assert model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]["name"] == "log_referral"

    clear = {"log_referral": -6.0, "request_introduction": -0.01}
    model, _ = model_with(opened, ', "arguments": {"business": "K"}}', logprobs=clear, near=near)
    assert model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]["name"] == "request_introduction"

    model, _ = model_with(opened, ', "arguments": {"business": "K"}}', logprobs=close, near=near, weight=0.0)
    assert model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]["name"] == "request_introduction"


def test_a_call_that_does_not_parse_gets_its_arguments_under_the_tool_grammar() -> None:
    model, engine = model_with(
        '```json\n{"name": "',
        ', "arguments": {"to_business": "Kirkstall Brewing", "prospect": ',  # runs out before it closes
        json.dumps({"to_business": "Kirkstall Brewing", "prospect": "Sam"}),
        logprobs={"log_referral": -0.1, "request_introduction": -3.0},
    )
    call = model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]
    assert call["args"] == {"to_business": "Kirkstall Brewing", "prospect": "Sam"}
    assert engine.requests[2].schema is not None


def test_a_call_in_another_shape_is_parsed_as_written() -> None:
    model, engine = model_with(
        '{"log_referral": {"to_business": "K", "prospect": "Sam"}}', logprobs={"log_referral": -0.1}
    )
    assert model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]["name"] == "log_referral"
    assert engine.scored == []


def test_prose_is_not_a_call_and_is_answered_as_written() -> None:
    model, engine = model_with("Glad to help! Who did you recommend them to?", logprobs={})
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert reply.tool_calls == [] and reply.content.startswith("Glad to help")
    assert engine.scored == []


def test_the_shapes_a_call_opens_with() -> None:
    for text in ['<tool_call>\n{"na', "<tools>", "```json\n{", '{{"name', '{"name": "x"', "  <function=x>"]:
        assert opens_call(text), text
    for text in ["Sure", "{", "```", "Here is {the} plan", "<b>", ""]:
        assert not opens_call(text), text


def test_a_model_without_scoring_keeps_parsing_the_call_it_wrote(local_model: Any) -> None:
    model, engine = local_model(
        '<tool_call>\n{"name": "request_introduction", "arguments": {"business": "K"}}'
    )
    assert model.bind_tools(TOOLS).invoke(ASK).tool_calls[0]["name"] == "request_introduction"
    assert len(engine.requests) == 1


@tool
def search_knowledge(query: str) -> str:
    """Search the playbooks for business advice."""
    return "passages"


@tool
def handoff_to_human(reason: str = "they asked for a person") -> str:
    """Hand the conversation to a person from support."""
    return "handed off"


def test_prose_begun_on_a_request_is_replaced_by_the_call_the_model_and_router_prefer() -> None:
    said = "I've been charged twice this month, who do I speak to?"
    engine = ScoringEngine(
        ["I'm sorry to hear", '{"reason": "charged twice"}'],
        logprobs={"search_knowledge": -1.6, "handoff_to_human": -0.3},
    )
    model = LocalChatModel(
        engine=engine,
        narrow=lambda text: ["search_knowledge", "handoff_to_human"],
        prose_means="search_knowledge",
        tool_scores=lambda text: {"search_knowledge": 0.40, "handoff_to_human": 0.42},
    )
    reply = model.bind_tools([search_knowledge, handoff_to_human]).invoke([HumanMessage(said)])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("handoff_to_human", {"reason": "charged twice"})
    ]
    assert reply.content == ""  # the begun prose is never shown


def test_the_grammar_never_writes_an_optional_id() -> None:
    @tool
    def respond_to_introduction(
        accept: bool, business: str | None = None, introduction_id: str | None = None
    ) -> str:
        """Accept or decline an introduction."""
        return "done"

    engine = ScoringEngine(
        ['<tool_call>\n{"name": "', ', "arguments": {"business": "sign maker"}}', '{"accept": false}'],
        logprobs={"respond_to_introduction": -0.1},
    )
    model = LocalChatModel(engine=engine)
    call = (
        model.bind_tools([respond_to_introduction])
        .invoke([HumanMessage("No thanks to the sign maker")])
        .tool_calls[0]
    )
    assert call["args"] == {"accept": False}
    grammar = engine.requests[-1].schema
    assert grammar is not None and "introduction_id" not in grammar["properties"]
    assert grammar["required"] == ["accept"]
