"""Any OpenAI-compatible chat endpoint (OpenAI, Azure-style gateways, vLLM, Ollama, a llama.cpp server)."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from assistant.settings import Settings
from network.errors import InvalidInput


def build_openai(settings: Settings) -> BaseChatModel:
    """``ChatOpenAI`` on the Chat Completions API with bounded waits (the client's default is 600 s)."""
    if not settings.llm_base_url and settings.llm_api_key is None:
        raise InvalidInput("the openai provider needs LAYER8_LLM_BASE_URL or LAYER8_LLM_API_KEY")
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        # local servers (vLLM, Ollama, llama.cpp) accept any key; the client insists on one
        api_key=settings.llm_api_key or "unused",
        use_responses_api=False,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
    )
