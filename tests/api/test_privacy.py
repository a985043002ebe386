"""A subscriber's data rights over HTTP and the operator's commands: export, erasure requests, approval."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.settings import Settings, get_settings
from cli.root import app as layer8_cli
from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from tests.api.helpers import ADMIN_TOKEN, Network, assert_problem, bearer, seed_network


@pytest.fixture
def operator(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_subscriber_exports_everything_held_about_it(client: TestClient, network: Network) -> None:
    response = client.get("/v1/me/export", headers=bearer(network.acme_token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subscriber"]["id"] == network.acme
    assert body["subscriber"]["contact_email"] == "ann@acme.example"
    assert body["tables"]["channel_identities"][0]["external_id"] == "+447700900123"
    assert body["tables"]["profiles"][0]["offers"] == "plumbing, boiler repair"
    assert [t["token_id"] for t in body["tables"]["api_tokens"]] and "token_hash" not in response.text
    assert "jane@cafe.example" not in response.text, "nothing of another subscriber"
    assert_problem(client.get("/v1/me/export", headers=bearer(ADMIN_TOKEN)), 403, "forbidden")
    assert_problem(client.get("/v1/me/export"), 401, "unauthenticated")


def test_an_erasure_request_waits_for_an_admin_who_approves_it_with_the_cli(
    client: TestClient, network: Network, operator: CliRunner
) -> None:
    asked = client.post("/v1/me/erasure", headers=bearer(network.acme_token))
    assert asked.status_code == 202 and asked.json()["state"] == "pending"
    again = client.post("/v1/me/erasure", headers=bearer(network.acme_token))
    assert again.json()["request_id"] == asked.json()["request_id"]
    assert client.get("/v1/me", headers=bearer(network.acme_token)).status_code == 200

    waiting = operator.invoke(layer8_cli, ["subscribers", "erasure-requests", "--json"])
    assert waiting.exit_code == 0, waiting.output
    assert [r["subscriber_id"] for r in json.loads(waiting.output)] == [network.acme]
    exported = operator.invoke(layer8_cli, ["subscribers", "export", network.acme])
    assert exported.exit_code == 0 and "ann@acme.example" in exported.output

    erased = operator.invoke(layer8_cli, ["subscribers", "erase", network.acme, "--reason", "ticket 42"])
    assert erased.exit_code == 0, erased.output
    assert "verified" in erased.output
    assert_problem(client.get("/v1/me", headers=bearer(network.acme_token)), 401, "unauthenticated")
    assert json.loads(operator.invoke(layer8_cli, ["subscribers", "erasure-requests", "--json"]).output) == []
    verified = operator.invoke(layer8_cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert (
        operator.invoke(layer8_cli, ["subscribers", "erase", network.acme, "--reason", "x1x"]).exit_code != 0
    )


def test_erasure_runs_at_once_where_the_operator_allows_it(db: Database, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=db.url,
        home=tmp_path,
        admin_token=ADMIN_TOKEN,
        env="test",
        erasure_immediate=True,
    )
    layer8 = Layer8(settings)
    network = seed_network(layer8.db)
    with TestClient(web_app(layer8)) as client:
        done = client.post("/v1/me/erasure", headers=bearer(network.acme_token))
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "done" and done.json()["verified"] is True
        assert_problem(client.get("/v1/me", headers=bearer(network.acme_token)), 401, "unauthenticated")
    layer8.close()
