"""One-to-ones after an event: only between attendees who both came, up to three each, as suggested
introductions that the existing double opt-in settles; a follow-up is due a week later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.llm.fake import FakeChatModel
from channels.event_notify import one_to_ones_reply
from network.errors import NotFound
from network.ids import utcnow
from network.models import EventOneToOne, Introduction
from network.services import events, introductions, one_to_ones
from retrieval.event_invites import pairings
from tests.events.builders import ScriptedMatcher, make_event
from tests.harness import Harness
from tools import phrases

call = FakeChatModel.call


def came_and_closed(h: Harness, capacity: int = 10) -> tuple[str, dict[str, str]]:
    """Ana, Bo, Cy and Di going; Ana, Bo and Di checked in; Cy never came."""
    ids = {name: h.subscriber(f"{name} Ltd") for name in ("Ana", "Bo", "Cy", "Di", "Ed")}
    event_id, code = make_event(h.db, capacity=capacity)
    with h.db.transaction() as session:
        for name in ("Ana", "Bo", "Cy", "Di"):
            events.rsvp(session, event_id, ids[name], going=True)
        for name in ("Ana", "Bo", "Di"):
            events.check_in(session, event_id, ids[name], by="code", code=code)
        events.close(session, event_id)
    return event_id, ids


def test_one_to_ones_only_between_attendees_who_both_came(quick: Harness) -> None:
    event_id, ids = came_and_closed(quick)
    a, b, c, d, e = (ids[n] for n in ("Ana", "Bo", "Cy", "Di", "Ed"))
    matcher = ScriptedMatcher(
        {a: [(c, 3.0), (e, 2.5), (b, 1.0), (d, 0.5)], b: [(a, 0.9)], c: [(a, 3.0)], d: [(c, 1.0)]},
        names={b: "Bo Ltd", d: "Di Ltd"},
    )
    with quick.db.read() as session:
        came = events.attendees(session, event_id)
    with quick.db.transaction() as session:
        made = one_to_ones.suggest(session, event_id, pairings(matcher, came))
        # even a pairing handed in by mistake for someone who did not come is refused
        made += one_to_ones.suggest(session, event_id, {c: [one_to_ones.Pairing(a, 9.0, {}, [])]})
    pairs = {(i.requester_id, i.target_id) for i in quick.rows(Introduction)}
    assert pairs == {(a, b), (a, d), (b, a)}
    assert all(i.state == "suggested" for i in quick.rows(Introduction))
    assert len(made) == quick.count(EventOneToOne) == 3

    with quick.db.read() as session:
        message = one_to_ones_reply(session, events.require(session, event_id), a)
    assert message is not None and [i.title for i in message.items] == ["Bo Ltd", "Di Ltd"]
    assert "Worth a one-to-one with" in message.text


def test_a_one_to_one_is_double_opt_in_and_followed_up_a_week_later(quick: Harness) -> None:
    event_id, ids = came_and_closed(quick)
    a, b = ids["Ana"], ids["Bo"]
    with quick.db.transaction() as session:
        one_to_ones.suggest(session, event_id, {a: [one_to_ones.Pairing(b, 1.0, {}, ["You both bake."])]})
    quick.script(call("request_introduction", business="Bo Ltd"))
    quick.send("introduce me to Bo Ltd", as_=a)
    quick.press(phrases.CONFIRM_LABEL)
    (intro,) = quick.rows(Introduction)
    assert intro.state == "requested"  # Bo has not said yes: nothing crossed
    with quick.db.transaction() as session:
        introductions.respond(session, b, intro.id, accept=True)
        (row,) = session.query(EventOneToOne).all()
        one_to_ones.propose_time(session, row.id, b, "Tue 10:00 at the bakery")
        with pytest.raises(NotFound):
            one_to_ones.propose_time(session, row.id, ids["Di"], "never")
        assert one_to_ones.due_follow_ups(session) == []
        due = one_to_ones.due_follow_ups(session, now=utcnow() + timedelta(days=8))
    assert [(r.proposed_time, i.state) for r, i in due] == [("Tue 10:00 at the bakery", "accepted")]
