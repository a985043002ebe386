"""build_chat_model: the provider the settings select, with bounded waits, and no model loaded unverified."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from assistant.llm import FakeChatModel, build_chat_model
from assistant.llm.gguf import ModelHashMismatch, ModelNotInstalled
from assistant.settings import Settings


def test_an_endpoint_selects_chat_openai_with_explicit_timeouts(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model="qwen2.5-7b-instruct",
        llm_timeout_s=12,
        llm_max_retries=1,
    )
    model = build_chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.model_name == "qwen2.5-7b-instruct"
    assert model.request_timeout == 12
    assert model.max_retries == 1
    assert model.use_responses_api is False
    assert model.temperature == 0, "greedy by default: the same prompt, the same answer"


def test_a_temperature_for_sampled_evals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYER8_LLM_TEMPERATURE", "0.7")
    model = build_chat_model(Settings(home=tmp_path, llm_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(model, ChatOpenAI) and model.temperature == 0.7
    with pytest.raises(ValueError):
        Settings(home=tmp_path, llm_temperature=-1)


def test_the_fake_provider_echoes_without_a_script(tmp_path: Path) -> None:
    model = build_chat_model(Settings(home=tmp_path, llm_provider="fake"))
    assert isinstance(model, FakeChatModel)
    assert "hello" in model.invoke("hello").text


def test_local_without_the_model_file_explains_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled, match="layer8 model install"):
        build_chat_model(Settings(home=tmp_path))


def test_local_refuses_a_file_with_the_wrong_hash(tmp_path: Path) -> None:
    bundled = tmp_path / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    bundled.parent.mkdir()
    bundled.write_bytes(b"not the model")
    with pytest.raises(ModelHashMismatch):
        build_chat_model(Settings(home=tmp_path))
    custom = tmp_path / "custom.gguf"
    custom.write_bytes(b"GGUF")
    with pytest.raises(ModelHashMismatch):
        build_chat_model(Settings(home=tmp_path, gguf_path=custom, gguf_sha256="0" * 64))
