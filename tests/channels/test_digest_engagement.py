"""What came of a digest: a button pressed on it (Slack) or a reply quoting it (WhatsApp) marks it acted on;
a WhatsApp read status marks it opened; a button on another message, or someone else's digest, marks nothing.
The metrics count them (sent, opened, acted on, per channel)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from channels import digest_sender
from network import metrics
from network.db import Database
from network.ids import clock_at
from network.metrics_shapes import MetricsQuery
from network.models import DigestDelivery
from tests.channels.conftest import Harness, load, open_harness
from tests.channels.fakes import wait_until
from tests.channels.test_digest import NOW, TEMPLATES, build
from tests.channels.test_whatsapp_webhook import text_body

PAYLOADS = load("slack/bolt_python_scenario_payloads.json")
CY = "447700900003"


@pytest.fixture
def h(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    with open_harness(sqlite_db, tmp_path, whatsapp_templates=TEMPLATES) as opened:
        yield opened


def delivery(h: Harness, subscriber_id: str) -> DigestDelivery:
    with h.db.read() as session:
        row = session.query(DigestDelivery).filter_by(subscriber_id=subscriber_id, sent_at=NOW).one()
        session.expunge(row)
        return row


def click(h: Harness, post: Any, *, ts: str, user: str = "W1") -> None:
    actions = next(b for b in post.params["blocks"] if b["type"] == "actions")
    body = copy.deepcopy(PAYLOADS["test_block_actions::body"])
    body["user"] = {"id": user, "team_id": "T1"}
    body["container"] = {"type": "message", "message_ts": ts, "channel_id": post.params["channel"]}
    body["actions"] = [{**actions["elements"][0], "block_id": actions["block_id"], "type": "button"}]
    assert h.slack_post(b"payload=" + quote(json.dumps(body)).encode(), form=True).status_code == 200
    h.drain()


def status_body(wamid: str, status: str) -> dict[str, Any]:
    body = text_body("", "wamid.unused")
    value = body["entry"][0]["changes"][0]["value"]
    del value["messages"]
    value["statuses"] = [{"id": wamid, "status": status, "timestamp": "1", "recipient_id": CY}]
    return body


def sent_digests(h: Harness, ids: dict[str, str]) -> None:
    with clock_at(NOW):
        digest_sender.run(h.runtime)
    wait_until(lambda: h.graph.sent() and [p for p in h.slack.posts() if "What's new" in p.params["text"]])


def test_a_button_on_a_slack_digest_marks_it_acted_on(h: Harness) -> None:
    ids = build(h)
    sent_digests(h, ids)
    post = next(p for p in h.slack.posts() if "What's new" in p.params["text"])
    row = delivery(h, ids["Ana"])
    channel, ts = str(row.message_ref).split(":", 1)
    assert channel == post.params["channel"] and row.opened_at is None and row.acted_at is None

    click(h, post, ts="999.000100")  # the same button on another message: not the digest
    assert delivery(h, ids["Ana"]).acted_at is None
    click(h, post, ts=ts, user="W2")  # Bo pressing a button on Ana's digest marks nothing of hers
    assert delivery(h, ids["Ana"]).acted_at is None
    click(h, post, ts=ts)
    acted = delivery(h, ids["Ana"])
    assert acted.acted_at is not None and acted.opened_at == acted.acted_at


def test_a_whatsapp_read_status_opens_and_a_quoted_reply_acts(h: Harness) -> None:
    ids = build(h)
    sent_digests(h, ids)
    row = delivery(h, ids["Cy"])
    assert row.message_ref and row.message_ref.startswith("wamid.out.")

    assert h.wa_post(status_body(row.message_ref, "delivered")).status_code == 200
    assert delivery(h, ids["Cy"]).opened_at is None  # delivered is not read
    assert h.wa_post(status_body(row.message_ref, "read")).status_code == 200
    opened = delivery(h, ids["Cy"])
    assert opened.opened_at is not None and opened.acted_at is None

    reply = text_body("Tell me about Acme Hotels", "wamid.in.cy", sender=CY)
    reply["entry"][0]["changes"][0]["value"]["messages"][0]["context"] = {"from": "x", "id": row.message_ref}
    assert h.wa_post(reply).status_code == 200
    h.drain()
    assert delivery(h, ids["Cy"]).acted_at is not None

    with h.db.read() as session:
        query = MetricsQuery(start=(NOW - timedelta(days=1)).date(), end=NOW.date())
        figures = metrics.compute(session, query).gatherings.digest
    assert (figures.sent, figures.opened, figures.acted) == (2, 1, 1)
    assert figures.opened_rate == 1.0 and figures.acted_rate == 0.5
    assert figures.by_channel == {
        "slack": {"sent": 1, "opened": 0, "acted": 0},
        "whatsapp": {"sent": 1, "opened": 1, "acted": 1},
    }
