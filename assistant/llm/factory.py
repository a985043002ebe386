"""``build_chat_model(settings)``: the one place that turns settings into a LangChain chat model."""

from __future__ import annotations

import importlib.metadata
import logging

from langchain_core.language_models import BaseChatModel

from assistant.llm import gguf
from assistant.llm.engine import LlamaEngine
from assistant.llm.fake import FakeChatModel, echo_responder
from assistant.llm.local import LocalChatModel
from assistant.llm.prefix_store import EngineIdentity, PrefixStore
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
    """Verify the GGUF (SHA-256 before loading), load it with explicit threads and context, wrap it.

    Shared prompt prefixes already evaluated by any process (state files under ``LAYER8_HOME/cache/llm``)
    are loaded with it, so this process does not evaluate them again.
    """
    model = gguf.model_file(settings.home, settings.gguf_path, settings.gguf_sha256)
    path = gguf.verify(model)
    engine = LlamaEngine(
        path,
        n_threads=settings.llm_thread_count,
        n_ctx=settings.llm_context,
        temperature=settings.llm_temperature,
        store=prefix_store(settings, model.sha256),
    )
    logger.info("embedded model ready: %s", path.name)
    return LocalChatModel(engine=engine, model_name=path.stem)


def prefix_store(settings: Settings, model_sha256: str | None) -> PrefixStore | None:
    """Where evaluated prefixes persist; none for a custom GGUF without a SHA-256 (no trustworthy key)."""
    if model_sha256 is None:
        logger.info("no SHA-256 for the custom GGUF: evaluated prompt prefixes are not kept on disk")
        return None
    identity = EngineIdentity(model_sha256, settings.llm_context, _runtime())
    return PrefixStore(settings.llm_cache_dir, identity)


def _runtime() -> str:
    try:
        return "llama-cpp-python " + importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        return "llama-cpp-python unknown"
