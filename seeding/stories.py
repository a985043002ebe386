"""The stories a replayed history is made of, each planned as steps on a :class:`~seeding.timeline.Timeline`.

Every choice (who, when, which outcome, how much) is drawn from the seed while planning; the steps only
call the domain services with what was drawn, so the order of replay cannot change the result.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.ids import utcnow
from network.models import Subscriber
from network.money import Money
from network.services import deals, feedback, introductions, referrals
from network.services.handoffs import Handoffs, hand_off
from ossbss.incentives import Incentives
from seeding.members import Member
from seeding.outcomes import Box, incentive_of, outcomes, pick
from seeding.timeline import Timeline

AGENT = "demo-agent"
DEAL_POUNDS = (180, 240, 350, 480, 650, 900, 1200, 1500, 2400, 3200, 4800, 7500)
INTRODUCTION_OUTCOMES = {
    "suggested": 0.2,
    "requested": 0.12,
    "accepted": 0.38,
    "declined": 0.15,
    "expired": 0.15,
}
REFERRAL_OUTCOMES = {"open": 0.15, "contacted": 0.12, "meeting": 0.13, "won": 0.4, "lost": 0.2}
REFERRAL_PATH = {
    "open": (),
    "contacted": ("contacted",),
    "meeting": ("contacted", "meeting"),
    "won": ("contacted", "meeting"),  # recording the deal makes it won
    "lost": ("contacted", "lost"),
}
# days ago a referral of each outcome starts: late enough for its steps (and a won one's deal) to happen
REFERRAL_WINDOWS = {
    "open": (1, 10),
    "contacted": (5, 80),
    "meeting": (10, 80),
    "won": (30, 80),
    "lost": (15, 80),
}
CHANNELS = ("web", "whatsapp", "slack")


@dataclass(frozen=True)
class Script:
    """What people say in the demo history (``seeding/data/history.toml``)."""

    conversations: list[dict[str, str]]
    handoffs: list[dict[str, str]]
    referral_notes: list[str]
    prospects: list[str]
    deal_descriptions: list[str]
    agent_replies: list[str]

    @classmethod
    def load(cls) -> Script:
        text = resources.files("seeding").joinpath("data/history.toml").read_text(encoding="utf-8")
        data: dict[str, Any] = tomllib.loads(text)
        return cls(
            conversations=data["conversation"],
            handoffs=data["handoff"],
            referral_notes=data["referral_notes"],
            prospects=data["prospects"],
            deal_descriptions=data["deal_descriptions"],
            agent_replies=data["agent_replies"],
        )


class Stories:
    def __init__(
        self,
        db: Database,
        incentives: Incentives,
        timeline: Timeline,
        rng: random.Random,
        script: Script,
        *,
        seed: int,
    ) -> None:
        self.db, self.incentives, self.timeline = db, incentives, timeline
        self.rng, self.script, self.seed = rng, script, seed
        self.now = timeline.now
        self.deals_planned = 0
        self.reversal_planned = False
        self.conversations = 0

    # --- planning ---------------------------------------------------------------------------------------
    def tell(self, people: list[Member], *, start: datetime) -> None:
        self.start = start
        open_to_requests = [m for m in people if m.discoverable and m.contactable]
        if len(people) < 3 or not open_to_requests:
            return
        pairs = self._pairs(people, open_to_requests, max(8, len(people) // 2))
        for (requester, target), outcome in zip(
            pairs, outcomes(self.rng, INTRODUCTION_OUTCOMES, len(pairs)), strict=True
        ):
            self.introduction(requester, target, outcome)
        for outcome in outcomes(self.rng, REFERRAL_OUTCOMES, max(6, len(people) // 8)):
            giver, receiver = self.rng.sample(people, 2)
            self.referral(giver, receiver, outcome, after=self.start)
        if len(people) >= 6:
            self.ring(self.rng.sample(people, 3))
        for _ in range(max(6, len(people) // 4)):
            self.conversation(self.rng.choice(people))
        handoffs = max(4, min(8, len(people) // 25))
        for number in range(handoffs):
            self.handoff(
                self.rng.choice(people), waiting=number >= handoffs - 3, assigned=number == handoffs - 3
            )

    def _pairs(self, people: list[Member], targets: list[Member], count: int) -> list[tuple[Member, Member]]:
        """Distinct pairs (in either direction) of a requester and a target open to requests."""
        seen: set[frozenset[str]] = set()
        pairs = []
        for _ in range(count * 4):
            requester, target = self.rng.choice(people), self.rng.choice(targets)
            key = frozenset((requester.id, target.id))
            if requester.id != target.id and key not in seen:
                seen.add(key)
                pairs.append((requester, target))
            if len(pairs) == count:
                break
        return pairs

    def _ago(self, low_days: float, high_days: float) -> datetime:
        """A moment during working hours between ``high_days`` and ``low_days`` ago."""
        day = self.now - timedelta(days=self.rng.uniform(low_days, high_days))
        moment = day.replace(hour=self.rng.randint(8, 17), minute=self.rng.randint(0, 59))
        return moment if moment < self.now else moment - timedelta(days=1)

    def _later(self, when: datetime, low_hours: float, high_hours: float) -> datetime:
        return when + timedelta(hours=self.rng.uniform(low_hours, high_hours))

    # --- introductions --------------------------------------------------------------------------------
    def introduction(self, requester: Member, target: Member, outcome: str) -> None:
        window = {"requested": (2, 10), "expired": (20, 85), "suggested": (1, 85)}.get(outcome, (8, 85))
        when = max(self._ago(*window), requester.joined, target.joined) + timedelta(hours=1)
        box: Box = {}
        score = round(self.rng.uniform(0.42, 0.91), 3)
        reason = f"They offer {target.offer}, which you need"
        self.timeline.at(when, lambda: self._suggest(requester, target, score, reason, box))
        if outcome == "suggested":
            return
        when = self._later(when, 1, 30)
        self.timeline.at(when, lambda: self._request(requester, target))
        if outcome in ("requested", "expired"):
            return
        when = self._later(when, 2, 96)
        accept = outcome == "accepted"
        self.timeline.at(when, lambda: self._respond(target, box, accept))
        if accept and self.rng.random() < 0.45:
            self.deal(requester, self._later(when, 72, 700), introduction=box)
        if accept and self.rng.random() < 0.35:
            self.referral(target, requester, pick(self.rng, REFERRAL_OUTCOMES), after=when)

    def _suggest(self, requester: Member, target: Member, score: float, reason: str, box: Box) -> None:
        with self.db.transaction(Actor.system("matcher")) as session:
            parts = {"fit": round(score * 0.7, 3), "supply_chain": round(score * 0.3, 3)}
            intro = introductions.suggest(
                session, requester.id, target.id, score=score, parts=parts, reasons=[reason]
            )
            box["id"] = intro.id

    def _request(self, requester: Member, target: Member) -> None:
        with self._as(requester) as session:
            introductions.request(session, requester.id, target.id)

    def _respond(self, target: Member, box: Box, accept: bool) -> None:
        with self._as(target) as session:
            introductions.respond(session, target.id, box["id"], accept=accept)

    # --- referrals, deals, incentives ---------------------------------------------------------------------
    def referral(self, giver: Member, receiver: Member, outcome: str, *, after: datetime) -> None:
        if giver.id == receiver.id:
            return
        when = max(
            self._ago(*REFERRAL_WINDOWS[outcome]), after + timedelta(hours=2), giver.joined, receiver.joined
        )
        box: Box = {}
        prospect, note = self.rng.choice(self.script.prospects), self.rng.choice(self.script.referral_notes)
        hotness = self.rng.randint(2, 5)
        self.timeline.at(when, lambda: self._log(giver, receiver, prospect, note, hotness, box))
        for state in REFERRAL_PATH[outcome]:
            when = self._later(when, 20, 140)
            self.timeline.at(when, lambda state=state: self._move(receiver, box, state))  # type: ignore[misc]
        if outcome == "won":
            self.deal(receiver, self._later(when, 48, 340), referral=box)

    def _log(self, giver: Member, receiver: Member, prospect: str, note: str, hotness: int, box: Box) -> None:
        with self._as(giver) as session:
            referral = referrals.log_referral(
                session, giver.id, receiver.id, prospect_name=prospect, hotness=hotness, note=note
            )
            box["id"] = referral.id

    def _move(self, receiver: Member, box: Box, state: str) -> None:
        with self._as(receiver) as session:
            referrals.update_referral(session, receiver.id, box["id"], state)

    def deal(
        self,
        receiver: Member,
        when: datetime,
        *,
        referral: Box | None = None,
        introduction: Box | None = None,
    ) -> Box:
        self.deals_planned += 1
        number = self.deals_planned
        pounds = self.rng.choice(DEAL_POUNDS) + 10 * self.rng.randint(0, 9)
        description = self.rng.choice(self.script.deal_descriptions)
        box: Box = {}

        def record() -> None:
            source = {
                "referral_id": (referral or {}).get("id"),
                "introduction_id": (introduction or {}).get("id"),
            }
            with self._as(receiver) as session:
                result = deals.record_deal_once(
                    session,
                    f"seed-{self.seed}-deal-{number}",
                    receiver_id=receiver.id,
                    money=Money(pounds * 100, "GBP"),
                    closed_on=utcnow().date(),
                    recorded_by=f"subscriber:{receiver.id}",
                    description=description,
                    **{k: v for k, v in source.items() if v},
                )
                box["id"] = result["deal_id"]

        planned = self.timeline.at(when, record)
        if planned and not self.reversal_planned and when < self.now - timedelta(days=10):
            # one deal the customer cancelled: its incentive is reversed during the hold
            self.reversal_planned = self.timeline.at(self._later(when, 30, 90), lambda: self._reverse(box))
        return box

    def _reverse(self, deal: Box) -> None:
        with self.db.transaction(Actor.admin("demo-operator")) as session:
            incentive = incentive_of(session, deal.get("id"))
            if incentive is not None:
                self.incentives.reverse(session, incentive, "the customer cancelled the order")

    def ring(self, three: list[Member]) -> None:
        """A → B → C → A, each referral won: the fraud check holds the incentive that closes the ring."""
        after = self._ago(55, 65)
        for giver, receiver in zip(three, [*three[1:], three[0]], strict=True):
            self.referral(giver, receiver, "won", after=after)
            after += timedelta(days=1)

    # --- conversations and handoffs ----------------------------------------------------------------------
    def conversation(self, member: Member) -> None:
        script = self.rng.choice(self.script.conversations)
        when = max(self._ago(0.5, 88), member.joined + timedelta(hours=1))
        ratings = [self._rating(), self._rating()]
        box = self._open(member, when, script["user"], script["assistant"], ratings[0])
        when = self._later(when, 0.05, 0.2)
        self.timeline.at(
            when, lambda: self._say(member, box, script["follow_up"], script["reply"], ratings[1])
        )

    def _rating(self) -> int | None:
        roll = self.rng.random()
        return 1 if roll < 0.55 else -1 if roll < 0.67 else None

    def _open(self, member: Member, when: datetime, user: str, reply: str, rating: int | None) -> Box:
        self.conversations += 1
        channel = self.rng.choice(CHANNELS)
        box: Box = {"channel": channel, "thread": f"{channel}:seed:{member.id}:{self.conversations}"}

        def open_thread() -> None:
            with self._as(member) as session:
                conversation = open_conversation(session, box["channel"], box["thread"], member.id)
                box["id"] = conversation.id

        self.timeline.at(when, open_thread)
        self.timeline.at(when, lambda: self._say(member, box, user, reply, rating))
        return box

    def _say(self, member: Member, box: Box, user: str, reply: str, rating: int | None) -> None:
        words = {"need": member.need, "offer": member.offer, "locality": member.locality}
        reply_id = f"seed-{box['thread']}-{utcnow():%H%M%S}"
        with self._as(member) as session:
            conversation = open_conversation(session, box["channel"], box["thread"], member.id)
            add_message(session, conversation, "user", user.format(**words))
            add_message(session, conversation, "assistant", reply.format(**words), external_id=reply_id)
        if rating is not None:
            feedback.record(self.db, box["channel"], reply_id, rating)

    def handoff(self, member: Member, *, waiting: bool, assigned: bool) -> None:
        script = self.rng.choice(self.script.handoffs)
        when = self._ago(0.1, 2) if waiting else self._ago(3, 85)
        box = self._open(member, when, script["user"], script["assistant"], None)
        reason = script["reason"]
        self.timeline.at(when + timedelta(seconds=30), lambda: self._hand_off(member, box, reason))
        agent = Handoffs(self.db, AGENT)
        if waiting and not assigned:
            return
        self.timeline.at(self._later(when, 0.2, 1), lambda: agent.pick_up(box["id"]))
        if waiting:
            return
        answer = self.rng.choice(self.script.agent_replies)

        def reply() -> None:
            agent.reply(box["id"], answer)

        self.timeline.at(self._later(when, 1.5, 3), reply)
        self.timeline.at(self._later(when, 4, 6), lambda: agent.hand_back(box["id"]))

    def _hand_off(self, member: Member, box: Box, reason: str) -> None:
        with self._as(member) as session:
            conversation = open_conversation(session, box["channel"], box["thread"], member.id)
            hand_off(session, conversation, reason)

    # --- helpers -------------------------------------------------------------------------------------------
    @contextmanager
    def _as(self, member: Member) -> Iterator[Session]:
        """A transaction as ``member`` that also marks them active (as a turn with the assistant does)."""
        with self.db.transaction(Actor.subscriber(member.id)) as session:
            subscriber = session.get(Subscriber, member.id)
            if subscriber is not None:
                subscriber.last_active_at = utcnow()
            yield session
