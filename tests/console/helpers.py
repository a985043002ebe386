"""Helpers of the console tests: a container like production's (deals credit incentives), a small network,
and signing in through the real form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.settings import Settings
from composition.container import Layer8
from composition.ossbss import subscribe as subscribe_incentives
from network import tokens
from network.actor import Actor
from network.db import Database
from network.models import Conversation, Message, Profile, Subscriber
from network.services import consent, referrals

ADMIN_TOKEN = "test-admin-token-console-5d1e"
CONSOLE_SECRET = "test-console-secret-9a8b7c"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_PRE = re.compile(r'name="pre" value="([^"]+)"')


@dataclass(frozen=True)
class Net:
    acme: str
    cafe: str
    books: str
    referral: str  # Books → Acme, open
    conversation: str  # Acme's, handed off
    alice: str  # agent token
    bob: str  # another agent's token
    subscriber_token: str


def make_container(url: str, home: Path) -> Layer8:
    settings = Settings(_env_file=None, database_url=url, home=home, env="test")  # type: ignore[call-arg]
    settings.admin_token = SecretStr(ADMIN_TOKEN)
    settings.console_secret = SecretStr(CONSOLE_SECRET)
    layer8 = Layer8(settings)
    subscribe_incentives(layer8.events, settings)  # deal.recorded → the giver's incentive, as in build()
    return layer8


def _business(session: Any, name: str, code: str, title: str, town: str, region: str) -> str:
    sub = Subscriber(business_name=name, contact_email=f"{name.split()[0].lower()}@example.com")
    session.add(sub)
    session.flush()
    session.add(
        Profile(
            subscriber_id=sub.id,
            naics_code=code,
            naics_title=title,
            locality=town,
            region=region,
            country="GB",
            offers=f"{title.lower()}",
            sources={"offers": "declared"},
        )
    )
    session.flush()
    for kind in ("discoverable", "contactable"):
        consent.set_consent(session, sub.id, kind, True, channel="test")
    return sub.id


def seed(db: Database) -> Net:
    with db.transaction(Actor.admin("test")) as session:
        acme = _business(
            session, "Acme Plumbing", "238220", "Plumbing Contractors", "Leeds", "West Yorkshire"
        )
        cafe = _business(session, "Jane's Café", "722515", "Snack Bars", "York", "North Yorkshire")
        books = _business(
            session, "Bob Books", "541219", "Other Accounting Services", "Leeds", "West Yorkshire"
        )
        referral = referrals.log_referral(session, books, acme, prospect_name="Hill Farm Shop", hotness=4)
        conversation = Conversation(
            subscriber_id=acme,
            channel="web",
            thread_key="web:acme",
            mode="handed_off",
            handoff_reason="The customer disputes a bill credit.",
            summary="Acme asked why last month's referral credit is missing.",
            updated_at=datetime.now(UTC) - timedelta(minutes=5),
        )
        session.add(conversation)
        session.flush()
        session.add_all(
            [
                Message(conversation_id=conversation.id, seq=1, role="user", content="Where is my credit?"),
                Message(
                    conversation_id=conversation.id, seq=2, role="assistant", content="Let me get a person."
                ),
            ]
        )
        return Net(
            acme=acme,
            cafe=cafe,
            books=books,
            referral=referral.id,
            conversation=conversation.id,
            alice=tokens.issue(session, "agent", agent_id="agent.alice").token,
            bob=tokens.issue(session, "agent", agent_id="agent.bob").token,
            subscriber_token=tokens.issue(session, "subscriber", subscriber_id=acme).token,
        )


def sign_in(client: TestClient, token: str) -> Any:
    page = client.get("/console/sign-in")
    pre = _PRE.search(page.text)
    assert pre, page.text
    return client.post(
        "/console/sign-in",
        data={"token": token, "pre": pre.group(1), "next": "/console"},
        follow_redirects=False,
    )


def csrf(client: TestClient, path: str = "/console") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def post(client: TestClient, path: str, data: dict[str, str], **headers: str) -> Any:
    return client.post(path, data=data, headers=headers, follow_redirects=False)
