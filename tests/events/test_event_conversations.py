"""Events in conversation, with the scripted fake model: an invitation answered by its buttons on each
channel, find_events with RSVP buttons, a full event's waiting list moving up, check-in with the door code."""

from __future__ import annotations

import pytest

from assistant.llm.fake import FakeChatModel
from channels.event_notify import invitation_reply
from network.db import Database
from network.models import EventInvitation
from network.services import events
from tests.assistant.fakes import fake_ports
from tests.events.builders import make_event
from tests.harness import Harness
from tools import phrases

call = FakeChatModel.call


def state(h: Harness, event_id: str, who: str) -> str:
    (row,) = h.rows(EventInvitation, event_id=event_id, subscriber_id=who)
    return row.state


def invite(h: Harness, event_id: str, who: str, meets: list[dict[str, object]] | None = None) -> None:
    with h.db.transaction() as session:
        events.invite(session, event_id, [events.Invitee(who, 1.0, meets or [])])


@pytest.mark.parametrize("channel", ["slack", "whatsapp", "web"])
def test_an_invitation_is_answered_with_its_buttons(sqlite_db: Database, channel: str) -> None:
    h = Harness(sqlite_db, ports=fake_ports(sqlite_db), channel=channel)
    me = h.subscriber("Leeds Bakery")
    mill = h.subscriber("Pennine Mills")
    event_id, _ = make_event(sqlite_db, capacity=5)
    invite(
        h, event_id, me, [{"subscriber_id": mill, "business_name": "Pennine Mills", "reasons": ["Flour."]}]
    )
    with sqlite_db.read() as session:
        row = events.invitation(session, event_id, me)
        assert row is not None
        message = invitation_reply(events.require(session, event_id), row)
    assert "You'd meet Pennine Mills: Flour." in message.text
    assert [b.label for b in message.buttons] == [phrases.GOING_LABEL, phrases.NOT_GOING_LABEL]
    assert message.buttons[0].action.encode() == f"rsvp:{event_id}:yes"

    reply = h.press(message.buttons[0], as_=me)
    assert "You're going to Leeds breakfast" in reply.text
    assert state(h, event_id, me) == "going"
    assert h.model.calls == []  # a button press is the server's business, not the model's

    h.press(message.buttons[1], as_=me)
    assert state(h, event_id, me) == "cancelled"


def test_find_events_lists_my_invitation_and_offers_rsvp_buttons(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", region="Leeds")
    event_id, _ = make_event(quick.db, capacity=5)
    invite(quick, event_id, me)
    quick.script(call("find_events"))
    reply = quick.send("any events coming up?", as_=me)
    assert "Leeds breakfast" in reply.text and "(you: invited)" in reply.text
    quick.press(phrases.GOING_LABEL)
    assert state(quick, event_id, me) == "going"


def test_a_full_events_waiting_list_moves_up_when_someone_cancels(quick: Harness) -> None:
    ana = quick.subscriber("Ana Bakes")
    bo = quick.subscriber("Bo Plumbing")
    event_id, _ = make_event(quick.db, capacity=1)
    for who in (ana, bo):
        invite(quick, event_id, who)
    quick.script(call("rsvp_event", event="breakfast", answer="going"))
    assert "You're going" in quick.send("yes I'll come to the breakfast", as_=ana).text
    quick.script(call("rsvp_event", event="breakfast", answer="going"))
    assert "waiting list" in quick.send("count me in for the breakfast", as_=bo).text
    quick.script(call("rsvp_event", answer="not_going"))
    quick.send("I can't make it after all", as_=ana)
    assert state(quick, event_id, ana) == "cancelled"
    assert state(quick, event_id, bo) == "going"


def test_check_in_with_the_door_code(quick: Harness) -> None:
    ana = quick.subscriber("Ana Bakes")
    event_id, code = make_event(quick.db, capacity=3)
    invite(quick, event_id, ana)
    quick.script(call("rsvp_event", answer="going"))
    quick.send("yes please", as_=ana)
    quick.script(call("rsvp_event", answer="check_in"))
    assert "check-in code" in quick.send("I'm here", as_=ana).text  # no code: asked for it
    assert state(quick, event_id, ana) == "going"
    quick.script(call("rsvp_event", answer="check_in", code=code))
    assert "checked in" in quick.send(f"checking in, the code is {code}", as_=ana).text
    assert state(quick, event_id, ana) == "attended"
