"""The application: every part Layer8 is built from, made from settings on first use and at most once.

Everything else receives its collaborators through constructors. Parts are built lazily (a CLI command that
only lists subscribers never loads the embedding model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from langchain_core.language_models import BaseChatModel

from assistant.llm import build_chat_model
from assistant.service import Assistant
from assistant.settings import Settings, get_settings
from composition import assistant as assistant_parts
from composition import ossbss as ossbss_parts
from composition.environment import offline_environment
from network.db import Database
from network.erasure import Eraser
from network.events import EventBus
from network.webhooks import fanout as webhook_fanout
from ossbss.incentives import Incentives
from ossbss.port import OssBss
from retrieval import index_sync
from retrieval.embedder import Embedder, build_embedder
from retrieval.index import ChromaIndex
from retrieval.industry import IndustryClassifier
from retrieval.knowledge import KnowledgeBase
from retrieval.matching import Matcher
from retrieval.profiles_index import ProfileIndexer
from retrieval.supply_chain import SupplyChain


@dataclass
class Layer8:
    settings: Settings
    events: EventBus = field(default_factory=EventBus)

    @cached_property
    def db(self) -> Database:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return Database(self.settings.database, events=self.events)

    @cached_property
    def embedder(self) -> Embedder:
        return build_embedder(self.settings.embedder, self.settings.embedding_model_path)

    @cached_property
    def index(self) -> ChromaIndex:
        return ChromaIndex(path=self.settings.chroma_path, url=self.settings.chroma_url)

    @cached_property
    def classifier(self) -> IndustryClassifier:
        return IndustryClassifier(self.embedder, cache_dir=self.settings.home / "cache")

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        library = self.settings.home / "kb"
        return KnowledgeBase(self.index, self.embedder, library, tenant=self.settings.tenant)

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.db, self.index, self.embedder, supply_chain=SupplyChain.load())

    @cached_property
    def bss(self) -> OssBss:
        """The embedded ledger, or TM Forum APIs over HTTP."""
        return ossbss_parts.build_bss(self.settings, self.db)

    @cached_property
    def incentives(self) -> Incentives:
        """The incentive rules (approve, hold, reverse) the API and the relay share."""
        return ossbss_parts.incentives(self.settings)

    @cached_property
    def eraser(self) -> Eraser:
        """Erasure end to end: the records, the database files and the vector store, then a check."""
        return Eraser(self.db, stores=[self.index])

    @cached_property
    def chat_model(self) -> BaseChatModel:
        return build_chat_model(self.settings)

    @cached_property
    def assistant(self) -> Assistant:
        return assistant_parts.build_assistant(self)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


def build(settings: Settings | None = None) -> Layer8:
    """The application from ``settings`` (default: the environment, read here and nowhere else)."""
    offline_environment()
    layer8 = Layer8(settings or get_settings())
    # the vector index follows consent, profile and erasure events
    index_sync.subscribe(layer8.events, lambda: ProfileIndexer(layer8.db, layer8.index, layer8.embedder))
    # deal.recorded → the giver's incentive
    ossbss_parts.subscribe(layer8.events, layer8.settings)
    # every change another system may hear about → webhook deliveries in the same transaction
    webhook_fanout.subscribe(layer8.events, layer8.settings.tenant)
    return layer8
