"""The model's part of an advice answer: a short framing of the playbook steps the server picked.

The steps are already shown in the playbooks' own words (``tools/advice.py``); the model adds one or two
sentences tying them to this person's business — which step to start with and why. Its prompt is small and
starts with the same text for everyone (the prompt cache keeps it evaluated), and its length is capped,
because each generated token costs 50–90 ms on a slow 2-core machine.
"""

from __future__ import annotations

import logging
from collections.abc import Generator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

import prompts
from tools.context import Advice

logger = logging.getLogger(__name__)
MAX_TOKENS = 90


def frame(model: BaseChatModel, advice: Advice, *, business: str, operator: str) -> Generator[str, None, str]:
    """Stream the framing; return it whole ('' when the model fails: the steps stand on their own)."""
    messages = [
        SystemMessage(prompts.render("advice_frame", operator=operator)),
        HumanMessage(
            prompts.render("advice_request", business=business, question=advice.question, steps=advice.steps)
        ),
    ]
    said: list[str] = []
    try:
        for chunk in model.bind(max_tokens=MAX_TOKENS).stream(messages):
            text = chunk.text if isinstance(chunk, AIMessageChunk) else ""
            if text:
                said.append(text)
                yield text
    except Exception:
        logger.warning("framing the advice failed; the steps are sent without it", exc_info=True)
        return ""
    return "".join(said).strip()
