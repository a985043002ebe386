"""Times for a one-to-one by buttons, with the fake model through the harness: accepting a one-to-one offers
three slots and "Suggest another"; a slot pressed is proposed and the other side is asked with Accept /
Suggest another; only the other side can accept; a stranger cannot touch it; the proposer hears it was
accepted. A week later both are asked what came of it, and a referral they mention is logged as usual."""

from __future__ import annotations

from datetime import datetime, timedelta

from assistant.llm.fake import FakeChatModel
from assistant.messages import Action
from channels import meeting_notify
from network.ids import utcnow
from network.models import EventOneToOne, Introduction, Referral
from network.services import one_to_ones
from tests.events.test_one_to_ones import came_and_closed
from tests.harness import Harness
from tools import phrases

call = FakeChatModel.call


def agreed_one_to_one(h: Harness) -> dict[str, str]:
    """Ana asked for a one-to-one with Bo after the event (model + confirmation); Bo accepted by button."""
    event_id, ids = came_and_closed(h)
    with h.db.transaction() as session:
        pairing = one_to_ones.Pairing(ids["Bo"], 1.0, {}, ["You both bake."])
        one_to_ones.suggest(session, event_id, {ids["Ana"]: [pairing]})
    h.script(call("request_introduction", business="Bo Ltd"))
    h.send("introduce me to Bo Ltd", as_=ids["Ana"])
    h.press(phrases.CONFIRM_LABEL)
    return ids


def test_slots_are_weekdays_in_the_events_zone() -> None:
    friday = datetime.fromisoformat("2027-01-15T17:00+00:00")
    first = one_to_ones.slots("Europe/London", friday)
    assert [s.isoformat() for s in first] == [
        "2027-01-18T09:30:00+00:00",  # Monday: the weekend is skipped
        "2027-01-18T12:30:00+00:00",
        "2027-01-18T16:00:00+00:00",
    ]
    assert one_to_ones.slots("Europe/London", friday, skip=3)[0].isoformat() == "2027-01-19T09:30:00+00:00"


def test_both_sides_settle_a_time_by_buttons(quick: Harness) -> None:
    ids = agreed_one_to_one(quick)
    ana, bo, di = ids["Ana"], ids["Bo"], ids["Di"]
    (intro,) = quick.rows(Introduction)
    accepted = quick.press(Action("accept_intro", intro.id), as_=bo)
    assert "Pick a time for your one-to-one with Ana Ltd (Europe/London):" in accepted.text
    labels = [b.label for b in accepted.buttons]
    assert len(labels) == 4 and labels[-1] == phrases.MEET_ANOTHER_LABEL
    with quick.db.read() as session:  # the requester is offered the same choice on their own channel
        found = meeting_notify.message(session, quick.rows(EventOneToOne)[0].id, "pick")
    assert found is not None and found[0] == ana and len(found[1].buttons) == 4

    more = quick.press(phrases.MEET_ANOTHER_LABEL, as_=bo)
    assert more.text.startswith("Other times") and more.buttons[0].label not in labels[:3]
    proposed = quick.press(more.buttons[0], as_=bo)
    assert proposed.text == phrases.MEET_PROPOSED.format(when=more.buttons[0].label, other="Ana Ltd")
    (row,) = quick.rows(EventOneToOne)
    assert row.proposed_by == bo and row.agreed_at is None

    with quick.db.read() as session:  # Ana is asked, with Accept and Suggest another
        to, asked = meeting_notify.message(session, row.id, "proposed") or ("", None)
    assert to == ana and asked is not None
    assert asked.text == f"Bo Ltd proposes {more.buttons[0].label} for your one-to-one. Does it suit you?"
    assert [b.label for b in asked.buttons] == [phrases.MEET_ACCEPT_LABEL, phrases.MEET_ANOTHER_LABEL]

    assert quick.press(asked.buttons[0].action, as_=bo).error_code == "conflict"  # not his own
    assert quick.press(asked.buttons[0].action, as_=di).text == phrases.NOT_YOURS
    agreed = quick.press(asked.buttons[0].action, as_=ana)
    assert agreed.text == f"Agreed: your one-to-one with Bo Ltd is on {more.buttons[0].label}."
    assert quick.rows(EventOneToOne)[0].agreed_at is not None
    with quick.db.read() as session:  # and Bo hears it
        to, told = meeting_notify.message(session, row.id, "agreed") or ("", None)
    assert to == bo and told is not None and told.text.startswith("Agreed: your one-to-one with Ana Ltd")


def test_a_week_on_the_follow_up_leads_to_a_logged_referral(quick: Harness) -> None:
    ids = agreed_one_to_one(quick)
    (intro,) = quick.rows(Introduction)
    quick.press(Action("accept_intro", intro.id), as_=ids["Bo"])
    with quick.db.read() as session:
        due = [i.id for _row, i in one_to_ones.due_follow_ups(session, now=utcnow() + timedelta(days=8))]
    assert due == [intro.id]
    assert "tell me and I'll log the referral" in phrases.FOLLOW_UP
    quick.script(call("log_referral", to_business="Bo Ltd", prospect="Acme Hotels", hotness=4))
    reply = quick.send("It went well: I referred Acme Hotels to Bo Ltd", as_=ids["Ana"])
    (referral,) = quick.rows(Referral)
    assert (referral.giver_id, referral.receiver_id) == (ids["Ana"], ids["Bo"])
    assert reply.text.startswith("Done: your referral of Acme Hotels to Bo Ltd is logged.")
