"""`layer8 subscribers sync` and `listen` against the TM Forum stub served over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import memberships as memberships_cli
from cli.network import subscribers_app
from network.db import Database
from ossbss.stub import StubStore
from tests.ossbss.customers import operator


@pytest.fixture
def cli(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    live_stub: tuple[str, StubStore],
) -> Iterator[tuple[typer.Typer, StubStore]]:
    url, store = live_stub
    operator(store)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("LAYER8_TMF_BASE_URL", url)
    get_settings.cache_clear()
    app = typer.Typer()
    memberships_cli.register(app)
    app.add_typer(subscribers_app, name="subscribers")
    yield app, store
    get_settings.cache_clear()
    store.customers.clear()
    store.parties.clear()
    store.hubs.clear()


def test_sync_prints_what_it_did_and_listen_registers_with_the_hub(
    cli: tuple[typer.Typer, StubStore],
) -> None:
    app, store = cli
    result = CliRunner().invoke(app, ["subscribers", "sync", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 3
    result = CliRunner().invoke(app, ["subscribers", "listen", "--callback", "https://l8.example/bss/tmf629"])
    assert result.exit_code == 0, result.output
    assert store.hubs[result.output.strip()]["callback"] == "https://l8.example/bss/tmf629"
