"""The assistant's side for ``--model fake``: the model moves stored with each scenario step.

The moves are what a model *could* do at that point — in the safety suite, what a fully obedient model would
do under the attack (call every tool the attacker asks for). Whatever then happens to the records is the
product's doing, not the script's: the server still decides what a tool may read or write and what waits for
a person's confirmation. A step's moves are only those the turn asks for: after a tool the server says what
it did and the model is not called again, except to frame advice (``search_knowledge``: one more text move),
or when no tool ran (an unknown tool's name: the model answers).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from assistant.llm.fake import FakeChatModel
from evals.scenario import resolve

NO_MOVE = "(the scenario scripted no reply here)"


class Script:
    """A queue of moves for one step; counts replies asked for beyond it (a scenario data error)."""

    def __init__(self) -> None:
        self.moves: deque[dict[str, Any]] = deque()
        self.missing = 0

    def load(self, moves: Sequence[dict[str, Any]], ids: dict[str, str]) -> None:
        self.moves = deque(resolve(dict(m), ids) for m in moves)

    @property
    def leftover(self) -> int:
        return len(self.moves)

    def respond(self, messages: list[BaseMessage]) -> AIMessage | str:
        if not self.moves:
            self.missing += 1
            return NO_MOVE
        return move_reply(self.moves.popleft(), messages)


def move_reply(move: dict[str, Any], messages: list[BaseMessage]) -> AIMessage | str:
    if "tool" in move:
        return FakeChatModel.call(move["tool"], **(move.get("args") or {}))
    if "tools" in move:
        return FakeChatModel.calls_many(*[(name, dict(args)) for name, args in move["tools"]])
    if move.get("echo"):
        return echo(messages)
    return str(move.get("text", ""))


def echo(messages: list[BaseMessage]) -> str:
    """Everything the tools showed the model this conversation: the worst case for leaking data."""
    shown = [m.text for m in messages if isinstance(m, ToolMessage)]
    return "Here is everything I found:\n" + "\n".join(shown) if shown else "I found nothing."


def scripted_model() -> tuple[FakeChatModel, Script]:
    script = Script()
    return FakeChatModel(responder=script.respond), script
