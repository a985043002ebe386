"""Onboarding: a new subscriber is interviewed, confirms a proposed profile, is asked for consent in plain
words, and ends with the first suggested introductions (Lunchclub: 80% of sign-ups never reached a match).

The interview is the model's job (``prompts/onboarding.md`` while the profile is empty); the steps after it
are the server's, so they happen the same way with any model: confirming the profile proposes the consent
question, and granting consent brings the first suggestions.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import pending
from network.models import PendingAction, PendingActionState, Profile
from network.services import consent, introductions
from tools import phrases
from tools.context import ToolContext
from tools.ports import Match, Matcher, as_match

logger = logging.getLogger(__name__)

TOPICS = ("offers", "needs", "ideal_customers", "bottlenecks", "goals", "locality")
FIRST_SUGGESTIONS = 3


def is_new(profile: Profile | None) -> bool:
    """Nothing confirmed yet about what the business does, offers or needs."""
    return profile is None or not (profile.offers or profile.needs or profile.description)


def missing(profile: Profile | None) -> list[str]:
    return [t for t in TOPICS if profile is None or not getattr(profile, t)]


def consent_never_asked(session: Session, subscriber_id: str) -> bool:
    return not consent.history(session, subscriber_id)


def propose_consent(session: Session, ctx: ToolContext) -> str:
    """The plain-words consent question as a pending action; returns its id."""
    choices = " and ".join(phrases.CONSENT_WORDS.values())
    action = pending.propose(
        session,
        ctx,
        "change_consent",
        phrases.SUMMARY_CONSENT.format(choices=choices),
        {"discoverable": True, "contactable": True, "channel": ctx.channel, "onboarding": True},
    )
    return action.id


def ready_for_consent(session: Session, ctx: ToolContext) -> bool:
    """Profile confirmed, consent never recorded, and no consent question already open."""
    profile = session.get(Profile, ctx.subscriber_id)
    if is_new(profile) or not consent_never_asked(session, ctx.subscriber_id):
        return False
    open_kinds = {a.kind for a in _open_actions(session, ctx)}
    return "change_consent" not in open_kinds


def first_introductions(session: Session, ctx: ToolContext, matcher: Matcher) -> list[Match]:
    """The first suggestions after consent, logged like any other suggestion."""
    try:
        found = [as_match(m) for m in matcher.suggest(ctx.subscriber_id, FIRST_SUGGESTIONS)]
    except Exception:  # no suggestions is a worse welcome than a late one, but not an error
        logger.warning("first introductions unavailable", exc_info=True)
        return []
    for m in found:
        introductions.suggest(
            session, ctx.subscriber_id, m.subscriber_id, score=m.score, parts=m.parts, reasons=m.reasons
        )
    return found


def _open_actions(session: Session, ctx: ToolContext) -> list[PendingAction]:
    return list(
        session.scalars(
            select(PendingAction).where(
                PendingAction.subscriber_id == ctx.subscriber_id,
                PendingAction.state == PendingActionState.PENDING.value,
            )
        )
    )
