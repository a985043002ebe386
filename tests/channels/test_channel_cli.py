"""``layer8 link-code`` prints a code that links a chat once; ``layer8 worker`` needs a queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import channels as channel_cli
from network.actor import Actor
from network.db import Database
from network.services import linking
from network.services.subscribers import create_subscriber


@pytest.fixture
def cli(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", sqlite_db.url)
    monkeypatch.delenv("LAYER8_QUEUE_URL", raising=False)
    get_settings.cache_clear()
    app = typer.Typer()
    channel_cli.register(app)
    yield app
    get_settings.cache_clear()


def test_link_code_issues_a_working_one_time_code(cli: typer.Typer, sqlite_db: Database) -> None:
    with sqlite_db.transaction(Actor.admin("test")) as session:
        acme = create_subscriber(session, "Acme Plumbing").id
    result = CliRunner().invoke(cli, ["link-code", acme, "--hours", "2", "--issued-by", "agent.alice"])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip().splitlines()[-1]
    symbols = linking.parse_code(code)
    assert symbols is not None
    with sqlite_db.transaction() as session:
        linked = linking.redeem(session, "whatsapp", "+447700900123", symbols)
        assert linked is not None and linked.id == acme


def test_link_code_for_an_unknown_subscriber_fails_with_one_line(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["link-code", "sub_missing"])
    assert result.exit_code != 0


def test_the_worker_needs_a_queue_and_slack_http_mode_is_served_by_serve(cli: typer.Typer) -> None:
    assert CliRunner().invoke(cli, ["worker", "--max-tasks", "1"]).exit_code != 0
    assert CliRunner().invoke(cli, ["slack"]).exit_code == 2
