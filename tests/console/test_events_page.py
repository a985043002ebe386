"""The console's events page: create, invite with reasons, follow answers, check in at the desk, close."""

from __future__ import annotations

from fastapi.testclient import TestClient

from composition.container import Layer8
from network.models import EventInvitation, Introduction
from network.services import events
from tests.console.helpers import Net, csrf, post, sign_in
from tests.events.builders import ScriptedMatcher


def test_an_agent_runs_an_event_from_the_console(client: TestClient, container: Layer8, net: Net) -> None:
    names = {net.acme: "Acme Plumbing", net.cafe: "Jane's Cafe", net.books: "Books & Co"}
    container.matcher = ScriptedMatcher(  # type: ignore[assignment]
        {
            net.acme: [(net.cafe, 0.9)],
            net.cafe: [(net.acme, 0.8), (net.books, 0.4)],
            net.books: [(net.cafe, 0.3)],
        },
        names=names,
    )
    sign_in(client, net.alice)
    assert "No events yet." in client.get("/console/events").text
    form = {
        "csrf": csrf(client, "/console/events"),
        "title": "Leeds breakfast",
        "starts": "2031-01-14T08:00",
        "time_zone": "Europe/London",
        "where": "Corn Exchange",
        "capacity": "2",
    }
    created = post(client, "/console/events", form)
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"])
    assert "Check-in code for the door" in page.text and "Tue 14 Jan 2031, 08:00 (Europe/London)" in page.text
    event_id = created.headers["location"].split("/")[-1].split("?")[0]

    invited = post(
        client, f"/console/events/{event_id}/invite", {"csrf": csrf(client, f"/console/events/{event_id}")}
    )
    assert invited.headers["location"].endswith("done=event_invited")
    page = client.get(f"/console/events/{event_id}")
    assert "Jane&#39;s Cafe</strong>: " in page.text and f"{net.acme} needs {net.cafe}" in page.text

    with container.db.transaction() as session:
        events.rsvp(session, event_id, net.acme, going=True)
        events.rsvp(session, event_id, net.cafe, going=True)
    for who in (net.acme, net.cafe):
        done = post(
            client,
            f"/console/events/{event_id}/checkin/{who}",
            {"csrf": csrf(client, f"/console/events/{event_id}")},
        )
        assert done.headers["location"].endswith("done=checked_in")
    closed = post(
        client, f"/console/events/{event_id}/close", {"csrf": csrf(client, f"/console/events/{event_id}")}
    )
    assert closed.headers["location"].endswith("done=event_closed")
    page = client.get(f"/console/events/{event_id}")
    assert "2 attended" in page.text and "one-to-one(s) suggested" in page.text
    with container.db.read() as session:
        assert {r.state for r in session.query(EventInvitation).filter_by(event_id=event_id)} >= {"attended"}
        pairs = {
            (i.requester_id, i.target_id) for i in session.query(Introduction).filter_by(state="suggested")
        }
    assert {(net.acme, net.cafe), (net.cafe, net.acme)} <= pairs and (net.cafe, net.books) not in pairs


def test_an_event_made_in_the_console_belongs_to_the_operators_tenant(
    client: TestClient, container: Layer8, net: Net
) -> None:
    container.settings.tenant = "north"  # as the CLI's `events create` and `events list` use it
    sign_in(client, net.alice)
    form = {
        "csrf": csrf(client, "/console/events"),
        "title": "North breakfast",
        "starts": "2031-01-14T08:00",
        "time_zone": "Europe/London",
        "where": "Corn Exchange",
        "capacity": "10",
    }
    assert post(client, "/console/events", form).status_code == 303
    with container.db.read() as session:
        assert [e.title for e in events.all_events(session, tenant="north")] == ["North breakfast"]
        assert events.all_events(session) == []
    assert "North breakfast" in client.get("/console/events").text
