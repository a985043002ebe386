"""Arguments the person's words do not speak to are not written (assistant/llm/said_keys.py): the call the
model opened ends before such a key, or is steered to the next key they did speak to — over a scripted
engine, with the real tools' schemas."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.llm.local import LocalChatModel
from assistant.llm.said_keys import keys_written, said_keys
from tests.llm.conftest import Output, ScriptedEngine
from tools.registry import schema_tools

TOOLS = {t.name: t for t in schema_tools()}


def parameters(name: str) -> dict:
    return convert_to_openai_tool(TOOLS[name])["function"]["parameters"]


@dataclass
class OneToolEngine(ScriptedEngine):
    """Scores every offered name alike, so the call stays with the tool the script opened."""

    scored: list[list[str]] = field(default_factory=list)

    def option_logprobs(self, prompt: str, options: Sequence[str]) -> dict[str, float]:
        assert not self.busy, "scoring began while a generation was open (a deadlock on the real engine)"
        self.scored.append(list(options))
        return {o: (0.0 if o.startswith(self.tool) else -1.0 if o == 'needs"' else -9.0) for o in options}

    tool: str = ""


def call(said: str, tool: str, *outputs: Output) -> tuple[Mapping[str, object], OneToolEngine]:
    engine = OneToolEngine(list(outputs), tool=tool)
    model = LocalChatModel(engine=engine)
    reply = model.bind_tools([TOOLS[tool]]).invoke([SystemMessage("Layer8 test."), HumanMessage(said)])
    ((made,),) = [reply.tool_calls]
    assert made["name"] == tool
    return made["args"], engine


def test_the_person_s_words_choose_the_keys() -> None:
    said = said_keys(
        parameters("update_my_profile"), "We started doing vegan cakes too, put it on my listing"
    )
    assert said is not None and said.wanted == ("offers",)
    assert "description" not in said.allowed
    deal = said_keys(parameters("record_deal"), "We closed £2,400 with Jane's Cafe thanks to Bob")
    assert deal is not None and deal.wanted == ("amount",)  # no date, nothing said of what was sold
    assert {"currency", "referrer"} <= deal.allowed and "description" not in deal.allowed
    assert said_keys(parameters("update_my_profile"), "put it on my listing") is None  # no field named
    dated = said_keys(parameters("record_deal"), "Yesterday we closed a £900 catering order thanks to Bob")
    assert dated is not None and {"amount", "closed_on", "description"} <= set(dated.wanted)
    assert {"currency", "referrer"} <= dated.allowed  # not cued: always the model's to write


def test_keys_are_read_as_they_are_written_strings_and_nesting_aside() -> None:
    text = '<tool_call>\n{"name": "x", "arguments": {"a": "say \\"b\\": 1, c", "d": {"e": 1}, "f'
    assert [k.name for k in keys_written(text)] == ["a", "d"]
    assert keys_written(text + '"')[-1].name == "f"


def test_a_profile_call_that_opens_with_an_unspoken_field_is_steered_to_the_spoken_one() -> None:
    args, engine = call(
        "We started doing vegan cakes too, put it on my listing",
        "update_my_profile",
        '<tool_call>\n{"name": "',
        ', "arguments": {"description": "Vegan cakes", "offers": "cakes"}}',
        ': "vegan cakes", "needs": "van", "employees": 10}}',
    )
    assert args == {"offers": "vegan cakes"}
    assert engine.requests[2].prompt.endswith('"arguments": {"offers"')
    assert len(engine.requests) == 3, "the invented fields after the spoken one were never generated"


def test_a_call_ends_before_a_field_nobody_spoke_of() -> None:
    args, _ = call(
        "We're now based in Harrogate",
        "update_my_profile",
        '<tool_call>\n{"name": "',
        ', "arguments": {"locality": "Harrogate", "goals": "increase sales", "employees": 5}}',
    )
    assert args == {"locality": "Harrogate"}


def test_a_deal_keeps_its_money_and_leaves_out_an_invented_description() -> None:
    args, _ = call(
        "Last week we closed £2,400 with Jane's Cafe thanks to Bob",
        "record_deal",
        '<tool_call>\n{"name": "',
        ', "arguments": {"amount": "2400", "currency": "GBP", "referrer": "Bob", "closed_on": "2026-11-30", '
        '"description": "Leeds Bakery closed £2,400 with Jane\'s Cafe"}}',
    )
    assert args == {"amount": "2400", "currency": "GBP", "referrer": "Bob", "closed_on": "2026-11-30"}


def test_without_cues_in_the_schema_the_call_is_left_as_written() -> None:
    args, _ = call(
        "Find me a flour supplier",
        "find_introductions",
        '<tool_call>\n{"name": "',
        ', "arguments": {"need": "flour supplier", "limit": 3}}',
    )
    assert args == {"need": "flour supplier", "limit": 3}


def test_a_call_that_ends_on_a_spoken_field_keeps_it() -> None:
    args, _ = call(
        "Please add to my profile that we need a delivery driver",
        "update_my_profile",
        '<tool_call>\n{"name": "',
        ', "arguments": {"needs": "delivery driver", "bottlenecks": "delivery drivers"}}',
    )
    assert args == {"needs": "delivery driver"}


def test_the_grammar_writes_only_the_spoken_fields_when_the_call_breaks_off() -> None:
    def grammar(prompt: str, schema: Mapping[str, object] | None) -> str:
        assert schema is not None and set(schema["properties"]) == {"needs"}  # type: ignore[call-overload]
        return json.dumps({"needs": "delivery driver"})

    args, engine = call(
        "Please add to my profile that we need a delivery driver",
        "update_my_profile",
        '<tool_call>\n{"name": "',
        ', "arguments": {"needs": "deliv',  # the model stopped mid-value
        grammar,
    )
    assert args == {"needs": "delivery driver"}
    assert engine.requests[-1].schema is not None


def test_a_first_key_nobody_spoke_of_gives_way_to_a_required_one() -> None:
    args, engine = call(
        "I sent Ann to Dale Motors",
        "log_referral",
        '<tool_call>\n{"name": "',
        ', "arguments": {"note": "Ann wants a van", "to_business": "Dale Motors"}}',
        ': "Dale Motors", "prospect": "Ann", "hotness": 4}}',
    )
    assert engine.requests[2].prompt.endswith('"arguments": {"to_business"')
    assert args == {"to_business": "Dale Motors", "prospect": "Ann"}


def test_a_first_unspoken_key_gives_way_to_the_likeliest_spoken_one_scored_with_no_generation_open() -> None:
    args, engine = call(
        "We need a van driver and our ideal customers are cafes",
        "update_my_profile",
        '<tool_call>\n{"name": "',
        ', "arguments": {"description": "Bakery", "needs": "van driver"}}',
        ': "van driver", "ideal_customers": "cafes"}}',
    )
    assert engine.scored[-1] == ['needs"', 'ideal_customers"']
    assert args == {"needs": "van driver", "ideal_customers": "cafes"}
