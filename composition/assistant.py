"""Building the :class:`~assistant.service.Assistant` from the application's parts.

Retrieval parts are looked up lazily: a turn that never searches the knowledge base never loads it, and an
installation without one still answers (the tool reports the feature as unavailable).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from assistant.llm.hints import Hintable
from assistant.llm.local import LocalChatModel
from assistant.need_search import VectorNeedSearch
from assistant.routing import ChatRouter
from assistant.service import Assistant, Options
from tools.ports import Lazy, Ports

if TYPE_CHECKING:
    from composition.container import Layer8

T = TypeVar("T")


def _part(build: Callable[[], T]) -> Lazy[T]:
    def make() -> T:
        try:
            return build()
        except NotImplementedError as exc:  # a part another area has not delivered on this installation
            raise LookupError(str(exc)) from exc

    return Lazy(make)


def ports_of(layer8: Layer8) -> Ports:
    return Ports(
        matcher=_part(lambda: layer8.matcher),
        needs=_part(lambda: VectorNeedSearch(layer8.db, layer8.index, layer8.embedder)),
        knowledge=_part(lambda: layer8.knowledge),
        classifier=_part(lambda: layer8.classifier),
        router=Lazy(lambda: _router(layer8)),
    )


def _router(layer8: Layer8) -> ChatRouter | None:
    """The chat router needs real sentence embeddings: none with the fake embedder (tests) or when off."""
    settings = layer8.settings
    if not settings.chat_router or settings.embedder == "fake":
        return None
    return ChatRouter(layer8.embedder, extra={"search_knowledge": layer8.knowledge.topics()})


def options_of(layer8: Layer8) -> Options:
    settings = layer8.settings
    rounds = settings.agent_tool_rounds or (1 if settings.provider == "local" else 3)
    return Options(
        operator=settings.operator_name,
        currency=settings.default_currency,
        tool_rounds=rounds,
        turn_timeout_s=settings.turn_timeout_s,
        tenant=settings.tenant,
        summarise_in_background=True,
        nps_period=timedelta(days=settings.nps_period_days) if settings.nps_period_days else None,
    )


def build_assistant(layer8: Layer8) -> Assistant:
    ports = ports_of(layer8)
    model = layer8.chat_model
    hinted = isinstance(model, LocalChatModel) or layer8.settings.llm_route_hints
    if hinted and isinstance(model, Hintable):
        # when it opens a call and names no tool, the router narrows it; when it starts answering an advice
        # request from memory, the playbooks are searched instead (behind `layer8 model serve`, the same
        # hints travel with each request: assistant/llm/hints.py)
        model.narrow = lambda text: likely_tools(ports, text)
        model.tool_scores = lambda text: tool_scores(ports, text)
        model.prose_means = "search_knowledge"
    return Assistant(layer8.db, model, ports, options_of(layer8))


def tool_scores(ports: Ports, text: str) -> dict[str, float]:
    """The router's similarity of ``text`` to each tool's labelled requests (none without a router)."""
    router = ports.router.get()
    return router.tool_scores(text) if router is not None else {}


def likely_tools(ports: Ports, text: str) -> list[str]:
    """The router's likeliest tools for ``text`` (none without a router: then every tool stays possible)."""
    router = ports.router.get()
    return router.likely_tools(text) if router is not None else []
