"""Small talk is answered without tools, unless it may answer a question the assistant asked."""

from __future__ import annotations

import pytest

from assistant.routing import small_talk
from tests.harness import Harness


@pytest.mark.parametrize("text", ["Hi!", "Cheers", "Thanks, that's helpful", "Good evening!", "Bye for now"])
def test_small_talk(text: str) -> None:
    assert small_talk(text)


@pytest.mark.parametrize("text", ["yes", "find me a baker", "thanks, now find flour", "", "What can you do?"])
def test_not_small_talk(text: str) -> None:
    assert not small_talk(text)


def test_ok_after_a_question_may_need_tools() -> None:
    assert small_talk("ok")
    assert not small_talk("ok", last_reply="Shall I look for flour suppliers?")


def test_small_talk_turns_are_answered_without_tools(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script("Hello!", "Shall I look for flour suppliers?", "Looking now.")
    quick.send("hello", as_=me)
    assert quick.model.calls[0].tools == []
    quick.send("what can you do?")
    quick.send("ok")
    assert quick.model.calls[2].tools, "an ok after a question may be a yes that needs a tool"
