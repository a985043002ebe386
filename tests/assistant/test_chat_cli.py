"""``layer8 ask`` and ``layer8 chat`` against a real database and the fake provider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import chat as chat_cli
from network.db import Database
from network.errors import NotFound
from network.migrate import upgrade
from network.models import Message
from network.services.subscribers import create_subscriber


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[typer.Typer, str, Database]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", url)
    monkeypatch.setenv("LAYER8_LLM_PROVIDER", "fake")
    get_settings.cache_clear()
    db = Database(url)
    upgrade(db)
    with db.transaction() as session:
        sub = create_subscriber(session, "Leeds Bakery").id
    app = typer.Typer()
    chat_cli.register(app)
    yield app, sub, db
    db.dispose()
    get_settings.cache_clear()


def test_ask_json_has_exactly_the_documented_shape(cli: tuple[typer.Typer, str, Database]) -> None:
    app, sub, db = cli
    result = CliRunner().invoke(app, ["ask", "--as", sub, "hello there", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"reply", "tool_calls", "pending_action"}
    assert body["reply"].startswith("(fake model) hello there")
    assert body["tool_calls"] == [] and body["pending_action"] is None
    with db.read() as session:
        assert session.query(Message).count() == 2


def test_ask_for_an_unknown_subscriber_is_refused(cli: tuple[typer.Typer, str, Database]) -> None:
    app, _, _ = cli
    result = CliRunner().invoke(app, ["ask", "--as", "sub_nobody", "hello"])
    assert isinstance(result.exception, NotFound)


def test_chat_streams_replies_until_quit(cli: tuple[typer.Typer, str, Database]) -> None:
    app, sub, _ = cli
    result = CliRunner().invoke(app, ["chat", "--as", sub], input="good morning\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "(fake model) good morning" in result.output


def test_typing_an_option_number_presses_that_button() -> None:
    from assistant.messages import Action

    options: list[Action | None] = [Action("confirm", "act_1"), Action("cancel", "act_1"), None]
    assert chat_cli._message("sub", "t", "1", options).action == Action("confirm", "act_1")
    assert chat_cli._message("sub", "t", "3", options).text == "3"
    assert chat_cli._message("sub", "t", "yes", options).text == "yes"
