"""``LAYER8_LLM_TIMEOUT_S`` is the wait the ``openai`` provider gives ``layer8 model serve``, whatever its
value up to a turn's bound: the setting was capped at 30 s, below what a queued request or a cold prompt on a
slow CPU needs (PITFALLS: 50-100 s)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import ValidationError

from assistant.llm.fake import FakeChatModel
from assistant.llm.openai_provider import build_openai
from assistant.settings import Settings
from channels.model_server.app import create_model_app
from tests.support import AppServer

SLOW_S = 1.5


def slow_answer(messages: list[BaseMessage]) -> str:
    time.sleep(SLOW_S)
    return "done"


@pytest.fixture
def slow_server() -> Iterator[str]:
    app = create_model_app(FakeChatModel(responder=slow_answer), model_name="slow")
    with AppServer(app) as server:
        yield server.url + "/v1"


def client_settings(tmp_path: Path, base_url: str, timeout_s: float) -> Settings:
    return Settings(
        _env_file=None,
        home=tmp_path,
        llm_base_url=base_url,
        llm_model="slow",
        llm_max_retries=0,
        llm_timeout_s=timeout_s,
    )


def test_a_wait_past_30_s_is_accepted_and_reaches_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAYER8_LLM_TIMEOUT_S", "240")
    settings = Settings(_env_file=None, home=tmp_path, llm_base_url="http://127.0.0.1:9/v1")
    assert settings.llm_timeout_s == 240
    model = build_openai(settings)
    assert model.request_timeout == 240
    assert model.root_client.timeout == 240  # the openai client's own read timeout, not its 600 s default
    with pytest.raises(ValidationError):
        Settings(_env_file=None, home=tmp_path, llm_timeout_s=601)  # still bounded, like a whole turn


def test_the_client_waits_for_the_model_server_exactly_as_long_as_the_setting_says(
    tmp_path: Path, slow_server: str
) -> None:
    patient = build_openai(client_settings(tmp_path, slow_server, SLOW_S + 3))
    assert patient.invoke([HumanMessage("take your time")]).text == "done"

    hasty = build_openai(client_settings(tmp_path, slow_server, 0.5))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        hasty.invoke([HumanMessage("quick")])
    assert time.monotonic() - started < SLOW_S
