"""What the server does, without any model, when a person presses a button or types an explicit yes/no.

Confirm/cancel settle a pending action; accept/decline answer an introduction (the button press is the
person's own decision, so accepting shares contact details at once); feedback marks a message. After a
confirmation the onboarding steps that follow (consent question, first suggestions) are added here too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from assistant import meeting, nps, onboarding, replies
from assistant.executors import accepted_text
from assistant.messages import Action, OutboundReply
from network.db import Database
from network.errors import IllegalTransition, Layer8Error, NotFound
from network.models import Conversation, Introduction, IntroductionState, Message, PendingAction, Subscriber
from network.pending import Outcome, PendingActions, view
from network.services import events, introductions, one_to_ones
from tools import event_words, phrases
from tools.context import ToolContext
from tools.ports import Ports

logger = logging.getLogger(__name__)


@dataclass
class ActionHandler:
    db: Database
    pending: PendingActions
    ports: Ports

    def handle(self, ctx: ToolContext, action: Action) -> OutboundReply:
        try:
            if action.kind == "confirm":
                return self.confirm(ctx, action.target_id)
            if action.kind == "cancel":
                return self.cancel(ctx, action.target_id)
            if action.kind == "nps":
                return nps.press(self.db, ctx, action)
            if action.kind in ("accept_intro", "decline_intro"):
                return self.answer_intro(ctx, action.target_id, accept=action.kind == "accept_intro")
            if action.kind == "rsvp":
                return self.rsvp(ctx, action.target_id, going=action.value == "yes")
            if action.kind == "meet":
                return meeting.press(self.db, ctx, action)
            return self.feedback(ctx, action)
        except NotFound:
            return replies.text(phrases.NOT_YOURS, error_code="not_found")
        except Layer8Error as exc:
            return replies.text(phrases.ACTION_FAILED.format(reason=exc.message), error_code=exc.code)

    def confirm(self, ctx: ToolContext, action_id: str) -> OutboundReply:
        outcome = self.pending.confirm(ctx.subscriber_id, action_id)
        reply = replies.text(outcome.text or phrases.ALREADY_DONE, private=outcome.kind == "share_contact")
        if not outcome.repeated:
            self._after_confirm(ctx, outcome, reply)
        return reply

    def cancel(self, ctx: ToolContext, action_id: str) -> OutboundReply:
        return replies.text(self.pending.cancel(ctx.subscriber_id, action_id).text)

    def _after_confirm(self, ctx: ToolContext, outcome: Outcome, reply: OutboundReply) -> None:
        with self.db.transaction(ctx.actor) as session:
            if outcome.kind == "confirm_profile" and onboarding.ready_for_consent(session, ctx):
                action = session.get(PendingAction, onboarding.propose_consent(session, ctx))
                assert action is not None
                replies.ask_to_confirm(reply, view(action), question=phrases.CONSENT_QUESTION)
            elif outcome.kind == "change_consent" and outcome.result.get("onboarding"):
                self._welcome(session, ctx, outcome, reply)

    def _welcome(self, session: Session, ctx: ToolContext, outcome: Outcome, reply: OutboundReply) -> None:
        if not outcome.result.get("consent", {}).get("discoverable"):
            return
        try:
            matcher = self.ports.matcher.get()
        except LookupError:
            return
        matches = onboarding.first_introductions(session, ctx, matcher)
        if matches:
            reply.text += f"\n\n{phrases.FIRST_INTRODUCTIONS}"
            reply.items = replies.match_items(matches)
            reply.text += "\n" + "\n".join(f"• {m.business_name}: {' '.join(m.reasons[:1])}" for m in matches)
            reply.text += f"\n{phrases.ASK_FOR_INTRO_HINT}"
        else:
            reply.text += f"\n\n{phrases.NO_INTRODUCTIONS_YET}"

    def answer_intro(self, ctx: ToolContext, introduction_id: str, *, accept: bool) -> OutboundReply:
        with self.db.transaction(ctx.actor) as session:
            intro = session.get(Introduction, introduction_id)
            if intro is None or intro.target_id != ctx.subscriber_id:
                raise NotFound("no such introduction for you")
            try:
                introductions.respond(session, ctx.subscriber_id, introduction_id, accept=accept)
            except IllegalTransition:
                return self._already_answered(session, ctx, intro)
            if accept:
                card = introductions.contact_card(session, introduction_id, ctx.subscriber_id)
                one_to_one = one_to_ones.of_introduction(session, intro.id)
                if one_to_one is None:
                    return replies.text(accepted_text(card), private=True)
                reply = meeting.slot_reply(
                    session, one_to_one, intro, ctx.subscriber_id, text=accepted_text(card)
                )
                reply.private = True  # a one-to-one after an event: pick a time at once
                return reply
            other = session.get(Subscriber, intro.requester_id)
            name = other.business_name if other else "they"
            return replies.text(phrases.INTRO_DECLINED.format(other=name))

    def _already_answered(self, session: Session, ctx: ToolContext, intro: Introduction) -> OutboundReply:
        if intro.state == IntroductionState.ACCEPTED.value:
            card = introductions.contact_card(session, intro.id, ctx.subscriber_id)
            return replies.text(f"{phrases.ALREADY_DONE} {accepted_text(card)}", private=True)
        return replies.text(phrases.ALREADY_DONE)

    def rsvp(self, ctx: ToolContext, event_id: str, *, going: bool) -> OutboundReply:
        """Going / Can't go pressed on an invitation: the person's own answer, recorded at once."""
        with self.db.transaction(ctx.actor) as session:
            row = events.rsvp(session, event_id, ctx.subscriber_id, going=going)
            return replies.text(event_words.answered(events.require(session, event_id), row.state))

    def feedback(self, ctx: ToolContext, action: Action) -> OutboundReply:
        with self.db.transaction(ctx.actor) as session:
            message = session.get(Message, action.target_id)
            owner = session.get(Conversation, message.conversation_id) if message else None
            if message is None or owner is None or owner.subscriber_id != ctx.subscriber_id:
                raise NotFound("no such message")
            message.feedback = 1 if (action.value or "").strip() in ("1", "+1", "up", "good") else -1
        return replies.text(phrases.FEEDBACK_THANKS)
