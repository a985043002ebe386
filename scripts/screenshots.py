"""Screenshots of the support console and the operations dashboard at desktop and phone widths.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds a throwaway SQLite network (``layer8 seed``'s businesses plus six months of made-up introductions,
referrals, deals, incentives and conversations, deterministic), serves the real app with uvicorn on a
loopback port, and drives Debian's Chromium with Playwright: sign in as an agent, open a case and record a
deal through the forms, then photograph the pages at 1280×800 and 390×844.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pydantic import SecretStr
from sqlalchemy import select

from assistant.settings import Settings
from composition.channels import web_app
from composition.container import Layer8
from composition.ossbss import subscribe as subscribe_incentives
from network import tokens
from network.actor import Actor
from network.db import Database
from network.migrate import upgrade
from network.models import Conversation, Deal, Incentive, Introduction, Message, Referral, Subscriber
from seeding.network import seed_network

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repository's tests/
from tests.support import AppServer, chromium

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
INTRO_STATES = (("suggested", 30), ("requested", 12), ("accepted", 34), ("declined", 14), ("expired", 10))
REFERRAL_STATES = (("open", 15), ("contacted", 15), ("meeting", 10), ("won", 45), ("lost", 15))
HANDOFFS = (
    (
        "The subscriber disputes a missing bill credit for last month's referral.",
        "Asked why the £60 thank-you credit for the referral to Pennine Mills is not on the November bill.",
    ),
    (
        "The subscriber wants to change the company's registered address.",
        "Moving the bakery to a new unit in Headingley; wants the profile and the account updated.",
    ),
    (
        "The subscriber asked to speak to a person about an introduction that went wrong.",
        "An accepted introduction has not replied for three weeks; should they try another supplier?",
    ),
)


def build_network(db: Database, rng: random.Random, now: datetime) -> None:
    seed_network(db, 120, seed=7)
    with db.transaction(Actor.system("demo")) as session:
        ids = list(session.scalars(select(Subscriber.id).order_by(Subscriber.created_at, Subscriber.id)))
        for sid in ids:
            sub = session.get(Subscriber, sid)
            assert sub is not None
            sub.last_active_at = now - timedelta(days=rng.choice([1, 3, 8, 15, 25, 45, 70, 120]))
        won: list[Referral] = []
        accepted: list[Introduction] = []
        for _ in range(260):
            a, b = rng.sample(ids, 2)
            when = now - timedelta(days=rng.uniform(0, 178))
            state = _pick(rng, INTRO_STATES)
            intro = Introduction(requester_id=a, target_id=b, state=state, created_at=when, updated_at=when)
            session.add(intro)
            accepted += [intro] if state == "accepted" else []
        for _ in range(120):
            giver, receiver = rng.sample(ids, 2)
            when = now - timedelta(days=rng.uniform(3, 178))
            state = _pick(rng, REFERRAL_STATES)
            referral = Referral(
                giver_id=giver,
                receiver_id=receiver,
                prospect_name="Prospect",
                state=state,
                hotness=rng.randint(1, 5),
                created_at=when,
            )
            session.add(referral)
            won += [referral] if state == "won" else []
        session.flush()
        sources: list[Referral | Introduction] = [*won, *accepted[:25]]
        for source in sources:
            _deal(session, rng, source, now)
        for n, sid in enumerate(rng.sample(ids, 40)):
            _conversation(session, rng, sid, now, HANDOFFS[n] if n < len(HANDOFFS) else None)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in weighted], weights=[w for _, w in weighted])[0]


def _deal(session: Any, rng: random.Random, source: Referral | Introduction, now: datetime) -> None:
    closed = min(source.created_at + timedelta(days=rng.uniform(2, 20)), now)
    if isinstance(source, Referral):
        receiver, giver = source.receiver_id, source.giver_id
    else:
        receiver, giver = source.requester_id, source.target_id
    amount = rng.choice([18000, 45000, 60000, 120000, 240000, 380000, 650000])
    deal = Deal(
        receiver_id=receiver,
        giver_id=giver,
        recorded_by=f"subscriber:{receiver}",
        amount_minor=amount,
        currency="GBP",
        closed_on=closed.date(),
        fingerprint=f"demo-{rng.getrandbits(64):x}",
        referral_id=source.id if isinstance(source, Referral) else None,
        introduction_id=source.id if isinstance(source, Introduction) else None,
        created_at=closed,
    )
    session.add(deal)
    session.flush()
    age = (now - closed).days
    state = "confirmed" if age > 35 else "posted" if age > 30 else rng.choice(["pending", "pending", "held"])
    reward = min(amount * 25 // 1000 + 500, 25000)
    session.add(
        Incentive(
            deal_id=deal.id,
            beneficiary_id=giver,
            rule_id="thank-you-v1",
            amount_minor=reward,
            currency="GBP",
            state=state,
            created_at=closed,
        )
    )


def _conversation(
    session: Any, rng: random.Random, sid: str, now: datetime, handoff: tuple[str, str] | None
) -> None:
    when = now - timedelta(days=rng.uniform(0, 85))
    conversation = Conversation(
        subscriber_id=sid,
        channel=rng.choice(["whatsapp", "web", "slack"]),
        thread_key=f"demo-{sid}",
        created_at=when,
        updated_at=when,
    )
    if handoff:
        conversation.mode = "handed_off"
        conversation.handoff_reason, conversation.summary = handoff
    session.add(conversation)
    session.flush()
    turns = [
        ("user", "Can you find me a packaging supplier near Leeds?"),
        ("assistant", "Three subscribers near you offer packaging. Shall I introduce you to one?"),
    ]
    if handoff:
        turns += [
            ("user", "Actually I need a person to look at my bill."),
            ("assistant", "I'll pass you to a person."),
        ]
    for seq, (role, text) in enumerate(turns, start=1):
        rating = rng.choice([1, 1, 1, -1, None, None]) if role == "assistant" else None
        session.add(
            Message(
                conversation_id=conversation.id,
                seq=seq,
                role=role,
                content=text,
                feedback=rating,
                at=when + timedelta(minutes=seq),
            )
        )


def photograph(url: str, token: str, subscriber: str, out: Path) -> list[Path]:
    shots: list[Path] = []
    with chromium() as browser:
        for kind, (width, height) in VIEWPORTS.items():
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.set_default_timeout(120_000)  # a shared, busy 2-core machine answers slowly
            page.goto(url + "/console/sign-in")
            shots.append(_shot(page, out / f"console-sign-in-{kind}.png", full=False))
            page.fill("#token", token)
            page.click("#sign-in")
            page.wait_for_url(url + "/console")
            if kind == "desktop":
                _act_in_a_case(page, url, subscriber)
            page.goto(url + "/console?q=Leeds")
            shots.append(_shot(page, out / f"console-search-{kind}.png", full=False))
            page.goto(f"{url}/console/subscribers/{subscriber}")
            shots.append(_shot(page, out / f"console-subscriber-{kind}.png", full=True))
            page.goto(url + "/console/handoffs")
            page.wait_for_selector("#waiting-count:not(:empty)")  # the live count has arrived
            shots.append(_shot(page, out / f"console-inbox-{kind}.png", full=False))
            page.click("ol.queue a >> nth=0")
            shots.append(_shot(page, out / f"console-handoff-{kind}.png", full=False))
            page.goto(url + "/console/dashboard")
            shots.append(_shot(page, out / f"dashboard-{kind}.png", full=True))
            page.context.close()
    return shots


def _act_in_a_case(page: Any, url: str, subscriber: str) -> None:
    page.goto(f"{url}/console/subscribers/{subscriber}")
    page.fill("#case-reason", "Called to record a deal closed thanks to a referral")
    page.select_option("#open-auth", "one-time code")
    page.click("#open-case")
    page.fill("#deal-amount", "2400")
    page.fill("#deal-description", "Wedding cake order for 120 guests")
    page.click("#record-deal")
    page.wait_for_selector(".notice")


def _shot(page: Any, path: Path, *, full: bool) -> Path:
    page.screenshot(path=str(path), full_page=full)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(_env_file=None, home=Path(home), env="test", llm_provider="fake")
        settings.console_secret = SecretStr("screenshots-only-secret")
        container = Layer8(settings)
        subscribe_incentives(container.events, settings)
        upgrade(container.db)
        build_network(container.db, rng, now)
        with container.db.transaction(Actor.admin("screenshots")) as session:
            token = tokens.issue(session, "agent", agent_id="agent.alice").token
            receiver = session.scalars(
                select(Referral.receiver_id).where(Referral.state == "meeting")
            ).first()
        assert receiver is not None
        with AppServer(web_app(container)) as server:
            for path in photograph(server.url, token, receiver, out):
                print(path)
        container.close()


if __name__ == "__main__":
    main()
