"""The shared prefix's state file with the real model (`make test-integration`): evaluated once, then restored
by a fresh engine, whose turns resume from it and choose as the first engine did."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from assistant.llm import build_chat_model
from assistant.prompting import prefix_variants, render_system
from assistant.settings import Settings
from tools.registry import schema_tools

pytestmark = pytest.mark.integration


def _model(home: Path) -> Any:
    return build_chat_model(Settings(_env_file=None, home=home, llm_provider="local"))


def test_a_fresh_engine_restores_the_shared_prefix_and_turns_resume_from_it(tmp_path: Path) -> None:
    installed = Path(os.environ.get("LAYER8_HOME", "var")) / "models"
    (tmp_path / "models").symlink_to(installed.resolve())
    first = _model(tmp_path)
    variants = prefix_variants("Acme Tel")
    warmed = first.warm_up(variants, schema_tools())
    assert warmed.source == "evaluated" and warmed.path is not None and warmed.path.is_file()
    assert warmed.tokens > 500  # instructions and every tool

    second = _model(tmp_path)  # another process, in effect
    again = second.warm_up(variants, schema_tools())
    assert (again.source, again.tokens, again.path) == ("file", warmed.tokens, warmed.path)

    (system,) = render_system(
        business_name="Rise Bakery", missing=None, summary=None, operator="Acme Tel", today=date(2026, 12, 7)
    )
    turn = [system, HumanMessage("Do you know a good accountant?")]
    replies = [m.bind_tools(schema_tools()).invoke(turn) for m in (first, second)]
    assert second.engine.cache.restored >= 1
    assert [c["name"] for c in replies[1].tool_calls] == [c["name"] for c in replies[0].tool_calls]
