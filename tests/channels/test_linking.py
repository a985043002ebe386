"""One-time link codes on SQLite and PostgreSQL: hashed, expiring, single use, and atomic under a race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from network.actor import Actor
from network.db import Database
from network.errors import InvalidInput, NotFound
from network.ids import utcnow
from network.models import AuditEvent, ChannelIdentity, LinkCode
from network.services import linking
from network.services.subscribers import create_subscriber


def subscriber(db: Database, name: str = "Acme Plumbing") -> str:
    with db.transaction(Actor.admin("test")) as session:
        return create_subscriber(session, name).id


def issue(db: Database, subscriber_id: str, **kwargs: object) -> str:
    with db.transaction(Actor.admin("test")) as session:
        return linking.issue_code(session, subscriber_id, issued_by="agent.alice", **kwargs).code  # type: ignore[arg-type]


def redeem(db: Database, external: str, code: str, channel: str = "whatsapp") -> str | None:
    symbols = linking.parse_code(code)
    assert symbols is not None
    with db.transaction() as session:
        linked = linking.redeem(session, channel, external, symbols)
        return linked.id if linked else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L8-7KQM-X2FD", "7KQMX2FD"),
        ("l8-7kqm-x2fd", "7KQMX2FD"),
        ("  L87KQMX2FD. ", "7KQMX2FD"),
        ("link 7KQM-X2FD", "7KQMX2FD"),
        ("/link L8 7KQM X2FD", "7KQMX2FD"),
        ("feedback", None),  # an ordinary 8-letter word is not a code
        ("L8-7KQM-X2F0", None),  # 0 is not in the alphabet
        ("my code is L8-7KQM-X2FD", None),
        ("", None),
    ],
)
def test_codes_are_recognised_only_in_their_own_shape(text: str, expected: str | None) -> None:
    assert linking.parse_code(text) == expected


def test_a_code_links_once_and_only_its_hash_is_stored(db: Database) -> None:
    acme = subscriber(db)
    code = issue(db, acme)
    with db.read() as session:
        stored = session.scalars(select(LinkCode.code_hash)).all()
        assert code not in stored[0] and len(stored[0]) == 64
    assert redeem(db, "+447700900123", code) == acme
    assert redeem(db, "+447700900999", code) is None
    with db.read() as session:
        assert linking.resolve(session, "whatsapp", "+447700900123", touch=False) == acme
        assert linking.resolve(session, "whatsapp", "+447700900999", touch=False) is None
        assert "channel.linked" in session.scalars(select(AuditEvent.action)).all()


def test_an_expired_code_does_not_link(db: Database) -> None:
    code = issue(db, subscriber(db))
    with db.transaction() as session:
        session.execute(update(LinkCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert redeem(db, "+447700900123", code) is None


def test_a_wrong_code_does_not_link(db: Database) -> None:
    issue(db, subscriber(db))
    assert redeem(db, "+447700900123", "L8-AAAA-BBBB") is None


def test_issuing_checks_the_subscriber_and_the_lifetime(db: Database) -> None:
    with pytest.raises(NotFound):
        issue(db, "sub_missing")
    with pytest.raises(InvalidInput):
        issue(db, subscriber(db), ttl=timedelta(days=30))


def test_resolve_refreshes_the_inbound_time_for_the_24_hour_window(db: Database) -> None:
    acme = subscriber(db)
    assert redeem(db, "+447700900123", issue(db, acme)) == acme
    with db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(days=2)))
    with db.transaction() as session:
        assert linking.resolve(session, "whatsapp", "+447700900123") == acme
    with db.read() as session:
        seen = session.scalar(select(ChannelIdentity.last_inbound_at))
        assert seen is not None and utcnow() - seen < timedelta(minutes=1)


def test_two_chats_racing_with_one_code_cannot_both_win(db: Database) -> None:
    code = issue(db, subscriber(db))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: redeem(db, f"+4477009{n:05d}", code), range(8)))
    assert len([r for r in results if r]) == 1
