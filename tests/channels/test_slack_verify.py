"""Slack v0 signatures: the docs vector with a frozen clock, the exact 300 s window, and malformed headers."""

from __future__ import annotations

import pytest

from channels.slack.verify import BadSlackRequest, sign, verify
from tests.channels.conftest import load

VECTOR = load("signature_vectors.json")["slack_signing_secret_docs_example"]
SECRET = VECTOR["signing_secret"].encode()
BODY = VECTOR["raw_body"].encode()
TS = int(VECTOR["headers"]["X-Slack-Request-Timestamp"])


def headers(ts: str | int = TS, signature: str = VECTOR["headers"]["X-Slack-Signature"]) -> dict[str, str]:
    return {"x-slack-request-timestamp": str(ts), "x-slack-signature": signature}


def test_the_docs_example_verifies_with_a_frozen_clock() -> None:
    assert "v0=" + sign(SECRET, str(TS), BODY) == VECTOR["headers"]["X-Slack-Signature"]
    verify(headers(), BODY, SECRET, now=TS + 10)


@pytest.mark.parametrize(
    ("skew", "ok"), [(-300, True), (299, True), (300, True), (301, False), (-301, False)]
)
def test_the_replay_window_is_exactly_five_minutes(skew: int, ok: bool) -> None:
    if ok:
        verify(headers(), BODY, SECRET, now=TS + skew)
    else:
        with pytest.raises(BadSlackRequest):
            verify(headers(), BODY, SECRET, now=TS + skew)


@pytest.mark.parametrize(
    "bad",
    [
        headers(ts="abc"),
        headers(ts=""),
        headers(ts="1531420618.5"),
        headers(ts="-1531420618"),
        headers(ts="１５３１４２０６１８"),  # full-width digits: isdigit() is True, int() would accept them
        headers(ts="9" * 40),
        headers(signature=""),
        headers(signature="v1=" + "0" * 64),
        headers(signature="v0=" + "0" * 64),
        headers(signature="v0=ä€"),  # non-ASCII must not raise TypeError
        {},
    ],
)
def test_malformed_or_wrong_headers_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(BadSlackRequest) as raised:
        verify(bad, BODY, SECRET, now=TS)
    assert raised.value.status == 401


def test_a_changed_body_does_not_verify() -> None:
    with pytest.raises(BadSlackRequest):
        verify(headers(), BODY + b"&x=1", SECRET, now=TS)
