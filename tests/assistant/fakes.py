"""Fakes at the retrieval boundary for assistant tests: lexical, deterministic, with the real hard filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from network.db import Database
from network.ids import utcnow
from network.models import Profile, Subscriber
from retrieval import eligibility
from retrieval.lexical import tokens
from tools.ports import Match, Ports


@dataclass
class WordMatcher:
    """Ranks eligible businesses by words shared between a need and their offers (matcher and need search)."""

    db: Database
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def suggest(self, subscriber_id: str, top: int = 5) -> list[Match]:
        self.calls.append((subscriber_id, None))
        with self.db.read() as session:
            mine = session.get(Profile, subscriber_id)
            need = (mine.needs or "") if mine else ""
        return self._rank(subscriber_id, need, top)

    def find(self, subscriber_id: str, need: str, top: int = 5) -> list[Match]:
        self.calls.append((subscriber_id, need))
        return self._rank(subscriber_id, need, top)

    def _rank(self, me: str, need: str, top: int) -> list[Match]:
        wanted = set(tokens(need))
        with self.db.read() as session:
            excluded = eligibility.excluded_partners(session, me, utcnow()) | {me}
            allowed = eligibility.discoverable(session) - excluded
            rows = session.execute(
                select(Subscriber, Profile).join(Profile, Profile.subscriber_id == Subscriber.id)
            ).all()
            found = []
            for sub, profile in rows:
                if sub.id not in allowed or sub.status != "active":
                    continue
                overlap = len(wanted & set(tokens(profile.offers or "")))
                if overlap:
                    found.append(
                        Match(
                            sub.id,
                            sub.business_name,
                            profile.naics_code,
                            float(overlap),
                            {"fit": overlap},
                            [f"They offer {profile.offers}."],
                        )
                    )
        found.sort(key=lambda m: (-m.score, m.business_name))
        return found[:top]


@dataclass
class FakeKnowledge:
    passages: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "citation": "cash-flow#symptoms",
                "title": "Cash flow",
                "section": "Symptoms of a cash-flow problem",
                "text": "Check the bank balance weekly; a 13-week forecast shows the squeeze coming.",
                "score": 0.61,
            },
            {
                "citation": "cash-flow#late-payment",
                "title": "Cash flow",
                "section": "Getting paid on time",
                "text": "Invoice on the day the work is done and chase on day one after the due date.",
                "score": 0.40,
            },
        ]
    )
    queries: list[str] = field(default_factory=list)

    def search(self, query: str, k: int = 5) -> list[dict[str, Any]]:
        self.queries.append(query)
        return self.passages[:k]


class FakeClassifier:
    def classify(self, text: str, top: int = 3) -> list[dict[str, Any]]:
        if "bak" in text.lower():
            return [{"code": "311811", "title": "Retail Bakeries", "score": 0.82}][:top]
        return [{"code": "541219", "title": "Other Accounting Services", "score": 0.4}][:top]


def fake_ports(db: Database) -> Ports:
    words = WordMatcher(db)
    return Ports.of(matcher=words, needs=words, knowledge=FakeKnowledge(), classifier=FakeClassifier())
