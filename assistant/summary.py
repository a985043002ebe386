"""Folding the older part of a long thread into a short summary, so prompts stay within the model's window.

Runs after a reply has been sent and saved; a failure only means the thread is summarised later (the prompt
already caps how much history it carries), never a lost answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

import prompts
from network import conversations
from network.db import Database

logger = logging.getLogger(__name__)
TRANSCRIPT_CHARS = 300  # per message: the summary's prompt is evaluated on the model's time


@dataclass
class Summariser:
    db: Database
    model: BaseChatModel
    # unsummarised messages that trigger a summary: the prompt's history limit, so the history only grows
    # between summaries and each turn's prompt extends the last one (the model's cache then covers it)
    threshold: int = conversations.HISTORY_LIMIT
    keep: int = 4  # newest messages left out of the summary (still verbatim in the prompt)

    def maybe_summarise(self, conversation_id: str) -> bool:
        with self.db.read() as session:
            if conversations.count_unsummarised(session, conversation_id) < self.threshold:
                return False
            conversation, messages = conversations.unsummarised(session, conversation_id)
            if conversation is None or len(messages) < self.threshold:
                return False
            older = messages[: -self.keep]
            previous = conversation.summary or "(none)"
            transcript = "\n".join(f"{m.role}: {m.content[:TRANSCRIPT_CHARS]}" for m in older)
            upto = older[-1].seq
        prompt = prompts.render("summarise", previous=previous, transcript=transcript)
        try:
            summary = self.model.invoke([HumanMessage(prompt)]).text.strip()
        except Exception:
            logger.warning(
                "summarising conversation %s failed; will retry later", conversation_id, exc_info=True
            )
            return False
        if not summary:
            return False
        with self.db.transaction() as session:
            conversation, _ = conversations.unsummarised(session, conversation_id)
            if conversation is None or conversation.summarised_upto >= upto:
                return False
            conversation.summary, conversation.summarised_upto = summary[:4000], upto
        logger.info("conversation %s summarised up to message %d", conversation_id, upto)
        return True
