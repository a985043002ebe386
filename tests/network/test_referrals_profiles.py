import pytest

from network.db import Database
from network.errors import ConsentRequired, IllegalTransition, InvalidInput, NotFound, SelfReferral
from network.models import Referral
from network.services import consent, profiles, referrals
from tests.network.helpers import make_subscribers


def test_referral_lifecycle_is_worked_by_the_receiver(db: Database) -> None:
    giver, receiver = make_subscribers(db, "Bob Books", "Acme Plumbing")
    with db.transaction() as session:
        ref = referrals.log_referral(session, giver, receiver, prospect_name="Jane's Cafe", hotness=5)
        with pytest.raises(NotFound):
            referrals.update_referral(session, giver, ref.id, "contacted")
        referrals.update_referral(session, receiver, ref.id, "contacted")
        referrals.update_referral(session, receiver, ref.id, "won")
        with pytest.raises(IllegalTransition, match="won"):
            referrals.update_referral(session, receiver, ref.id, "open")


def test_self_referral_bad_hotness_and_unagreed_outsiders_are_refused(db: Database) -> None:
    (giver, receiver) = make_subscribers(db, "Bob Books", "Acme Plumbing")
    with pytest.raises(SelfReferral), db.transaction() as session:
        referrals.log_referral(session, giver, giver, prospect_name="X")
    with pytest.raises(InvalidInput), db.transaction() as session:
        referrals.log_referral(session, giver, receiver, prospect_name="X", hotness=9)
    with pytest.raises(ConsentRequired), db.transaction() as session:
        referrals.log_referral(session, giver, receiver, prospect_name="X", prospect_contact="x@example.com")
    with db.read() as session:
        assert session.query(Referral).count() == 0


def test_inferred_fields_reach_the_profile_only_when_confirmed(db: Database) -> None:
    (sub,) = make_subscribers(db, "Leeds Loaves")
    with db.transaction() as session:
        profiles.update_profile(session, sub, {"locality": "Leeds", "employees": "6"})
        profiles.propose(session, sub, {"offers": "sourdough and celebration cakes", "naics_code": "311811"})
        profile = profiles.get_profile(session, sub)
        assert profile.offers is None and profile.employees == 6
        profiles.confirm(session, sub)
        assert profile.offers == "sourdough and celebration cakes"
        assert profile.sources == {
            "locality": "declared",
            "employees": "declared",
            "offers": "inferred_confirmed",
            "naics_code": "inferred_confirmed",
        }
        with pytest.raises(InvalidInput, match="latitude"):
            profiles.update_profile(session, sub, {"latitude": 123})


def test_consent_history_keeps_every_change(db: Database) -> None:
    (sub,) = make_subscribers(db, "Leeds Loaves")
    with db.transaction() as session:
        consent.set_consent(session, sub, "discoverable", False, channel="web")
        assert consent.current(session, sub) == {"discoverable": False, "contactable": True}
        assert len(consent.history(session, sub)) == 3
