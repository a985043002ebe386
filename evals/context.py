"""What every suite gets: the run's options and the expensive parts, each built once and only if needed.

``--model`` picks the chat model (``fake``: each case's scripted moves; ``local``: the embedded llama.cpp
model; ``openai``: the configured endpoint). The embedder defaults to the fake hashing one with the fake
model — the deterministic subset that runs in CI — and to all-MiniLM-L6-v2 otherwise.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from assistant.llm import build_chat_model, gguf
from assistant.settings import Settings
from assistant.warmup import warm_model
from evals.scripted import Script, scripted_model
from evals.world import Shared, World
from retrieval.embedder import build_embedder
from retrieval.industry import IndustryClassifier

logger = logging.getLogger(__name__)
ModelName = Literal["fake", "local", "openai"]


@dataclass
class EvalConfig:
    model: ModelName = "fake"
    runs: int = 1  # conversation-style suites play every case this many times (pass^k)
    embedder: Literal["fake", "minilm"] | None = None  # None: fake with the fake model, else minilm
    limit: int | None = None  # at most this many cases per suite (quick looks)
    network: int = 30  # seeded businesses behind every conversation
    matching_subscribers: int | None = None  # None: 150 with the fake embedder, 500 with MiniLM
    seed: int = 7

    @property
    def embedder_kind(self) -> str:
        return self.embedder or ("fake" if self.model == "fake" else "minilm")


@dataclass
class EvalContext:
    config: EvalConfig
    settings: Settings
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="layer8-eval-")))

    def take(self, cases: list[Any]) -> list[Any]:
        return cases[: self.config.limit] if self.config.limit else cases

    @cached_property
    def embedder(self) -> Any:
        return build_embedder(self.config.embedder_kind, self.settings.embedding_model_path)

    @cached_property
    def classifier(self) -> Any:
        """Hybrid (BM25 + MiniLM, matrix cached under the data directory); lexical with the fake embedder."""
        if self.config.embedder_kind == "fake":
            return IndustryClassifier(None)
        return IndustryClassifier(self.embedder, cache_dir=self.settings.home / "cache")

    @cached_property
    def chat_model(self) -> BaseChatModel:
        """The real model (local or openai), built once from settings."""
        update: dict[str, Any] = {"llm_provider": self.config.model}
        model = build_chat_model(self.settings.model_copy(update=update))
        # as `layer8 serve` does before it reports ready: a suite's first case must not pay for the shared
        # prefix (the bakery's first turn timed out at 147 s on a loaded machine, evaluating it cold)
        warmed = warm_model(model, self.settings.operator_name)
        if warmed is not None:
            logger.info("eval model warm: %d prefix tokens (%s)", warmed.tokens, warmed.source)
        return model

    def case_model(self) -> tuple[BaseChatModel, Script | None]:
        """The chat model for one case: a fresh scripted fake, or the shared real model."""
        if self.config.model == "fake":
            return scripted_model()
        return self.chat_model, None

    @cached_property
    def world(self) -> World:
        settings = self.settings.model_copy(
            # no NPS survey inside an eval's conversations: it would add a question no case expects
            update={
                "embedder": self.config.embedder_kind,
                "llm_provider": self.config.model,
                "nps_period_days": 0,
            }
        )
        return World(
            settings,
            self.workdir,
            Shared(self.embedder, self.classifier),
            network=self.config.network,
            seed=self.config.seed,
        )

    def model_info(self) -> dict[str, Any]:
        provider = self.config.model
        if provider == "fake":
            return {"provider": "fake", "name": "scripted FakeChatModel (moves stored with each case)"}
        if provider == "openai":
            return {
                "provider": "openai",
                "name": self.settings.llm_model,
                "base_url": self.settings.llm_base_url,
                "temperature": self.settings.llm_temperature,
            }

        model = gguf.model_file(self.settings.home, self.settings.gguf_path, self.settings.gguf_sha256)
        return {
            "provider": "local",
            "name": model.path.name,
            "sha256": model.sha256,
            "threads": self.settings.llm_threads,
            "context": self.settings.llm_context,
            "temperature": self.settings.llm_temperature,
        }
