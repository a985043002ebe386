"""`layer8 serve`'s application delivers outbound webhooks itself: no separate relay process is needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.settings import get_settings
from composition.channels import app_from_settings, app_without_webhook_relay
from composition.container import Layer8
from tests.api.economy import ADMIN, Economy
from tests.api.helpers import ADMIN_TOKEN
from tests.channels.fakes import wait_until
from tests.webhooks.receiver import Receiver


@pytest.fixture
def served_settings(layer8: Layer8, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server factory reads its settings from the environment, as `layer8 serve` does."""
    monkeypatch.setenv("LAYER8_DATABASE_URL", layer8.settings.database)
    monkeypatch.setenv("LAYER8_HOME", str(layer8.settings.home))
    monkeypatch.setenv("LAYER8_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("LAYER8_LLM_PROVIDER", "fake")
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _refer(client: TestClient, receiver: Receiver, economy: Economy) -> str:
    created = client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url, "event_types": ["referral.created"]},
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    body = {"receiver_id": economy.net.cafe, "prospect_name": "Northern Lofts"}
    referral = client.post("/v1/referrals", json=body, headers=economy.sub("acme"))
    assert referral.status_code == 201, referral.text
    return str(referral.json()["id"])


@pytest.mark.usefixtures("served_settings")
def test_the_served_app_delivers_webhooks_without_a_relay_command(
    economy: Economy, receiver: Receiver
) -> None:
    with TestClient(app_from_settings()) as client:
        referral_id = _refer(client, receiver, economy)
        wait_until(lambda: receiver.received, timeout=20)
    assert [(r.type, r.data["id"]) for r in receiver.received] == [("referral.created", referral_id)]


@pytest.mark.usefixtures("served_settings")
def test_without_the_relay_deliveries_wait(economy: Economy, receiver: Receiver, layer8: Layer8) -> None:
    with TestClient(app_without_webhook_relay()) as client:
        _refer(client, receiver, economy)
        listed = client.get("/v1/webhook-endpoints", headers=ADMIN).json()["data"]
        log = client.get(f"/v1/webhook-endpoints/{listed[0]['id']}/deliveries", headers=ADMIN)
    assert [d["state"] for d in log.json()["data"]] == ["pending"] and receiver.received == []
