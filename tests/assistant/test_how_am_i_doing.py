""" "How am I doing?": ``my_network`` with everything answers with the person's traffic light — the colour,
the counts behind it, the next step that would raise it and the rule in words — through the whole pipeline
with the scripted fake model. No tool of its own: the model picks ``my_network`` as for "my network?"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from assistant.llm.fake import FakeChatModel
from network.ids import utcnow
from network.models import Subscriber
from network.services import events, referrals
from tests.events.builders import make_event
from tests.harness import Harness

call = FakeChatModel.call
RULE = (
    "How it is worked out: Over the last six months, each referral you give, each one-to-one (an "
    "introduction both sides accepted) and each event you check in at is 1 point; each deal you give or "
    "receive is 2. Green is 6 points or more, amber 3–5, red fewer than 3; grey for your first 30 days."
)


def joined_long_ago(h: Harness, *ids: str) -> None:
    with h.db.transaction() as session:
        session.execute(
            update(Subscriber).where(Subscriber.id.in_(ids)).values(created_at=utcnow() - timedelta(days=90))
        )


def refer(h: Harness, giver: str, receiver: str, times: int) -> None:
    with h.db.transaction() as session:
        for n in range(times):
            referrals.log_referral(session, giver, receiver, prospect_name=f"Prospect {n}")


def attend(h: Harness, me: str, events_count: int) -> None:
    """Checked in at the door of ``events_count`` events (issue 21's records, through its service)."""
    for _ in range(events_count):
        event_id, code = make_event(h.db, capacity=5)
        with h.db.transaction() as session:
            events.rsvp(session, event_id, me, going=True)
            events.check_in(session, event_id, me, by="code", code=code)


def ask(h: Harness, me: str, text: str = "how am I doing?") -> str:
    h.script(call("my_network"))
    reply = h.send(text, as_=me)
    assert h.tool_names() == ["my_network"] and len(h.model.calls) == 1  # the server spoke, not the model
    return reply.text


def test_red_with_the_counts_the_next_step_and_the_rule(quick: Harness) -> None:
    bob, jane = quick.subscriber("Bob Bookkeeping"), quick.subscriber("Jane's Cafe")
    joined_long_ago(quick, bob, jane)
    refer(quick, bob, jane, 1)
    text = ask(quick, bob)
    assert text.startswith(
        "Your traffic light is red: 1 point in the last six months (1 referral given, 0 one-to-ones, "
        "0 deals, 0 events attended). 2 more points would make it amber: a deal from a referral is worth "
        "2; giving a referral, a one-to-one or checking in at an event, 1 each.\n" + RULE
    )
    assert "Here is your activity in the network so far:\n- Referrals given: 1 (1 open)" in text
    shown = quick.shown()  # the model's data carries the same figures
    assert '"colour": "red"' in shown and '"points_to_next_colour": 2' in shown


def test_events_attended_raise_the_light_to_amber_and_say_what_makes_green(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    joined_long_ago(quick, me)
    attend(quick, me, 4)
    text = ask(quick, me, "what's my score?")
    assert text.startswith(
        "Your traffic light is amber: 4 points in the last six months (0 referrals given, 0 one-to-ones, "
        "0 deals, 4 events attended). 2 more points would make it green:"
    )


def test_one_point_short_names_the_one_step(quick: Harness) -> None:
    bob, jane = quick.subscriber("Bob Bookkeeping"), quick.subscriber("Jane's Cafe")
    joined_long_ago(quick, bob, jane)
    refer(quick, bob, jane, 2)
    attend(quick, bob, 3)
    text = ask(quick, bob, "am I green?")
    assert text.startswith(
        "Your traffic light is amber: 5 points in the last six months (2 referrals given, 0 one-to-ones, "
        "0 deals, 3 events attended). 1 more point would make it green: give a referral, have a one-to-one "
        "or check in at an event.\n"
    )


def test_green_says_how_to_stay_green(quick: Harness) -> None:
    bob, jane = quick.subscriber("Bob Bookkeeping"), quick.subscriber("Jane's Cafe")
    joined_long_ago(quick, bob, jane)
    refer(quick, bob, jane, 6)
    text = ask(quick, bob)
    assert text.startswith(
        "Your traffic light is green: 6 points in the last six months (6 referrals given, 0 one-to-ones, "
        "0 deals, 0 events attended). Green is the top colour. Points count for six months, so keep "
        "referring and meeting to stay green.\n" + RULE
    )


def test_a_newcomer_is_grey_until_thirty_days_after_joining(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    text = ask(quick, me)
    day = (utcnow() + timedelta(days=30)).date().isoformat()
    assert text.startswith(
        "Your traffic light is grey: 0 points in the last six months (0 referrals given, 0 one-to-ones, "
        f"0 deals, 0 events attended). It is too early to judge: your light gets its colour on {day}.\n"
    )
    assert text.endswith("and it will show up here.")  # nothing on record yet: how activity starts


@pytest.mark.parametrize("show", ["referrals", "deals", "credits", "introductions"])
def test_one_part_of_the_network_leaves_the_light_out(quick: Harness, show: str) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("my_network", show=show))
    text = quick.send(f"my {show}?", as_=me).text
    assert text == f"Here is your activity in the network so far:\n- No {show} yet."
    assert "traffic light" not in text and '"standing"' not in quick.shown()
