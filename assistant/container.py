"""The composition root: the one place that builds Layer8 from settings.

Everything else receives its collaborators through constructors. Parts are built lazily (a CLI command that
only lists subscribers never loads the embedding model) and at most once per container.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assistant.settings import Settings, get_settings
from network.db import Database
from network.events import EventBus


@dataclass
class Layer8:
    settings: Settings
    events: EventBus = field(default_factory=EventBus)

    @cached_property
    def db(self) -> Database:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return Database(self.settings.database, events=self.events)

    # --- retrieval (issue 3) -------------------------------------------------------------------------
    @cached_property
    def embedder(self) -> Any:
        from retrieval.embedder import build_embedder

        return build_embedder(self.settings.embedder, self.settings.embedding_model_path)

    @cached_property
    def index(self) -> Any:
        from retrieval.index import ChromaIndex

        return ChromaIndex(path=self.settings.chroma_path, url=self.settings.chroma_url)

    @cached_property
    def classifier(self) -> Any:
        from retrieval.industry import IndustryClassifier

        return IndustryClassifier(self.embedder, cache_dir=self.settings.home / "cache")

    @cached_property
    def knowledge(self) -> Any:
        from retrieval.knowledge import KnowledgeBase

        library = self.settings.home / "kb"
        return KnowledgeBase(self.index, self.embedder, library, tenant=self.settings.tenant)

    @cached_property
    def matcher(self) -> Any:
        from retrieval.matching import Matcher
        from retrieval.supply_chain import SupplyChain

        return Matcher(self.db, self.index, self.embedder, supply_chain=SupplyChain.load())

    # --- OSS/BSS (issue 5) ---------------------------------------------------------------------------
    @cached_property
    def bss(self) -> Any:
        from ossbss.wiring import build_bss  # embedded ledger, or TM Forum APIs over HTTP

        return build_bss(self.settings, self.db)

    # --- assistant (issue 4) -------------------------------------------------------------------------
    @cached_property
    def chat_model(self) -> Any:
        from assistant.llm import build_chat_model

        return build_chat_model(self.settings)

    @cached_property
    def assistant(self) -> Any:
        from assistant.wiring import build_assistant

        return build_assistant(self)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


def build(settings: Settings | None = None) -> Layer8:
    layer8 = Layer8(settings or get_settings())
    from retrieval import index_sync  # the vector index follows consent, profile and erasure events
    from retrieval.profiles_index import ProfileIndexer

    index_sync.subscribe(layer8.events, lambda: ProfileIndexer(layer8.db, layer8.index, layer8.embedder))
    from ossbss.wiring import subscribe as subscribe_incentives  # deal.recorded → the giver's incentive

    subscribe_incentives(layer8.events, layer8.settings)
    return layer8
