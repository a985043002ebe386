"""A scripted engine under the real local chat model: the Qwen2.5 chat template, canned completions.

It stands in for llama.cpp at the boundary, so the tool-calling logic of ``LocalChatModel`` (rendering,
parsing, argument repair under a schema, the no-tools-after-a-result rule, streaming) runs without a model.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.llm.local import LocalChatModel
from assistant.llm.template import ChatTemplate

QWEN_TEMPLATE = (Path(__file__).parent / "data" / "qwen2_5_chat_template.jinja").read_text()

Output = str | Callable[[str, Mapping[str, Any] | None], str]


@dataclass
class Request:
    prompt: str
    schema: Mapping[str, Any] | None
    max_tokens: int


@dataclass
class ScriptedEngine:
    """Answers each ``generate`` with the next scripted output, in small pieces, and records the request."""

    outputs: list[Output]
    requests: list[Request] = field(default_factory=list)
    busy: bool = (
        False  # the real engine holds a lock while a generation is open: a second one would wait forever
    )
    template: ChatTemplate = field(
        default_factory=lambda: ChatTemplate(QWEN_TEMPLATE, eos_token="<|im_end|>")
    )

    def generate(
        self, prompt: str, *, max_tokens: int, schema: Mapping[str, Any] | None = None
    ) -> Generator[str, None, None]:
        if self.busy:
            raise AssertionError(
                "a generation began while another was still open (a deadlock on the real engine)"
            )
        self.requests.append(Request(prompt, schema, max_tokens))
        if not self.outputs:
            raise AssertionError(f"no scripted output for request {len(self.requests)}")
        output = self.outputs.pop(0)
        text = output(prompt, schema) if callable(output) else output
        self.busy = True
        try:
            for i in range(0, len(text), 3):
                yield text[i : i + 3]
        finally:
            self.busy = False

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def local_model() -> Callable[..., tuple[LocalChatModel, ScriptedEngine]]:
    def build(*outputs: Output, **options: Any) -> tuple[LocalChatModel, ScriptedEngine]:
        engine = ScriptedEngine(list(outputs))
        return LocalChatModel(engine=engine, **options), engine

    return build
