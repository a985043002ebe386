"""The NPS survey in the conversation, with the scripted fake model: asked once per period after a plain
answer (never in the middle of a flow), 0–10 as buttons on every channel, then the main reason."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from assistant.llm.fake import FakeChatModel
from assistant.messages import OutboundReply
from assistant.service import Options
from channels.options import MemoryOptions, choices_of, choose
from channels.slack import blocks
from channels.whatsapp import render
from network.db import Database
from network.ids import utcnow
from network.models import NpsResponse
from network.services import referrals
from tests.assistant.fakes import fake_ports
from tests.harness import Harness

QUESTION = "how likely are you to recommend Northwind Telecom to another business owner?"
call = FakeChatModel.call


def surveyed(db: Database) -> Harness:
    options = Options(operator="Northwind Telecom", nps_period=timedelta(days=90))
    h = Harness(db, ports=fake_ports(db), options=options)
    h.me = h.subscriber("Leeds Bakes", description="a sourdough bakery in Leeds")
    return h


def chat(h: Harness, *texts: str) -> list[OutboundReply]:
    h.script(*(f"Happy to help with {t}." for t in texts))
    return [h.send(t) for t in texts]


def test_asked_after_a_plain_answer_then_the_score_and_reason_are_stored(sqlite_db: Database) -> None:
    h = surveyed(sqlite_db)
    first, second, third = chat(h, "opening hours", "pricing", "staff rotas")
    assert QUESTION not in first.text and QUESTION not in second.text
    assert third.text.startswith("Happy to help with staff rotas.") and QUESTION in third.text
    assert [b.label for b in third.buttons] == [str(n) for n in range(11)]
    asked = h.press("9")
    assert asked.text == "Thank you! What is the main reason for your score?"
    assert [b.label for b in asked.buttons] == ["Skip"]
    thanks = h.send("You send me new customers every month")
    assert thanks.text.startswith("Thank you, that helps.")
    assert h.model.pending == 0  # the survey's turns took no scripted model reply
    survey = h.rows(NpsResponse)[0]
    assert (survey.score, survey.reason, survey.state, survey.channel) == (
        9,
        "You send me new customers every month",
        "answered",
        "test",
    )
    assert survey.scored_at is not None and survey.answered_at is not None


def test_no_second_survey_inside_the_period(sqlite_db: Database) -> None:
    h = surveyed(sqlite_db)
    chat(h, "a", "b", "c")
    h.press("3")
    h.press("Skip")
    later = chat(h, "d", "e", "f", "g")
    assert all(QUESTION not in r.text for r in later)
    assert h.count(NpsResponse) == 1 and h.rows(NpsResponse)[0].state == "dismissed"
    with h.db.transaction() as session:
        session.execute(update(NpsResponse).values(asked_at=utcnow() - timedelta(days=91)))
    assert QUESTION in chat(h, "h")[0].text
    assert h.count(NpsResponse) == 2


def test_never_in_the_middle_of_a_flow(sqlite_db: Database) -> None:
    h = surveyed(sqlite_db)
    bob = h.subscriber("Bob Bookkeeping", description="bookkeeping for small firms")
    acme = h.subscriber("Acme Plumbing", description="plumbing in Leeds")
    with h.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    h.script(call("record_deal", amount="2400", currency="GBP", referrer="Bob Bookkeeping"))
    proposed = h.send("we closed £2,400 with Jane's Cafe thanks to Bob", as_=acme)
    assert "nothing is recorded until you confirm" in proposed.text
    replies = chat(h, "opening hours", "pricing", "staff rotas")  # the deal still waits for Confirm
    assert all(QUESTION not in r.text for r in replies)
    assert h.count(NpsResponse) == 0


def test_a_typed_score_works_where_there_are_no_buttons(sqlite_db: Database) -> None:
    h = surveyed(sqlite_db)
    chat(h, "a", "b", "c")
    assert h.send("10").text == "Thank you! What is the main reason for your score?"
    assert h.rows(NpsResponse)[0].score == 10


def test_every_channel_shows_the_scale(sqlite_db: Database) -> None:
    h = surveyed(sqlite_db)
    reply = chat(h, "a", "b", "c")[-1]
    survey_id = h.rows(NpsResponse)[0].id
    # Slack: eleven buttons in one actions block
    _, rendered = blocks.render(reply)
    actions = next(b for b in rendered if b["type"] == "actions")
    assert [e["value"] for e in actions["elements"]] == [f"nps:{survey_id}:{n}" for n in range(11)]
    # WhatsApp: an interactive list of ten rows (its limit): "0 or 1", then 2 … 10
    listed = render.message(reply)["interactive"]
    rows = listed["action"]["sections"][0]["rows"]
    assert listed["type"] == "list" and len(rows) == 10
    assert [r["id"] for r in rows] == [f"nps:{survey_id}:0-1"] + [
        f"nps:{survey_id}:{n}" for n in range(2, 11)
    ]
    # ...and a number typed instead is the score, not the position of an option
    store = MemoryOptions()
    store.remember("wa:thread", choices_of(reply))
    picked = choose(store, "wa:thread", "7")
    assert picked is not None and not isinstance(picked, str) and picked.value == "7"
    assert choose(store, "wa:thread", "0").value == "0"  # type: ignore[union-attr]
    # web chat and the terminal: the same buttons, or the fallback text
    assert reply.is_scale() and "Reply with a number from 0 to 10." in reply.text_fallback()
