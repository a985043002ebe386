"""``layer8 model install / check / info`` on small stand-in chunks (the real 1.1 GB run is `make model`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.llm import gguf
from assistant.settings import get_settings
from cli import model as model_cli


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    get_settings.cache_clear()
    root = typer.Typer()
    model_cli.register(root)
    root.command("noop")(lambda: None)  # a group with two commands keeps `model` as a subcommand
    yield root
    get_settings.cache_clear()


@pytest.fixture
def chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two small chunk files stand in for the 22 installed packages and their expected hash."""
    parts = []
    for n, data in enumerate([b"GGUF" + b"a" * 5000, b"b" * 300], start=1):
        path = tmp_path / f"part{n:02d}.bin"
        path.write_bytes(data)
        parts.append(path)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    monkeypatch.setattr(gguf, "part_paths", lambda: parts)
    monkeypatch.setattr(gguf, "GGUF_SHA256", digest)
    return digest


def test_install_then_check_then_info(app: typer.Typer, chunks: str, tmp_path: Path) -> None:
    runner = CliRunner()
    installed = runner.invoke(app, ["model", "install"])
    assert installed.exit_code == 0, installed.output
    assert chunks in installed.output
    assert (tmp_path / "models" / gguf.GGUF_NAME).stat().st_size == 5304
    again = runner.invoke(app, ["model", "install"])
    assert "already installed" in again.output
    checked = runner.invoke(app, ["model", "check"])
    assert checked.exit_code == 0 and "matches" in checked.output
    info = runner.invoke(app, ["model", "info"])
    assert "provider      local" in info.output and chunks in info.output


def test_check_fails_on_a_corrupted_file(app: typer.Typer, chunks: str, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["model", "install"])
    (tmp_path / "models" / gguf.GGUF_NAME).write_bytes(b"corrupted")
    result = runner.invoke(app, ["model", "check"])
    assert result.exit_code != 0
    assert isinstance(result.exception, gguf.ModelHashMismatch)


def test_install_replaces_a_corrupted_file(app: typer.Typer, chunks: str, tmp_path: Path) -> None:
    target = tmp_path / "models" / gguf.GGUF_NAME
    target.parent.mkdir(parents=True)
    target.write_bytes(b"corrupted")
    result = CliRunner().invoke(app, ["model", "install"])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(target.read_bytes()).hexdigest() == chunks
