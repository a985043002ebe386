"""The real embedded model behind ``layer8 model serve``, reached through the ``openai`` provider:
`make test-integration` (needs `make model`). The shared-prefix warm-up is left out: one short tool turn."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.llm.factory import build_local
from assistant.llm.openai_provider import build_openai
from assistant.settings import Settings
from channels.model_server.app import create_model_app
from tests.llm.test_llm_real_model import SYSTEM, find_introductions, get_my_profile
from tests.support import AppServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    settings = Settings(home=Path(os.environ.get("LAYER8_HOME", "var")), llm_provider="local")
    with AppServer(create_model_app(build_local(settings), model_name="layer8-local")) as server:
        yield server.url + "/v1"


def test_the_embedded_model_calls_a_tool_over_the_wire(served: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, home=tmp_path, llm_base_url=served, llm_model="layer8-local")
    client = build_openai(settings).bind_tools([get_my_profile, find_introductions])
    reply = client.invoke([SystemMessage(SYSTEM), HumanMessage("I need a flour supplier in Leeds")])
    assert [c["name"] for c in reply.tool_calls] == ["find_introductions"]
    assert "flour" in str(reply.tool_calls[0]["args"].get("need", "")).lower()
