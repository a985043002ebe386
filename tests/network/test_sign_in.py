"""One-time sign-in codes and web chat sessions, on SQLite and PostgreSQL: stored hashed, single use, short
lived, bound to their role; an agent's code is tied to the agent's token; sessions end on sign-out, expiry or
erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from network import sign_in, tokens, web_sessions
from network.actor import Actor
from network.db import Database
from network.errors import InvalidInput
from network.ids import utcnow
from network.models import ApiToken, ChannelIdentity, Role, SignInCode
from network.services.subscribers import create_subscriber, erase_subscriber

ADMIN = Actor.admin("test")


def subscriber(db: Database, name: str = "Acme Plumbing", phone: str | None = None) -> str:
    with db.transaction(ADMIN) as session:
        return create_subscriber(session, name, contact_phone=phone).id


def issue(db: Database, subscriber_id: str, ttl: timedelta = sign_in.DEFAULT_TTL) -> str:
    with db.transaction(ADMIN) as session:
        return sign_in.issue_for_subscriber(
            session, subscriber_id, issued_by="test", sent_via="cli", ttl=ttl
        ).code


def redeem(db: Database, code: str, role: Role = Role.SUBSCRIBER) -> sign_in.Redeemed | None:
    with db.transaction(ADMIN) as session:
        return sign_in.redeem(session, role, code)


def test_a_code_is_stored_hashed_and_works_once(db: Database) -> None:
    acme = subscriber(db)
    code = issue(db, acme)
    assert sign_in.parse(code) is not None and len(code) == 9
    with db.read() as session:
        stored = session.scalars(select(SignInCode)).one()
        assert code.replace("-", "") not in stored.code_hash and stored.subscriber_id == acme
    first = redeem(db, code.lower().replace("-", " "))
    assert first is not None and first.subscriber_id == acme and first.sent_via == "cli"
    assert redeem(db, code) is None


def test_an_expired_code_or_a_code_of_another_role_is_refused(db: Database) -> None:
    acme = subscriber(db)
    code = issue(db, acme)
    assert redeem(db, code, Role.AGENT) is None  # refused, and not used up
    assert redeem(db, code) is not None
    stale = issue(db, acme, timedelta(minutes=1))
    with db.transaction(ADMIN) as session:
        for row in session.scalars(select(SignInCode).where(SignInCode.used_at.is_(None))):
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert redeem(db, stale) is None
    assert redeem(db, "not a code") is None
    with pytest.raises(InvalidInput), db.transaction(ADMIN) as session:
        sign_in.issue_for_subscriber(session, acme, issued_by="t", sent_via="cli", ttl=timedelta(days=2))


def test_an_agent_code_signs_in_with_the_agent_s_token(db: Database) -> None:
    with db.transaction(ADMIN) as session:
        issued = tokens.issue(session, "agent", agent_id="agent.alice")
        code = sign_in.issue_for_agent(session, "agent.alice", issued_by="test", sent_via="cli").code
        fresh = sign_in.issue_for_agent(session, "agent.bob", issued_by="test", sent_via="cli").code
    alice = redeem(db, code, Role.AGENT)
    assert alice is not None and alice.agent_id == "agent.alice"
    assert alice.token_hash == tokens.hash_token(issued.token)
    bob = redeem(db, fresh, Role.AGENT)  # no token yet: one was made for the code, never shown
    with db.read() as session:
        made = session.scalars(select(ApiToken).where(ApiToken.agent_id == "agent.bob")).one()
        assert bob is not None and bob.token_hash == made.token_hash and made.role == "agent"


def test_a_web_session_ends_on_sign_out_expiry_and_erasure(db: Database) -> None:
    acme = subscriber(db)
    with db.transaction(ADMIN) as session:
        opened = web_sessions.open_session(session, acme, via="cli", ttl=timedelta(hours=1))
        stale = web_sessions.open_session(session, acme, via="cli", ttl=timedelta(seconds=-1))
        kept = web_sessions.open_session(session, acme, via="cli", ttl=timedelta(hours=1))
    with db.read() as session:
        assert web_sessions.subscriber_of(session, opened.secret) == acme
        assert web_sessions.subscriber_of(session, stale.secret) is None
        assert web_sessions.subscriber_of(session, "forged") is None
    with db.transaction(ADMIN) as session:
        assert web_sessions.end_session(session, opened.secret)
    with db.read() as session:
        assert web_sessions.subscriber_of(session, opened.secret) is None
        assert web_sessions.subscriber_of(session, kept.secret) == acme
    with db.transaction(ADMIN) as session:
        erase_subscriber(session, acme)
    with db.read() as session:
        assert web_sessions.subscriber_of(session, kept.secret) is None


def test_a_number_reaches_the_business_s_linked_chat(db: Database) -> None:
    acme = subscriber(db, phone="+441134960123")
    loner = subscriber(db, "No Chat Ltd", phone="+441134960999")
    with db.transaction(ADMIN) as session:
        session.add(ChannelIdentity(subscriber_id=acme, channel="slack", external_id="T1:U1"))
        session.add(ChannelIdentity(subscriber_id=acme, channel="whatsapp", external_id="+447700900123"))
    with db.read() as session:
        assert sign_in.reachable_by_phone(session, "+44 7700 900123") is not None
        assert sign_in.reachable_by_phone(session, "00441134960123") is not None
        assert sign_in.reachable_by_phone(session, "+441134960999") is None  # no linked chat: no code
        assert sign_in.reachable_by_phone(session, "12") is None
    assert loner


def test_a_flood_of_codes_is_counted(db: Database) -> None:
    acme = subscriber(db)
    for _ in range(sign_in.MAX_OPEN_PER_SUBSCRIBER):
        issue(db, acme)
    with db.read() as session:
        assert sign_in.open_codes(session, acme) == sign_in.MAX_OPEN_PER_SUBSCRIBER
