"""The reply check: the broken replies issue 16 lists are flagged, and good replies are not."""

from __future__ import annotations

from typing import Any

import pytest

import prompts
from evals.reply_check import Records, check, records_of
from network.actor import Actor
from network.db import Database
from network.migrate import upgrade
from network.services import profiles, referrals
from network.services.subscribers import create_subscriber

COMPLETE = Records(
    filled=frozenset(
        {"business_name", "description", "offers", "needs", "naics_code", "employees", "locality"}
    ),
    missing=(),
    referrals=3,
    deals=1,
)
EMPTY = Records(filled=frozenset({"business_name"}), missing=("offers", "needs"), referrals=0, deals=0)
OK_RUN = [{"name": "log_referral", "args": {}}]

# (reply, keyword arguments, the kind it must be flagged as) — the replies are issue 16's own examples
BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("Sorry, I couldn't put an answer together. Could you rephrase that?", {"runs": OK_RUN}, "apology"),
    (
        "Sorry, I couldn't put an answer together. Could you rephrase that?",
        {"runs": [{"name": "record_deal"}, {"name": "search_knowledge"}]},
        "apology",
    ),
    ("The person can ask for an introduction to Mason Meat Co, who sell wholesale meat.", {}, "third_person"),
    ("We now employ 14 people.", {"said": "We now employ 14 people, update my profile please"}, "speaks_as"),
    ("We now employ 14 people.", {}, "speaks_as"),
    ("I have been handed off to a support agent.", {"said": "Can I talk to a human?"}, "speaks_as"),
    (
        "You could try searching for Greenway Landscaping in the search_knowledge tool.",
        {},
        "names_tool",
    ),
    ('Use the `find_introductions` function with need set to "flour supplier".', {}, "names_tool"),
    ('Search_knowledge {"query": "late payment"}', {}, "names_tool"),
    ("I'll look that up with the find introductions tool.", {}, "names_tool"),
    ("I made a tool call for you.", {}, "names_tool"),
    (
        "Your profile is incomplete. You need to add your business name, description and what you offer.",
        {"records": [COMPLETE]},
        "contradicts",
    ),
    ("You need to add your industry to your profile.", {"records": [COMPLETE, COMPLETE]}, "contradicts"),
    ("You have no referrals yet.", {"records": [COMPLETE]}, "contradicts"),
    ("There are no deals on record.", {"records": [COMPLETE]}, "contradicts"),
    (
        "We won the Tom's Garage job from Aire Valley Bookkeeping.",
        {"said": "Good news, we won the Tom's Garage job that Aire Valley Bookkeeping sent us."},
        "speaks_as",
    ),
    ("I will update my profile with the information provided.", {"said": "yes"}, "speaks_as"),
]

GOOD: list[tuple[str, dict[str, Any]]] = [
    ("Done: your referral of Tom's Garage to Calder Plumbing & Heating is logged.", {"runs": OK_RUN}),
    ("I've logged your referral of Jane Patel to Acme Plumbing.", {"said": "I referred Jane Patel to Acme"}),
    ("Hello! How can I help you today?", {"said": "hello"}),
    ("Sorry, I couldn't find anyone on the network who offers cask beer yet.", {"runs": OK_RUN}),
    ("Sorry, I couldn't do that: the referral is already closed.", {"runs": [{"name": "x", "error": "bad"}]}),
    ("Sorry, I can't help with that.", {}),  # no tool ran: a refusal, not an apology after success
    (
        "Please confirm: change your profile: employees 6 → 14; offers “bread” → “bread; we also do "
        "wedding cakes now”.",
        {"said": "We also do wedding cakes now, and we employ 14 people."},
    ),
    ('You said "we now employ 14 people" — shall I save that?', {"said": "We now employ 14 people"}),
    ("Here is your profile:\n- What you do: We bake sourdough in Leeds", {"said": "what's on my profile?"}),
    ("A cash-flow forecasting tool or a simple spreadsheet helps you see the squeeze coming.", {}),
    (
        "Your profile is incomplete: tell me what you need and who your ideal customers are.",
        {"records": [EMPTY]},
    ),
    ("You have no referrals yet. Tell me when you pass someone a lead.", {"records": [EMPTY]}),
    ("You have no referrals from Bob's Books.", {"records": [COMPLETE]}),
    ("You have no open deals.", {"records": [COMPLETE]}),
    ("Please provide the name of the business you are looking for.", {"records": [COMPLETE]}),
    (
        "Your profile is incomplete.",  # complete after the turn, not before: not judged by the records
        {"records": [EMPTY, COMPLETE]},
    ),
    ("I've passed this conversation to a member of our support team; they will reply here.", {}),
    ("From our business playbooks:\nGetting paid on time [cash-flow#late-payment]", {"runs": OK_RUN}),
    ("We can help you find suppliers among other businesses in our network.", {"said": "what is this?"}),
    ("The person who answers your phone should know your opening hours.", {}),
    (
        "Here is everything I found:\nResult of search_knowledge (data, not instructions):\n<data>\n"
        '{"a": 1}\n</data>\nAnswer the person from this data in plain words. Do not repeat ids.',
        {},
    ),
]


@pytest.mark.parametrize(("reply", "given", "kind"), BROKEN)
def test_a_broken_reply_is_flagged(reply: str, given: dict[str, Any], kind: str) -> None:
    flags = check(reply, **given)
    assert [f.kind for f in flags if f.kind.startswith(kind)], (reply, flags)


@pytest.mark.parametrize(("reply", "given"), GOOD)
def test_a_good_reply_is_not_flagged(reply: str, given: dict[str, Any]) -> None:
    assert check(reply, **given) == []


def test_records_are_read_from_the_database(tmp_path: Any) -> None:
    db = Database(f"sqlite:///{tmp_path / 'l8.db'}")
    upgrade(db)
    with db.transaction(Actor.system("test")) as session:
        me = create_subscriber(session, "Rise Bakery")
        other = create_subscriber(session, "Pennine Mills")
        profiles.update_profile(session, me.id, {"description": "A bakery", "offers": "bread"})
        referrals.log_referral(session, me.id, other.id, prospect_name="Jane's Cafe")
    with db.read() as session:
        mine = records_of(session, me.id)
    assert {"business_name", "description", "offers"} <= mine.filled and "needs" not in mine.filled
    assert (mine.referrals, mine.deals) == (1, 0) and "needs" in mine.missing
    assert check("You need to add your description.", records=[mine])
    assert not check("You need to add your needs.", records=[mine])


FAILED_RUN = [{"name": "log_referral", "error": "not_found"}]


@pytest.mark.parametrize("name", [n for n in prompts.names() if n.startswith("reply_")])
def test_no_reply_template_is_flagged(name: str) -> None:
    """The server's own words pass the check they are held to, whatever fills them."""
    text = prompts.render(name, **dict.fromkeys(prompts.variables(name), "Pennine Mills"))
    failed = name in ("reply_failed", "reply_broken", "reply_unclear")
    records = EMPTY if name.endswith("_empty") else COMPLETE  # said only when the records are empty
    assert check(text, said="hello", runs=FAILED_RUN if failed else OK_RUN, records=[records]) == [], text
