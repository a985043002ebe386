"""Onboarding: interview → proposed profile → confirm → consent in plain words → first introductions."""

from __future__ import annotations

from assistant.llm.fake import FakeChatModel
from network.models import Introduction, Profile
from network.services import consent
from tests.harness import Harness

call = FakeChatModel.call


def test_a_new_subscriber_is_interviewed_and_ends_with_first_introductions(harness: Harness) -> None:
    h = harness
    mill = h.subscriber("Pennine Mills", offers="stone-ground flour delivered to bakeries", locality="Leeds")
    me = h.subscriber("Leeds Bakery", consented=None)
    h.script("Welcome to Layer8! What does your business offer?")
    h.send("hi", as_=me)
    system = h.model.calls[0].messages[0].text
    assert "This person is new" in system and "offers, needs" in system
    h.script("Lovely. What do you need most right now?")
    h.send("We bake sourdough and pastries in Leeds")
    h.script(
        call(
            "update_my_profile",
            description="Artisan bakery making sourdough and pastries",
            offers="sourdough bread and pastries",
            needs="a reliable flour supplier",
            ideal_customers="cafés and delis",
            locality="Leeds",
        )
    )
    proposed = h.send("A reliable flour supplier, and more cafés as customers")
    assert proposed.pending_action and proposed.pending_action["kind"] == "confirm_profile"
    assert "it is not saved until you confirm" in proposed.text, "the server says it waits"
    assert "sourdough bread and pastries" in proposed.text and "Retail Bakeries" in proposed.text
    assert h.rows(Profile, subscriber_id=me)[0].offers is None, "nothing is used before confirmation"

    asked = h.press("Confirm")
    profile = h.rows(Profile, subscriber_id=me)[0]
    assert profile.offers == "sourdough bread and pastries" and profile.naics_code == "311811"
    assert profile.sources["offers"] == "inferred_confirmed" and profile.sources["locality"] == "declared"
    assert asked.pending_action and asked.pending_action["kind"] == "change_consent"
    assert "suggest your business" in asked.text and "phone number or e-mail" in asked.text

    welcome = h.send("yes")
    with h.db.read() as session:
        assert consent.current(session, me) == {"discoverable": True, "contactable": True}
    assert [i.title for i in welcome.items] == ["Pennine Mills"]
    assert "Pennine Mills" in welcome.text
    assert h.count(Introduction, requester_id=me, target_id=mill, state="suggested") == 1

    h.script("Anything else?")
    assert h.send("thanks").text == "Anything else?"
    assert "This person is new" not in h.model.calls[-1].messages[0].text


def test_declining_consent_is_recorded_and_not_asked_again(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", consented=None)
    quick.script(call("update_my_profile", offers="bread and cakes", needs="flour"))
    quick.send("we sell baked goods and need a flour supplier", as_=me)
    quick.press("Confirm")
    reply = quick.press("Cancel")
    assert "won't be suggested" in reply.text
    with quick.db.read() as session:
        assert consent.current(session, me) == {"discoverable": False, "contactable": False}
    quick.script("Hello!")
    hello = quick.send("hi")
    assert hello.pending_action is None and hello.text == "Hello!"


def test_rejecting_the_proposed_profile_keeps_it_empty(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery", consented=None)
    quick.script(call("update_my_profile", offers="wedding cakes"))
    quick.send("we do all sorts of baking", as_=me)
    assert "dropped" in quick.press("Cancel").text
    assert quick.rows(Profile, subscriber_id=me)[0].offers is None
