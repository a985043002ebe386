"""The messages a model sees for one turn: the system prompt (with the person's confirmed profile, the
onboarding interview while it is empty, the thread's summary), recent history, and the new message.
"""

from __future__ import annotations

from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.orm import Session

import prompts
from assistant import conversations, onboarding
from network.models import Conversation, Profile, Subscriber

SNAPSHOT_FIELDS = (
    "description",
    "offers",
    "needs",
    "ideal_customers",
    "bottlenecks",
    "goals",
    "naics_title",
    "locality",
    "region",
    "growth_stage",
)
FIELD_CHARS = 200
CONTEXT_CHARS = 1500


def system_prompt(
    session: Session, subscriber: Subscriber, conversation: Conversation, *, operator: str, today: date
) -> str:
    profile = session.get(Profile, subscriber.id)
    snapshot = _snapshot(profile)
    return prompts.render(
        "system",
        operator=operator,
        today=today.isoformat(),
        business_name=subscriber.business_name,
        profile=prompts.render("profile_snapshot", fields=snapshot) if snapshot else "",
        onboarding=(
            prompts.render("onboarding", missing=", ".join(onboarding.missing(profile)))
            if onboarding.is_new(profile)
            else ""
        ),
        summary=(
            prompts.render("conversation_summary", summary=conversation.summary)
            if conversation.summary
            else ""
        ),
    )


def _snapshot(profile: Profile | None) -> str:
    if profile is None:
        return ""
    lines = []
    for name in SNAPSHOT_FIELDS:
        value = getattr(profile, name)
        if value:
            text = " ".join(str(value).split())[:FIELD_CHARS]
            lines.append(f"{name}: {text}")
    return "\n".join(lines)


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
    """System prompt, recent history (without the message just stored), then the new message."""
    messages: list[BaseMessage] = [
        SystemMessage(system_prompt(session, subscriber, conversation, operator=operator, today=today))
    ]
    if thread:
        earlier = "\n".join(" ".join(m.split()) for m in thread)[-CONTEXT_CHARS:]
        messages.append(HumanMessage(prompts.render("thread_context", messages=earlier)))
    history = conversations.recent(session, conversation, conversations.HISTORY_LIMIT + 1)[:-1]
    for message in history:
        if message.role == "assistant":
            messages.append(AIMessage(message.content))
        else:
            messages.append(HumanMessage(message.content))
    messages.append(HumanMessage(text))
    return messages
