"""The server's words after a tool: every ``prompts/reply_*.md`` template, reached through the whole pipeline.

After a tool the person reads a template the server filled from the records, and the model is not called
again (issue 16) — except to frame advice, once, without tools. Each case below is a conversation that ends
in one template; a new template without a case here fails :func:`test_every_reply_template_has_a_case`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

import prompts
from assistant.llm.fake import FakeChatModel
from assistant.messages import OutboundReply
from network.models import Deal, Introduction, PendingAction, Referral
from network.services import events, introductions, referrals
from tests.assistant.fakes import FakeKnowledge
from tests.events.builders import make_event
from tests.harness import Harness
from tools.ports import Lazy, Ports

call = FakeChatModel.call
Case = Callable[[Harness], OutboundReply]


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The start of a reply in the template's words: its fixed words, anything for each placeholder (an empty
    one leaves no space behind: the rendered text is stripped)."""
    parts = re.split(r"\$\{?\w+\}?", prompts.source(name).strip())
    return re.compile(r"\s*.*?\s*".join(re.escape(part.strip()) for part in parts), re.DOTALL)


def _bakery(h: Harness, **profile: Any) -> str:
    return h.subscriber("Leeds Bakery", **profile)


def _referral(h: Harness, prospect: str = "Acme Plumbing") -> tuple[str, str]:
    bob = h.subscriber("Bob Bookkeeping")
    jane = h.subscriber("Jane's Cafe")
    with h.db.transaction() as session:
        referrals.log_referral(session, bob, jane, prospect_name=prospect)
    return bob, jane


def _asked_by_cafe(h: Harness) -> str:
    mill = h.subscriber("Pennine Mills", offers="flour")
    cafe = h.subscriber("Jane's Cafe")
    with h.db.transaction() as session:
        introductions.request(session, cafe, mill)
    return mill


def _invited(h: Harness) -> str:
    me = _bakery(h)
    event_id, _ = make_event(h.db)
    with h.db.transaction() as session:
        events.invite(session, event_id, [events.Invitee(me, 1.0, [])])
    return me


def _turn(h: Harness, me: str, text: str, *script: Any) -> OutboundReply:
    h.script(*script)
    return h.send(text, as_=me)


def _unavailable(h: Harness) -> OutboundReply:
    h.assistant.ports = Ports()  # an installation without the matching engine
    return _turn(h, _bakery(h), "find me a flour supplier", call("find_introductions", need="flour"))


CASES: dict[str, Case] = {
    "reply_advice": lambda h: _turn(
        h,
        _bakery(h),
        "I keep running short of cash",
        call("search_knowledge", query="cash flow"),
        "Start weekly.",
    ),
    "reply_advice_none": lambda h: _no_playbooks(h),
    "reply_broken": _unavailable,
    "reply_deal_waiting": lambda h: _turn(
        h,
        _referral(h)[1],
        "Acme paid us £900, Bob sent them",
        call("record_deal", amount="900", referrer="Bob"),
    ),
    "reply_failed": lambda h: _turn(
        h, _bakery(h), "introduce me to Nobody Ltd", call("request_introduction", business="Nobody Ltd")
    ),
    "reply_handed_off": lambda h: _turn(
        h, _bakery(h), "I want a human", call("handoff_to_human", reason="asked for a person")
    ),
    "reply_industry": lambda h: _turn(
        h, _bakery(h), "what industry am I?", call("classify_industry", description="a small bakery")
    ),
    "reply_industry_unknown": lambda h: _no_industry(h),
    "reply_intro_accept_waiting": lambda h: _turn(
        h, _asked_by_cafe(h), "accept Jane's Cafe", call("respond_to_introduction", accept=True)
    ),
    "reply_intro_declined": lambda h: _turn(
        h, _asked_by_cafe(h), "decline Jane's Cafe", call("respond_to_introduction", accept=False)
    ),
    "reply_intro_request_waiting": lambda h: _turn(
        h,
        _asked_by_cafe(h) and _bakery(h),
        "introduce me to Pennine Mills",
        call("request_introduction", business="Pennine Mills"),
    ),
    "reply_matches": lambda h: (
        h.subscriber("Pennine Mills", offers="stone-ground flour"),
        _turn(h, _bakery(h, needs="flour"), "who should I meet?", call("find_introductions")),
    )[1],
    "reply_matches_for_need": lambda h: (
        h.subscriber("Pennine Mills", offers="stone-ground flour"),
        _turn(h, _bakery(h), "find me flour", call("find_introductions", need="flour")),
    )[1],
    "reply_events": lambda h: _turn(h, _invited(h), "any events coming up?", call("find_events")),
    "reply_events_none": lambda h: _turn(h, _bakery(h), "any events coming up?", call("find_events")),
    "reply_rsvp": lambda h: _turn(h, _invited(h), "yes, I'll come", call("rsvp_event", answer="going")),
    "reply_network": lambda h: _turn(h, _referral(h)[0], "how am I doing?", call("my_network")),
    "reply_network_part": lambda h: _turn(
        h, _referral(h)[0], "my referrals?", call("my_network", show="referrals")
    ),
    "reply_network_empty": lambda h: _turn(h, _bakery(h), "my network?", call("my_network")),
    "reply_no_match": lambda h: _turn(
        h, _bakery(h, needs="flour"), "who should I meet?", call("find_introductions")
    ),
    "reply_no_match_for_need": lambda h: _turn(
        h, _bakery(h), "anyone selling cask beer?", call("find_introductions", need="cask beer")
    ),
    "reply_profile": lambda h: _turn(h, _bakery(h, offers="bread"), "my profile?", call("get_my_profile")),
    "reply_profile_empty": lambda h: _turn(h, _bakery(h), "my profile?", call("get_my_profile")),
    "reply_profile_saved": lambda h: _turn(
        h,
        _bakery(h, offers="bread"),
        "we've moved to Bradford",
        call("update_my_profile", locality="Bradford"),
    ),
    "reply_profile_unchanged": lambda h: _turn(
        h, _bakery(h, offers="bread"), "we sell bread", call("update_my_profile", offers="bread")
    ),
    "reply_profile_waiting": lambda h: _turn(
        h, _bakery(h), "we keep running out of flour", call("update_my_profile", needs="a dependable miller")
    ),
    "reply_referral_contacted": lambda h: _turn(
        h, _referral(h)[1], "I phoned Acme", call("update_referral", state="contacted", prospect="Acme")
    ),
    "reply_referral_logged": lambda h: _turn(
        h,
        _referral(h)[0],
        "I referred Otley Deli to Jane's Cafe",
        call("log_referral", to_business="Jane's Cafe", prospect="Otley Deli"),
    ),
    "reply_referral_lost": lambda h: _turn(
        h, _referral(h)[1], "we lost Acme", call("update_referral", state="lost", prospect="Acme")
    ),
    "reply_referral_meeting": lambda h: _turn(
        h, _referral(h)[1], "we met Acme", call("update_referral", state="meeting", prospect="Acme")
    ),
    "reply_referral_move_waiting": lambda h: _turn(
        h, _referral(h)[1], "show me my referrals", call("update_referral", state="won", prospect="Acme")
    ),
    "reply_referral_waiting": lambda h: (
        h.subscriber("Grain Shark Trading"),
        _turn(
            h,
            _bakery(h),
            "find me spelt grain",
            call("log_referral", to_business="Grain Shark Trading", prospect="Big Hotel Group"),
        ),
    )[1],
    "reply_referral_won": lambda h: _turn(
        h, _referral(h)[1], "we won Acme", call("update_referral", state="won", prospect="Acme")
    ),
    "reply_unclear": lambda h: _turn(h, _bakery(h), "record a deal", call("record_deal", referrer="Bob")),
    "reply_not_possible": lambda h: _turn(h, _bakery(h), "confirm it yourself", call("confirm", id="act_1")),
    "reply_about": lambda h: _about(h),
    "reply_live": lambda h: _live(h),
}


class _AboutRouter:
    """Says every message asks what Layer8 is (the real router's ``about`` label, without embeddings)."""

    def is_chat(self, text: str, last_reply: str | None = None) -> bool:
        return False

    def is_about(self, text: str, last_reply: str | None = None) -> bool:
        return True

    def is_live(self, text: str, last_reply: str | None = None) -> bool:
        return False


class _LiveRouter(_AboutRouter):
    """Says every message asks for live data (the real router's ``live`` label, without embeddings)."""

    def is_about(self, text: str, last_reply: str | None = None) -> bool:
        return False

    def is_live(self, text: str, last_reply: str | None = None) -> bool:
        return True


def _live(h: Harness) -> OutboundReply:
    h.assistant.ports.router = Lazy(lambda: _LiveRouter())  # type: ignore[arg-type,return-value]
    return _turn(h, _bakery(h), "what's the weather in Leeds today?")


def _about(h: Harness) -> OutboundReply:
    h.assistant.ports.router = Lazy(lambda: _AboutRouter())  # type: ignore[arg-type,return-value]
    return _turn(h, _bakery(h), "what is this?")


def _no_playbooks(h: Harness) -> OutboundReply:
    h.assistant.ports.knowledge = Lazy(lambda: FakeKnowledge(passages=[]))  # type: ignore[arg-type,return-value]
    return _turn(h, _bakery(h), "how do I export to Mars?", call("search_knowledge", query="export to Mars"))


def _no_industry(h: Harness) -> OutboundReply:
    class Nothing:
        def classify(self, text: str, top: int = 3) -> list[dict[str, Any]]:
            return []

    h.assistant.ports.classifier = Lazy(lambda: Nothing())  # type: ignore[arg-type,return-value]
    return _turn(h, _bakery(h), "what industry am I?", call("classify_industry", description="a mystery"))


def test_every_reply_template_has_a_case() -> None:
    assert sorted(CASES) == [n for n in prompts.names() if n.startswith("reply_")]


@pytest.mark.parametrize("template", sorted(CASES))
def test_the_server_says_what_the_tool_did(quick: Harness, template: str) -> None:
    reply = CASES[template](quick)
    assert pattern(template).match(reply.text), (template, reply.text)
    others = [n for n in CASES if n != template and pattern(n).match(reply.text)]
    assert others == [], (template, others, reply.text)
    framed = template == "reply_advice"  # advice is framed by the model: one more call, without tools
    # "what is this?" and "what's the weather?" need no model at all
    model_calls = 0 if template in ("reply_about", "reply_live") else 1 + framed
    assert len(quick.model.calls) == model_calls and quick.model.pending == 0
    assert all(c.tools == [] for c in quick.model.calls[1:])
    assert "_" not in re.sub(r"\[[\w#-]+\]", "", reply.text), "no tool names or ids in the server's words"


@pytest.mark.parametrize("template", ["reply_failed", "reply_broken", "reply_unclear", "reply_not_possible"])
def test_a_tool_that_could_not_act_claims_nothing_done(quick: Harness, template: str) -> None:
    reply = CASES[template](quick)
    assert not reply.text.startswith("Done") and "is logged" not in reply.text
    assert reply.pending_action is None and not reply.buttons
    for table in (Deal, Referral, PendingAction):
        assert quick.count(table) == 0
    assert quick.count(Introduction, state="requested") == 0


def test_an_internal_failure_is_said_by_the_server_and_changes_nothing(quick: Harness) -> None:
    class Broken:
        def find(self, subscriber_id: str, need: str, top: int = 5) -> list[Any]:
            raise RuntimeError("the index is corrupt")

    quick.assistant.ports.needs = Lazy(lambda: Broken())  # type: ignore[arg-type,return-value]
    reply = _turn(quick, _bakery(quick), "find me flour", call("find_introductions", need="flour"))
    assert reply.text.startswith("Sorry, I couldn't look for businesses just now: that part of Layer8 is not")
    assert "corrupt" not in reply.text and "Nothing was changed" in reply.text
    assert quick.count(Introduction) == 0 and len(quick.model.calls) == 1


def test_a_failure_reason_reads_as_one_sentence_without_ids_or_parser_words(quick: Harness) -> None:
    _, jane = _referral(quick)
    outsider = quick.subscriber("Otley Deli")
    quick.script(call("record_deal", amount="900"))
    reply = quick.send("Acme paid us £900", as_=outsider)
    assert reply.text == (
        "I couldn't record that deal: I couldn't find a referral or introduction this deal came from. "
        "Who referred it?"
    ), "the domain's question keeps its question mark, with no full stop after it"
    quick.script(call("record_deal", amount="lots", referrer="Bob"))
    reply = quick.send("Acme paid us lots, thanks to Bob", as_=jane)
    assert reply.text == "I couldn't record that deal: the amount wasn't a valid sum of money."
    assert quick.count(PendingAction) == 0 and quick.count(Deal) == 0


def test_a_handoff_needs_no_reason(quick: Harness) -> None:
    reply = _turn(quick, _bakery(quick), "can I talk to a person", call("handoff_to_human"))
    assert pattern("reply_handed_off").match(reply.text), reply.text


def test_a_call_that_could_not_be_understood_asks_again_for_what_that_tool_needs(quick: Harness) -> None:
    reply = _turn(quick, _bakery(quick), "change my profile", call("update_my_profile", employees="lots"))
    assert reply.text == (
        "I couldn't change your profile from that yet. "
        "Could you say it again with what your profile should say?"
    )
