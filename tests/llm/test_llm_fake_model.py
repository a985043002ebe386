"""The scripted fake chat model: queue and function replies, tool calls, recording, use with create_agent."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from assistant.llm import FakeChatModel, ScriptExhausted


@tool
def get_my_profile() -> str:
    """Show the subscriber's own business profile."""
    return "Rise & Shine Bakery, Leeds"


@tool
def find_introductions(need: str) -> str:
    """Find other subscribers who can help with a need."""
    return f"Pennine Mills sells {need}"


def test_drives_a_create_agent_loop_and_records_what_it_saw() -> None:
    model = FakeChatModel(
        script=[FakeChatModel.call("find_introductions", need="flour"), "Pennine Mills can help."]
    )
    agent = create_agent(model, tools=[get_my_profile, find_introductions])
    state = agent.invoke({"messages": [HumanMessage("I need flour")]})
    tool_message, answer = state["messages"][-2:]
    assert isinstance(tool_message, ToolMessage) and tool_message.text == "Pennine Mills sells flour"
    assert answer.text == "Pennine Mills can help."
    assert [call.tool_names for call in model.calls] == [["get_my_profile", "find_introductions"]] * 2
    assert isinstance(model.calls[1].messages[-1], ToolMessage)
    assert [t["function"]["name"] for t in model.bound_tools] == ["get_my_profile", "find_introductions"]
    assert model.pending == 0


def test_a_function_of_the_messages_as_a_reply() -> None:
    def shout(messages: list[BaseMessage]) -> str:
        return messages[-1].text.upper()

    model = FakeChatModel().enqueue(shout)
    assert model.invoke([HumanMessage("hello")]).content == "HELLO"


def test_a_responder_answers_once_the_script_is_used_up() -> None:
    model = FakeChatModel(script=["first"], responder=lambda messages: f"echo {messages[-1].text}")
    assert model.invoke("a").content == "first"
    assert model.invoke("b").content == "echo b"
    assert model.invoke("c").content == "echo c"


def test_running_out_of_script_names_the_message() -> None:
    model = FakeChatModel(script=["only one"])
    model.invoke("a")
    with pytest.raises(ScriptExhausted, match="what now"):
        model.invoke("what now")


def test_tool_calls_get_ids_and_the_tool_choice_is_recorded() -> None:
    model = FakeChatModel().enqueue(
        AIMessage("", tool_calls=[{"name": "get_my_profile", "args": {}, "id": None}]),
        FakeChatModel.calls_many(("get_my_profile", {}), ("find_introductions", {"need": "flour"})),
    )
    bound = model.bind_tools([get_my_profile, find_introductions], tool_choice="any")
    first = bound.invoke("who am I")
    assert first.tool_calls[0]["id"]
    assert model.calls[0].tool_choice == "any"
    second = bound.invoke("both")
    assert [c["name"] for c in second.tool_calls] == ["get_my_profile", "find_introductions"]
    assert len({c["id"] for c in second.tool_calls}) == 2


def test_streams_words_then_tool_calls() -> None:
    model = FakeChatModel().enqueue(
        AIMessage(
            "Looking that up now",
            tool_calls=[{"name": "find_introductions", "args": {"need": "flour"}, "id": "c1"}],
        )
    )
    chunks = list(model.bind_tools([find_introductions]).stream("flour?"))
    assert [c.content for c in chunks[:4]] == ["Looking ", "that ", "up ", "now"]
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.content == "Looking that up now"
    assert total.tool_calls == [
        {"name": "find_introductions", "args": {"need": "flour"}, "id": "c1", "type": "tool_call"}
    ]
