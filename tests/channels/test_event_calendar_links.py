"""The calendar file travels with the invitation: a link on Slack and WhatsApp to
``GET /v1/events/{id}/calendar.ics?t=TOKEN`` (the token, not the event id, is the key), and the web chat's
own download next to the Going button, with its session."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import update

from network.actor import Actor
from network.ids import utcnow
from network.models import ChannelIdentity
from network.services import events
from tests.channels.conftest import Harness
from tests.channels.fakes import wait_until
from tests.channels.test_event_invitations import invite
from tests.channels.test_web_chat import bearer, token
from tests.channels.test_whatsapp_webhook import SENDER

LINK = re.compile(r"Add it to your calendar: (\S+)")


def fetch(h: Harness, url: str) -> Calendar:
    path = url.split("127.0.0.1:8000", 1)[-1]  # LAYER8_PUBLIC_BASE_URL's default; the test server differs
    response = h.http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    return Calendar.from_ical(response.content)


def test_a_slack_invitation_links_its_calendar_file(harness: Harness) -> None:
    me = harness.link("slack", "T111:W111", name="Leeds Bakery")
    event_id = invite(harness, me)
    post = wait_until(lambda: harness.slack.posts())[0]
    url = LINK.search(post.params["text"]).group(1)  # type: ignore[union-attr]
    assert f"/v1/events/{event_id}/calendar.ics?t=" in url
    (entry,) = fetch(harness, url).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Leeds breakfast" and "Corn Exchange" in str(entry["LOCATION"])

    wrong = harness.http.get(f"/v1/events/{event_id}/calendar.ics", params={"t": "0" * 32})
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    assert harness.http.get(f"/v1/events/{event_id}/calendar.ics").status_code == 404  # no token


def test_a_whatsapp_invitation_carries_the_link_in_its_body(harness: Harness) -> None:
    me = harness.link("whatsapp", f"+{SENDER}", name="Leeds Bakery")
    with harness.db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(hours=2)))
    invite(harness, me)
    sent = wait_until(lambda: harness.graph.sent())[0].params
    url = LINK.search(sent["interactive"]["body"]["text"]).group(1)  # type: ignore[union-attr]
    assert fetch(harness, url).walk("VEVENT")


def test_the_web_chat_downloads_it_with_its_session(harness: Harness) -> None:
    value, me = token(harness)
    assert me is not None
    event_id = invite(harness, me)
    path = f"/v1/chat/events/{event_id}/calendar.ics"
    got = harness.http.get(path, headers=bearer(value))
    assert got.status_code == 200 and b"BEGIN:VEVENT" in got.content
    assert harness.http.get(path).status_code == 401
    stranger, _ = token(harness, name="Other Ltd")  # an open event of their network: they may add it too
    assert harness.http.get(path, headers=bearer(stranger)).status_code == 200
    with harness.db.transaction(Actor.admin("test")) as session:
        events.close(session, event_id)
    assert harness.http.get(path, headers=bearer(stranger)).status_code == 404  # closed, never invited
    assert harness.http.get(path, headers=bearer(value)).status_code == 200
