"""Any OpenAI-compatible chat endpoint (OpenAI, Azure-style gateways, vLLM, Ollama, a llama.cpp server, and
``layer8 model serve``)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_openai import ChatOpenAI
from pydantic import Field

from assistant.llm.hints import WIRE_KEY, Narrow, Scores, hints_for
from assistant.settings import Settings
from network.errors import InvalidInput


class HintedChatOpenAI(ChatOpenAI):
    """``ChatOpenAI`` that sends the chat router's hints with each request offering tools, for a ``layer8
    model serve`` endpoint (:mod:`assistant.llm.hints`); with ``narrow`` unset it is plain ``ChatOpenAI``."""

    narrow: Narrow | None = Field(default=None, exclude=True)
    prose_means: str | None = Field(default=None, exclude=True)
    tool_scores: Scores | None = Field(default=None, exclude=True)

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self.narrow is None or not payload.get("tools"):
            return payload
        messages = self._convert_input(input_).to_messages()
        hints = hints_for(messages, self.narrow, self.prose_means, self.tool_scores)
        payload["extra_body"] = {**(payload.get("extra_body") or {}), WIRE_KEY: hints.wire()}
        return payload


def build_openai(settings: Settings) -> BaseChatModel:
    """``ChatOpenAI`` on the Chat Completions API with bounded waits (the client's default is 600 s)."""
    if not settings.llm_base_url and settings.llm_api_key is None:
        raise InvalidInput("the openai provider needs LAYER8_LLM_BASE_URL or LAYER8_LLM_API_KEY")
    return HintedChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        # local servers (vLLM, Ollama, llama.cpp) accept any key; the client insists on one
        api_key=settings.llm_api_key or "unused",
        use_responses_api=False,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
    )
