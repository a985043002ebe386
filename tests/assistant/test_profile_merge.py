"""Profile changes merge, never wipe: "we also do X" adds X, fields the person did not name never change.

Each case drives a whole conversation with the scripted model filling in more than the person said (as the
embedded model did: "none" needs, 0 staff, a lawyer's industry code for a bakery) and checks every field of
the profile before and after Confirm.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.llm.fake import FakeChatModel
from network.db import Database
from network.models import PROFILE_FIELDS, Profile
from network.profile_text import merged
from tests.assistant.fakes import WordMatcher
from tests.harness import Harness
from tools import profile_changes
from tools.base import ToolEnv
from tools.context import ToolContext, TurnEffects
from tools.ports import Ports
from tools.update_my_profile import SPEC

call = FakeChatModel.call

BAKERY: dict[str, Any] = {
    "description": "Family bakery in Leeds",
    "offers": "bread, cakes",
    "needs": "flour supplier; delivery driver",
    "goals": "open a second shop",
    "ideal_customers": "cafés and delis",
    "locality": "Leeds",
    "country": "GB",
    "employees": 6,
    "growth_stage": "growing",
    "naics_code": "311811",
    "naics_title": "Retail Bakeries",
}
# what the embedded model sent for "we also do wedding cakes now" (issue 16)
WIPING_CALL = {
    "description": "Wedding cakes",
    "offers": "Wedding cakes",
    "needs": "none",
    "goals": "none",
    "ideal_customers": "n/a",
    "employees": 0,
    "naics_code": "541110",
}


class KeywordClassifier:
    """Industries by keyword, best first; every text gets a weak third guess, as real classifiers do."""

    RULES = (
        (("bak", "bread", "cake"), "311811", "Retail Bakeries"),
        (("brew", "beer", "ale"), "312120", "Breweries"),
        (("lawyer", "solicitor", "legal"), "541110", "Offices of Lawyers"),
    )

    def classify(self, text: str, top: int = 3) -> list[dict[str, Any]]:
        lower = text.lower()
        found = [
            {"code": code, "title": title, "score": 0.8}
            for words, code, title in self.RULES
            if any(w in lower for w in words)
        ]
        found.append({"code": "541219", "title": "Other Accounting Services", "score": 0.1})
        return found[:top]


@pytest.fixture
def h(sqlite_db: Database) -> Harness:
    words = WordMatcher(sqlite_db)
    return Harness(sqlite_db, ports=Ports.of(matcher=words, needs=words, classifier=KeywordClassifier()))


def profile_of(h: Harness, subscriber_id: str) -> dict[str, Any]:
    row = h.rows(Profile, subscriber_id=subscriber_id)[0]
    return {field: getattr(row, field) for field in PROFILE_FIELDS}


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {f: after[f] for f in PROFILE_FIELDS if before[f] != after[f]}


def test_we_also_do_wedding_cakes_adds_them_and_wipes_nothing(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", **WIPING_CALL))
    reply = h.send("we also do wedding cakes now", as_=me)
    assert reply.pending_action is None, "every value kept was their own words: saved at once"
    assert reply.text == (
        "Done: added “Wedding cakes” to your description and added “Wedding cakes” to your offers. "
        "Tell me if there is anything else to add."
    )
    assert changed(before, profile_of(h, me)) == {
        "description": "Family bakery in Leeds; Wedding cakes",
        "offers": "bread, cakes; Wedding cakes",
    }


def test_an_inferred_addition_waits_and_confirm_applies_exactly_what_it_listed(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", offers="celebration and wedding cakes", needs="none", employees=0))
    reply = h.send("we've started doing cakes for weddings as well", as_=me)
    assert reply.pending_action and reply.pending_action["kind"] == "confirm_profile"
    summary = reply.pending_action["summary"]
    assert (
        summary
        == "change your profile: offers “bread, cakes” → “bread, cakes; celebration and wedding cakes”"
    )
    assert profile_of(h, me) == before, "nothing is used before it is confirmed"
    assert reply.text.startswith("The change to your offers is ready; it is not saved until you confirm.")
    h.press("Confirm")
    assert changed(before, profile_of(h, me)) == {"offers": "bread, cakes; celebration and wedding cakes"}


def test_we_now_only_do_replaces_just_the_field_they_named(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", offers="wedding cakes", goals="none", employees=0))
    reply = h.send("we now only do wedding cakes", as_=me)
    assert changed(before, profile_of(h, me)) == {"offers": "wedding cakes"}
    assert reply.text.startswith("Done: changed your offers from “bread, cakes” to “wedding cakes”.")


def test_a_model_industry_code_is_never_taken_the_classifier_must_agree_with_their_words(h: Harness) -> None:
    me = h.subscriber("Kirkstall Ales", needs="bottle labels", locality="Leeds", employees=4)
    before = profile_of(h, me)
    h.script(call("update_my_profile", offers="cask ale", naics_code="541110", employees=0))
    reply = h.send("we brew cask ale", as_=me)
    assert changed(before, profile_of(h, me)) == {"offers": "cask ale"}, "their own words save at once"
    assert reply.pending_action, "the classified industry waits for Confirm"
    assert reply.pending_action["summary"] == "change your profile: industry → “Breweries”"
    assert reply.text.startswith("Done: set your offers to “cask ale”. The change to your industry is ready")
    h.press("Confirm")
    after = changed(before, profile_of(h, me))
    assert after == {"offers": "cask ale", "naics_code": "312120", "naics_title": "Breweries"}


def test_an_industry_the_persons_words_do_not_support_is_not_proposed(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    # the model rewrites the description into a law firm's; the person only said they moved
    h.script(call("update_my_profile", locality="Bradford", naics_code="541110"))
    reply = h.send("we've moved to Bradford", as_=me)
    assert reply.pending_action is None
    assert changed(before, profile_of(h, me)) == {"locality": "Bradford"}


def test_also_covering_another_town_is_not_a_move(h: Harness) -> None:
    me = h.subscriber("Halifax Heating", offers="boiler installs", locality="Halifax", country="GB")
    before = profile_of(h, me)
    h.script(call("update_my_profile", locality="Huddersfield", offers="underfloor heating"))
    h.send("We now also cover Huddersfield, and we've started doing underfloor heating.", as_=me)
    assert changed(before, profile_of(h, me)) == {"offers": "boiler installs; underfloor heating"}


def test_an_industry_code_the_person_typed_is_taken_when_it_fits_their_description(h: Harness) -> None:
    me = h.subscriber("Kirkstall Ales", offers="cask ale and bread", locality="Leeds")
    before = profile_of(h, me)
    h.script(call("update_my_profile", naics_code="312120"))
    reply = h.send("set my industry code to 312120", as_=me)
    assert (
        reply.pending_action
        and reply.pending_action["summary"] == "change your profile: industry → “Breweries”"
    )
    h.press("Confirm")
    assert changed(before, profile_of(h, me)) == {"naics_code": "312120", "naics_title": "Breweries"}


def test_confirm_keeps_what_was_saved_between_the_proposal_and_the_button(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    h.script(call("update_my_profile", offers="celebration cakes"))
    proposal = h.send("we've started on cakes for parties as well", as_=me)
    h.script(call("update_my_profile", offers="pies"))
    h.send("and we also sell pies")
    assert h.rows(Profile, subscriber_id=me)[0].offers == "bread, cakes; pies"
    confirm = next(b for b in proposal.buttons if b.label == "Confirm")
    h.press(confirm)
    assert h.rows(Profile, subscriber_id=me)[0].offers == "bread, cakes; pies; celebration cakes"


def test_a_call_with_nothing_the_person_said_changes_nothing_and_says_so(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", needs="nothing", growth_stage="mature"))
    reply = h.send("I need spelt grain, who do you know?", as_=me)
    assert profile_of(h, me) == before and reply.pending_action is None
    assert reply.text.startswith("Nothing on your profile changed")


def test_a_whole_number_given_as_a_decimal_is_still_their_own_words(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", service_radius_km=30.0))
    reply = h.send("Change my service radius to 30 km", as_=me)
    assert reply.pending_action is None
    assert changed(before, profile_of(h, me)) == {"service_radius_km": 30.0}


def test_a_cue_counts_only_as_a_word_not_inside_another(h: Harness) -> None:
    me = h.subscriber("Leeds Bakery", **BAKERY)
    before = profile_of(h, me)
    h.script(call("update_my_profile", bottlenecks="slow weekday afternoons", locality="leeds"))
    h.send("we also do chocolate brownies", as_=me)  # "late" is in "chocolate"; Leeds is already set
    assert profile_of(h, me) == before


def test_placeholders_alone_change_nothing_and_say_so(sqlite_db: Database) -> None:
    h = Harness(sqlite_db, ports=Ports.of(classifier=KeywordClassifier()))
    me = h.subscriber("Leeds Bakery", **BAKERY)
    data = run_tool(h, me, "can you tidy up my profile?", needs="none", goals="N/A", employees=0)
    assert data == {"status": "nothing_to_change", "changes": []}


def test_we_also_do_x_with_only_placeholders_from_the_model_adds_x(sqlite_db: Database) -> None:
    h = Harness(sqlite_db, ports=Ports.of(classifier=KeywordClassifier()))
    me = h.subscriber("Leeds Bakery", **BAKERY)
    data = run_tool(h, me, "we also do wedding cakes", needs="none", goals="N/A", employees=0)
    assert [(c["field"], c["after"]) for c in data["changes"]] == [("offers", "bread, cakes; wedding cakes")]


def test_the_result_lists_each_change_before_and_after_without_ids(sqlite_db: Database) -> None:
    h = Harness(sqlite_db, ports=Ports.of(classifier=KeywordClassifier()))
    me = h.subscriber("Leeds Bakery", **BAKERY)
    data = run_tool(h, me, "we've started doing cakes for weddings too", offers="wedding cakes", employees=0)
    assert data == {
        "status": "waiting_for_confirm",
        "changes": [
            {
                "field": "offers",
                "before": "bread, cakes",
                "after": "bread, cakes; wedding cakes",
                "how": "added",
                "added": "wedding cakes",
                "state": "waiting_for_confirm",
            }
        ],
    }
    assert me not in str(data)


def test_long_values_are_clipped_in_the_confirm_text_and_keep_the_addition_in_view(h: Harness) -> None:
    long_offers = "sourdough, rye, spelt and seeded loaves, " * 4 + "croissants"
    me = h.subscriber("Leeds Bakery", **(BAKERY | {"offers": long_offers}))
    h.script(call("update_my_profile", offers="celebration cakes"))
    reply = h.send("we've started doing cakes for parties as well", as_=me)
    assert reply.pending_action
    summary = reply.pending_action["summary"]
    assert len(summary) < 200 and "…" in summary and summary.endswith("; celebration cakes”")


@pytest.mark.parametrize(
    ("before", "addition", "after"),
    [
        ("bread, cakes", "wedding cakes", "bread, cakes; wedding cakes"),
        ("bread, cakes", "bread, cakes, wedding cakes", "bread, cakes, wedding cakes"),
        ("bread, cakes; wedding cakes", "Wedding cake", None),
        ("bread, cakes", "cakes, pies", "bread, cakes; pies"),
        (None, "pies", "pies"),
        ("pies", "  ", None),
    ],
)
def test_merging_text_adds_only_what_is_new(before: str | None, addition: str, after: str | None) -> None:
    assert merged(before, addition) == after


@pytest.mark.parametrize(
    ("said", "replaces"),
    [
        ("we now only do wedding cakes", True),
        ("replace my offers with wedding cakes", True),
        ("we don't do bread any more, just cakes", True),
        ("we also do wedding cakes now", False),
        ("we only just started doing wedding cakes", False),
        ("not only bread but wedding cakes", False),
        ("Update my description: family bakery making sourdough since 1998", True),
        ("please update my profile, we also do pies", False),
        ("we do wedding cakes", False),
    ],
)
def test_only_the_persons_newest_words_decide_to_replace(said: str, replaces: bool) -> None:
    assert profile_changes.replaces(f"we only do bread\n{said}") is replaces


def run_tool(h: Harness, me: str, said: str, **args: Any) -> dict[str, Any]:
    ctx = ToolContext(me, "default", "test", None, "t", user_text=said)
    env = ToolEnv(ctx=ctx, db=h.db, ports=h.assistant.ports, effects=TurnEffects())
    return SPEC.call(env, args)


def test_a_need_written_as_an_offer_goes_to_needs_and_the_offer_comes_from_their_words(h: Harness) -> None:
    me = h.subscriber("Saltaire Candle Co", consented=None)
    h.script(
        call(
            "update_my_profile",
            description="We make hand-poured soy candles in Saltaire and sell them to gift shops.",
            offers="Printed labels",  # what they need, in the wrong field (the embedded model did this)
            needs="Suppliers, partners or help they are looking for.",  # the field's own description
            locality="Saltaire",
        )
    )
    reply = h.send(
        "We make hand-poured soy candles in Saltaire and sell them to gift shops. We need printed labels.",
        as_=me,
    )
    assert reply.pending_action, reply.text  # a first profile is read back before it is used
    assert "looking for" not in reply.text
    h.press("Confirm")
    after = profile_of(h, me)
    assert after["needs"] == "Printed labels" and after["offers"] == "hand-poured soy candles"


def test_a_need_written_as_both_offer_and_need_leaves_the_offers_to_their_own_words(h: Harness) -> None:
    me = h.subscriber("Saltaire Candle Co", consented=None)
    # what the embedded model sent when sampling (temperature 0.7) in the conversations suite
    h.script(call("update_my_profile", offers="printed labels", needs="supplier of printed labels"))
    h.send(
        "We make hand-poured soy candles in Saltaire and sell them to gift shops. We need printed labels.",
        as_=me,
    )
    h.press("Confirm")
    after = profile_of(h, me)
    assert after["offers"] == "hand-poured soy candles"
    assert after["needs"] == "supplier of printed labels"


def test_a_radius_nobody_stated_is_left_out_and_a_new_line_of_work_is_added(h: Harness) -> None:
    me = h.subscriber("Calder Plumbing", **{**BAKERY, "offers": "boiler repairs", "locality": "Halifax"})
    before = profile_of(h, me)
    h.script(call("update_my_profile", locality="Huddersfield", service_radius_km=50))
    reply = h.send("We now also cover Huddersfield, and we've started doing underfloor heating.", as_=me)
    if reply.pending_action is not None:
        h.press("Confirm")
    after = changed(before, profile_of(h, me))
    assert "service_radius_km" not in after, "50 km was never said"
    assert after.get("offers") == "boiler repairs; underfloor heating"
    assert "needs" not in after and "description" not in after


def test_a_plumber_whose_need_the_model_wrote_as_the_offer_keeps_what_they_install(h: Harness) -> None:
    me = h.subscriber("Calder Plumbing", consented=None)
    # the embedded model in the conversations suite: the bookkeeper they need as both offer and need
    h.script(
        call(
            "update_my_profile",
            description="Boilers and plumbing repairs",
            offers="bookkeeper",
            needs="bookkeeper",
            locality="Halifax",
        )
    )
    h.send(
        "We install boilers and do plumbing repairs around Halifax. What we really need is a bookkeeper.",
        as_=me,
    )
    h.press("Confirm")
    after = profile_of(h, me)
    assert after["offers"] == "boilers and do plumbing repairs"
    assert after["needs"] == "bookkeeper"


def test_a_first_profile_is_always_shown_back_for_confirm_even_in_their_own_words(h: Harness) -> None:
    """Told to write only what was said, the 1.5B model saved a candle maker's customers ("gift shops") as
    their needs: the first profile a business gives is read back before matching uses it."""
    me = h.subscriber("Saltaire Candles")
    before = profile_of(h, me)
    h.script(call("update_my_profile", offers="hand-poured soy candles", needs="gift shops"))
    reply = h.send("We make hand-poured soy candles in Saltaire and sell them to gift shops.", as_=me)
    assert changed(before, profile_of(h, me)) == {}
    assert reply.pending_action and "needs → “gift shops”" in reply.pending_action["summary"]
    h.press("Confirm")
    assert changed(before, profile_of(h, me))["offers"] == "hand-poured soy candles"
