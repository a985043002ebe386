"""The NPS survey in the conversation: asked after an ordinary answer, answered with a button or a number.

It is asked when it is due — none in the last period (90 days by default), the profile is past onboarding,
the conversation has had a few turns, nothing waits for the person's confirmation, and this turn ran no
tool and showed no list (never in the middle of a flow). The score comes from a 0–10 button (or the number
typed), then "What is the main reason?" takes the next message (within half an hour), or Skip.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant import onboarding, replies
from assistant.messages import Action, Button, OutboundReply
from network.db import Database
from network.models import Message, PendingAction, PendingActionState, Profile
from network.services import nps
from tools import phrases
from tools.context import ToolContext

MIN_TURNS = 3  # the person's messages in this conversation before a survey may be asked
_SCORE = re.compile(r"^\s*(\d{1,2})\s*[.!]?\s*$")
LOWEST = "0-1"  # the value of the row that stands for 0 and 1 where a list holds ten rows (WhatsApp)


def due(session: Session, ctx: ToolContext, period: timedelta) -> bool:
    sid = ctx.subscriber_id
    if ctx.conversation_id is None or onboarding.is_new(session.get(Profile, sid)):
        return False
    waiting = select(PendingAction.id).where(
        PendingAction.subscriber_id == sid, PendingAction.state == PendingActionState.PENDING.value
    )
    if session.scalars(waiting.limit(1)).first() is not None:
        return False
    turns = session.scalar(
        select(func.count()).where(Message.conversation_id == ctx.conversation_id, Message.role == "user")
    )
    return int(turns or 0) >= MIN_TURNS and nps.is_due(session, sid, period)


def ask_if_due(
    db: Database, ctx: ToolContext, reply: OutboundReply, *, operator: str, period: timedelta
) -> None:
    """Append the survey to ``reply`` when one is due (read first: usually it is not)."""
    with db.read() as session:
        if not due(session, ctx, period):
            return
    with db.transaction(ctx.actor) as session:
        if not due(session, ctx, period):
            return
        survey = nps.open_survey(session, ctx.subscriber_id, ctx.channel)
        reply.text = f"{reply.text}\n\n{phrases.NPS_QUESTION.format(operator=operator)}"
        reply.buttons = [Button(str(n), Action("nps", survey.id, str(n))) for n in range(11)]


def press(db: Database, ctx: ToolContext, action: Action) -> OutboundReply:
    """A 0–10 button, or Skip on the reason question."""
    with db.transaction(ctx.actor) as session:
        if action.value == "skip":
            survey = nps.waiting(session, ctx.subscriber_id, nps.SCORED, nps.REASON_FOR)
            if survey is not None and survey.id == action.target_id:
                nps.record_reason(session, survey, None)
            return replies.text(phrases.NPS_SKIPPED)
        value = action.value or ""
        if value == LOWEST:  # WhatsApp's list row for the two lowest scores: which one?
            return _lowest(session, ctx, action.target_id)
        score = int(value) if value.isdigit() else -1
        survey = nps.record_score(session, ctx.subscriber_id, action.target_id, score)
        if survey.state != nps.SCORED or survey.score != score:
            return replies.text(phrases.NPS_ALREADY)
        reply = replies.text(phrases.NPS_REASON)
        reply.buttons = [Button(phrases.NPS_SKIP_LABEL, Action("nps", survey.id, "skip"))]
        return reply


def _lowest(session: Session, ctx: ToolContext, survey_id: str) -> OutboundReply:
    """The 0-or-1 follow-up (WhatsApp: a list holds ten rows, the scale has eleven): two buttons."""
    asked = nps.waiting(session, ctx.subscriber_id, nps.ASKED, nps.OPEN_FOR)
    if asked is None or asked.id != survey_id:
        return replies.text(phrases.NPS_ALREADY)
    reply = replies.text(phrases.NPS_LOWEST)
    reply.buttons = [Button(str(n), Action("nps", survey_id, str(n))) for n in (0, 1)]
    return reply


def typed(db: Database, ctx: ToolContext, text: str) -> OutboundReply | None:
    """A typed score for a survey just asked, or the reason for one just scored; else ``None``."""
    with db.read() as session:
        asked = nps.waiting(session, ctx.subscriber_id, nps.ASKED, nps.OPEN_FOR)
        scored = nps.waiting(session, ctx.subscriber_id, nps.SCORED, nps.REASON_FOR)
        asked_id, scored_id = (asked.id if asked else None), (scored.id if scored else None)
    match = _SCORE.match(text)
    if asked_id is not None and match and int(match.group(1)) <= 10:
        return press(db, ctx, Action("nps", asked_id, match.group(1)))
    if scored_id is None:
        return None
    with db.transaction(ctx.actor) as session:
        survey = nps.waiting(session, ctx.subscriber_id, nps.SCORED, nps.REASON_FOR)
        if survey is None:
            return None
        nps.record_reason(session, survey, text)
    return replies.text(phrases.NPS_THANKS)
