"""What of the model's text a person may see (assistant/shown.py)."""

from __future__ import annotations

import pytest

from assistant import shown
from tools import phrases


@pytest.mark.parametrize(
    "reply",
    [
        "no tool: answer yourself in a sentence or two.",
        "No tool: answer yourself in a sentence or two",
        "Be brief and concrete: at most about 120 words.",
    ],
)
def test_the_instructions_read_back_are_recognised(reply: str) -> None:
    assert shown.echoes_instructions(reply)
    assert shown.shown_text(reply) == phrases.NO_TOOL_NEEDED


@pytest.mark.parametrize(
    "reply",
    [
        "Goodbye!",
        "You're welcome! If you have any other questions, feel free to ask.",
        "Hello! How can I assist you today?",
        # one sentence from the prompt beside one of its own is an answer, not an echo
        "Never invent businesses. Castle Joinery fitted our doors last spring.",
        "",
    ],
)
def test_answers_are_left_alone(reply: str) -> None:
    assert not shown.echoes_instructions(reply)
    assert shown.shown_text(reply) == reply


def test_a_call_written_out_is_never_shown() -> None:
    assert shown.shown_text('search_knowledge {"query": "good film"}') == phrases.MODEL_EMPTY
    assert shown.names_a_tool("try the find_introductions tool")
    assert not shown.names_a_tool("I can find businesses for you")
