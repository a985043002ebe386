"""The calendar file travels with the invitation: a Slack file (files.getUploadURLExternal, the upload,
files.completeUploadExternal) and a WhatsApp document (uploaded to /media) where the channel takes it, else
a link to ``GET /v1/events/{id}/calendar.ics?t=TOKEN`` (the token, not the event id, is the key); and the web
chat's own download next to the Going button, with its session."""

from __future__ import annotations

import json
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


def test_a_slack_invitation_shares_its_calendar_file_after_the_message(harness: Harness) -> None:
    me = harness.link("slack", "T111:W111", name="Leeds Bakery")
    event_id = invite(harness, me)
    shared = wait_until(lambda: harness.slack.posts("files.completeUploadExternal"))[0]
    (post,) = harness.slack.posts()
    assert "You're invited: Leeds breakfast" in post.params["text"]
    assert not LINK.search(post.params["text"])  # the file itself, not its link
    assert harness.slack.calls.index(post) < harness.slack.calls.index(shared)
    assert shared.params["channel_id"] == post.params["channel"]  # into the same DM

    asked = harness.slack.posts("files.getUploadURLExternal")[0].params
    (file,) = json.loads(shared.params["files"])
    content = harness.slack.uploads()[file["id"]]
    assert asked["filename"] == f"{event_id}.ics" and int(asked["length"]) == len(content)
    (entry,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Leeds breakfast" and "Corn Exchange" in str(entry["LOCATION"])


def test_without_files_write_a_slack_invitation_links_its_calendar_file(harness: Harness) -> None:
    harness.slack.refuse["files.getUploadURLExternal"] = "missing_scope"
    me = harness.link("slack", "T111:W111", name="Leeds Bakery")
    event_id = invite(harness, me)
    post = wait_until(lambda: harness.slack.posts())[0]
    url = LINK.search(post.params["text"]).group(1)  # type: ignore[union-attr]
    assert f"/v1/events/{event_id}/calendar.ics?t=" in url
    (entry,) = fetch(harness, url).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Leeds breakfast" and "Corn Exchange" in str(entry["LOCATION"])
    assert not harness.slack.posts("files.completeUploadExternal")

    wrong = harness.http.get(f"/v1/events/{event_id}/calendar.ics", params={"t": "0" * 32})
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    assert harness.http.get(f"/v1/events/{event_id}/calendar.ics").status_code == 404  # no token


def test_a_file_slack_will_not_share_is_followed_by_its_link(harness: Harness) -> None:
    harness.slack.refuse["files.completeUploadExternal"] = "not_allowed_token_type"
    me = harness.link("slack", "T111:W111", name="Leeds Bakery")
    invite(harness, me)
    invitation, link = wait_until(lambda: len(harness.slack.posts()) == 2 and harness.slack.posts())
    assert not LINK.search(invitation.params["text"])
    assert fetch(harness, LINK.search(link.params["text"]).group(1)).walk("VEVENT")  # type: ignore[union-attr]


def in_the_window(h: Harness) -> str:
    me = h.link("whatsapp", f"+{SENDER}", name="Leeds Bakery")
    with h.db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(hours=2)))
    return me


def test_a_whatsapp_invitation_sends_its_calendar_file_as_a_document(harness: Harness) -> None:
    event_id = invite(harness, in_the_window(harness))
    invitation, document = wait_until(lambda: len(harness.graph.sent()) == 2 and harness.graph.sent())
    assert "You're invited" in invitation.params["interactive"]["body"]["text"]
    assert not LINK.search(invitation.params["interactive"]["body"]["text"])
    (upload,) = harness.graph.media()
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="messaging_product"' in upload.raw and b"text/plain" in upload.raw  # a type WhatsApp lists
    ics = upload.raw[upload.raw.index(b"BEGIN:VCALENDAR") : upload.raw.index(b"END:VCALENDAR") + 13]
    (entry,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Leeds breakfast"
    assert document.params["type"] == "document"
    assert document.params["document"] == {"id": "media.1", "filename": f"{event_id}.ics"}
    assert document.params["to"] == SENDER


def test_a_refused_whatsapp_upload_leaves_the_link_in_the_body(harness: Harness) -> None:
    harness.graph.failures = [(400, 131053)]  # "media upload error": the first call is the upload
    invite(harness, in_the_window(harness))
    sent = wait_until(lambda: harness.graph.sent())[0].params
    url = LINK.search(sent["interactive"]["body"]["text"]).group(1)  # type: ignore[union-attr]
    assert fetch(harness, url).walk("VEVENT")
    assert len(harness.graph.sent()) == 1  # no document after it


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
