"""Each tool, driven through whole conversations with the scripted model."""

from __future__ import annotations

from assistant.llm.fake import FakeChatModel
from network.models import (
    Conversation,
    Introduction,
    PendingAction,
    Profile,
    ProfileProposal,
    Referral,
)
from tests.harness import Harness

call = FakeChatModel.call


def test_get_my_profile_reads_own_profile_as_data(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", offers="sourdough bread", locality="Leeds")
    quick.script(call("get_my_profile"), "You offer sourdough bread in Leeds.")
    reply = quick.send("what's on my profile?", as_=me)
    assert reply.text == "You offer sourdough bread in Leeds."
    assert quick.tool_names() == ["get_my_profile"]
    tool_message = quick.model.calls[1].messages[-1]
    assert "<data>" in tool_message.text and "sourdough bread" in tool_message.text
    assert quick.model.calls[1].tools == [], "the final answer is generated without tools offered"


def test_an_inferred_value_makes_the_whole_profile_change_wait(
    quick: Harness,
) -> None:
    me = quick.subscriber("Leeds Bakery", offers="bread")
    quick.script(call("update_my_profile", locality="Leeds", needs="a dependable miller for flour"), "Noted.")
    reply = quick.send("we're in Leeds and we keep running out of flour", as_=me)
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.needs is None and profile.locality is None, "nothing is used before it is confirmed"
    pending = [p.field for p in quick.rows(ProfileProposal, subscriber_id=me, status="pending")]
    assert sorted(pending) == ["locality", "needs"]
    assert reply.pending_action and reply.pending_action["kind"] == "confirm_profile"
    quick.press("Confirm")
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.needs == "a dependable miller for flour" and profile.locality == "Leeds"
    assert (profile.sources["locality"], profile.sources["needs"]) == ("declared", "inferred_confirmed")


def test_a_stated_word_inside_an_invented_update_changes_nothing_unconfirmed(quick: Harness) -> None:
    me = quick.subscriber("Rhubarb Bakery")
    quick.subscriber("Kirkgate Corner Cafe")
    quick.script(call("update_my_profile", locality="Kirkgate Corner", goals="increase sales"), "Done.")
    quick.send("Kirkgate Corner Cafe says they're happy to be listed, switch their consent on", as_=me)
    assert quick.rows(Profile, subscriber_id=me)[0].locality is None


def test_a_change_entirely_in_their_own_words_is_saved_at_once(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", offers="bread")
    quick.script(call("update_my_profile", locality="Bradford"), "Saved.")
    reply = quick.send("we've moved to Bradford", as_=me)
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.locality == "Bradford" and profile.sources["locality"] == "declared"
    assert reply.pending_action is None


def test_an_invalid_industry_code_is_dropped_not_the_whole_change(quick: Harness) -> None:
    me = quick.subscriber("Saltaire Candles")
    quick.script(
        call("update_my_profile", offers="soy candles", locality="Saltaire", naics_code="31111000"), "Ok."
    )
    quick.send("we make soy candles in Saltaire", as_=me)
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert (profile.offers, profile.locality) == ("soy candles", "Saltaire")
    assert profile.naics_code != "31111000"


def test_classify_industry_returns_codes(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("classify_industry", description="a small bakery"), "That is Retail Bakeries (311811).")
    quick.send("what industry is a small bakery?", as_=me)
    assert "311811" in quick.model.calls[1].messages[-1].text


def test_find_introductions_logs_suggestions_and_lists_them(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", needs="flour")
    mill = quick.subscriber(
        "Pennine Mills", offers="stone-ground flour for bakeries", email="sales@mill.test"
    )
    quick.subscriber("Hidden Mill", offers="flour", consented=False)
    quick.script(call("find_introductions", need="flour supplier"), "Pennine Mills offers flour.")
    reply = quick.send("find me a flour supplier", as_=me)
    assert [i.title for i in reply.items] == ["Pennine Mills"]
    assert quick.count(Introduction, requester_id=me, target_id=mill, state="suggested") == 1
    data = quick.model.calls[1].messages[-1].text
    assert "Pennine Mills" in data and "Hidden Mill" not in data
    assert "sales@mill.test" not in data, "no contact details before both sides accept"


def test_request_introduction_waits_for_confirmation(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    mill = quick.subscriber("Pennine Mills", offers="flour")
    quick.script(call("request_introduction", business="pennine mills"), "I can ask them for you.")
    reply = quick.send("introduce me to Pennine Mills", as_=me)
    assert reply.pending_action and reply.pending_action["kind"] == "request_introduction"
    assert quick.count(Introduction, state="requested") == 0
    quick.press("Confirm")
    assert quick.count(Introduction, requester_id=me, target_id=mill, state="requested") == 1


def test_respond_to_introduction_decline_at_once_accept_after_confirmation(quick: Harness) -> None:
    from network.services import introductions

    mill = quick.subscriber("Pennine Mills", offers="flour", email="mill@example.com")
    bakery = quick.subscriber("Leeds Bakery", email="bakery@example.com")
    cafe = quick.subscriber("Jane's Cafe", email="jane@example.com")
    with quick.db.transaction() as session:
        introductions.request(session, bakery, mill)
        introductions.request(session, cafe, mill)
    quick.script(call("respond_to_introduction", accept=False, business="Jane's Cafe"), "Declined.")
    quick.send("decline Jane's Cafe", as_=mill)
    assert quick.count(Introduction, requester_id=cafe, state="declined") == 1
    quick.script(call("respond_to_introduction", accept=True), "Happy to connect you.")
    reply = quick.send("yes, accept the bakery", as_=mill)
    assert reply.pending_action and reply.pending_action["kind"] == "share_contact"
    assert "bakery@example.com" not in reply.text
    assert quick.count(Introduction, requester_id=bakery, state="accepted") == 0
    confirmed = quick.press("Confirm")
    assert quick.count(Introduction, requester_id=bakery, state="accepted") == 1
    assert "bakery@example.com" in confirmed.text


def test_an_invented_introduction_id_falls_back_to_the_business_named(quick: Harness) -> None:
    from network.services import introductions

    mill = quick.subscriber("Pennine Mills", offers="flour")
    bakery = quick.subscriber("Leeds Bakery", email="bakery@example.com")
    cafe = quick.subscriber("Jane's Cafe")
    with quick.db.transaction() as session:
        introductions.request(session, bakery, mill)
        introductions.request(session, cafe, mill)
    quick.script(
        call("respond_to_introduction", accept=True, business="Leeds Bakery", introduction_id="12345"), "Ok."
    )
    reply = quick.send("Leeds Bakery asked to be introduced, I'd like to accept", as_=mill)
    assert reply.pending_action and reply.pending_action["kind"] == "share_contact", reply.text
    quick.press("Confirm")
    assert quick.count(Introduction, requester_id=bakery, state="accepted") == 1
    assert quick.count(Introduction, requester_id=cafe, state="requested") == 1


def test_log_and_update_referral(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    jane = quick.subscriber("Jane's Cafe")
    quick.script(
        call("log_referral", to_business="Jane's Cafe", prospect="Acme Plumbing", hotness=4), "Logged."
    )
    quick.send("I referred Acme Plumbing to Jane's Cafe", as_=bob)
    referral = quick.rows(Referral)[0]
    assert (referral.giver_id, referral.receiver_id, referral.prospect_name) == (bob, jane, "Acme Plumbing")
    quick.script(call("update_referral", state="contacted", prospect="Acme"), "Updated.")
    quick.send("I've contacted Acme", as_=jane)
    assert quick.rows(Referral)[0].state == "contacted"


def test_my_network_shows_own_activity(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    quick.subscriber("Jane's Cafe")
    quick.script(call("log_referral", to_business="Jane's Cafe", prospect="Acme"), "Logged.")
    quick.send("I referred Acme to Jane's Cafe", as_=bob)
    quick.script(call("my_network", show="referrals"), "You gave one referral.")
    quick.send("what referrals have I given?", as_=bob)
    data = quick.model.calls[-1].messages[-1].text
    assert '"direction": "given"' in data and "Jane's Cafe" in data


def test_search_knowledge_cites_and_offers_helpers(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", bottlenecks="cash flow")
    quick.subscriber("Bob Bookkeeping", offers="bookkeeping and cash flow forecasts")
    quick.script(
        call("search_knowledge", query="cash flow problems"),
        "Forecast 13 weeks ahead [cash-flow#symptoms]. Bob Bookkeeping can help; want an introduction?",
    )
    reply = quick.send("I keep running short of cash", as_=me)
    data = quick.model.calls[1].messages[-1].text
    assert "[cash-flow#symptoms]" in data
    assert "Bob Bookkeeping" in data and "businesses_in_the_network_who_could_help" in data
    assert "[cash-flow#symptoms]" in reply.text


def test_an_answer_that_cites_nothing_gets_the_sources_it_draws_on(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(
        call("search_knowledge", query="customers pay late"),
        "Send invoices the same day, work out your debtor days and keep a chasing timetable.",
    )
    reply = quick.send("customers take ages to pay us", as_=me)
    body, _, sources = reply.text.partition("\n\nSources: ")
    assert body.startswith("Send invoices the same day")
    assert sources.startswith("[cash-flow#"), "the late-payment playbook, cited by the server"


def test_handoff_to_human_stops_the_model(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("handoff_to_human", reason="billing complaint"), "Passing you on.")
    reply = quick.send("I want to complain about my bill", as_=me)
    assert "support team" in reply.text
    conversation = quick.rows(Conversation)[0]
    assert conversation.mode == "handed_off" and "billing complaint" in (conversation.handoff_reason or "")
    calls_before = len(quick.model.calls)
    reply = quick.send("hello?", as_=me)
    assert len(quick.model.calls) == calls_before, "a handed-off thread gets no model answer"
    assert "support team" in reply.text


def test_an_invented_referral_id_falls_back_to_the_referrer_named(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Bob Bookkeeping")
    acme = quick.subscriber("Acme Plumbing")
    with quick.db.transaction() as session:
        referral = referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
        referral_id = referral.id
    quick.script(call("record_deal", amount="900", referrer="Bob", referral_id="12345"), "Shall I?")
    reply = quick.send("Jane's Cafe paid us £900, Bob sent them", as_=acme)
    assert reply.pending_action, reply.text
    assert quick.rows(PendingAction)[0].payload["referral_id"] == referral_id
    quick.script(call("update_referral", state="won", referral_id="TOMS_GARAGE", prospect="Jane"), "Ok.")
    quick.send("we won Jane's Cafe", as_=acme)
    assert quick.rows(Referral)[0].state == "won"


def test_record_deal_is_a_pending_action(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Bob Bookkeeping")
    acme = quick.subscriber("Acme Plumbing")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    quick.script(call("record_deal", amount="£2,400", referrer="Bob"), "Shall I record it?")
    reply = quick.send("we closed £2,400 with Jane's Cafe thanks to Bob", as_=acme)
    action = quick.rows(PendingAction)[0]
    assert action.payload["amount_minor"] == 240000 and action.payload["currency"] == "GBP"
    assert reply.pending_action and "2,400.00 GBP" in reply.text
