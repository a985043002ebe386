"""What the assistant's tools need from retrieval, as small Protocols, plus the plain shapes they return.

The retrieval package provides the real parts (``retrieval.matching.Matcher``, ``retrieval.knowledge``,
the industry classifier); tests pass fakes. Results are normalised into the dataclasses below so tools do not
depend on any one implementation's classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from retrieval.matching import Suggestion

T = TypeVar("T")


class Matcher(Protocol):
    def suggest(self, subscriber_id: str, top: int = 5) -> Sequence[Any]: ...


class NeedSearch(Protocol):
    """Businesses whose *offers* meet a need stated in words (consent and hard filters applied)."""

    def find(self, subscriber_id: str, need: str, top: int = 5) -> Sequence[Any]: ...


class Knowledge(Protocol):
    def search(self, query: str, k: int = 5) -> Sequence[Any]: ...


class Classifier(Protocol):
    def classify(self, text: str, top: int = 3) -> Sequence[Any]: ...


class ChatRouter(Protocol):
    """Tells plain chat from a request that needs tools (``assistant.routing.ChatRouter``)."""

    def is_chat(self, text: str, last_reply: str | None = None) -> bool: ...

    def is_about(self, text: str, last_reply: str | None = None) -> bool:
        """Whether ``text`` asks what Layer8 itself is or does (answered from a template)."""
        ...

    def is_live(self, text: str, last_reply: str | None = None) -> bool:
        """Whether ``text`` asks for live data: weather, news, scores (answered from a template)."""
        ...

    def likely_tools(self, text: str, k: int = 3) -> list[str]:
        """The tools ``text`` most likely asks for, nearest first."""
        ...

    def tool_scores(self, text: str) -> dict[str, float]:
        """How near ``text`` is to each tool's labelled requests."""
        ...


# a suggested business: the matcher's own result shape, whatever found it (matcher, need search, a fake)
Match = Suggestion


@dataclass(frozen=True)
class Passage:
    citation: str
    title: str
    section: str
    text: str
    score: float = 0.0  # the retriever's similarity (higher is nearer)


@dataclass(frozen=True)
class IndustryCode:
    code: str
    title: str
    score: float


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_match(obj: Any) -> Match:
    return Match(
        subscriber_id=str(_get(obj, "subscriber_id")),
        business_name=str(_get(obj, "business_name", "")),
        naics=_get(obj, "naics"),
        score=float(_get(obj, "score", 0.0)),
        parts=dict(_get(obj, "parts", {}) or {}),
        reasons=[str(r) for r in _get(obj, "reasons", []) or []],
    )


def as_passage(obj: Any) -> Passage:
    return Passage(
        citation=str(_get(obj, "citation", "")),
        title=str(_get(obj, "title", "")),
        section=str(_get(obj, "section", "")),
        text=str(_get(obj, "text", "")),
        score=float(_get(obj, "score", 0.0) or 0.0),
    )


def as_code(obj: Any) -> IndustryCode:
    return IndustryCode(
        code=str(_get(obj, "code", "")), title=str(_get(obj, "title", "")), score=float(_get(obj, "score", 0))
    )


class Lazy(Generic[T]):
    """A part built on first use (the knowledge base loads an embedding model; most turns never need it)."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            self._value = self._factory()
        return self._value


def _missing(name: str) -> Callable[[], Any]:
    def fail() -> Any:
        raise LookupError(f"{name} is not configured")

    return fail


@dataclass
class Ports:
    """The retrieval parts the tools use, each built lazily, and the assistant's chat router."""

    matcher: Lazy[Matcher] = field(default_factory=lambda: Lazy(_missing("matcher")))
    needs: Lazy[NeedSearch] = field(default_factory=lambda: Lazy(_missing("need search")))
    knowledge: Lazy[Knowledge] = field(default_factory=lambda: Lazy(_missing("knowledge base")))
    classifier: Lazy[Classifier] = field(default_factory=lambda: Lazy(_missing("industry classifier")))
    router: Lazy[ChatRouter | None] = field(default_factory=lambda: Lazy(lambda: None))

    @classmethod
    def of(
        cls,
        *,
        matcher: Matcher | None = None,
        needs: NeedSearch | None = None,
        knowledge: Knowledge | None = None,
        classifier: Classifier | None = None,
    ) -> Ports:
        """Ports from ready-made parts (tests, benchmarks)."""
        ports = cls()
        if matcher is not None:
            ports.matcher = Lazy(lambda: matcher)
        if needs is not None:
            ports.needs = Lazy(lambda: needs)
        if knowledge is not None:
            ports.knowledge = Lazy(lambda: knowledge)
        if classifier is not None:
            ports.classifier = Lazy(lambda: classifier)
        return ports
