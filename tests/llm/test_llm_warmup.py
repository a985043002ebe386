"""Warm from the first message: the model is loaded and its shared prefix evaluated in the background at
start-up, ``/healthz`` says ``warming`` then ``ready``, and the model uses every core unless told so."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.llm import FakeChatModel
from assistant.settings import Settings
from assistant.warmup import ModelStatus, Warmup
from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from tools.registry import NAMES


class SlowToWarm(FakeChatModel):
    """A fake chat model whose warm-up waits until the test lets it finish."""

    def warm_up(self, variants: Sequence[Sequence[Any]], tools: Sequence[Any]) -> str:
        self.__dict__.setdefault("seen", []).append((variants, tools))
        release.wait(timeout=30)
        return "warmed"


release = threading.Event()


def _container(db: Database, home: Path, provider: str = "local") -> Layer8:
    settings = Settings(
        _env_file=None, database_url=db.url, home=home, env="test", embedder="fake", llm_provider=provider
    )
    return Layer8(settings)


@pytest.fixture(autouse=True)
def _held() -> None:
    release.clear()


def test_healthz_says_warming_until_the_shared_prefix_is_ready(sqlite_db: Database, tmp_path: Path) -> None:
    container = _container(sqlite_db, tmp_path)
    model = SlowToWarm()
    container.__dict__["chat_model"] = model  # stands in for llama.cpp at the boundary
    app = web_app(container)
    with TestClient(app) as client:
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["model"] == "warming"
        release.set()
        app.state.warmup.join(timeout=30)
        assert client.get("/healthz").json()["model"] == "ready"
    ((variants, tools),) = model.__dict__["seen"]
    assert [t.name for t in tools] == list(NAMES), "every tool, in the order every turn offers them"
    first, second = (" ".join(str(m.content) for m in v) for v in variants)
    assert first != second, "two different people: what they share is the shared prefix"


def test_a_fake_model_is_ready_at_once(sqlite_db: Database, tmp_path: Path) -> None:
    container = _container(sqlite_db, tmp_path, provider="fake")
    with TestClient(web_app(container)) as client:
        assert client.get("/healthz").json()["model"] == "ready"


def test_a_model_that_cannot_load_is_reported_and_the_server_keeps_answering(
    sqlite_db: Database, tmp_path: Path
) -> None:
    warmup = Warmup(_container(sqlite_db, tmp_path))  # no GGUF under this home
    assert warmup.status.value == "warming"
    warmup.start()
    warmup.join(timeout=30)
    assert warmup.status is ModelStatus.unavailable


def test_threads_default_to_every_core_and_an_integer_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAYER8_LLM_THREADS", raising=False)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert Settings(_env_file=None, home=tmp_path).llm_thread_count == cores
    monkeypatch.setenv("LAYER8_LLM_THREADS", "1")
    assert Settings(_env_file=None, home=tmp_path).llm_thread_count == 1
    with pytest.raises(ValueError):
        Settings(_env_file=None, home=tmp_path, llm_threads=0)
