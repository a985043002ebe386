"""Fresh seeded Layer8 installations for suites that play conversations — one per case and run.

A template is built once per eval run: a migrated SQLite database with a small seeded network (``layer8
seed``), its profiles indexed and the knowledge base synced. Every case then gets a *copy* of that
template (a file copy, milliseconds) with its own composition root, so a case's records never leak into
another's, while the expensive parts — the embedding model, the industry classifier and the chat model —
are built once and shared.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.settings import Settings
from composition.container import Layer8, build
from network.migrate import upgrade
from retrieval.profiles_index import ProfileIndexer
from seeding.network import seed_network

logger = logging.getLogger(__name__)


@dataclass
class Shared:
    """Parts built once and handed to every fresh installation."""

    embedder: Any
    classifier: Any


@dataclass
class World:
    settings: Settings  # the operator's settings; home, database and Chroma are replaced per copy
    workdir: Path
    shared: Shared
    network: int = 30
    seed: int = 7
    _template: Path | None = None
    _copies: Iterator[int] = field(default_factory=itertools.count)

    def settings_for(self, home: Path) -> Settings:
        return self.settings.model_copy(
            update={
                "home": home,
                "database_url": None,
                "chroma_url": None,
                "bss_adapter": "embedded",
            }  # the provider stays: it sets the agent's tool rounds; the model itself is handed in
        )

    @property
    def template(self) -> Path:
        if self._template is None:
            self._template = self._build_template()
        return self._template

    def _build_template(self) -> Path:
        home = self.workdir / "template"
        layer8 = self._container(home)
        try:
            upgrade(layer8.db)
            if self.network:
                seed_network(layer8.db, self.network, self.seed)
            ProfileIndexer(layer8.db, layer8.index, layer8.embedder).rebuild()
            layer8.knowledge.sync()
        finally:
            layer8.close()
        logger.info("eval template: %d seeded businesses in %s", self.network, home)
        return home

    def _container(self, home: Path, model: BaseChatModel | None = None) -> Layer8:
        layer8 = build(self.settings_for(home))
        layer8.__dict__["embedder"] = self.shared.embedder  # cached_property slots: share, do not rebuild
        layer8.__dict__["classifier"] = self.shared.classifier
        if model is not None:
            layer8.__dict__["chat_model"] = model
        return layer8

    @contextmanager
    def fresh(self, model: BaseChatModel) -> Iterator[Layer8]:
        """A copy of the template with ``model`` as its chat model; removed afterwards."""
        home = self.workdir / f"case-{next(self._copies):04d}"
        shutil.copytree(self.template, home)
        layer8 = self._container(home, model)
        try:
            yield layer8
        finally:
            layer8.close()
            _release_chroma(layer8)
            shutil.rmtree(home, ignore_errors=True)


def _release_chroma(layer8: Layer8) -> None:
    """Chroma keeps one system per path in a process-wide cache; close ours so copies do not pile up."""
    client = getattr(layer8.__dict__.get("index"), "_client", None)
    close = getattr(client, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:  # best effort: a leak of a few MB per case is not worth failing a run
        logger.debug("could not close a Chroma client", exc_info=True)
