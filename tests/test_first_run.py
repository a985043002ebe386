"""A first run that gets you in: ``layer8 signin code`` (SQLite and PostgreSQL), and what ``make run`` does
at its end — ``layer8 serve --demo-sign-in`` on a freshly initialised and seeded home prints sign-in links,
which a browser follows into the web chat and the console."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import sign_in as sign_in_cli
from network import sign_in
from network.actor import Actor
from network.db import Database
from network.models import Role
from network.services.subscribers import create_subscriber
from tests.support import chromium

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"(http://\S+/(?:chat|console/sign-in)#code=[A-Z0-9-]+)")


@pytest.fixture
def cli(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    get_settings.cache_clear()
    app = typer.Typer()
    sign_in_cli.register(app)
    yield app
    get_settings.cache_clear()


def test_signin_code_prints_a_one_time_code_and_its_link(cli: typer.Typer, db: Database) -> None:
    with db.transaction(Actor.admin("test")) as session:
        acme = create_subscriber(session, "Acme Plumbing").id
    result = CliRunner().invoke(cli, ["signin", "code", "--subscriber", acme, "--minutes", "5"])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip().splitlines()[-1]
    assert f"/chat#code={code}" in result.stderr
    agent = CliRunner().invoke(cli, ["signin", "code", "--agent", "agent.alice"])
    assert agent.exit_code == 0 and "/console/sign-in#code=" in agent.stderr
    with db.transaction(Actor.admin("test")) as session:
        redeemed = sign_in.redeem(session, Role.SUBSCRIBER, code)
        assert redeemed is not None and redeemed.subscriber_id == acme
        assert sign_in.redeem(session, Role.AGENT, agent.stdout.strip().splitlines()[-1]) is not None


def test_signin_code_needs_exactly_one_of_subscriber_or_agent(cli: typer.Typer) -> None:
    assert CliRunner().invoke(cli, ["signin", "code"]).exit_code != 0
    both = ["signin", "code", "--subscriber", "sub_x", "--agent", "a"]
    assert CliRunner().invoke(cli, both).exit_code != 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _layer8(env: dict[str, str], *args: str) -> None:
    run = [sys.executable, "-c", "from cli.root import run; run()", *args]
    subprocess.run(run, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)


@pytest.mark.browser
def test_serve_prints_sign_in_links_that_a_browser_follows(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LAYER8_HOME": str(tmp_path),
        "LAYER8_DATABASE_URL": f"sqlite:///{tmp_path / 'layer8.db'}",
        "LAYER8_LLM_PROVIDER": "fake",
        "LAYER8_EMBEDDER": "fake",
        "LAYER8_ENV": "test",
        "HF_HUB_OFFLINE": "1",
    }
    _layer8(env, "init")
    _layer8(env, "seed", "--subscribers", "3", "--seed", "7", "--if-empty")
    port = _free_port()
    serve = [sys.executable, "-c", "from cli.root import run; run()", "serve", "--port", str(port)]
    quiet = subprocess.DEVNULL
    server = subprocess.Popen(
        [*serve, "--demo-sign-in"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=quiet, text=True
    )
    try:
        links = _printed_links(server)
        with chromium() as browser:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(links["chat"])
            page.wait_for_selector("#chat:not([hidden])")
            assert "Signed in as" in page.inner_text("#who")
            assert "#code" not in page.url  # the code is gone from the address bar
            page.goto(links["console"])
            page.wait_for_selector("text=demo.agent")
            assert page.url.endswith("/console")
    finally:
        server.terminate()
        server.wait(timeout=20)


def _printed_links(server: subprocess.Popen[str]) -> dict[str, str]:
    """The links ``serve --demo-sign-in`` prints once it listens."""
    assert server.stdout is not None
    links: dict[str, str] = {}
    deadline = time.monotonic() + 240
    while len(links) < 2 and time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            break
        found = LINK.search(line)
        if found:
            links["chat" if "/chat#" in found.group(1) else "console"] = found.group(1)
    assert len(links) == 2, "serve --demo-sign-in printed no sign-in links"
    return links
