"""tool_choice as ChatOpenAI takes it, when tools are offered, and which streamed text is shown at once."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.llm.choice import after_tool_result, normalise_tool_choice, offers_tools
from assistant.llm.streaming import StreamGate

NAMES = ["get_my_profile", "find_introductions"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        (False, None),
        ("auto", "auto"),
        ("none", "none"),
        ("any", "any"),
        ("required", "any"),
        (True, "any"),
        ("find_introductions", "find_introductions"),
        ({"type": "function", "function": {"name": "get_my_profile"}}, "get_my_profile"),
        ({"type": "required"}, "any"),
        ({"type": "auto"}, "auto"),
    ],
)
def test_every_openai_form_of_tool_choice(given: object, expected: str | None) -> None:
    assert normalise_tool_choice(given, NAMES) == expected  # type: ignore[arg-type]


def test_an_unknown_tool_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="delete_everything"):
        normalise_tool_choice("delete_everything", NAMES)


def test_no_tools_after_a_result_in_the_same_turn() -> None:
    asked = [SystemMessage("s"), HumanMessage("find me flour")]
    called = [*asked, AIMessage("", tool_calls=[{"name": "find_introductions", "args": {}, "id": "1"}])]
    answered = [*called, ToolMessage("Pennine Mills", tool_call_id="1")]
    next_turn = [*answered, AIMessage("Pennine Mills."), HumanMessage("and a driver?")]
    assert not after_tool_result(asked)
    assert after_tool_result(answered)
    assert not after_tool_result(next_turn)
    assert offers_tools(asked, None, True, False)
    assert not offers_tools(answered, None, True, False)
    assert not offers_tools(answered, "auto", True, False)
    assert offers_tools(answered, None, True, True)  # the policy can be switched off
    assert offers_tools(answered, "any", True, False)  # an explicit demand wins
    assert offers_tools(next_turn, None, True, False)
    assert not offers_tools(asked, "none", True, False)
    assert not offers_tools(asked, None, False, False)


def _feed(pieces: list[str]) -> tuple[list[str], StreamGate]:
    gate = StreamGate()
    return [gate.feed(p) for p in pieces], gate


def test_prose_streams_as_it_comes() -> None:
    shown, gate = _feed(["Pen", "nine ", "Mills ", "can help."])
    assert "".join(shown) == "Pennine Mills can help."
    assert shown[1]  # released before the end
    assert gate.held == ""


def test_a_leading_call_is_held_back_whole() -> None:
    pieces = ["<to", "ol_call>\n", '{"name": "get_my_profile"', ', "arguments": {}}', "\n</tool_call>"]
    shown, gate = _feed(pieces)
    assert shown == [""] * len(pieces)
    assert gate.held == "".join(pieces)


def test_bare_json_and_fences_are_held_back() -> None:
    for pieces in (['{"na', 'me": 1}'], ["``", "`json\n{}", "\n```"], ["  ", "[1, 2]"]):
        shown, gate = _feed(pieces)
        assert "".join(shown) == ""
        assert gate.held == "".join(pieces)


def test_prose_then_a_call_shows_only_the_prose() -> None:
    pieces = ["Let me check.", "\n<tool", "_call>\n{}", "</tool_call>"]
    shown, gate = _feed(pieces)
    assert "".join(shown) == "Let me check.\n"
    assert gate.held == "<tool_call>\n{}</tool_call>"


def test_a_partial_marker_is_released_when_it_turns_out_to_be_prose() -> None:
    shown, gate = _feed(["Use the <to", "ast> menu."])
    assert "".join(shown) == "Use the <toast> menu."
    assert gate.shown == "Use the <toast> menu."
