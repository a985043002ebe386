"""The lifecycle commands through the real ``layer8`` root, on SQLite and PostgreSQL: adding and importing
subscribers (industry classified, bad rows reported), listing introductions, deals, handoffs and incentives
with names and money in its currency, paging hints, "none yet", and ``match`` on an empty index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import root as cli
from composition.container import build
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.errors import Layer8Error
from network.models import Profile, Subscriber
from network.money import parse_money
from network.services import consent, deals, introductions, referrals
from tests.network.helpers import make_subscribers
from tests.retrieval.builders import add_business

CSV = """business_name,email,phone,description,offers,locality,country,discoverable,contactable
Crumb & Co,hello@crumb.example.com,+44 113 496 0001,We bake sourdough bread and pastries,,Leeds,GB,yes,yes
,nobody@example.com,,A shop with no name,,,,,
Wrong Mail Ltd,not-an-email,,Plumbing and heating repairs,,,,yes,no
Far Away,far@example.com,,Accountancy for small firms,,Leeds,Great Britain,,
Maybe Consent,maybe@example.com,,Dog grooming,,,,perhaps,
Crumb Again,HELLO@crumb.example.com,,Another bakery,,,,,
Ferrous Mill,mill@example.com,01132 496 002,,"Flour milling, wholesale bread flour",Wakefield,GB,yes,yes
Extra Values,extra@example.com,,Cafe,,,,,,unexpected
Declared Co,declared@example.com,,Anything at all,,,,,
"""


@pytest.fixture
def home(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps narrower tables, which would split names
    monkeypatch.delenv("LAYER8_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = CliRunner().invoke(cli.app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def refused(*args: str, stdin: str | None = None) -> str:
    """The message of the domain error the command ends with (``layer8`` prints it as one line, exit 2)."""
    result = CliRunner().invoke(cli.app, list(args), input=stdin)
    assert isinstance(result.exception, Layer8Error), result.output
    return result.exception.message


def test_import_classifies_industries_and_reports_every_rejected_row(home: Database, tmp_path: Path) -> None:
    path = tmp_path / "subscribers.csv"
    path.write_text(CSV.replace("Anything at all", ""))
    dry = json.loads(run("subscribers", "import", str(path), "--dry-run", "--json", code=1))
    assert dry["dry_run"] and all(c["subscriber_id"] is None for c in dry["created"])
    with home.read() as session:
        assert session.scalar(select(Subscriber.id).limit(1)) is None  # a dry run writes nothing

    report = json.loads(run("subscribers", "import", str(path), "--json", code=1))
    created = {c["business_name"]: c for c in report["created"]}
    assert set(created) == {"Crumb & Co", "Ferrous Mill", "Declared Co"}
    assert created["Crumb & Co"]["classified"] and created["Crumb & Co"]["naics_code"]
    assert created["Ferrous Mill"]["naics_code"].startswith("311")  # classified from what it offers
    assert not created["Declared Co"]["classified"] and created["Declared Co"]["naics_code"] is None
    rejected = {r["line"]: r["reason"] for r in report["rejected"]}
    assert sorted(rejected) == [3, 4, 5, 6, 7, 9]
    assert "business_name" in rejected[3]
    assert "not-an-email" in rejected[4]
    assert "country" in rejected[5]
    assert "perhaps" in rejected[6]
    assert "Crumb & Co" in rejected[7]  # the same e-mail (any case) as a row already imported
    assert "more values" in rejected[9]

    with home.read() as session:
        crumb = session.scalars(select(Subscriber).where(Subscriber.business_name == "Crumb & Co")).one()
        assert crumb.contact_phone == "+441134960001"
        assert consent.current(session, crumb.id) == {"discoverable": True, "contactable": True}
        profile = session.get(Profile, crumb.id)
        assert profile is not None and profile.locality == "Leeds" and profile.naics_code
        assert set(profile.sources.values()) == {"declared"}

    plain = run("subscribers", "import", str(path), code=1)
    assert "imported 0 subscriber(s)" in plain and "rejected 9 row(s)" in plain
    assert "already has this e-mail or phone number" in plain


def test_import_refuses_a_file_with_unknown_columns(home: Database) -> None:
    output = refused("subscribers", "import", "-", stdin="business_name,favourite_colour\nA,blue\n")
    assert "unknown columns: favourite_colour" in output


def test_add_one_subscriber_with_its_industry_classified(home: Database) -> None:
    added = json.loads(
        run(
            "subscribers",
            "add",
            "Leeds Loaves",
            "--email",
            "loaves@example.com",
            "--description",
            "A bakery making bread, cakes and sourdough",
            "--discoverable",
            "--json",
        )
    )
    assert added["naics_code"]
    with home.read() as session:
        assert consent.current(session, added["id"]) == {"discoverable": True, "contactable": False}
    again = refused("subscribers", "add", "Loaves Twin", "--email", "loaves@example.com")
    assert "already has this e-mail" in again
    assert "contact_phone" in refused("subscribers", "add", "Bad Phone", "--phone", "call me")


def test_empty_lists_say_none_yet(home: Database) -> None:
    for command in ("introductions", "deals", "handoffs", "incentives", "referrals", "subscribers"):
        assert "none yet" in run(command, "list"), command


def test_lists_show_names_money_and_the_next_page(home: Database) -> None:
    giver, receiver, prospect, *others = make_subscribers(
        home, "Bob Books", "Acme Ltd", "Jane Cafe", "D", "E"
    )
    layer8 = build()  # wired as in production: a recorded deal earns the giver an incentive
    try:
        with layer8.db.transaction(Actor.subscriber(giver)) as session:
            referral = referrals.log_referral(session, giver, receiver, prospect_subscriber_id=prospect)
        with layer8.db.transaction(Actor.subscriber(receiver)) as session:
            deals.record_deal(
                session,
                receiver,
                parse_money("2400", "GBP"),
                closed_on=date.today(),
                recorded_by=f"subscriber:{receiver}",
                referral_id=referral.id,
            )
        with layer8.db.transaction(Actor.subscriber(giver)) as session:
            for target in (receiver, prospect, *others):
                introductions.request(session, giver, target)
    finally:
        layer8.close()

    deals_out = run("deals", "list")
    assert "2,400.00 GBP" in deals_out and "Acme Ltd" in deals_out and "Bob Books" in deals_out
    incentives_out = run("incentives", "list")
    assert "65.00 GBP" in incentives_out and "Bob Books" in incentives_out and giver not in incentives_out
    assert "6500" not in incentives_out

    page = run("introductions", "list", "--limit", "2")
    assert "showing 1–2 of 4 introductions — use --offset 2 for more" in page
    last = run("introductions", "list", "--limit", "2", "--offset", "2")
    assert "showing 3–4 of 4 introductions" in last and "--offset" not in last.split("introductions")[-1]
    mine = json.loads(run("introductions", "list", "--subscriber", prospect, "--json"))
    assert mine["total"] == 1 and mine["items"][0]["target_id"] == prospect
    assert "unknown introduction state" in refused("introductions", "list", "--state", "maybe")

    subscribers_page = run("subscribers", "list", "--limit", "2")
    assert "showing 1–2 of 5 subscribers — use --offset 2 for more" in subscribers_page


def test_handoffs_list_and_conversation_show(home: Database) -> None:
    (subscriber,) = make_subscribers(home, "Help Me Ltd")
    with home.transaction() as session:
        conversation = open_conversation(session, "web", "thread-1", subscriber)
        add_message(session, conversation, "user", "my bill is wrong")
        add_message(session, conversation, "assistant", "I am passing you to our support team.")
        conversation.mode, conversation.handoff_reason = "handed_off", "Billing question\nmore detail"
        conversation_id = conversation.id

    listed = run("handoffs", "list")
    assert conversation_id in listed and "Help Me Ltd" in listed and "Billing question" in listed
    assert "unassigned" in listed
    shown = run("conversations", "show", conversation_id)
    assert "my bill is wrong" in shown and "handed off" in shown
    assert json.loads(run("conversations", "show", subscriber, "--json"))["id"] == conversation_id
    assert "no conversation" in refused("conversations", "show", "cnv_missing")


def test_match_tells_an_empty_index_apart_from_no_fit(home: Database) -> None:
    bakery = add_business(home, "Crumb Bakery", offers="sourdough bread", needs="wholesale flour")
    add_business(home, "Miller", offers="wholesale flour", needs="bread", naics_code="311211")
    output = run("match", bakery)
    assert "index of discoverable profiles is empty" in output and "layer8 index rebuild" in output
    assert "indexed 2" in run("index", "rebuild")
    found = run("match", bakery)
    assert "index of discoverable profiles is empty" not in found and "1. Miller" in found
