"""The confirmation flow: money moves only after the person's own confirmation, exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.messages import Action, InboundMessage
from network.models import Deal, PendingAction, Referral
from network.services import referrals
from tests.harness import Harness

call = FakeChatModel.call


def _deal_proposed(h: Harness) -> tuple[str, str]:
    bob = h.subscriber("Bob Bookkeeping")
    acme = h.subscriber("Acme Plumbing")
    with h.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    h.script(call("record_deal", amount="2400", currency="GBP", referrer="Bob Bookkeeping"))
    reply = h.send("we closed £2,400 with Jane's Cafe thanks to Bob", as_=acme)
    assert "nothing is recorded until you confirm" in reply.text and h.model.pending == 0
    return bob, acme


def test_an_unconfirmed_deal_leaves_no_row(harness: Harness) -> None:
    _deal_proposed(harness)
    assert harness.count(Deal) == 0
    assert harness.count(PendingAction, state="pending") == 1


def test_a_confirmed_deal_is_recorded_once_even_when_confirmed_twice(harness: Harness) -> None:
    bob, acme = _deal_proposed(harness)
    button = harness.last_reply().buttons[0]
    first = harness.press(button)
    second = harness.press(button)
    assert harness.count(Deal) == 1
    deal = harness.rows(Deal)[0]
    assert (deal.amount_minor, deal.currency, deal.giver_id, deal.receiver_id) == (240000, "GBP", bob, acme)
    assert "2,400.00 GBP" in first.text
    assert "already confirmed" in second.text and "2,400.00 GBP" in second.text


def test_typed_yes_confirms_the_newest_proposal_and_a_repeat_changes_nothing(quick: Harness) -> None:
    _deal_proposed(quick)
    calls = len(quick.model.calls)
    quick.send("yes")
    assert quick.count(Deal) == 1
    assert len(quick.model.calls) == calls, "the confirmation is handled by the server, not the model"
    quick.press(Action("confirm", quick.rows(PendingAction)[0].id))
    assert quick.count(Deal) == 1


def test_concurrent_confirmations_record_one_deal(harness: Harness) -> None:
    _deal_proposed(harness)
    action = harness.last_reply().buttons[0].action
    me = harness.me

    def press(_: int) -> str:
        return harness.assistant.handle(InboundMessage("test", f"thread-{me}", me, action=action)).text

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(press, range(8)))
    assert harness.count(Deal) == 1
    assert sum("already confirmed" not in t for t in texts) == 1


def test_cancel_records_nothing_and_confirm_after_cancel_is_refused(quick: Harness) -> None:
    _deal_proposed(quick)
    confirm, cancel = quick.last_reply().buttons
    assert "Nothing was changed" in quick.press(cancel).text
    assert "cancelled" in quick.press(confirm).text
    assert quick.count(Deal) == 0


def test_typed_no_cancels(quick: Harness) -> None:
    _deal_proposed(quick)
    quick.send("no")
    assert quick.rows(PendingAction)[0].state == "cancelled"
    assert quick.count(Deal) == 0


def test_yes_to_an_older_proposal_goes_to_the_model_not_the_deal(quick: Harness) -> None:
    _deal_proposed(quick)
    quick.script("Hello again!")
    quick.send("hi")
    quick.script("Yes to what? Your deal is still waiting for its Confirm button.")
    quick.send("yes")
    assert quick.count(Deal) == 0, "a yes only confirms what the last reply asked"


def test_the_model_cannot_confirm(quick: Harness) -> None:
    _deal_proposed(quick)
    action_id = quick.rows(PendingAction)[0].id
    # there is no such tool: nothing runs, and the server (not the model) says nothing was done
    quick.script(call("confirm", id=action_id))
    reply = quick.send("please just confirm it yourself")
    assert reply.text.startswith("I can't do that myself, so nothing was changed.")
    assert "Confirmed" not in reply.text
    quick.script(call("record_deal", amount="2400", referrer="Bob", confirmed=True))
    reply = quick.send("record it, it's confirmed")
    assert reply.text.startswith("I couldn't record that deal from that yet."), "nothing is claimed done"
    assert quick.count(Deal) == 0 and quick.model.pending == 0


def test_another_subscriber_cannot_press_my_confirm_button(quick: Harness) -> None:
    _deal_proposed(quick)
    action = quick.last_reply().buttons[0].action
    intruder = quick.subscriber("Intruder Ltd")
    reply = quick.press(action, as_=intruder)
    assert "isn't for you" in reply.text
    assert quick.count(Deal) == 0


@pytest.mark.parametrize("text", ["yes", "Yes please", "confirm", "Yes, confirm it."])
def test_explicit_confirmation_words(text: str) -> None:
    from assistant.pending import is_no, is_yes

    assert is_yes(text) and not is_no(text)


def test_a_referral_the_person_did_not_name_waits_for_confirmation_and_logs_once(harness: Harness) -> None:
    bob = harness.subscriber("Bob Bookkeeping")
    harness.subscriber("Grain Shark Trading")
    # e.g. a profile the model read told it to log this: the person never named either side
    harness.script(call("log_referral", to_business="Grain Shark Trading", prospect="Big Hotel Group"))
    reply = harness.send("find me someone who sells spelt grain", as_=bob)
    assert harness.count(Referral) == 0
    assert reply.pending_action and reply.pending_action["kind"] == "log_referral"
    assert reply.text.startswith(
        "I have the referral of Big Hotel Group to Grain Shark Trading ready; "
        "it is not logged until you confirm."
    )
    button = harness.last_reply().buttons[0]
    first = harness.press(button)
    harness.press(button)
    assert harness.count(Referral) == 1
    assert "Big Hotel Group" in first.text and "Grain Shark Trading" in first.text


def test_a_referral_the_person_names_is_logged_at_once(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    quick.subscriber("Jane's Cafe")
    quick.script(call("log_referral", to_business="Jane's Cafe", prospect="Acme Plumbing"))
    reply = quick.send("I referred Acme Plumbing to Jane's Cafe", as_=bob)
    assert quick.count(Referral) == 1 and reply.pending_action is None
    assert reply.text.startswith("Done: your referral of Acme Plumbing to Jane's Cafe is logged.")


def test_a_referral_move_the_person_did_not_report_waits_for_confirmation(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    jane = quick.subscriber("Jane's Cafe")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, jane, prospect_name="Leeds Hotel")
    quick.script(call("update_referral", state="won", prospect="Leeds Hotel"))
    reply = quick.send("show me the referrals I've received", as_=jane)
    assert reply.pending_action and reply.pending_action["kind"] == "update_referral"
    assert reply.text.startswith(
        "I can mark the referral for Leeds Hotel as won; nothing changes until you confirm."
    )
    assert quick.rows(Referral)[0].state == "open"
    quick.send("yes")
    assert quick.rows(Referral)[0].state == "won"
    with quick.db.transaction() as session:
        otley = referrals.log_referral(session, bob, jane, prospect_name="Otley Deli").id
    quick.script(call("update_referral", state="contacted", prospect="Otley Deli"))
    reply = quick.send("I phoned Otley Deli this morning", as_=jane)
    assert quick.rows(Referral, id=otley)[0].state == "contacted", "their own words move it at once"
    assert reply.text.startswith("Done: the referral for Otley Deli is marked as contacted.")
