"""``layer8 classify`` through Typer, on a container with the fake embedder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import classify as classify_cli


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    get_settings.cache_clear()
    root = typer.Typer()
    classify_cli.register(root)
    root.command("noop", hidden=True)(lambda: None)  # a group, so "classify" is a subcommand as in layer8
    yield root
    get_settings.cache_clear()


def test_one_description_prints_three_codes(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["classify", "Family bakery baking bread and cakes"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("311811")


def test_json_for_one_description(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["classify", "Plumber and heating engineer", "--json"])
    payload = json.loads(result.output)
    assert payload["text"] == "Plumber and heating engineer"
    assert [set(code) for code in payload["codes"]] == [{"code", "title", "score"}] * 3
    assert payload["codes"][0]["code"] == "238220"


def test_file_in_json_lines_out(app: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "descriptions.txt"
    source.write_text("Fishmonger on the market\n\nOffice cleaning company\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", "--file", str(source), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [row["text"] for row in rows] == ["Fishmonger on the market", "Office cleaning company"]
    assert rows[0]["codes"][0]["code"] == "445220" and rows[1]["codes"][0]["code"] == "561720"


def test_text_and_file_together_are_refused(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["classify", "bakery", "--file", str(tmp_path / "x.txt")])
    assert result.exit_code != 0
