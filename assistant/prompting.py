"""The messages a model sees for one turn: the shared system prompt, this person's session (with the
onboarding interview while the profile is empty, and the thread's summary), recent history, the new message.
"""

from __future__ import annotations

from datetime import date

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.orm import Session

import prompts
from assistant import conversations, onboarding
from network.models import Conversation, Profile, Subscriber

CONTEXT_CHARS = 1500


def system_messages(
    session: Session, subscriber: Subscriber, conversation: Conversation, *, operator: str, today: date
) -> list[SystemMessage]:
    profile = session.get(Profile, subscriber.id)
    return render_system(
        business_name=subscriber.business_name,
        missing=onboarding.missing(profile) if onboarding.is_new(profile) else None,
        summary=conversation.summary,
        operator=operator,
        today=today,
    )


def render_system(
    *, business_name: str, missing: list[str] | None, summary: str | None, operator: str, today: date
) -> list[SystemMessage]:
    """The shared instructions, then this person's session (also used by the offline evals)."""
    shared = prompts.render("system", operator=operator)
    person = prompts.render(
        "session",
        today=today.isoformat(),
        business_name=business_name,
        onboarding=prompts.render("onboarding", missing=", ".join(missing)) if missing is not None else "",
        summary=prompts.render("conversation_summary", summary=summary) if summary else "",
    )
    return [SystemMessage(shared), SystemMessage(person)]


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
        *system_messages(session, subscriber, conversation, operator=operator, today=today)
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
