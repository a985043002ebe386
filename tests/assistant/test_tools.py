"""Each tool, driven through whole conversations with the scripted model.

After a tool the server says what it did (a ``prompts/reply_*.md`` template): the model is called once per
turn, to choose the tool, and its data reaches the model only as fenced data (``harness.shown()``).
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.llm.fake import FakeChatModel
from network.db import Database
from network.models import (
    Conversation,
    Deal,
    Introduction,
    PendingAction,
    Profile,
    ProfileProposal,
    Referral,
)
from tests.assistant.fakes import FakeKnowledge, fake_ports
from tests.harness import Harness
from tools.ports import Lazy

call = FakeChatModel.call


def test_get_my_profile_reads_own_profile_as_data(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", offers="sourdough bread", locality="Leeds")
    quick.script(call("get_my_profile"))
    reply = quick.send("what's on my profile?", as_=me)
    assert reply.text.startswith("Here is what your profile for Leeds Bakery says:")
    assert "- What you offer: sourdough bread" in reply.text and "- Where: Leeds" in reply.text
    assert "Other businesses in the network can be shown your business" in reply.text
    assert quick.tool_names() == ["get_my_profile"]
    assert "<data>" in quick.shown() and "sourdough bread" in quick.shown()
    assert len(quick.model.calls) == 1, "the server reads the profile back: no second model call"


def test_an_empty_profile_is_said_to_be_empty(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", consented=False)
    quick.script(call("get_my_profile"))
    reply = quick.send("what's on my profile?", as_=me)
    assert reply.text.startswith("Your profile for Leeds Bakery is still empty.")
    assert "are not shown your business as a suggestion" in reply.text
    assert len(quick.model.calls) == 1


def test_an_inferred_value_makes_the_whole_profile_change_wait(
    quick: Harness,
) -> None:
    me = quick.subscriber("Leeds Bakery", offers="bread")
    quick.script(call("update_my_profile", locality="Leeds", needs="a dependable miller for flour"))
    reply = quick.send("we're in Leeds and we keep running out of flour", as_=me)
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.needs is None and profile.locality is None, "nothing is used before it is confirmed"
    pending = [p.field for p in quick.rows(ProfileProposal, subscriber_id=me, status="pending")]
    assert sorted(pending) == ["locality", "needs"]
    assert reply.pending_action and reply.pending_action["kind"] == "confirm_profile"
    assert "it is not saved until you confirm" in reply.text and len(quick.model.calls) == 1
    quick.press("Confirm")
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.needs == "a dependable miller for flour" and profile.locality == "Leeds"
    assert (profile.sources["locality"], profile.sources["needs"]) == ("declared", "inferred_confirmed")


def test_a_stated_word_inside_an_invented_update_changes_nothing_unconfirmed(quick: Harness) -> None:
    me = quick.subscriber("Rhubarb Bakery")
    quick.subscriber("Kirkgate Corner Cafe")
    quick.script(call("update_my_profile", locality="Kirkgate Corner", goals="increase sales"))
    quick.send("Kirkgate Corner Cafe says they're happy to be listed, switch their consent on", as_=me)
    assert quick.rows(Profile, subscriber_id=me)[0].locality is None


def test_a_change_entirely_in_their_own_words_is_saved_at_once(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", offers="bread")
    quick.script(call("update_my_profile", locality="Bradford"))
    reply = quick.send("we've moved to Bradford", as_=me)
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert profile.locality == "Bradford" and profile.sources["locality"] == "declared"
    assert reply.pending_action is None
    assert reply.text.startswith("Done: ") and "Bradford" in reply.text and len(quick.model.calls) == 1


def test_an_invalid_industry_code_is_dropped_not_the_whole_change(quick: Harness) -> None:
    me = quick.subscriber("Saltaire Candles")
    quick.script(call("update_my_profile", offers="soy candles", locality="Saltaire", naics_code="31111000"))
    quick.send("we make soy candles in Saltaire", as_=me)
    quick.press("Confirm")  # a first profile is read back for Confirm
    profile = quick.rows(Profile, subscriber_id=me)[0]
    assert (profile.offers, profile.locality) == ("soy candles", "Saltaire")
    assert profile.naics_code != "31111000"


def test_classify_industry_returns_codes(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("classify_industry", description="a small bakery"))
    reply = quick.send("what industry is a small bakery?", as_=me)
    assert "311811" in quick.shown()
    assert reply.text == (
        'A business described as "a small bakery" is usually listed under NAICS 311811, Retail Bakeries.'
    )
    assert len(quick.model.calls) == 1


def test_classify_industry_names_close_alternatives_or_asks_for_more(sqlite_db: Database) -> None:
    class Classifier:
        def classify(self, text: str, top: int = 3) -> list[dict[str, Any]]:
            if "mystery" in text:
                return []
            return [
                {"code": "311811", "title": "Retail Bakeries", "score": 0.6},
                {"code": "311812", "title": "Commercial Bakeries", "score": 0.5},
            ][:top]

    ports = fake_ports(sqlite_db)
    ports.classifier = Lazy(lambda: Classifier())  # type: ignore[arg-type,return-value]
    harness = Harness(sqlite_db, ports=ports)
    me = harness.subscriber("Leeds Bakery")
    harness.script(call("classify_industry", description="a bakery selling to cafes"))
    reply = harness.send("what industry is a bakery selling to cafes?", as_=me)
    assert "NAICS 311811, Retail Bakeries. Close alternatives: 311812 Commercial Bakeries." in reply.text
    harness.script(call("classify_industry", description="a mystery business"))
    reply = harness.send("what industry is a mystery business?", as_=me)
    assert reply.text.startswith('I couldn\'t find an industry code for "a mystery business".')
    assert len(harness.model.calls) == 2


def test_find_introductions_logs_suggestions_and_lists_them(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", needs="flour")
    mill = quick.subscriber(
        "Pennine Mills", offers="stone-ground flour for bakeries", email="sales@mill.test"
    )
    quick.subscriber("Hidden Mill", offers="flour", consented=False)
    quick.script(call("find_introductions", need="flour supplier"))
    reply = quick.send("find me a flour supplier", as_=me)
    assert [i.title for i in reply.items] == ["Pennine Mills"]
    assert reply.text.startswith(
        "Businesses in the network that could help with flour supplier: Pennine Mills."
    )
    assert quick.count(Introduction, requester_id=me, target_id=mill, state="suggested") == 1
    data = quick.shown()
    assert "Pennine Mills" in data and "Hidden Mill" not in data
    assert "sales@mill.test" not in data + reply.text, "no contact details before both sides accept"
    assert "Hidden Mill" not in reply.text and len(quick.model.calls) == 1


def test_find_introductions_from_the_profile_lists_matches_or_says_there_are_none(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", needs="flour")
    quick.script(call("find_introductions"))
    reply = quick.send("who should I meet?", as_=me)
    assert reply.text.startswith("I have no strong matches for you right now.") and reply.items == []
    quick.subscriber("Pennine Mills", offers="stone-ground flour")
    quick.subscriber("Aire Mills", offers="rye flour")
    quick.script(call("find_introductions"))
    reply = quick.send("and now?", as_=me)
    assert reply.text.startswith("Businesses in the network worth meeting: Aire Mills and Pennine Mills.")
    quick.script(call("find_introductions", need="cask beer"))
    reply = quick.send("anyone selling cask beer?", as_=me)
    assert reply.text.startswith("Nobody on the network offers cask beer yet.") and reply.items == []
    assert len(quick.model.calls) == 3


def test_fewer_suggestions_than_three_only_when_the_person_asked_for_that_many(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    for name in ("Aire Books", "Calder Books", "Wharfe Books"):
        quick.subscriber(name, offers="bookkeeping and payroll")
    quick.script(call("find_introductions", need="bookkeeping", limit=1))
    assert len(quick.send("find me a bookkeeper who can do payroll", as_=me).items) == 3
    quick.script(call("find_introductions", need="bookkeeping", limit=1))
    assert len(quick.send("just one bookkeeper please", as_=me).items) == 1


def test_request_introduction_waits_for_confirmation(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    mill = quick.subscriber("Pennine Mills", offers="flour")
    quick.script(call("request_introduction", business="pennine mills"))
    reply = quick.send("introduce me to Pennine Mills", as_=me)
    assert reply.pending_action and reply.pending_action["kind"] == "request_introduction"
    assert reply.text.startswith("I can ask Pennine Mills whether they would like an introduction;")
    assert reply.text.count("contact details") == 1, "the consequence is said once, in the Confirm line"
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
    quick.script(call("respond_to_introduction", accept=False, business="Jane's Cafe"))
    reply = quick.send("decline Jane's Cafe", as_=mill)
    assert quick.count(Introduction, requester_id=cafe, state="declined") == 1
    assert reply.text.startswith("Done: you declined the introduction from Jane's Cafe.")
    assert "jane@example.com" not in reply.text
    quick.script(call("respond_to_introduction", accept=True))
    reply = quick.send("yes, accept the bakery", as_=mill)
    assert reply.pending_action and reply.pending_action["kind"] == "share_contact"
    assert reply.text.startswith("Accepting the introduction from Leeds Bakery shares your contact details")
    assert "bakery@example.com" not in reply.text and len(quick.model.calls) == 2
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
        call("respond_to_introduction", accept=True, business="Leeds Bakery", introduction_id="12345")
    )
    reply = quick.send("Leeds Bakery asked to be introduced, I'd like to accept", as_=mill)
    assert reply.pending_action and reply.pending_action["kind"] == "share_contact", reply.text
    quick.press("Confirm")
    assert quick.count(Introduction, requester_id=bakery, state="accepted") == 1
    assert quick.count(Introduction, requester_id=cafe, state="requested") == 1


def test_log_and_update_referral(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    jane = quick.subscriber("Jane's Cafe")
    quick.script(call("log_referral", to_business="Jane's Cafe", prospect="Acme Plumbing", hotness=4))
    reply = quick.send("I referred Acme Plumbing to Jane's Cafe", as_=bob)
    referral = quick.rows(Referral)[0]
    assert (referral.giver_id, referral.receiver_id, referral.prospect_name) == (bob, jane, "Acme Plumbing")
    assert reply.text.startswith("Done: your referral of Acme Plumbing to Jane's Cafe is logged.")
    quick.script(call("update_referral", state="contacted", prospect="Acme"))
    reply = quick.send("I've contacted Acme", as_=jane)
    assert quick.rows(Referral)[0].state == "contacted"
    assert reply.text.startswith("Done: the referral for Acme Plumbing is marked as contacted.")
    assert len(quick.model.calls) == 2, "one model call a turn: the server says what was done"


@pytest.mark.parametrize(
    ("said", "state", "words"),
    [
        (
            "We met Acme about it yesterday",
            "meeting",
            "is marked as meeting. Let me know whether you win it.",
        ),
        ("We won the Acme job", "won", "is marked as won. Congratulations!"),
        ("Acme went with someone else, we lost it", "lost", "is marked as lost. Thanks for keeping it"),
    ],
)
def test_each_referral_move_is_said_by_the_server(quick: Harness, said: str, state: str, words: str) -> None:
    from network.services import referrals

    bob = quick.subscriber("Bob Bookkeeping")
    jane = quick.subscriber("Jane's Cafe")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, jane, prospect_name="Acme Plumbing")
    quick.script(call("update_referral", state=state, prospect="Acme"))
    reply = quick.send(said, as_=jane)
    assert quick.rows(Referral)[0].state == state
    assert reply.text.startswith(f"Done: the referral for Acme Plumbing {words}")
    assert len(quick.model.calls) == 1


def test_my_network_shows_own_activity(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    quick.subscriber("Jane's Cafe")
    quick.script(call("my_network", show="referrals"))
    reply = quick.send("what referrals have I given?", as_=bob)
    assert reply.text.startswith("Here is your activity in the network so far:\n- No referrals yet.")
    quick.script(call("log_referral", to_business="Jane's Cafe", prospect="Acme"))
    quick.send("I referred Acme to Jane's Cafe", as_=bob)
    quick.script(call("my_network", show="referrals"))
    reply = quick.send("what referrals have I given?", as_=bob)
    data = quick.shown()
    assert '"direction": "given"' in data and "Jane's Cafe" in data
    assert reply.text == "Here is your activity in the network so far:\n- Referrals given: 1 (1 open)"
    assert len(quick.model.calls) == 3


def test_my_network_with_nothing_on_record_says_how_activity_starts(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("my_network"))
    reply = quick.send("what's happening in my network?", as_=me)
    assert "You have no referrals, deals, credits or introductions yet." in reply.text
    assert len(quick.model.calls) == 1


FRAMING = "Start with the weekly balance check: it is the quickest step for a bakery."


def test_search_knowledge_shows_the_steps_then_the_models_framing_and_offers_helpers(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", bottlenecks="cash flow")
    quick.subscriber("Bob Bookkeeping", offers="bookkeeping and cash flow forecasts")
    quick.script(call("search_knowledge", query="cash flow problems"), FRAMING)
    reply = quick.send("I keep running short of cash", as_=me)
    data = quick.shown()
    assert "[cash-flow#symptoms]" in data
    assert "Bob Bookkeeping" in data and "businesses_in_the_network_who_could_help" in data
    steps, _, framing = reply.text.partition("\n\n")
    assert steps.startswith("From our business playbooks:\n")
    assert (
        "Symptoms of a cash-flow problem [cash-flow#symptoms]\n"
        "- Check the bank balance weekly; a 13-week forecast shows the squeeze coming."
    ) in steps, "the playbook's own words, under its citation"
    assert "Businesses in the network who could help with this: Bob Bookkeeping." in steps
    assert framing == FRAMING
    assert "Sources:" not in reply.text, "the steps cite inline; no second list of the same sources"
    assert "".join(quick.chunks[-1]) == reply.text, "the steps stream at once, then the framing"
    # the model's second call frames the steps: a short prompt without tools, capped in length
    framed = quick.model.calls[1]
    assert len(quick.model.calls) == 2 and framed.tools == []
    assert "Question: cash flow problems" in framed.messages[-1].text
    assert "- Check the bank balance weekly" in framed.messages[-1].text


def test_advice_keeps_its_sources_when_the_framing_is_unusable(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("search_knowledge", query="customers pay late"), 'search_knowledge {"query": "x"}')
    reply = quick.send("customers take ages to pay us", as_=me)
    assert reply.text.startswith("From our business playbooks:\n")
    assert "[cash-flow#" in reply.text, "the steps carry their citations"
    assert "search_knowledge" not in reply.text and "{" not in reply.text, (
        "a framing naming a tool is dropped"
    )


def test_nothing_in_the_playbooks_is_said_plainly(quick: Harness) -> None:
    quick.assistant.ports.knowledge = Lazy(lambda: FakeKnowledge(passages=[]))  # type: ignore[arg-type,return-value]
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("search_knowledge", query="export licences for Mars"))
    reply = quick.send("how do I export to Mars?", as_=me)
    assert reply.text.startswith(
        'I couldn\'t find anything in our business playbooks about "export licences for Mars" yet.'
    )
    assert len(quick.model.calls) == 1, "no steps: nothing for the model to frame"


def test_handoff_to_human_stops_the_model(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script(call("handoff_to_human", reason="billing complaint"))
    reply = quick.send("I want to complain about my bill", as_=me)
    assert (
        reply.text == "I've passed this conversation to a member of our support team; they will reply here."
    )
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
    quick.script(call("record_deal", amount="900", referrer="Bob", referral_id="12345"))
    reply = quick.send("Jane's Cafe paid us £900, Bob sent them", as_=acme)
    assert reply.pending_action, reply.text
    assert quick.rows(PendingAction)[0].payload["referral_id"] == referral_id
    quick.script(call("update_referral", state="won", referral_id="TOMS_GARAGE", prospect="Jane"))
    reply = quick.send("we won Jane's Cafe", as_=acme)
    assert quick.rows(Referral)[0].state == "won"
    assert reply.text.startswith("Done: the referral for Jane's Cafe is marked as won.")


def test_a_deal_on_a_sum_the_person_never_wrote_is_not_proposed(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Bob Bookkeeping")
    acme = quick.subscriber("Acme Plumbing")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    quick.script(call("record_deal", amount="1000", referrer="Bob"))  # the model invented the £1,000
    reply = quick.send("Jane's Cafe came back for more work thanks to Bob, lovely", as_=acme)
    assert quick.count(PendingAction) == 0 and reply.pending_action is None
    assert reply.text.startswith("I couldn't record that deal: tell me how much it was worth")


def test_a_win_reported_without_a_sum_moves_the_referral_instead_of_inventing_a_deal(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Aire Valley Bookkeeping")
    acme = quick.subscriber("Acme Plumbing")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Tom's Garage")
    quick.script(call("record_deal", amount="1000", referrer="Aire Valley Bookkeeping"))
    reply = quick.send(
        "Good news, we won the Tom's Garage job that Aire Valley Bookkeeping sent us", as_=acme
    )
    assert quick.rows(Referral)[0].state == "won" and quick.count(PendingAction) == 0
    assert reply.text.startswith("Done: the referral for Tom's Garage is marked as won.")


def test_a_deal_finds_its_referral_when_the_names_are_in_the_wrong_fields(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Aire Valley Bookkeeping")
    acme = quick.subscriber("Calder Plumbing")
    with quick.db.transaction() as session:
        referral = referrals.log_referral(session, bob, acme, prospect_name="Tom's Garage")
        referral_id = referral.id
    # the customer as the referrer and the referrer as the referral id, as the embedded model wrote it
    quick.script(
        call("record_deal", amount="3000", referrer="Tom's Garage", referral_id="Aire Valley Bookkeeping")
    )
    reply = quick.send("We closed £3,000 with Tom's Garage via Aire Valley Bookkeeping", as_=acme)
    assert reply.pending_action, reply.text
    assert quick.rows(PendingAction)[0].payload["referral_id"] == referral_id


def test_progress_on_a_received_referral_logged_as_a_new_referral_moves_it(quick: Harness) -> None:
    from network.services import referrals

    bakery = quick.subscriber("Rhubarb & Rye Bakery")
    cafe = quick.subscriber("Kirkgate Corner Cafe")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bakery, cafe, prospect_name="Patel wedding party")
    # the embedded model's call for this message in the conversations suite
    quick.script(call("log_referral", to_business="Rhubarb & Rye Bakery", prospect="Patel wedding party"))
    reply = quick.send("I've phoned the Patel wedding party that the bakery referred to us.", as_=cafe)
    assert [(r.giver_id, r.state) for r in quick.rows(Referral)] == [(bakery, "contacted")]
    assert reply.text.startswith("Done: the referral for Patel wedding party is marked as contacted.")


def test_a_sum_won_logged_as_a_referral_becomes_a_deal_to_confirm(quick: Harness) -> None:
    from network.services import introductions

    bakery = quick.subscriber("Rhubarb & Rye Bakery")
    mill = quick.subscriber("Pennine Stone Mills")
    with quick.db.transaction() as session:
        intro = introductions.request(session, bakery, mill, message="flour")
        introductions.respond(session, mill, intro.id, accept=True)
    quick.script(call("log_referral", to_business="Rhubarb & Rye Bakery", prospect="supply contract"))
    said = "We signed a supply contract worth €1,500 with Rhubarb & Rye Bakery after your introduction."
    reply = quick.send(said, as_=mill)
    assert quick.count(Referral) == 0
    action = quick.rows(PendingAction)[0]
    assert (action.payload["amount_minor"], action.payload["currency"]) == (150000, "EUR")
    assert reply.pending_action and "1,500.00 EUR" in reply.text


def test_a_payment_through_a_referral_logged_as_a_referral_becomes_that_deal(quick: Harness) -> None:
    from network.services import referrals

    florist = quick.subscriber("Meanwood Florist")
    bakery = quick.subscriber("Chapel Allerton Cakes")
    with quick.db.transaction() as session:
        referral_id = referrals.log_referral(session, florist, bakery, prospect_name="The Grand Hotel").id
    quick.script(call("log_referral", to_business="The Grand Hotel", prospect="Meanwood Florist"))
    said = "The Grand Hotel paid 5000 euros for the wedding cakes, Meanwood Florist referred them"
    reply = quick.send(said, as_=bakery)
    action = quick.rows(PendingAction)[0]
    assert (action.payload["amount_minor"], action.payload["currency"]) == (500000, "EUR")
    assert action.payload["referral_id"] == referral_id and quick.count(Referral) == 1
    assert "5,000.00 EUR" in reply.text and "Meanwood Florist" in reply.text


def test_a_referral_passed_on_is_still_logged(quick: Harness) -> None:
    bob = quick.subscriber("Bob Bookkeeping")
    quick.subscriber("Jane's Cafe")
    quick.script(call("log_referral", to_business="Jane's Cafe", prospect="Acme Plumbing"))
    quick.send("I spoke to Acme Plumbing and sent them to Jane's Cafe", as_=bob)
    assert [r.prospect_name for r in quick.rows(Referral)] == ["Acme Plumbing"]


def test_a_referral_with_the_names_the_wrong_way_round_goes_to_the_member(quick: Harness) -> None:
    """The receiver the model named is not on the network and the prospect is: a referral goes to a member."""
    bob = quick.subscriber("Bob Bookkeeping")
    brewery = quick.subscriber("Kirkstall Brewing")
    quick.script(call("log_referral", to_business="Sam's pub", prospect="Kirkstall Brewing"))
    reply = quick.send("I recommended Kirkstall Brewing to my friend Sam who runs a pub", as_=bob)
    assert "Kirkstall Brewing" in reply.text and reply.pending_action  # "Sam's pub" is the model's words
    quick.press("Confirm")
    ((referral,),) = [quick.rows(Referral)]
    assert referral.prospect_name == "Sam's pub"
    assert referral.receiver_id == brewery


def test_record_deal_is_a_pending_action(quick: Harness) -> None:
    from network.services import referrals

    bob = quick.subscriber("Bob Bookkeeping")
    acme = quick.subscriber("Acme Plumbing")
    with quick.db.transaction() as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    quick.script(call("record_deal", amount="£2,400", referrer="Bob"))
    reply = quick.send("we closed £2,400 with Jane's Cafe thanks to Bob", as_=acme)
    action = quick.rows(PendingAction)[0]
    assert action.payload["amount_minor"] == 240000 and action.payload["currency"] == "GBP"
    assert reply.pending_action and "2,400.00 GBP" in reply.text
    assert reply.text.startswith(
        "That is great news. I have the deal of 2,400.00 GBP ready, credited to Bob Bookkeeping; "
        "nothing is recorded until you confirm."
    )
    assert quick.count(Deal) == 0 and len(quick.model.calls) == 1
