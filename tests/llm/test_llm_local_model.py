"""The local chat model's tool calling, over a scripted engine and the real Qwen2.5 chat template."""

from __future__ import annotations

import json
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.local import CALL_PREFIX
from assistant.llm.template import system_message


class FindArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    need: str = Field(description="what the subscriber needs")
    location: str | None = Field(default=None, description="town or region")


@tool(args_schema=FindArgs)
def find_introductions(need: str, location: str | None = None) -> str:
    """Find other subscribers who can help with a need."""
    return json.dumps([{"name": "Pennine Mills", "why": f"sells {need} near {location}"}])


@tool
def get_my_profile() -> str:
    """Show the subscriber's own business profile."""
    return "Rise & Shine Bakery, Leeds"


TOOLS = [find_introductions, get_my_profile]
ASK = [SystemMessage("Layer8 test system prompt."), HumanMessage("I need a flour supplier in Leeds")]
CALL = (
    '<tool_call>\n{"name": "find_introductions", "arguments": {"need": "flour", "location": "Leeds"}}'
    "\n</tool_call>"
)


def test_a_tagged_call_becomes_a_tool_call_and_the_prompt_carries_the_tools(local_model: Any) -> None:
    model, engine = local_model(CALL)
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("find_introductions", {"need": "flour", "location": "Leeds"})
    ]
    assert reply.tool_calls[0]["id"].startswith("call_")
    assert reply.content == ""
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert reply.usage_metadata and reply.usage_metadata["input_tokens"] > 0
    prompt = engine.requests[0].prompt
    assert prompt.startswith("<|im_start|>system\nLayer8 test system prompt.\n\n# Tools")
    assert '"name": "find_introductions"' in prompt and '"name": "get_my_profile"' in prompt
    assert prompt.endswith("I need a flour supplier in Leeds<|im_end|>\n<|im_start|>assistant\n")
    assert engine.requests[0].schema is None  # free generation: no grammar on a normal turn
    assert "anyOf" not in prompt  # compact specs: the optional location is shown as a plain string


def test_a_plain_answer_stays_text(local_model: Any) -> None:
    model, _ = local_model("Flour keeps for about a year if stored dry.")
    reply = model.bind_tools(TOOLS).invoke([HumanMessage("How long does flour keep?")])
    assert reply.tool_calls == []
    assert reply.content == "Flour keeps for about a year if stored dry."
    assert reply.response_metadata["finish_reason"] == "stop"


def test_invalid_arguments_are_regenerated_under_the_tools_schema(local_model: Any) -> None:
    wrong = '```json\n{"name": "find_introductions", "arguments": {"what": "flour"}}\n```'
    model, engine = local_model(wrong, '{"need": "flour", "location": "Leeds"}')
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert reply.tool_calls[0]["args"] == {"need": "flour", "location": "Leeds"}
    free, repair = engine.requests
    assert repair.prompt == free.prompt + CALL_PREFIX + 'find_introductions", "arguments": '
    assert repair.schema is not None
    assert set(repair.schema["properties"]) == {"need", "location"}
    assert repair.schema["required"] == ["need"]
    assert repair.schema["additionalProperties"] is False


def test_a_value_of_the_wrong_type_is_dropped_without_a_second_generation(local_model: Any) -> None:
    typed = '<tool_call>\n{"name": "find_introductions", "arguments": {"need": "flour", "location": 7}}'
    model, engine = local_model(typed)
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert reply.tool_calls[0]["args"] == {"need": "flour"}
    assert len(engine.requests) == 1


def test_valid_arguments_cost_no_second_generation(local_model: Any) -> None:
    model, engine = local_model(CALL)
    model.bind_tools(TOOLS).invoke(ASK)
    assert len(engine.requests) == 1


def test_after_a_tool_result_the_tools_are_not_offered(local_model: Any) -> None:
    model, engine = local_model("Pennine Mills sells flour near Leeds.")
    history = [
        *ASK,
        AIMessage("", tool_calls=[{"name": "find_introductions", "args": {"need": "flour"}, "id": "c1"}]),
        ToolMessage('[{"name": "Pennine Mills"}]', tool_call_id="c1", name="find_introductions"),
    ]
    reply = model.bind_tools(TOOLS).invoke(history)
    assert reply.content == "Pennine Mills sells flour near Leeds."
    prompt = engine.requests[0].prompt
    assert "# Tools" not in prompt
    assert (
        '<tool_call>\n{"name": "find_introductions", "arguments": {"need": "flour"}}\n</tool_call>' in prompt
    )
    assert '<tool_response>\n[{"name": "Pennine Mills"}]\n</tool_response>' in prompt


def test_a_call_written_after_a_result_is_not_executed(local_model: Any) -> None:
    model, _ = local_model(CALL)
    history = [
        *ASK,
        AIMessage("", tool_calls=[{"name": "find_introductions", "args": {"need": "flour"}, "id": "c1"}]),
        ToolMessage("[]", tool_call_id="c1"),
    ]
    reply = model.bind_tools(TOOLS).invoke(history)
    assert reply.tool_calls == []


def test_a_named_tool_choice_generates_only_its_arguments(local_model: Any) -> None:
    model, engine = local_model("{}")
    reply = model.bind_tools(TOOLS, tool_choice="get_my_profile").invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_my_profile", {})]
    assert engine.requests[0].prompt.endswith(CALL_PREFIX + 'get_my_profile", "arguments": ')
    assert engine.requests[0].schema is not None


def test_tool_choice_any_picks_a_name_under_a_grammar_then_its_arguments(local_model: Any) -> None:
    model, engine = local_model('"find_introductions"', '{"need": "flour"}')
    reply = model.bind_tools(TOOLS, tool_choice="required").invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("find_introductions", {"need": "flour"})]
    pick, _ = engine.requests
    assert pick.schema == {"type": "string", "enum": ["find_introductions", "get_my_profile"]}
    assert pick.prompt.endswith('<tool_call>\n{"name": ')


def test_tool_choice_none_renders_no_tools(local_model: Any) -> None:
    model, engine = local_model("Hello.")
    assert model.bind_tools(TOOLS, tool_choice="none").invoke(ASK).content == "Hello."
    assert "# Tools" not in engine.requests[0].prompt


def test_parallel_tool_calls_false_keeps_the_first(local_model: Any) -> None:
    model, _ = local_model(CALL + '\n<tool_call>\n{"name": "get_my_profile", "arguments": {}}\n</tool_call>')
    assert len(model.bind_tools(TOOLS).invoke(ASK).tool_calls) == 2
    model, _ = local_model(CALL + '\n<tool_call>\n{"name": "get_my_profile", "arguments": {}}\n</tool_call>')
    assert len(model.bind_tools(TOOLS, parallel_tool_calls=False).invoke(ASK).tool_calls) == 1


def test_streaming_shows_prose_early_and_delivers_calls_at_the_end(local_model: Any) -> None:
    model, _ = local_model("Let me look that up.\n" + CALL)
    chunks = list(model.bind_tools(TOOLS).stream(ASK))
    assert chunks[0].content and not chunks[0].tool_call_chunks
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert isinstance(total, AIMessageChunk)
    assert total.text.strip() == "Let me look that up."
    assert [c["name"] for c in total.tool_calls] == ["find_introductions"]


def test_streaming_a_plain_answer(local_model: Any) -> None:
    model, _ = local_model("Flour keeps for a year.")
    chunks = list(model.stream([HumanMessage("How long does flour keep?")]))
    assert len(chunks) > 2
    assert "".join(str(c.content) for c in chunks) == "Flour keeps for a year."


def test_stop_words_cut_the_answer(local_model: Any) -> None:
    model, _ = local_model("First line.\nSTOP and more")
    assert model.invoke([HumanMessage("hi")], stop=["STOP"]).content == "First line."


def test_runs_a_whole_create_agent_loop(local_model: Any) -> None:
    model, engine = local_model(CALL, "Pennine Mills sells flour near Leeds.")
    agent = create_agent(model, tools=TOOLS, system_prompt="Layer8 test system prompt.")
    state = agent.invoke({"messages": [HumanMessage("I need a flour supplier in Leeds")]})
    messages = state["messages"]
    assert isinstance(messages[-2], ToolMessage)
    assert "Pennine Mills" in messages[-2].text
    assert messages[-1].content == "Pennine Mills sells flour near Leeds."
    assert "# Tools" in engine.requests[0].prompt
    assert "# Tools" not in engine.requests[1].prompt


def test_an_invented_argument_is_regenerated(local_model: Any) -> None:
    invented = '<tool_call>\n{"name": "find_introductions", "arguments": {"need": "flour", "city": "Leeds"}}'
    model, engine = local_model(invented, '{"need": "flour", "location": "Leeds"}')
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert reply.tool_calls[0]["args"] == {"need": "flour", "location": "Leeds"}
    assert len(engine.requests) == 2


def test_warm_up_hands_the_engine_two_people_whose_common_part_is_instructions_and_tools(
    local_model: Any,
) -> None:
    model, engine = local_model("Hello.")
    warmed: list[list[str]] = []

    def warm(prompts: list[str]) -> str:
        warmed.append(list(prompts))
        return "warmed"

    engine.warm = warm
    stable = "Layer8 test system prompt."
    people = [
        [system_message(stable, "The person runs a bakery."), HumanMessage("hi")],
        [system_message(stable, "The person runs a garage."), HumanMessage("yo")],
    ]
    assert model.warm_up(people, TOOLS) == "warmed"
    (prompts,) = warmed
    shared = prompts[0][: next(i for i, (a, b) in enumerate(zip(*prompts, strict=False)) if a != b)]
    assert "Layer8 test system prompt." in shared and "</tools>" in shared
    assert "bakery" not in shared and "garage" not in shared
    model.bind_tools(TOOLS).invoke([system_message(stable, "The person runs a florist."), HumanMessage("hi")])
    assert engine.requests[0].prompt.startswith(shared), "a real turn of a third person resumes from it"


def test_warm_up_is_a_no_op_for_an_engine_that_cannot_warm(local_model: Any) -> None:
    model, engine = local_model()
    assert model.warm_up([[SystemMessage("x"), HumanMessage("y")]], TOOLS) is None
    assert engine.requests == []


def test_the_session_goes_after_the_tools_block_inside_the_one_system_turn(local_model: Any) -> None:
    model, engine = local_model("Hi.", "Hi.")
    message = system_message("Layer8 test system prompt.", "The person runs a bakery.")
    assert message.text == "Layer8 test system prompt.\n\nThe person runs a bakery."  # what other models see
    model.bind_tools(TOOLS).invoke([message, HumanMessage("hi")])
    model.invoke([message, HumanMessage("hi")])  # no tools: the session still ends the system turn
    with_tools, without = (r.prompt for r in engine.requests)
    assert with_tools.index("</tool_call>") < with_tools.index("bakery") < with_tools.index("<|im_end|>")
    assert with_tools.count("<|im_start|>system") == 1
    assert without.startswith(
        "<|im_start|>system\nLayer8 test system prompt.\n\nThe person runs a bakery.<|im_end|>"
    )


def test_a_bare_tool_name_becomes_its_call_with_arguments_under_grammar(local_model: Any) -> None:
    model, engine = local_model("get_my_profile", "{}")
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_my_profile", {})]
    assert engine.requests[1].prompt.endswith(f'{CALL_PREFIX}get_my_profile", "arguments": ')
    assert engine.requests[1].schema is not None


def test_arguments_written_under_grammar_lose_the_values_that_break_the_schema(local_model: Any) -> None:
    # the grammar keeps the JSON's shape, not every rule (a 5e15 km radius came out of it, sampling)
    model, _engine = local_model("find_introductions", '{"need": "flour", "location": 5}')
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("find_introductions", {"need": "flour"})]


def test_a_call_with_a_brace_missing_keeps_its_tool_and_rewrites_the_arguments(local_model: Any) -> None:
    broken = (
        '<tools>\n{"name": "find_introductions", "arguments": {"properties": {"need": "flour"}}\n</tools>'
    )
    model, _engine = local_model(broken, '{"need": "flour"}')
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("find_introductions", {"need": "flour"})]
    assert reply.content == ""


def test_an_empty_call_picks_the_tool_under_the_grammar_of_names(local_model: Any) -> None:
    for empty in ("<tools>\n\n</tools>", ""):
        model, engine = local_model(empty, '"find_introductions"', '{"need": "flour"}')
        reply = model.bind_tools(TOOLS).invoke(ASK)
        assert [c["name"] for c in reply.tool_calls] == ["find_introductions"]
        assert engine.requests[1].schema == {
            "type": "string",
            "enum": ["find_introductions", "get_my_profile"],
        }


def test_prose_that_names_a_tool_stays_prose(local_model: Any) -> None:
    model, _ = local_model("You can use get_my_profile to see your profile.")
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert reply.tool_calls == [] and "get_my_profile" in reply.text


def test_an_empty_call_picks_among_the_tools_the_router_ranks_likeliest(local_model: Any) -> None:
    asked: list[str] = []

    def likeliest(text: str) -> list[str]:
        asked.append(text)
        return ["get_my_profile", "no_such_tool"]

    model, engine = local_model("<tools>\n\n</tools>", "{}", narrow=likeliest)
    reply = model.bind_tools(TOOLS).invoke(ASK)
    assert [c["name"] for c in reply.tool_calls] == ["get_my_profile"]
    assert asked == ["I need a flour supplier in Leeds"]
    assert len(engine.requests) == 2, "one likely tool left: no grammar pick, only its arguments"


def test_prose_to_a_request_the_router_ranks_as_advice_becomes_that_tool_at_the_first_word(
    local_model: Any,
) -> None:
    model, _engine = local_model(
        "You could try baking more bread.", '{"need": "flour"}', narrow=lambda text: ["find_introductions"]
    )
    model.prose_means = "find_introductions"
    chunks = list(model.bind_tools(TOOLS).stream(ASK))
    assert "".join(c.text for c in chunks) == "", "nothing of the prose was shown"
    calls = [c for chunk in chunks for c in chunk.tool_call_chunks]
    assert [c["name"] for c in calls] == ["find_introductions"]


def test_prose_stays_prose_when_the_router_does_not_rank_that_tool_likely(local_model: Any) -> None:
    model, _ = local_model("Happy to help.", narrow=lambda text: ["get_my_profile"])
    model.prose_means = "find_introductions"
    assert model.bind_tools(TOOLS).invoke(ASK).text == "Happy to help."
