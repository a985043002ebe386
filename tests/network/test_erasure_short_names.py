"""Erasure reaches short names too: a four-letter business name and the contact's first name, quoted in
other businesses' messages, notes, reasons, cases, pending actions and the erasure's own audit reason, go as
whole words in any case — and unrelated words that merely contain them stay. Checked in the raw bytes of
the SQLite file and its WAL, and of a PostgreSQL dump."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from network import audit
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.erasure import Eraser
from network.models import (
    AuditEvent,
    AuditNote,
    Conversation,
    Introduction,
    Message,
    PendingAction,
    Referral,
    SupportCase,
)
from network.pending import propose
from network.services import cases, introductions, referrals
from network.services.mentions import LEFT_NETWORK
from tests.network.helpers import raw_hits
from tests.retrieval.builders import add_business

BUSINESS, FIRST = "Qyvo", "Zuzka"  # short canaries: 4 and 5 letters
# whole words only, in any case: the bytes around a leftover may be anything but a letter or digit
RAW = re.compile(rb"(?<![A-Za-z0-9_])(?:qyvo|zuzka)(?![A-Za-z0-9_])", re.IGNORECASE)
UNRELATED = "Qyvodrome, Zuzkaland and fizzuzka stay"


@dataclass(frozen=True)
class Ctx:
    subscriber_id: str
    conversation_id: str | None


@dataclass(frozen=True)
class World:
    db: Database
    erased: str
    other: str
    third: str


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    erased = add_business(db, BUSINESS, contact_name=f"Mrs {FIRST} Novakova", offers="bread and cakes")
    other = add_business(db, "Harbour Couriers", offers="same-day courier")
    third = add_business(db, "Greenway Print", offers="leaflets")
    with db.transaction(Actor.admin("test")) as session:
        _quotes(session, other, third)
    yield World(db, erased, other, third)


def _quotes(session, other: str, third: str) -> None:  # type: ignore[no-untyped-def]
    """Other businesses' records that quote the erased one by its short name and its contact's first name."""
    chat = open_conversation(session, "web", f"web:{other}:1", other)
    add_message(session, chat, "user", f"Can {BUSINESS}'s van do Tuesday? Ask {FIRST}. {UNRELATED}.")
    add_message(session, chat, "assistant", f"I'll ask {BUSINESS.upper()} for you.")
    chat.handoff_reason = f"wants {FIRST.lower()}'s number"
    propose(session, Ctx(other, chat.id), "record_deal", f"Record a deal with {BUSINESS}", {"note": FIRST})
    cases.open_case(session, "agent1", other, f"asked whether {BUSINESS} is still a member", "account PIN")
    introductions.request(session, other, third, message=f"{FIRST} at {BUSINESS} said to write to you")
    referrals.log_referral(
        session,
        other,
        third,
        prospect_name="Kay Bright",
        prospect_contact="kay@example.org",
        prospect_agreed=True,
        note=f"met {FIRST.lower()} from {BUSINESS.lower()} at the fair; {UNRELATED}",
    )


def _raw_hits(db: Database) -> list[str]:
    return raw_hits(db, RAW)


def test_short_names_leave_no_byte_and_unrelated_words_stay(world: World) -> None:
    world.db.compact()
    assert _raw_hits(world.db), "the canaries must be in the raw bytes before"

    report = Eraser(world.db).erase(
        world.erased, actor=Actor.admin("dpo"), reason=f"{FIRST} phoned: please erase {BUSINESS}"
    )

    assert report.verified, report.remaining
    assert _raw_hits(world.db) == []
    with world.db.read() as session:
        assert audit.verify(session).ok
        said = session.scalars(select(Message.content).order_by(Message.id)).all()
        assert f"Can {LEFT_NETWORK}'s van do Tuesday? Ask {LEFT_NETWORK}. {UNRELATED}." in said
        assert f"I'll ask {LEFT_NETWORK} for you." in said
        note = session.scalars(select(Referral.note)).one()
        assert note == f"met {LEFT_NETWORK} from {LEFT_NETWORK} at the fair; {UNRELATED}"
        erased = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "subscriber.erased")
        ).one()
        assert "reason" not in erased  # the trail holds no words; the reason is a note beside it
        reason = session.get(AuditNote, erased["note_id"])
        assert reason is not None and reason.text == f"{LEFT_NETWORK} phoned: please erase {LEFT_NETWORK}"
        handoff = session.scalars(
            select(Conversation.handoff_reason).where(Conversation.subscriber_id == world.other)
        ).one()
        assert handoff == f"wants {LEFT_NETWORK}'s number"
        assert LEFT_NETWORK in session.scalars(select(SupportCase.reason)).one()
        assert LEFT_NETWORK in session.scalars(select(Introduction.message)).one()
        summary = session.scalars(select(PendingAction.summary)).one()
        assert summary == f"Record a deal with {LEFT_NETWORK}"


def test_a_name_that_is_part_of_other_words_is_left_in_them(db: Database) -> None:
    """A three-letter business name goes as a word, never out of the middle of another one."""
    erased = add_business(db, "Ana Ltd", contact_name="Bo Li")
    other = add_business(db, "Harbour Couriers")
    with db.transaction(Actor.admin("test")) as session:
        chat = open_conversation(session, "web", f"web:{other}:1", other)
        add_message(session, chat, "user", "Banana bread from ANA, anatomy class at Ana's; Bo and Li said hi")
    Eraser(db).erase(erased, actor=Actor.admin("dpo"))
    with db.read() as session:
        said = session.scalars(select(Message.content)).one()
    # "Bo" and "Li" are shorter than a name can safely be matched, so they stay
    assert said == f"Banana bread from {LEFT_NETWORK}, anatomy class at {LEFT_NETWORK}'s; Bo and Li said hi"
