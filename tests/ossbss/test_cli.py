"""The operator's commands, end to end: a recorded deal → hold → relay → reconcile, embedded and TM Forum."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import ossbss as ossbss_cli
from composition.container import build
from network.actor import Actor
from network.db import Database
from network.money import parse_money
from network.services import deals, referrals
from ossbss.stub import StubStore
from tests.ossbss.helpers import subscribers


@pytest.fixture
def layer8_cli(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    rules = (
        (Path(__file__).parents[2] / "ossbss" / "rewards.toml")
        .read_text()
        .replace("hold_days = 30", "hold_days = 0")
    )
    (tmp_path / "rewards.toml").write_text(rules)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    monkeypatch.setenv("LAYER8_REWARDS_PATH", str(tmp_path / "rewards.toml"))
    get_settings.cache_clear()
    app = typer.Typer()
    ossbss_cli.register(app)
    yield app
    get_settings.cache_clear()


def _run(app: typer.Typer, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _record_deal_through_the_container() -> str:
    layer8 = build()  # wires deal.recorded → incentives, as in production
    giver, receiver, prospect = subscribers(layer8.db, "Bob", "Acme", "Jane")
    with layer8.db.transaction(Actor.subscriber(giver)) as session:
        referral = referrals.log_referral(session, giver, receiver, prospect_subscriber_id=prospect)
    with layer8.db.transaction(Actor.subscriber(receiver)) as session:
        deals.record_deal(
            session,
            receiver,
            parse_money("2400", "GBP"),
            closed_on=date.today(),
            recorded_by=f"subscriber:{receiver}",
            referral_id=referral.id,
        )
    layer8.close()
    return giver


@pytest.mark.parametrize("adapter", ["embedded", "tmf"])
def test_a_deal_ends_as_one_credit_and_one_usage_record_matched_on_the_bill(
    adapter: str, layer8_cli: typer.Typer, live_stub: tuple[str, StubStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    if adapter == "tmf":
        live_stub[1].reset()  # a BSS of our own: reconciliation lists anyone else's Layer8 writes
        monkeypatch.setenv("LAYER8_BSS_ADAPTER", "tmf")
        monkeypatch.setenv("LAYER8_TMF_BASE_URL", live_stub[0])
        get_settings.cache_clear()
    giver = _record_deal_through_the_container()
    (pending,) = json.loads(_run(layer8_cli, "incentives", "list", "--json"))
    assert (pending["beneficiary_id"], pending["amount_minor"], pending["state"]) == (giver, 6500, "pending")

    assert json.loads(_run(layer8_cli, "incentives", "approve-due", "--json"))[0]["state"] == "approved"
    box = json.loads(_run(layer8_cli, "bss", "outbox", "--json"))
    assert box["counts"] == {"pending": 2, "sent": 0, "dead": 0}
    assert "sent 2" in _run(layer8_cli, "bss", "relay", "--once")
    report = json.loads(_run(layer8_cli, "bss", "reconcile", "--json"))
    assert (report["clean"], report["matched"], report["confirmed"]) == (True, 2, 1)
    assert json.loads(_run(layer8_cli, "incentives", "list", "--json"))[0]["state"] == "confirmed"
    if adapter == "tmf":
        mine = [a for a in live_stub[1].applications if a.correlation_id.endswith(pending["id"])]
        assert len(mine) == 1


def test_the_relay_approves_what_the_hold_released_and_every_command_has_help(
    layer8_cli: typer.Typer,
) -> None:
    _record_deal_through_the_container()
    assert "sent 2" in _run(layer8_cli, "bss", "relay", "--once")
    for command in (["tmf-stub"], ["bss", "relay"], ["bss", "requeue"], ["incentives", "review"]):
        assert "Usage" in _run(layer8_cli, *command, "--help")


def test_reconcile_exits_non_zero_while_something_differs(layer8_cli: typer.Typer) -> None:
    _record_deal_through_the_container()
    _run(layer8_cli, "incentives", "approve-due")
    report = json.loads(_run(layer8_cli, "bss", "reconcile", "--json", code=1))
    assert {d["kind"] for d in report["differences"]} == {"not_sent_yet"}
    assert "not_sent_yet" in _run(layer8_cli, "bss", "reconcile", "--dry-run", code=1)
