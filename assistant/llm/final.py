"""The last chunk of a local model's answer: its text, its tool calls with fresh ids, and the token usage
LangChain reports (the usage the engine's tokenizer counts)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from assistant.llm.toolcalls import ParsedCall


def final_chunk(
    count_tokens: Callable[[str], int], model_name: str, prompt: str, text: str, calls: list[ParsedCall]
) -> ChatGenerationChunk:
    chunks = [
        tool_call_chunk(name=c.name, args=json.dumps(c.args), id=f"call_{uuid.uuid4().hex[:16]}", index=i)
        for i, c in enumerate(calls)
    ]
    output = sum(count_tokens(x) for x in [text, *(json.dumps(c.args) for c in calls)])
    prompt_tokens = count_tokens(prompt)
    message = AIMessageChunk(
        content=text,
        tool_call_chunks=chunks,
        usage_metadata={
            "input_tokens": prompt_tokens,
            "output_tokens": output,
            "total_tokens": prompt_tokens + output,
        },
        response_metadata={"model_name": model_name, "finish_reason": "tool_calls" if calls else "stop"},
        chunk_position="last",
    )
    return ChatGenerationChunk(message=message)
