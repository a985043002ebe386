"""A small property-based fuzz of the API's edge: whatever arrives, the answer is never a 500, and every
error is problem+json. (SQLite only: the shapes, not the storage, are under test here.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composition.channels import web_app
from network.db import Database
from tests.api.helpers import ADMIN_TOKEN, Network, make_container, seed_network


@pytest.fixture
def fuzz_target(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, Network]]:
    container = make_container(sqlite_db.url, tmp_path)
    network = seed_network(container.db)
    with TestClient(web_app(container), raise_server_exceptions=False) as client:
        yield client, network
    container.close()


BASES = [
    "/v1/subscribers",
    "/v1/subscribers/search",
    "/v1/me",
    "/healthz",
    "/v1",
    # the integration API (issue 19)
    "/v1/introductions",
    "/v1/referrals",
    "/v1/deals",
    "/v1/incentives",
    "/v1/cases",
    "/v1/handoffs",
    "/v1/webhook-endpoints",
]
PARAMS = [
    "q",
    "industry",
    "place",
    "limit",
    "offset",
    "x",
    "state",
    "cursor",
    "since",
    "until",
    "subscriber_id",
]
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=300
)
segment = st.one_of(
    st.sampled_from(
        [
            "sub_0000000000000000",
            "",
            "..",
            "%",
            "profile",
            "search",
            "me",
            "9" * 60,
            "accept",
            "void",
            "replay",
        ]
    ),
    st.text(max_size=60),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
search_bodies = st.fixed_dictionaries(
    {},
    optional={
        "q": json_values,
        "industry": json_values,
        "place": json_values,
        "limit": json_values,
        "offset": json_values,
    },
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]))
    base = draw(st.sampled_from(BASES))
    extra = draw(st.lists(segment, max_size=2))
    path = base + "".join("/" + quote(part, safe="") for part in extra)
    params = draw(st.dictionaries(st.sampled_from(PARAMS), st.text()))
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params.items())
    headers = {"Authorization": draw(st.sampled_from(["Bearer " + ADMIN_TOKEN, "Bearer ", "Basic x", ""]))}
    if draw(st.booleans()):
        headers["X-Layer8-Case"] = draw(header_text)
    if draw(st.booleans()):
        headers["Content-Type"] = draw(
            st.sampled_from(["application/json", "text/plain", "application/x+json"])
        )
    body = draw(
        st.one_of(
            st.none(),
            st.binary(max_size=200),
            search_bodies.map(lambda value: json.dumps(value).encode()),
        )
    )
    return method, path + ("?" + query if query else ""), headers, body


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_no_input_gives_a_500(fuzz_target: tuple[TestClient, Network], request: tuple) -> None:  # type: ignore[type-arg]
    client, _network = fuzz_target
    method, url, headers, body = request
    raw_headers = {k: v.encode("latin-1") for k, v in headers.items() if v}
    response = client.request(method, url, headers=raw_headers, content=body)
    assert response.status_code < 500, (method, url, headers, body, response.text)
    if response.status_code >= 400 and method != "HEAD":
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        assert response.json()["code"]
