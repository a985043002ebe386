"""Getting the assistant ready before the first message: the chat model loaded, the shared prompt prefix
evaluated (or restored from its state file), the chat router's embeddings built.

On a slow 2-core machine the first message after `make run` used to load the model and evaluate ~1,700 prompt
tokens (50–100 s) before answering. :class:`Warmup` does that in a background thread at `layer8 serve` start,
and `layer8 model warm` does it in the foreground (so `make run` pays for it once, before serving).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel

from assistant import prompting
from assistant.llm.engine import Warmed
from assistant.settings import Settings
from tools.registry import schema_tools

logger = logging.getLogger(__name__)


class Warmable(Protocol):
    """The application's parts warming uses (the composition root's application)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def chat_model(self) -> BaseChatModel: ...

    @property
    def assistant(self) -> object: ...


class ModelStatus(StrEnum):
    warming = "warming"  # loading the model or evaluating the shared prefix; turns wait for it
    ready = "ready"
    unavailable = "unavailable"  # the model could not be loaded (turns answer with the model error)


def warm_model(model: BaseChatModel, operator_name: str) -> Warmed | None:
    """Load ``model`` and make the prefix every turn shares evaluated (or restored from its state file): the
    same instructions and the same tools, in the same order, as every turn offers. None for models without
    one (fake, API). The product, ``layer8 model serve`` and the eval suites all warm through here."""
    warm_up = getattr(model, "warm_up", None)
    if warm_up is None:
        return None
    result: Warmed | None = warm_up(prompting.prefix_variants(operator_name), schema_tools())
    return result


def warm_chat_model(layer8: Warmable) -> Warmed | None:
    """Load the container's chat model and make its shared prefix evaluated."""
    return warm_model(layer8.chat_model, layer8.settings.operator_name)


def warm_router(layer8: Warmable) -> None:
    """Build the chat router (it embeds its labelled examples) so the first message does not wait for it."""
    ports = getattr(layer8.assistant, "ports", None)
    router = getattr(ports, "router", None)
    if router is not None:
        router.get()


def warm_retrieval(layer8: Warmable) -> None:
    """Open the vector store and search the playbooks once, and classify one business: the embedding model
    loaded, the knowledge base synced and its index in memory, the industry classifier built. Measured: the
    first advice question after a start otherwise spent ~14 s here (first words after 22.7 s, not 2.8 s)."""
    ports = getattr(layer8.assistant, "ports", None)
    knowledge = getattr(ports, "knowledge", None)
    if knowledge is not None:
        knowledge.get().search("how do I get paid faster", 1)
    # the industry classifier builds (or loads) its matrix of every NAICS title on first use: a new
    # subscriber's first profile waited ~45 s for it after a start
    classifier = getattr(ports, "classifier", None)
    if classifier is not None:
        classifier.get().classify("family bakery selling bread and cakes", 1)


@dataclass
class Warmup:
    """Warms one container in a daemon thread and says how far it got (for ``/healthz``)."""

    layer8: Warmable
    status: ModelStatus = field(init=False)
    warmed: Warmed | None = None
    seconds: float | None = None
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        local = self.layer8.settings.provider == "local"
        self.status = ModelStatus.warming if local else ModelStatus.ready

    def start(self) -> None:
        """Warm in the background; nothing to do for a fake or API model (already ready)."""
        if self._thread is None and self.status is ModelStatus.warming:
            self._thread = threading.Thread(target=self.run, name="layer8-warmup", daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """The model, then the router and retrieval, and only then ``ready``: a first turn after ``ready``
        pays for none of them (it took 23 s after a restart while the router was still being built)."""
        started = time.perf_counter()
        try:
            self.warmed = warm_chat_model(self.layer8)
        except Exception as exc:  # a missing model must not stop the server; turns report it
            logger.warning("the chat model could not be warmed (%s: %s)", type(exc).__name__, exc)
            self.status = ModelStatus.unavailable
            return
        _quietly(warm_router, self.layer8)
        _quietly(warm_retrieval, self.layer8)
        self.seconds = time.perf_counter() - started
        self.status = ModelStatus.ready
        logger.info("chat model ready after %.1f s", self.seconds)


def _quietly(step: Any, layer8: Warmable) -> None:
    try:
        step(layer8)
    except Exception as exc:  # optional: the first turn builds it otherwise
        logger.info("warming %s failed (%s); the first turn will do it", step.__name__, type(exc).__name__)
