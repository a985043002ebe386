"""When a business leaves the operator, the other side of each open introduction is told on their chat."""

from __future__ import annotations

from network.actor import Actor
from network.models import Introduction, Subscriber
from network.services import memberships
from tests.channels.conftest import Harness
from tests.channels.fakes import wait_until


def test_the_other_side_of_an_open_introduction_hears_that_the_business_left(harness: Harness) -> None:
    leaving = harness.subscriber("Calder Print")
    other = harness.link("slack", "T111:W555", name="Pennine Mills")
    with harness.db.transaction(Actor.admin("test")) as session:
        session.add(Introduction(requester_id=other, target_id=leaving, state="requested"))
    with harness.db.transaction(Actor.system("bss-sync")) as session:
        subscriber = session.get(Subscriber, leaving)
        assert subscriber is not None
        memberships.end(session, subscriber, reason="terminated", source="listener")
    post = wait_until(lambda: harness.slack.posts())[0]
    assert post.params["channel"] == "DNEWW555"
    assert post.params["text"].startswith("Calder Print has left the network")
