"""Plays a scenario against the real assistant: the cast joins a fresh seeded network, the records the
scenario starts from are written, then the simulated user speaks and presses buttons turn by turn.

The simulated user is scripted but not blind: when a step presses a button that the last reply does not
show (a real model may word things differently), it types the step's fallback instead ("yes" for Confirm),
as a person would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.messages import Action, InboundMessage, OutboundReply
from assistant.service import Assistant
from composition.container import Layer8
from evals.judge import accepted_partners
from evals.reply_check import Records, records_of
from evals.scenario import Member, Scenario, Step, resolve
from evals.scripted import Script
from network.actor import Actor
from network.models import Conversation, Introduction, IntroductionState, Message
from network.services import consent, introductions, profiles, referrals
from network.services.subscribers import block, create_subscriber

CHANNEL = "eval"


@dataclass
class Turn:
    actor: str
    sent: str  # what the simulated user typed or pressed
    reply: str
    tool_calls: list[dict[str, Any]]
    error_code: str | None
    seconds: float
    allowed: frozenset[str] = frozenset()  # whose contact details this actor may see after this turn
    records: tuple[Records, ...] = ()  # the actor's records before and after the turn (the reply check)


@dataclass
class Transcript:
    ids: dict[str, str]
    turns: list[Turn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the scenario could not be played as written

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.turns)


def contact_of(index: int, member: Member) -> tuple[str, str]:
    """Cast contact details: example.com e-mails, phone numbers in Ofcom's drama range (020 7946 0xxx)."""
    slug = "".join(ch for ch in member.name.lower() if ch.isalnum())[:24] or member.alias
    email = member.email or f"owner@{slug}.example.com"
    phone = member.phone or f"+44 20 7946 0{100 + index:03d}"
    return email, phone


def join_cast(layer8: Layer8, scenario: Scenario) -> dict[str, str]:
    ids: dict[str, str] = {}
    with layer8.db.transaction(Actor.system("eval")) as session:
        for index, member in enumerate(scenario.cast):
            email, phone = contact_of(index, member)
            sub = create_subscriber(
                session,
                member.name,
                contact_email=email,
                contact_phone=phone,
                contact_name=f"{member.name.split()[0]} Owner",
            )
            if member.profile:
                profiles.update_profile(session, sub.id, member.profile)
            if member.consent is not None:
                for kind in ("discoverable", "contactable"):
                    consent.set_consent(session, sub.id, kind, member.consent, channel="eval")
            ids[member.alias] = sub.id
    return ids


def run_setup(layer8: Layer8, scenario: Scenario, ids: dict[str, str]) -> None:
    """Records the conversation starts from: referrals, introductions, blocks."""
    with layer8.db.transaction(Actor.system("eval")) as session:
        for raw in scenario.setup:
            item = resolve(raw, ids)
            if "referral" in item:
                r = item["referral"]
                referrals.log_referral(
                    session,
                    r["giver"],
                    r["receiver"],
                    prospect_name=r.get("prospect"),
                    hotness=int(r.get("hotness", 3)),
                    note=r.get("note"),
                )
            elif "introduction" in item:
                i = item["introduction"]
                intro = introductions.request(session, i["requester"], i["target"], message=i.get("message"))
                if i.get("state") == "accepted":
                    introductions.respond(session, i["target"], intro.id, accept=True)
            elif "block" in item:
                block(session, item["block"]["blocker"], item["block"]["blocked"])
            else:
                raise ValueError(f"{scenario.id}: unknown setup item {sorted(item)}")


class Player:
    def __init__(self, layer8: Layer8, script: Script | None) -> None:
        self.layer8 = layer8
        self.assistant: Assistant = layer8.assistant
        self.script = script
        self.last: dict[str, OutboundReply] = {}

    def play_cast_and_setup(self, scenario: Scenario) -> Transcript:
        ids = join_cast(self.layer8, scenario)
        run_setup(self.layer8, scenario, ids)
        return Transcript(ids)

    def play_turns(self, scenario: Scenario, transcript: Transcript) -> None:
        actor = scenario.first_actor
        for number, step in enumerate(scenario.steps, start=1):
            actor = step.actor or actor
            if actor not in transcript.ids:
                transcript.problems.append(f"step {number}: no cast member {actor!r}")
                break
            self._step(transcript, number, actor, step)

    def _step(self, transcript: Transcript, number: int, actor: str, step: Step) -> None:
        if self.script is not None:
            self.script.load(step.fake, transcript.ids)
            missing_before = self.script.missing
        message, sent = self._message(transcript, actor, step)
        with self.layer8.db.read() as session:
            before = records_of(session, transcript.ids[actor])
        started = time.perf_counter()
        reply = self.assistant.handle(message)
        seconds = time.perf_counter() - started
        self.last[actor] = reply
        with self.layer8.db.read() as session:
            allowed = frozenset(accepted_partners(session, transcript.ids[actor]))
            records = (before, records_of(session, transcript.ids[actor]))
            calls = _calls(session, transcript.ids[actor], reply)
        turn = Turn(actor, sent, _shown(reply), calls, reply.error_code, seconds, allowed, records)
        transcript.turns.append(turn)
        refused_early = reply.error_code is not None and not calls  # e.g. too long: no model was asked
        out_of_step = self.script is not None and (
            self.script.leftover or self.script.missing > missing_before
        )
        if self.script is not None and out_of_step and not refused_early:
            transcript.problems.append(
                f"step {number}: fake script out of step ({self.script.leftover} moves unused, "
                f"{self.script.missing - missing_before} replies unscripted)"
            )

    def _message(self, transcript: Transcript, actor: str, step: Step) -> tuple[InboundMessage, str]:
        sub = transcript.ids[actor]
        thread = f"eval-{actor}"
        if step.answer_intro is not None:
            requester, accept = step.answer_intro
            target = transcript.ids.get(step.intro_target or actor, sub)
            intro_id = self._waiting_intro(transcript.ids.get(requester, requester), target)
            action = Action("accept_intro" if accept else "decline_intro", intro_id)
            return InboundMessage(CHANNEL, thread, sub, action=action), f"[{action.kind}]"
        if step.press:
            shown = self.last.get(step.source or actor)
            button = next((b for b in _buttons(shown) if b.label == step.press), None)
            if button is not None:
                return InboundMessage(CHANNEL, thread, sub, action=button.action), f"[{step.press}]"
            text = step.otherwise or step.press
            return InboundMessage(CHANNEL, thread, sub, text=text), text
        text = step.say or ""
        return InboundMessage(CHANNEL, thread, sub, text=text), text

    def _waiting_intro(self, requester_id: str, target_id: str) -> str:
        with self.layer8.db.read() as session:
            found = session.scalar(
                select(Introduction.id)
                .where(
                    Introduction.requester_id == requester_id,
                    Introduction.target_id == target_id,
                    Introduction.state == IntroductionState.REQUESTED.value,
                )
                .order_by(Introduction.created_at.desc())
            )
        return found or "int_none"


def _calls(session: Session, subscriber_id: str, reply: OutboundReply) -> list[dict[str, Any]]:
    """The turn's tool calls, each with its error code when it failed (as the assistant stored them)."""
    calls = [{"name": c.name, "args": c.args} for c in reply.tool_calls]
    stored = session.scalars(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.subscriber_id == subscriber_id, Message.role == "assistant")
        .order_by(Message.at.desc(), Message.seq.desc())
        .limit(1)
    ).first()
    if stored is not None and stored.content == reply.text:
        runs = [c for c in stored.tool_calls or [] if isinstance(c, dict) and "name" in c]
        if [r["name"] for r in runs] == [c["name"] for c in calls]:
            for call, run in zip(calls, runs, strict=True):
                if run.get("error"):
                    call["error"] = run["error"]
    return calls


def _buttons(reply: OutboundReply | None) -> list[Any]:
    return list(reply.buttons) if reply is not None else []


def _shown(reply: OutboundReply) -> str:
    """Everything the person sees: text, options, and the pending action's summary."""
    summary = (reply.pending_action or {}).get("summary") or ""
    return f"{reply.text_fallback()}\n{summary}".strip()
