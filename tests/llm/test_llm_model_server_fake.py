"""``layer8 model serve --fake``: the rule-following fake behind the same server, as the loopback cluster and
the load benchmark run it."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from typer.testing import CliRunner

from assistant.llm.openai_provider import build_openai
from assistant.settings import Settings
from cli.root import app
from composition.model_server import FAKE_MODEL_NAME, model_server_app
from tests.llm.test_llm_local_model import TOOLS
from tests.support import AppServer


def test_the_fake_server_calls_offered_tools_and_answers_their_results(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, home=tmp_path)
    with AppServer(model_server_app(settings, fake=True)) as server:
        client = build_openai(
            Settings(_env_file=None, home=tmp_path, llm_base_url=server.url + "/v1", llm_model="any")
        ).bind_tools(TOOLS)
        ask = HumanMessage("Please introduce me to a flour supplier")
        call = client.invoke([ask])
        assert isinstance(call, AIMessage)
        assert [(c["name"], c["args"]) for c in call.tool_calls] == [
            ("find_introductions", {"need": ask.text})
        ]
        assert call.response_metadata["model_name"] == FAKE_MODEL_NAME
        result = ToolMessage("Pennine Mills, flour", tool_call_id=call.tool_calls[0]["id"])
        assert client.invoke([ask, call, result]).text == "Here is what I found: Pennine Mills, flour"
        assert client.invoke([HumanMessage("hello")]).text == "(fake model) hello"


def test_model_serve_is_a_command() -> None:
    shown = CliRunner().invoke(app, ["model", "serve", "--help"])
    assert shown.exit_code == 0
    assert "OpenAI-compatible" in shown.output and "--fake" in shown.output
