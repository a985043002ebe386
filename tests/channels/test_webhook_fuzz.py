"""Property-based fuzz of the webhooks with correctly signed bodies: the real Slack and WhatsApp payloads of
``fixtures/`` (bolt-python's scenario payloads, pywa's webhook bodies) mutated — fields replaced by values of
other types or removed, bytes cut or added, forms with broken ``payload`` JSON — then signed like Slack and
Meta sign them and posted to the running app. A signed body is never answered 5xx; what cannot be used is
kept as an ``unusable`` event. (SQLite only: the shapes, not the storage, are under test. 2,000 signed
requests by default, derandomized; about 7 ms a request on two idle cores; ``FUZZ_N`` changes the count.)"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from network.db import Database
from network.models import InboundEvent
from tests.channels.conftest import Harness, load, open_harness

SLACK: dict[str, Any] = load("slack/bolt_python_scenario_payloads.json")
SLASH_FORM = SLACK.pop("test_slash_command::slash_command_body")["_raw_form_body"]
WHATSAPP: dict[str, Any] = {**load("whatsapp/message.json"), **load("whatsapp/message_status.json")}
INTERACTIVE = {k: v for k, v in SLACK.items() if "type" in v and "event" not in v}
EXAMPLES = int(os.environ.get("FUZZ_N", "1000"))  # per webhook; FUZZ_N=… for a longer (or quicker) run

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "\x00", "\ud800", "message", "im", "text", "block_actions", "D111", "1"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree (the root included)."""
    found = [prefix]
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


@st.composite
def mutated(draw: st.DrawFn, shapes: dict[str, Any]) -> Any:
    """A real payload with one to four of its fields replaced by other JSON values or removed."""
    body = copy.deepcopy(shapes[draw(st.sampled_from(sorted(shapes)))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        where = draw(st.sampled_from(paths(body)))
        if not where:
            return draw(json_values) if draw(st.integers(0, 9)) == 0 else body
        parent = body
        for key in where[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(json_values)
    return body


@st.composite
def raw(draw: st.DrawFn, body: Any) -> bytes:
    """The body as JSON, mostly; sometimes with its bytes cut, spliced or replaced."""
    data = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
    how = draw(st.sampled_from(["json"] * 6 + ["cut", "splice", "bytes", "deep"]))
    if how == "cut":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if how == "bytes":
        return draw(st.binary(max_size=64))
    if how == "deep":
        return b"[" * 5_000 + b"]" * 5_000
    return data


@st.composite
def slack_requests(draw: st.DrawFn) -> tuple[bytes, bool, dict[str, str]]:
    kind = draw(st.sampled_from(["event", "event", "interactive", "slash"]))
    headers = {"X-Slack-Retry-Num": "1"} if draw(st.integers(0, 7)) == 0 else {}
    if kind == "event":
        return draw(raw(draw(mutated(SLACK)))), False, headers
    if kind == "interactive":
        payload = draw(raw(draw(mutated(INTERACTIVE)))).decode("utf-8", "replace")
        return urlencode({"payload": payload}).encode(), True, headers
    fields = dict(parse_qsl(SLASH_FORM, keep_blank_values=True))
    for name in draw(st.lists(st.sampled_from([*sorted(fields), "payload"]), max_size=3)):
        fields[name] = draw(st.text(max_size=30))
    return urlencode(fields).encode(), True, headers


@pytest.fixture
def target(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    settings = {"queue_max_pending": 100_000, "rate_limit_webhook": "100000/minute"}  # fuzz the parsers
    with open_harness(sqlite_db, tmp_path, **settings) as harness:
        yield harness


def unusable(harness: Harness, channel: str) -> int:
    with harness.db.read() as session:
        query = select(func.count()).where(InboundEvent.channel == channel, InboundEvent.status == "unusable")
        return int(session.scalar(query) or 0)


def test_signed_slack_bodies_are_never_a_5xx(target: Harness) -> None:
    @FUZZ
    @given(request=slack_requests())
    def post(request: tuple[bytes, bool, dict[str, str]]) -> None:
        body, form, headers = request
        response = target.slack_post(body, form=form, headers=headers)
        assert response.status_code < 500, (body[:300], response.text)

    post()
    assert unusable(target, "slack") > 0


def test_signed_whatsapp_bodies_are_never_a_5xx(target: Harness) -> None:
    @FUZZ
    @given(body=mutated(WHATSAPP).flatmap(raw))
    def post(body: bytes) -> None:
        response = target.wa_post(body)
        assert response.status_code < 500, (body[:300], response.text)

    post()
    assert unusable(target, "whatsapp") > 0
