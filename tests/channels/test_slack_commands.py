"""``/layer8 help|profile|matches|referrals|link`` on the real slash-command form body."""

from __future__ import annotations

import urllib.parse
from typing import Any

from channels import texts
from network import sign_in
from network.actor import Actor
from network.models import Role
from network.services import linking, profiles, referrals
from tests.channels.conftest import Harness, load
from tests.channels.fakes import wait_until
from tools import phrases

RAW = load("slack/bolt_python_scenario_payloads.json")["test_slash_command::slash_command_body"][
    "_raw_form_body"
]


def command(harness: Harness, text: str, user: str = "W111") -> Any:
    form = dict(urllib.parse.parse_qsl(RAW))
    form.update(command="/layer8", text=text, user_id=user, response_url=harness.slack.url + "/respond/cmd1")
    return harness.slack_post(urllib.parse.urlencode(form).encode(), form=True)


def test_help_is_answered_in_the_acknowledgement(harness: Harness) -> None:
    response = command(harness, "help")
    assert response.status_code == 200
    assert "/layer8 profile" in response.text
    assert harness.slack.replies() == []


def test_an_unknown_subcommand_is_said_so(harness: Harness) -> None:
    assert texts.UNSUPPORTED_COMMAND.split(".")[0] in command(harness, "dance").text


def test_profile_is_private_and_needs_a_linked_account(harness: Harness) -> None:
    assert texts.WORKING in command(harness, "profile").text
    said = wait_until(lambda: harness.slack.replies())[0]
    assert said.path == "/respond/cmd1" and said.params["response_type"] == "ephemeral"
    assert said.params["text"] == phrases.NOT_LINKED

    subscriber_id = harness.link("slack", "T111:W222", name="Jane's Café")
    with harness.db.transaction(Actor.admin("test")) as session:
        profiles.update_profile(session, subscriber_id, {"offers": "coffee and catering", "locality": "York"})
    command(harness, "profile", user="W222")
    said = wait_until(lambda: harness.slack.replies()[1:])[0]
    assert said.params["response_type"] == "ephemeral"
    assert "Jane's Café" in said.params["text"] and "coffee and catering" in said.params["text"]


def test_referrals_lists_given_and_received(harness: Harness) -> None:
    me = harness.link("slack", "T111:W111", name="Acme Plumbing")
    other = harness.subscriber("Jane's Café")
    with harness.db.transaction(Actor.admin("test")) as session:
        referrals.log_referral(session, me, other, prospect_name="Bob's Bikes", hotness=4)
    command(harness, "referrals")
    said = wait_until(lambda: harness.slack.replies())[0]
    assert "To Jane's Café (Bob's Bikes) — open" in said.params["text"]


def test_matches_come_from_the_matcher(harness: Harness) -> None:
    harness.link("slack", "T111:W111")

    class Suggestion:
        subscriber_id, business_name, reasons = "sub_x", "Pennine Mills", ["they offer flour", "12 km away"]

    class Matcher:
        def suggest(self, subscriber_id: str, top: int = 5) -> list[Suggestion]:
            return [Suggestion()]

    harness.container.matcher = Matcher()
    command(harness, "matches")
    said = wait_until(lambda: harness.slack.replies())[0]
    assert "Pennine Mills" in said.params["text"] and "they offer flour" in said.params["text"]


def test_link_with_a_one_time_code(harness: Harness) -> None:
    subscriber_id = harness.subscriber("Acme Plumbing")
    with harness.db.transaction(Actor.admin("test")) as session:
        code = linking.issue_code(session, subscriber_id, issued_by="agent.alice").code
    command(harness, f"link {code}")
    said = wait_until(lambda: harness.slack.replies())[0]
    assert said.params["text"] == texts.LINKED.format(business="Acme Plumbing")
    command(harness, f"link {code}", user="W999")  # single use
    said = wait_until(lambda: harness.slack.replies()[1:])[0]
    assert said.params["text"] == texts.LINK_CODE_INVALID
    with harness.db.read() as session:
        assert linking.resolve(session, "slack", "T111:W111", touch=False) == subscriber_id
        assert linking.resolve(session, "slack", "T111:W999", touch=False) is None


def test_the_same_signed_command_sent_twice_runs_once(harness: Harness) -> None:
    harness.link("slack", "T111:W111", name="Acme Plumbing")
    form = dict(urllib.parse.parse_qsl(RAW))
    form.update(command="/layer8", text="referrals", response_url=harness.slack.url + "/respond/cmd1")
    raw = urllib.parse.urlencode(form).encode()
    assert harness.slack_post(raw, form=True).status_code == 200
    assert harness.slack_post(raw, form=True).status_code == 200  # a replay of the same request
    command(harness, "profile")  # a different command (another trigger id in real Slack) still runs
    wait_until(lambda: len(harness.slack.replies()) >= 2)
    harness.drain()
    assert len(harness.slack.replies()) == 2


def test_signin_gives_a_linked_user_a_private_web_chat_code(harness: Harness) -> None:
    me = harness.link("slack", "T111:W111", name="Acme Plumbing")
    command(harness, "signin")
    said = wait_until(lambda: harness.slack.replies())[0]
    assert said.params["response_type"] == "ephemeral"
    code = said.params["text"].split("code is ")[1].split(".")[0]
    with harness.db.transaction(Actor.admin("test")) as session:
        redeemed = sign_in.redeem(session, Role.SUBSCRIBER, code)
        assert redeemed is not None and redeemed.subscriber_id == me and redeemed.sent_via == "slack"
