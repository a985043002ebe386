"""No secret in a log line (the WhatsApp verify token arrives in a query string); audit rows name tokens."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from channels.api.log_redaction import RedactSecrets, install, redact
from network import tokens
from network.actor import Actor
from network.db import Database
from network.models import AuditEvent, AuditNote, Role
from network.services.subscribers import create_subscriber

VERIFY = "vt-9f8e7d6c5b4a"


def test_the_access_log_never_shows_the_verify_token(caplog: pytest.LogCaptureFixture) -> None:
    install()
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactSecrets) for f in access.filters)
    path = f"/whatsapp/webhook?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", path, "1.1", 200)
    assert caplog.records and VERIFY not in caplog.text
    assert "/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=[redacted]" in caplog.text


def test_bearer_and_layer8_tokens_are_redacted() -> None:
    line = "Authorization: Bearer l8_AbCdEf0123456789xyz and ?access_token=abc&page=2"
    cleaned = redact(line)
    assert "l8_AbCdEf" not in cleaned and "abc&" not in cleaned and "page=2" in cleaned


def test_an_audit_row_names_a_created_token_by_id_and_its_label_by_a_note(db: Database) -> None:
    """The label is words someone typed: it sits in an audit note the row names, never in the row."""
    with db.transaction(Actor.admin("cli")) as session:
        sub = create_subscriber(session, "Crumb Bakery")
        issued = tokens.issue(session, Role.SUBSCRIBER, subscriber_id=sub.id, label="till app")
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_tokens.created")).all()
        notes = {n.id: (n.text, n.subscriber_id) for n in session.scalars(select(AuditNote))}
        assert [(r.target_id, r.data.get("role"), notes[r.data["note_id"]]) for r in rows] == [
            (issued.token_id, "subscriber", ("till app", sub.id))
        ]
        every = " ".join(f"{r.target_id} {r.data}" for r in session.scalars(select(AuditEvent)))
    assert tokens.hash_token(issued.token) not in every and "?" not in every.split()
    assert "till app" not in every
