"""The messages a model sees for one turn: the system prompt (shared instructions, then this person's
session: the onboarding interview while the profile is empty, the thread's summary), recent history, and the
new message.

The layout keeps one prefix byte-identical for everyone: the shared instructions, then the tools block, and
only then the session (the embedded model's template places the session message after the tools, see
``assistant/llm/template.py``). That prefix is evaluated once and kept on disk (``assistant/warmup.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.orm import Session

import prompts
from assistant import onboarding
from assistant.llm.template import system_message
from network import conversations
from network.models import Conversation, Message, Profile, Subscriber
from tools import phrases

CONTEXT_CHARS = 1500
# earlier messages are clipped in the prompt: every token is evaluated on the model's time (about 20 ms a
# token on a slow 2-core machine), and the server's own long replies (a profile, playbook steps) matter to
# the next turn by their first lines (what was listed, what was asked)
REPLY_CHARS = 240
SAID_CHARS = 200
_NAMES = re.compile(r"\b(?:[A-Z][\w'&-]+ )+(?:[A-Z][\w'&-]+)")  # capitalised runs: business names
RECENT_MESSAGES = 6
# the conversation so far is told only to a message that refers back to it (or during the onboarding
# interview, whose answers need their questions): with it, the embedded model answered "I need a good
# accountant" by asking for an introduction to the marketing firm it had just listed; alone, each request
# is the single message it chooses tools for best
_REFERS = re.compile(
    r"\b(first|second|third|last|one|ones|them|they|their|it|that|this|those|these|him|her|yes|no|ok|"
    r"same|above|earlier|again|before|said|say|previous)\b",
    re.IGNORECASE,
)  # the newest messages told in the session; older ones live in the summary


def system_messages(
    session: Session,
    subscriber: Subscriber,
    conversation: Conversation,
    *,
    operator: str,
    today: date,
    recent: str = "",
) -> list[SystemMessage]:
    profile = session.get(Profile, subscriber.id)
    return render_system(
        business_name=subscriber.business_name,
        missing=onboarding.missing(profile) if onboarding.is_new(profile) else None,
        summary=conversation.summary,
        operator=operator,
        today=today,
        recent=recent,
    )


def render_system(
    *,
    business_name: str,
    missing: list[str] | None,
    summary: str | None,
    operator: str,
    today: date,
    recent: str = "",
) -> list[SystemMessage]:
    """One system message: the shared instructions, then this person's session (also used by the evals).

    One message, not two: with the session as a second system message (rendered after the tools block) the
    embedded model chose the right tool less often (0.71 vs 0.81 on the hard cases of the tools eval). The
    message marks where the session starts, so the embedded model renders it after the tools block inside
    the same system turn, and the instructions and tools stay one prefix shared by everyone.
    """
    person = prompts.render(
        "session",
        today=today.isoformat(),
        business_name=business_name,
        onboarding=prompts.render("onboarding", missing=", ".join(missing)) if missing is not None else "",
        summary=prompts.render("conversation_summary", summary=summary) if summary else "",
        recent=prompts.render("recent_turns", turns=recent) if recent else "",
    )
    return [system_message(shared_instructions(operator), person.strip())]


def shared_instructions(operator: str) -> str:
    """The instructions every conversation starts with, identical for everyone."""
    return prompts.render("system", operator=operator).strip()


def prefix_variants(operator: str) -> Sequence[list[BaseMessage]]:
    """Two turns of different people on different days: what they share is the shared prefix."""
    return [
        [*render_system(business_name=name, missing=None, summary=None, operator=operator, today=day), user]
        for name, day, user in (
            ("Acme Plumbing", date(2001, 1, 1), HumanMessage("hello")),
            ("Zeta Bakery", date(2099, 12, 31), HumanMessage("thanks")),
        )
    ]


def turn_messages(
    session: Session,
    subscriber: Subscriber,
    conversation: Conversation,
    text: str,
    *,
    operator: str,
    today: date,
    thread: tuple[str, ...] = (),
) -> list[BaseMessage]:
    """System prompt (with the recent turns told in a few lines), then the new message.

    The conversation so far is told inside the session, not replayed as chat turns: replayed, the embedded
    model imitated the server's replies (a list of invented accounting firms in the words of the marketing
    list before it) or, shown them as tool results, answered the previous message instead of the new one.
    Each turn then looks to the model like the single requests it chooses tools for best.
    """
    history = conversations.recent(session, conversation, conversations.HISTORY_LIMIT + 1)[:-1]
    recent = ""
    if _refers_back(text) or onboarding.is_new(session.get(Profile, subscriber.id)):
        recent = "\n".join(_told(m) for m in history[-RECENT_MESSAGES:] if m.content not in phrases.APOLOGIES)
    messages: list[BaseMessage] = [
        *system_messages(session, subscriber, conversation, operator=operator, today=today, recent=recent)
    ]
    if thread:
        earlier = "\n".join(" ".join(m.split()) for m in thread)[-CONTEXT_CHARS:]
        messages.append(HumanMessage(prompts.render("thread_context", messages=earlier)))
    messages.append(HumanMessage(text))
    return messages


def _refers_back(text: str) -> bool:
    """Whether the message points at something said before ("the first one", "yes", "them", "that")."""
    return bool(_REFERS.search(text))


def _told(message: Message) -> str:
    if message.role != "assistant":
        return f"- They said: {_clip(message.content, SAID_CHARS)}"
    # only the names an earlier reply showed, so "introduce me to the first one" can be resolved: its
    # sentences, in the history, were copied by the embedded model as the answer to the next request
    names = _NAMES.findall(message.content)
    return f"- You showed: {', '.join(dict.fromkeys(names))}" if names else "- You answered."


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
