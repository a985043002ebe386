"""``layer8 index rebuild``, ``layer8 match`` and ``layer8 kb`` through the real root command."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import root as cli
from network.db import Database
from network.migrate import upgrade
from tests.retrieval.builders import add_business


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    monkeypatch.delenv("LAYER8_DATABASE_URL", raising=False)
    monkeypatch.delenv("LAYER8_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_index_rebuild_then_match_as_json(home: Path) -> None:
    db = Database(get_settings().database)
    upgrade(db)
    bakery = add_business(
        db, "Crumb Bakery", offers="sourdough bread", needs="wholesale flour and eggs", naics_code="311811"
    )
    mill = add_business(db, "Miller", offers="wholesale flour and eggs", needs="bread", naics_code="311211")
    add_business(db, "Hidden Mill", offers="wholesale flour and eggs", discoverable=False)
    db.dispose()
    runner = CliRunner()
    rebuilt = runner.invoke(cli.app, ["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "indexed 2 discoverable profile(s)" in rebuilt.output
    result = runner.invoke(cli.app, ["match", bakery, "--top", "3", "--json"])
    assert result.exit_code == 0, result.output
    suggestions = json.loads(result.output)
    assert [s["subscriber_id"] for s in suggestions] == [mill]
    assert set(suggestions[0]) == {"subscriber_id", "business_name", "naics", "score", "parts", "reasons"}
    assert suggestions[0]["reasons"] and suggestions[0]["parts"]["supply_chain"] > 0
    plain = runner.invoke(cli.app, ["match", bakery])
    assert "1. Miller" in plain.output and "They offer" in plain.output


def test_kb_ingest_and_search(home: Path, tmp_path: Path) -> None:
    note = tmp_path / "grants.md"
    note.write_text("# Local grants\n\n## Heat pump grant\n\nUp to 5,000 towards heat pumps for shops.\n")
    runner = CliRunner()
    ingested = runner.invoke(cli.app, ["kb", "ingest", str(note)])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(cli.app, ["kb", "search", "heat pump grant for my shop", "--json", "-k", "3"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["citation"] == "grants#heat-pump-grant"
    assert set(hits[0]) == {"citation", "title", "section", "text", "score"}
    plain = runner.invoke(cli.app, ["kb", "search", "late paying customers"])
    assert plain.exit_code == 0 and "[cash-flow#" in plain.output
