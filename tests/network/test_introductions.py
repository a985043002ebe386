import pytest

from network.db import Database
from network.errors import Conflict, ConsentRequired, IllegalTransition, InvalidInput, NotFound
from network.services import introductions
from network.services.subscribers import block
from tests.network.helpers import make_subscribers


def test_double_opt_in_shares_contact_only_after_acceptance(db: Database) -> None:
    alice, bob = make_subscribers(db, "Alice Bakery", "Bob Flour")
    with db.transaction() as session:
        intro = introductions.request(session, alice, bob, message="We need flour")
        with pytest.raises(ConsentRequired):
            introductions.contact_card(session, intro.id, alice)
        introductions.respond(session, bob, intro.id, accept=True)
        card = introductions.contact_card(session, intro.id, alice)
    assert card.email == "bob@example.com"


def test_only_the_target_can_answer_and_final_states_stay_final(db: Database) -> None:
    alice, bob = make_subscribers(db, "Alice Bakery", "Bob Flour")
    with db.transaction() as session:
        intro = introductions.request(session, alice, bob)
    with pytest.raises(NotFound), db.transaction() as session:
        introductions.respond(session, alice, intro.id, accept=True)
    with db.transaction() as session:
        introductions.respond(session, bob, intro.id, accept=False)
    with pytest.raises(IllegalTransition, match="declined"), db.transaction() as session:
        introductions.respond(session, bob, intro.id, accept=True)


def test_refusals_self_blocked_uncontactable_duplicate_and_recently_declined(db: Database) -> None:
    alice, bob, carol = make_subscribers(db, "Alice Bakery", "Bob Flour", "Carol Cakes")
    _, shy = make_subscribers(db, "Dan", "Shy Supplies", contactable=False)
    with db.transaction() as session:
        with pytest.raises(InvalidInput):
            introductions.request(session, alice, alice)
        with pytest.raises(ConsentRequired):
            introductions.request(session, alice, shy)
        block(session, carol, alice)
        with pytest.raises(NotFound):
            introductions.request(session, alice, carol)
        intro = introductions.request(session, alice, bob)
        with pytest.raises(Conflict):
            introductions.request(session, bob, alice)
        introductions.respond(session, bob, intro.id, accept=False)
        with pytest.raises(Conflict, match="declined recently"):
            introductions.request(session, alice, bob)
