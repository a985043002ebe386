"""Matching quality: do the engine's top-5 come from industries that really trade with the subscriber's?

For each seeded subscriber A, precision@5 is the share of its top-5 suggestions B whose industry is among
the real top-20 BEA suppliers of A's industry, or among the top-20 buyers of what A's industry makes.
The network comes from ``seeding.network`` (real NAICS, OSM vocabulary and BEA supply chains); one subscriber
in twenty blocks another. Two baselines run on the same network in the same run: 5 random discoverable
subscribers, and plain embedding similarity of whole profiles (one vector per profile, which was measured to
confuse "needs X" with "offers X"). The run also counts hard-filter violations (self, hidden, blocked).

    .venv/bin/python -m evals.matching --subscribers 1000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from network.db import Database
from network.events import EventBus
from network.migrate import upgrade
from network.models import Block, Profile, Subscriber
from network.services.subscribers import block
from retrieval import eligibility
from retrieval.embedder import Embedder, MiniLMEmbedder
from retrieval.index import ChromaIndex, ErasableIndex
from retrieval.match_signals import Weights
from retrieval.matching import Matcher
from retrieval.profiles_index import ProfileIndexer
from retrieval.supply_chain import SupplyChain
from seeding.network import seed_network as seed_businesses

logger = logging.getLogger(__name__)

TOP = 5
INDUSTRIES = 20


@dataclass(frozen=True)
class Member:
    id: str
    naics: str
    whole_text: str


def run_matching_eval(
    container_or_db: Any,
    n_subscribers: int = 500,
    seed: int = 7,
    *,
    evaluate: int | None = None,
    weights: Weights | None = None,
) -> dict[str, Any]:
    """Seed ``n_subscribers``, index them, and score the engine and both baselines (see module doc)."""
    db, index, embedder = _parts(container_or_db)
    chain = SupplyChain.load()
    seeded = seed_network(db, n_subscribers, seed)
    ProfileIndexer(db, index, embedder).rebuild()
    members, discoverable, blocked = _snapshot(db, seeded)
    matcher = Matcher(db, index, embedder, supply_chain=chain, weights=weights or Weights())
    rng = random.Random(seed)
    sample = seeded if evaluate is None else rng.sample(seeded, min(evaluate, len(seeded)))
    whole = _whole_profile_neighbours(embedder, members, discoverable)
    scores: dict[str, list[float]] = {"engine": [], "random": [], "embedding": []}
    latencies, violations = [], 0
    for subscriber_id in sample:
        me = members[subscriber_id]
        started = time.perf_counter()
        engine = [s.subscriber_id for s in matcher.suggest(subscriber_id, top=TOP)]
        latencies.append(time.perf_counter() - started)
        violations += sum(1 for b in engine if b == me.id or b not in discoverable or (me.id, b) in blocked)
        others = [i for i in discoverable if i != me.id]
        picks = {
            "engine": engine,
            "random": rng.sample(others, min(TOP, len(others))),
            "embedding": whole(me.id),
        }
        for name, chosen in picks.items():
            scores[name].append(_precision(chain, me, [members[b] for b in chosen]))
    ms = np.asarray(latencies) * 1000
    return {
        "n_subscribers": n_subscribers,
        "evaluated": len(sample),
        "seed": seed,
        "precision_at_5": {name: round(float(np.mean(values)), 4) for name, values in scores.items()},
        "hard_filter_violations": violations,
        "engine_latency_ms": {
            "p50": round(float(np.percentile(ms, 50)), 1),
            "p95": round(float(np.percentile(ms, 95)), 1),
        },
    }


def _parts(container_or_db: Any) -> tuple[Database, ErasableIndex, Embedder]:
    if isinstance(container_or_db, Database):
        store = Path(tempfile.mkdtemp(prefix="layer8-eval-chroma-"))
        return container_or_db, ChromaIndex(path=store), MiniLMEmbedder()
    return container_or_db.db, container_or_db.index, container_or_db.embedder


def seed_network(db: Database, n: int, seed: int) -> list[str]:
    """Seed ``n`` businesses with ``seeding.network`` (no index events), then block one pair in twenty."""
    quiet = Database(db.url, events=EventBus())  # index once afterwards, not once per event
    try:
        before = _subscriber_ids(quiet)
        seed_businesses(quiet, n, seed)
        ids = sorted(_subscriber_ids(quiet) - before)
        rng = random.Random(seed)
        with quiet.transaction() as session:
            for subscriber_id in rng.sample(ids, max(1, n // 20)):
                other = rng.choice(ids)
                if other != subscriber_id:
                    block(session, subscriber_id, other)
        return ids
    finally:
        quiet.dispose()


def _subscriber_ids(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.scalars(select(Subscriber.id)))


def _snapshot(db: Database, ids: list[str]) -> tuple[dict[str, Member], list[str], set[tuple[str, str]]]:
    with db.read() as session:
        rows = session.execute(
            select(Subscriber.id, Profile).join(Profile, Profile.subscriber_id == Subscriber.id)
        ).all()
        members = {
            sid: Member(sid, p.naics_code or "", ". ".join(filter(None, [p.description, p.offers, p.needs])))
            for sid, p in rows
        }
        discoverable = sorted(eligibility.discoverable(session, list(members)))
        blocked = {(a, b) for a, b in session.execute(select(Block.blocker_id, Block.blocked_id))}
    blocked |= {(b, a) for a, b in blocked}
    return members, [i for i in discoverable if i in members], blocked


def _whole_profile_neighbours(embedder: Embedder, members: dict[str, Member], pool: list[str]) -> Any:
    """The baseline: nearest discoverable subscribers by one embedding of the whole profile text."""
    ids = sorted(members)
    vectors = embedder.embed([members[i].whole_text for i in ids])
    row = {subscriber_id: i for i, subscriber_id in enumerate(ids)}
    candidates = vectors[[row[i] for i in pool]]

    def nearest(subscriber_id: str) -> list[str]:
        scores = candidates @ vectors[row[subscriber_id]]
        ranked = [pool[i] for i in np.argsort(-scores)[: TOP + 1]]
        return [i for i in ranked if i != subscriber_id][:TOP]

    return nearest


def _precision(chain: SupplyChain, me: Member, chosen: list[Member]) -> float:
    hits = sum(
        1
        for other in chosen
        if me.naics
        and other.naics
        and (
            chain.is_top_supplier(me.naics, other.naics, INDUSTRIES)
            or chain.is_top_buyer(me.naics, other.naics, INDUSTRIES)
        )
    )
    return hits / TOP


def main() -> None:
    parser = argparse.ArgumentParser(description="Matching quality eval (BEA precision@5 vs baselines).")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--evaluate", type=int, default=None, help="score only this many seeded subscribers")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON report here")
    parser.add_argument("--without-prior", action="store_true", help="ablation: no BEA supply-chain prior")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="layer8-eval-") as home:
        db = Database(f"sqlite:///{home}/eval.db")
        upgrade(db)
        weights = Weights(supply_chain=0.0) if args.without_prior else None
        report = run_matching_eval(db, args.subscribers, args.seed, evaluate=args.evaluate, weights=weights)
        db.dispose()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
