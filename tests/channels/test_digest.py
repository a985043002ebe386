"""The digest, golden on a small fixture: only new items, nothing sent when nothing is new (or not due),
opt-out, quiet hours in the subscriber's zone, a WhatsApp template outside the 24-hour window, no chat."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from channels import digest_sender
from network import digest
from network.db import Database
from network.digest import Decision, record
from network.ids import clock_at
from network.models import ChannelIdentity, DigestDelivery, DigestPreference
from network.services import consent, events, introductions, referrals
from tests.channels.conftest import Harness, open_harness
from tests.channels.fakes import wait_until

NOW = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC
GOLDEN = Path(__file__).parents[1] / "events" / "golden" / "digest.json"
TEMPLATES = {"digest": "layer8_digest"}


@pytest.fixture
def h(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    with open_harness(sqlite_db, tmp_path, whatsapp_templates=TEMPLATES) as opened:
        yield opened


def build(h: Harness) -> dict[str, str]:
    with clock_at(NOW - timedelta(days=30)):
        ids = {
            "Ana": h.link("slack", "T1:W1", name="Ana Bakes"),
            "Bo": h.link("slack", "T1:W2", name="Bo Plumbing"),
            "Cy": h.link("whatsapp", "+447700900003", name="Cy Print"),
            "Di": h.link("slack", "T1:W4", name="Di Florist"),
            "Ed": h.link("slack", "T1:W5", name="Ed Law"),
            "Fi": h.subscriber("Fi Cafe"),  # no chat to push to
            "Gus": h.link("slack", "T1:W7", name="Gus Garage"),
        }
        with h.db.transaction() as session:
            consent.set_consent(session, ids["Ana"], "contactable", True, channel="test")
            session.add(DigestPreference(subscriber_id=ids["Di"], opted_out=True))
            session.add(DigestPreference(subscriber_id=ids["Ed"], time_zone="America/Los_Angeles"))
            session.execute(  # Cy last wrote three days ago: outside WhatsApp's window
                update(ChannelIdentity).values(last_inbound_at=NOW - timedelta(days=3))
            )
        with h.db.transaction() as session:  # a match Ana was shown before her last digest: not new
            introductions.suggest(session, ids["Ana"], ids["Gus"], score=0.5, parts={}, reasons=["Old news."])
    with h.db.transaction() as session:
        for who, days in (("Ana", 8), ("Bo", 3), ("Gus", 8)):
            record(session, Decision(ids[who], True, "new", channel="slack"), NOW - timedelta(days=days))
    with clock_at(NOW - timedelta(days=2)), h.db.transaction() as session:
        introductions.request(session, ids["Bo"], ids["Ana"])
        for who in ("Ana", "Ed", "Fi", "Di"):
            introductions.suggest(
                session, ids[who], ids["Cy"], score=0.8, parts={}, reasons=["They print menus."]
            )
    with clock_at(NOW - timedelta(days=1)), h.db.transaction() as session:
        referrals.log_referral(session, ids["Cy"], ids["Ana"], prospect_name="Acme Hotels")
        new = events.NewEvent(
            title="Leeds breakfast",
            starts_at=NOW + timedelta(days=10),
            capacity=20,
            time_zone="Europe/London",
            place="Corn Exchange",
        )
        event, _ = events.create(session, new, created_by="test")
        events.invite(session, event.id, [events.Invitee(ids["Ana"], 1.0, [])])
    return ids


def named(report: list[dict[str, Any]], ids: dict[str, str]) -> list[dict[str, Any]]:
    by_id = {v: k for k, v in ids.items()}
    rows = [{"who": by_id[r.pop("subscriber_id")], **r} for r in report]
    return sorted(rows, key=lambda r: r["who"])


def test_the_digest_matches_the_golden_file(h: Harness) -> None:
    ids = build(h)
    report = named(digest_sender.run(h.runtime, dry_run=True, now=NOW), ids)
    if os.environ.get("LAYER8_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    assert report == json.loads(GOLDEN.read_text())
    with h.db.read() as session:
        assert session.query(DigestDelivery).count() == 3  # a dry run records nothing new


def test_sending_then_running_again_sends_nothing_new(h: Harness) -> None:
    ids = build(h)
    with clock_at(NOW):  # the WhatsApp sender judges its window by the same clock
        report = digest_sender.run(h.runtime)
    assert sorted(r["subscriber_id"] for r in report if r["send"]) == sorted([ids["Ana"], ids["Cy"]])
    post = wait_until(lambda: [p for p in h.slack.posts() if "What's new" in p.params["text"]])[0]
    assert "Bo Plumbing asked to be introduced to you" in post.params["text"]
    assert "Old news" not in post.params["text"]  # shown before her last digest
    actions = next(b for b in post.params["blocks"] if b["type"] == "actions")
    assert actions["elements"][0]["value"].startswith("accept_intro:")
    sent = wait_until(lambda: h.graph.sent())[-1].params
    assert sent["type"] == "template" and sent["template"]["name"] == "layer8_digest"
    with h.db.read() as session:
        rows = session.query(DigestDelivery).filter_by(subscriber_id=ids["Cy"]).all()
        assert [(r.channel, r.template) for r in rows] == [("whatsapp", "layer8_digest")]

    with clock_at(NOW + timedelta(hours=1)):
        again = digest_sender.run(h.runtime)
    assert not any(r["send"] for r in again)
    assert {r["reason"] for r in again if r["subscriber_id"] in (ids["Ana"], ids["Cy"])} == {"not_due"}


def test_a_page_is_decided_as_each_subscriber_alone(h: Harness) -> None:
    ids = build(h)
    with clock_at(NOW - timedelta(hours=1)), h.db.transaction() as session:  # four new matches for Gus
        for n, who in enumerate(("Bo", "Di", "Ed", "Fi")):
            introductions.suggest(
                session, ids["Gus"], ids[who], score=0.6 + n / 10, parts={}, reasons=["Fit."]
            )
    everyone = list(ids.values())
    with h.db.read() as session:
        alone = [digest.decide(session, sid, NOW, TEMPLATES) for sid in everyone]
        page = digest.decide_page(session, everyone, NOW, TEMPLATES)
    assert page == alone
    gus = page[everyone.index(ids["Gus"])]
    assert [i.text.split(" — ")[0] for i in gus.items] == [  # the three best, best first
        "New match: Fi Cafe",
        "New match: Ed Law",
        "New match: Di Florist",
    ]
