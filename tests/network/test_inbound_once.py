"""A person's message is stored once per channel message id (issue 20: a turn run again stored it twice),
and a failure is told apart as a passing outage of the records or not — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from network import conversations
from network.actor import Actor
from network.db import Database
from network.events import EventBus
from network.migrate import alembic_config, upgrade
from network.models import Message
from network.outage import is_transient
from network.services.subscribers import create_subscriber
from tests.outage import Outage


def test_the_same_channel_message_is_stored_once(db: Database) -> None:
    with db.transaction(Actor.admin("test")) as session:
        subscriber = create_subscriber(session, "Acme Plumbing")
        conversation = conversations.open_conversation(session, "whatsapp", "whatsapp:+1", subscriber.id)
        first = conversations.add_inbound(session, conversation, "hello", external_id="wamid.1")
        again = conversations.add_inbound(session, conversation, "hello", external_id="wamid.1")
        other = conversations.add_inbound(session, conversation, "hello", external_id="wamid.2")
        unnamed = conversations.add_inbound(session, conversation, "hello", external_id=None)
        conversation_id = conversation.id
    assert again.id == first.id
    assert len({first.id, other.id, unnamed.id}) == 3
    with db.read() as session:
        count = session.scalar(select(func.count()).where(Message.conversation_id == conversation_id))
    assert count == 3


def test_the_database_refuses_a_second_copy(db: Database) -> None:
    with db.transaction(Actor.admin("test")) as session:
        subscriber = create_subscriber(session, "Acme Plumbing")
        conversation = conversations.open_conversation(session, "slack", "slack:T1:D1", subscriber.id)
        conversations.add_message(session, conversation, "user", "hi", external_id="Ev1")
        conversations.add_message(
            session, conversation, "assistant", "hello", external_id="Ev1"
        )  # not a copy
    with pytest.raises(IntegrityError), db.transaction(Actor.admin("test")) as session:
        conversations.add_message(session, conversation, "user", "hi", external_id="Ev1")


def test_copies_stored_before_the_migration_keep_their_text(db_url: str) -> None:
    database = Database(db_url, events=EventBus())
    try:
        with database.engine.begin() as connection:
            config = alembic_config(database.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0025")
        with database.transaction(Actor.admin("test")) as session:
            subscriber = create_subscriber(session, "Acme Plumbing")
            conversation = conversations.open_conversation(session, "whatsapp", "whatsapp:+1", subscriber.id)
            conversation_id = conversation.id
        with database.engine.begin() as connection:
            messages = Table("messages", MetaData(), autoload_with=connection)
            for seq in (1, 2):
                connection.execute(
                    insert(messages).values(
                        id=f"msg_{seq}",
                        conversation_id=conversation_id,
                        seq=seq,
                        role="user",
                        content="hi",
                        tool_calls=[],
                        external_id="wamid.twice",
                        at=func.now(),
                    )
                )
        upgrade(database)
        with database.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT seq, content, external_id FROM messages ORDER BY seq")
            ).all()
        assert [tuple(r) for r in rows] == [(1, "hi", "wamid.twice"), (2, "hi", None)]
    finally:
        database.dispose()


def test_a_dropped_connection_is_a_passing_outage_and_a_bug_is_not(db: Database) -> None:
    outage = Outage(db)
    try:
        outage.fail(1)
        with pytest.raises(DBAPIError) as dropped, db.read() as session:
            session.execute(select(Message.id))
        assert is_transient(dropped.value)
        assert is_transient(dropped.value.orig)  # the driver's own error, unwrapped, too
    finally:
        outage.close()
    with pytest.raises(DBAPIError) as bug, db.read() as session:
        session.execute(text("SELECT nothing FROM no_such_table"))
    assert not is_transient(bug.value)
    with pytest.raises(IntegrityError) as refused, db.transaction() as session:
        session.execute(text("INSERT INTO messages (id) VALUES (NULL)"))
    assert not is_transient(refused.value)
    # another part refusing a connection (the Chroma server, the model server) is not the records' outage
    assert not is_transient(ConnectionRefusedError("connection refused"))
