"""Token administration (``network.tokens``) and the ``layer8 token`` / ``layer8 serve`` commands."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import serve as cli
from network import tokens
from network.actor import Actor
from network.db import Database
from network.errors import InvalidInput, NotFound, PermissionDenied, Unauthenticated
from network.models import ApiToken, Role, Subscriber


def _subscriber(db: Database) -> str:
    with db.transaction(Actor.admin("test")) as session:
        subscriber = Subscriber(business_name="Acme Plumbing")
        session.add(subscriber)
        session.flush()
        return subscriber.id


def test_issue_verify_revoke(db: Database) -> None:
    sub = _subscriber(db)
    with db.transaction(Actor.admin("test")) as session:
        issued = tokens.issue(session, "subscriber", subscriber_id=sub, label="shop till")
    with db.read() as session:
        principal = tokens.authenticate(session, issued.token)
        assert session.get(ApiToken, hashlib.sha256(issued.token.encode()).hexdigest()) is not None
    assert (principal.role, principal.subscriber_id, principal.token_id) == (
        Role.SUBSCRIBER,
        sub,
        issued.token_id,
    )
    assert principal.actor == Actor.subscriber(sub)
    with db.transaction(Actor.admin("test")) as session:
        assert tokens.revoke(session, issued.token_id) == issued.token_id
        assert tokens.revoke(session, issued.token) == issued.token_id  # idempotent, by token too
    with db.read() as session:
        with pytest.raises(Unauthenticated):
            tokens.authenticate(session, issued.token)
        assert [t.revoked_at is not None for t in tokens.list_tokens(session)] == [True]


@pytest.mark.parametrize(
    ("role", "subscriber", "agent", "error"),
    [
        ("subscriber", None, None, InvalidInput),
        ("subscriber", "sub_0000000000000000", None, NotFound),
        ("agent", None, None, InvalidInput),
        ("agent", None, "bad name with spaces", InvalidInput),
        ("admin", None, "alice", InvalidInput),
        ("system", None, None, InvalidInput),
        ("root", None, None, InvalidInput),
    ],
)
def test_issue_refuses_bad_scopes(
    db: Database, role: str, subscriber: str | None, agent: str | None, error: type[Exception]
) -> None:
    with db.transaction(Actor.admin("test")) as session, pytest.raises(error):
        tokens.issue(session, role, subscriber_id=subscriber, agent_id=agent)


def test_acting_for(db: Database) -> None:
    sub = _subscriber(db)
    assert tokens.Principal(Role.SUBSCRIBER, sub).acting_for(sub) == Actor.subscriber(sub)
    in_case = tokens.Principal(Role.AGENT, sub, "alice", "case_1")
    assert in_case.acting_for(sub) == Actor(Role.AGENT, "alice", "case_1")
    for principal in (
        tokens.Principal(Role.SUBSCRIBER, "sub_other"),
        tokens.Principal(Role.AGENT, None, "alice"),
    ):
        with pytest.raises(PermissionDenied):
            principal.acting_for(sub)


@pytest.fixture
def cli_env(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("LAYER8_DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield sqlite_db
    get_settings.cache_clear()


def test_token_cli_prints_the_token_once_and_stores_its_hash(cli_env: Database) -> None:
    sub = _subscriber(cli_env)
    app = typer.Typer()
    cli.register(app)
    runner = CliRunner()
    created = runner.invoke(app, ["token", "create", "--role", "subscriber", "--subscriber", sub])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("l8_")
    with cli_env.read() as session:
        assert tokens.authenticate(session, token).subscriber_id == sub
    listed = runner.invoke(app, ["token", "list", "--json"])
    assert listed.exit_code == 0 and token not in listed.output
    assert json.loads(listed.stdout)["token_id"] == hashlib.sha256(token.encode()).hexdigest()[:12]
    assert runner.invoke(app, ["token", "list"]).exit_code == 0
    revoked = runner.invoke(app, ["token", "revoke", token])
    assert revoked.exit_code == 0
    with cli_env.read() as session, pytest.raises(Unauthenticated):
        tokens.authenticate(session, token)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_api_with_uvloop_and_httptools(sqlite_db: Database, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "LAYER8_DATABASE_URL": sqlite_db.url, "LAYER8_HOME": str(tmp_path)}
    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = _wait_for_health(f"http://127.0.0.1:{port}/healthz", server)
        assert body["status"] == "ok"
        missing = httpx.get(f"http://127.0.0.1:{port}/v1/me", timeout=5)
        assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "Traceback" not in output, output


def _wait_for_health(url: str, server: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.communicate()[0].decode())
        try:
            response = httpx.get(url, timeout=2)
            body: dict[str, object] = response.json()
            return body
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("layer8 serve did not answer /healthz")
