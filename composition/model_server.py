"""Building ``layer8 model serve``: the embedded model (or the rule-following fake) behind the
OpenAI-compatible app, with the prompt prefix every conversation shares evaluated first."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage

from assistant import prompting
from assistant.llm.factory import build_local
from assistant.llm.rules import RuleChatModel
from assistant.llm.template import system_message
from assistant.settings import Settings
from assistant.warmup import warm_model
from channels.model_server.app import create_model_app
from channels.model_server.queue import GenerationQueue
from composition.environment import offline_environment

logger = logging.getLogger(__name__)
FAKE_MODEL_NAME = "layer8-fake"


def model_server_app(settings: Settings, *, fake: bool = False) -> FastAPI:
    """The server app; ``fake`` serves :class:`RuleChatModel` instead of loading the embedded model."""
    offline_environment()
    model: BaseChatModel = RuleChatModel() if fake else build_local(settings)
    name = FAKE_MODEL_NAME if fake else str(getattr(model, "model_name", "layer8-local"))
    queue = GenerationQueue(settings.model_server_max_waiting)
    if not fake:
        queue.submit(lambda: warm(model, settings))  # first in line: requests queue behind it
    return create_model_app(
        model,
        model_name=name,
        queue=queue,
        api_key=settings.model_server_api_key,
        prepare=session_marker(settings.operator_name),
    )


def session_marker(operator: str) -> Callable[[list[BaseMessage]], list[BaseMessage]]:
    """Mark where a system message's per-person session starts, as the API node's message marked it before
    the wire dropped the mark: the embedded model renders the session after the tools block, so the
    instructions and tools stay the one prefix every subscriber's turn resumes from (measured without it:
    a request shared 4,613 of the warmed prefix's 12,260 characters and evaluated the rest again)."""
    shared = prompting.shared_instructions(operator)

    def mark(messages: list[BaseMessage]) -> list[BaseMessage]:
        return [_marked(m, shared) for m in messages]

    return mark


def _marked(message: BaseMessage, shared: str) -> BaseMessage:
    if isinstance(message, SystemMessage) and message.text.startswith(shared + "\n\n"):
        return system_message(shared, message.text[len(shared) + 2 :])
    return message


def warm(model: BaseChatModel, settings: Settings) -> None:
    """Evaluate (or restore) the prefix Layer8's turns share, rendered as the clients' requests render it:
    the same instructions and the same tools in the same order, so every subscriber's turn resumes from it."""
    try:
        warmed = warm_model(model, settings.operator_name)
    except Exception as exc:  # a failed warm-up only makes the first request slower
        logger.warning("warming the shared prompt prefix failed (%s)", type(exc).__name__)
        return
    if warmed is not None:
        logger.info("shared prefix ready: %d tokens (%s)", warmed.tokens, warmed.source)
