"""The digest in the web chat: opening the chat shows what is new (recorded as a web digest, opened), a
button pressed on it marks it acted on — not a button on someone else's digest — and the metrics count the
web chat beside Slack and WhatsApp. Opted out, or nothing new, or already shown: nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from network import metrics
from network.actor import Actor
from network.ids import utcnow
from network.metrics_shapes import MetricsQuery
from network.models import DigestDelivery, DigestPreference
from network.services import consent, introductions
from tests.channels.conftest import Harness
from tests.channels.test_web_chat import bearer, token


def web_digests(h: Harness) -> list[DigestDelivery]:
    with h.db.read() as session:
        rows = list(session.query(DigestDelivery).filter_by(channel="web"))
        session.expunge_all()
        return rows


def news_for(h: Harness, me: str) -> str:
    """Pennine Mills asks to be introduced to ``me``: one new item, with Accept / Decline."""
    mills = h.subscriber("Pennine Mills")
    with h.db.transaction(Actor.admin("test")) as session:
        consent.set_consent(session, me, "contactable", True, channel="test")
        introductions.request(session, mills, me)
    return mills


def press(h: Harness, value: str, action: str, digest: str) -> Any:
    body = {"action": action, "digest": digest}
    return h.http.post("/v1/chat", json=body, headers=bearer(value))


def test_opening_the_web_chat_shows_the_digest_and_a_button_on_it_acts(harness: Harness) -> None:
    value, me = token(harness)
    assert me is not None
    news_for(harness, me)
    shown = harness.http.post("/v1/chat/digest", headers=bearer(value))
    assert shown.status_code == 200, shown.text
    card = shown.json()
    assert card["header"] == "What's new in your network since last time:"
    assert card["lines"] == ["Pennine Mills asked to be introduced to you"]
    assert [b["label"] for b in card["buttons"]] == ["Accept introduction", "Decline"]
    (row,) = web_digests(harness)
    assert row.message_ref == card["digest"] and row.subscriber_id == me
    assert row.opened_at is not None and row.acted_at is None

    assert harness.http.post("/v1/chat/digest", headers=bearer(value)).status_code == 204  # shown already

    stranger, _ = token(harness, name="Other Ltd")
    assert press(harness, stranger, card["buttons"][1]["action"], card["digest"]).status_code == 200
    assert web_digests(harness)[0].acted_at is None  # not their digest
    bad = press(harness, value, card["buttons"][0]["action"], "dig_0000000000000000")
    assert bad.status_code == 422

    assert press(harness, value, card["buttons"][0]["action"], card["digest"]).status_code == 200
    assert web_digests(harness)[0].acted_at is not None
    assert harness.assistant.seen[-1].action is not None  # the button itself reached the assistant

    today = utcnow().date()
    with harness.db.read() as session:
        query = MetricsQuery(start=today - timedelta(days=1), end=today)
        figures = metrics.compute(session, query).gatherings.digest
    assert figures.by_channel == {"web": {"sent": 1, "opened": 1, "acted": 1}}
    assert figures.opened_rate == 1.0 and figures.acted_rate == 1.0


def test_nothing_new_or_opted_out_shows_nothing(harness: Harness) -> None:
    value, me = token(harness)
    assert me is not None
    assert harness.http.post("/v1/chat/digest", headers=bearer(value)).status_code == 204  # nothing new
    news_for(harness, me)
    with harness.db.transaction(Actor.admin("test")) as session:
        session.add(DigestPreference(subscriber_id=me, opted_out=True))
    assert harness.http.post("/v1/chat/digest", headers=bearer(value)).status_code == 204
    assert harness.http.post("/v1/chat/digest").status_code == 401
    assert web_digests(harness) == []
