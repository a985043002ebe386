"""``build_chat_model(settings)``: the one place that turns settings into a LangChain chat model."""

from __future__ import annotations

import logging

from langchain_core.language_models import BaseChatModel

from assistant.llm import gguf
from assistant.llm.engine import LlamaEngine
from assistant.llm.fake import FakeChatModel, echo_responder
from assistant.llm.local import LocalChatModel
from assistant.settings import Settings

logger = logging.getLogger(__name__)


def build_chat_model(settings: Settings) -> BaseChatModel:
    """``openai`` (an endpoint), ``local`` (llama.cpp in-process, the default) or ``fake`` (scripted)."""
    provider = settings.provider
    if provider == "openai":
        # lazy: langchain-openai takes a second to import, and only this provider needs it
        from assistant.llm.openai_provider import build_openai

        return build_openai(settings)
    if provider == "fake":
        return FakeChatModel(responder=echo_responder)
    return build_local(settings)


def build_local(settings: Settings) -> BaseChatModel:
    """Verify the GGUF (SHA-256 before loading), load it with explicit threads and context, wrap it."""
    model = gguf.model_file(settings.home, settings.gguf_path, settings.gguf_sha256)
    path = gguf.verify(model)
    engine = LlamaEngine(
        path, n_threads=settings.llm_threads, n_ctx=settings.llm_context, temperature=settings.llm_temperature
    )
    logger.info("embedded model ready: %s", path.name)
    return LocalChatModel(engine=engine, model_name=path.stem)
