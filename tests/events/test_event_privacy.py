"""Events and the digest under the subscriber's rights: exported with them, and their name scrubbed from
other guests' invitations ("you would meet …") when they are erased."""

from __future__ import annotations

from network.db import Database
from network.models import EventInvitation
from network.services import events
from network.services.erasure import LEFT_NETWORK, erase_subscriber
from network.services.export import export_subscriber
from tests.events.builders import make_event
from tests.network.helpers import make_subscribers


def test_an_erased_guest_leaves_no_name_in_other_invitations(sqlite_db: Database) -> None:
    zed, ana = make_subscribers(sqlite_db, "Zebracanary Bakes", "Ana Plumbing")
    event_id, _ = make_event(sqlite_db)
    meets = [
        {"subscriber_id": zed, "business_name": "Zebracanary Bakes", "reasons": ["Zebracanary Bakes bakes."]}
    ]
    with sqlite_db.transaction() as session:
        events.invite(session, event_id, [events.Invitee(ana, 1.0, meets), events.Invitee(zed, 1.0, [])])
    with sqlite_db.read() as session:
        assert len(export_subscriber(session, zed)["tables"]["event_invitations"]) == 1
    with sqlite_db.transaction() as session:
        erase_subscriber(session, zed)
    with sqlite_db.read() as session:
        (row,) = session.query(EventInvitation).filter_by(subscriber_id=ana).all()
        reasons = str(row.reasons)
    assert "Zebracanary" not in reasons and LEFT_NETWORK in reasons
