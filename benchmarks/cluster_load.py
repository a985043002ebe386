"""Cluster load: web chat turns and signed WhatsApp webhooks through the loopback cluster, with one API node
and one worker, then with two of each (the scaling ratio). Loopback only, bounded in turns and time.

Each configuration is a fresh cluster started as ``make cluster`` starts it (scripts/cluster/start.sh under
honcho) with the fake model server (``layer8 model serve --fake``, instant: what is measured is everything
around the model), the fake embedder, a real ``chroma run``, PostgreSQL (a schema of its own in
``LAYER8_TEST_POSTGRES_URL``) and Redis (``--redis``, db 12). The load comes from this process:

- web chat: ``--subscribers`` simulated subscribers, each sending its next turn once the last is answered
  (closed loop) through the balancer for ``--seconds`` or ``--turns`` in all; one turn in four asks for an
  introduction (matching reads the Chroma server), the others are answered without a tool;
- webhooks: ``--webhooks`` signed WhatsApp messages from 20 linked senders, ``--concurrency`` at a time;
  measured: the acknowledgement, then every reply at the fake Graph API (a worker ran the turn), and what was
  lost (acknowledged, never answered) or answered twice.

    .venv/bin/python benchmarks/cluster_load.py [--seconds 15] [--webhooks 300]

Prints a table and writes benchmarks/results/cluster_load.json. On a 2-core machine the load generator,
both API nodes, the workers, Chroma, Redis and PostgreSQL share the same two cores: read the ratio as what
a second node buys when cores are *not* free, not as a capacity per node on a real deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from benchmarks.report import cells, machine, markdown, ms, now, percentile, write_json  # noqa: E402
from benchmarks.signed import Request, whatsapp_message  # noqa: E402
from network import tokens  # noqa: E402
from network.actor import Actor  # noqa: E402
from network.db import Database  # noqa: E402
from network.models import ChannelIdentity, Subscriber  # noqa: E402
from tests.channels.fakes import FakeGraphAPI, fake_servers  # noqa: E402
from tests.cluster.launch import EVERYTHING, running_cluster  # noqa: E402
from tests.stores import clear_queue, postgres_schema  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "cluster_load.json"
WA_SECRET = "bench-cluster-whatsapp-secret"
PHONE_ID = "1122334455667"
ASK = "Please introduce me to a flour supplier"
ONE_OF_EACH = ("chroma", "model", "tmf", "setup", "api1", "worker1", "relay", "balancer")


# --- the cluster ----------------------------------------------------------------------------------------
def prepare(db: Database, subscribers: int) -> tuple[list[str], list[str]]:
    """Bearer tokens for ``subscribers`` seeded subscribers, and 20 WhatsApp senders linked to others."""
    with db.transaction(Actor.admin("bench")) as session:
        ids = list(session.scalars(select(Subscriber.id).order_by(Subscriber.id)))
        issued = [tokens.issue(session, "subscriber", subscriber_id=i, label="bench").token for i in ids]
        senders = [f"4477009{n:05d}" for n in range(min(20, len(ids)))]
        for sender, subscriber_id in zip(senders, reversed(ids), strict=False):
            session.add(
                ChannelIdentity(subscriber_id=subscriber_id, channel="whatsapp", external_id=f"+{sender}")
            )
    return (issued * (subscribers // max(len(issued), 1) + 1))[:subscribers], senders


# --- load -----------------------------------------------------------------------------------------------
async def chat_load(base: str, bearer: list[str], seconds: float, max_turns: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    matched = 0
    deadline = time.perf_counter() + seconds

    async def subscriber(client: httpx.AsyncClient, token: str, index: int) -> None:
        nonlocal matched
        turn = 0
        while time.perf_counter() < deadline and sum(statuses.values()) < max_turns:
            message = ASK if turn % 4 == 0 else f"hello {turn}"
            started = time.perf_counter()
            answer = await client.post(
                "/v1/chat",
                json={"message": message, "thread": f"load{index}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            latencies.append(time.perf_counter() - started)
            statuses[answer.status_code] += 1
            matched += answer.status_code == 200 and bool(answer.json().get("items"))
            turn += 1

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(subscriber(client, t, i) for i, t in enumerate(bearer)))
        elapsed = time.perf_counter() - started
    ok = statuses.get(200, 0)
    return {
        "subscribers": len(bearer),
        "turns": sum(statuses.values()),
        "ok": ok,
        "with_matches": matched,
        "statuses": dict(statuses),
        "seconds": round(elapsed, 2),
        "turns_per_s": round(ok / elapsed, 1),
        **percentiles(latencies),
    }


def whatsapp_body(sender: str, n: int, run: str) -> Request:
    return whatsapp_message(
        WA_SECRET,
        phone_id=PHONE_ID,
        sender=sender,
        message_id=f"wamid.{run}.{n}",
        text=f"hello number {n}",
        name="Bench",
    )


async def webhook_load(
    base: str, senders: list[str], count: int, concurrency: int, graph: FakeGraphAPI, wait_s: float
) -> dict[str, Any]:
    run = secrets.token_hex(3)
    bodies = [whatsapp_body(senders[n % len(senders)], n, run) for n in range(count)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    pending = iter(bodies)
    before = len(graph.sent())

    async def poster(client: httpx.AsyncClient) -> None:
        for path, raw, headers in pending:
            started = time.perf_counter()
            answer = await client.post(path, content=raw, headers=headers)
            latencies.append(time.perf_counter() - started)
            statuses[answer.status_code] += 1

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(poster(client) for _ in range(concurrency)))
        acked_s = time.perf_counter() - started
        acked = statuses.get(200, 0)
        deadline = time.perf_counter() + wait_s
        while len(graph.sent()) - before < acked and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        answered_s = time.perf_counter() - started
    replies = [c.params for c in graph.sent()[before:]]
    texts = Counter(str(r.get("text", {}).get("body", "")) for r in replies)
    twice = sum(n - 1 for n in texts.values() if n > 1)
    return {
        "webhooks": count,
        "concurrency": concurrency,
        "acknowledged": acked,
        "statuses": dict(statuses),
        "ack_per_s": round(acked / acked_s, 1),
        "replies": len(replies),
        "replies_per_s": round(len(replies) / answered_s, 1),
        "lost": max(acked - len(replies), 0),
        "answered_twice": twice,
        "seconds_to_last_reply": round(answered_s, 2),
        **{f"ack_{k}": v for k, v in percentiles(latencies).items()},
    }


def percentiles(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": ms(percentile(latencies, 0.5)), "p95_ms": ms(percentile(latencies, 0.95))}


def channel_settings(graph: FakeGraphAPI, url: str, queue_url: str) -> dict[str, str]:
    return {
        "LAYER8_DATABASE_URL": url,
        "LAYER8_QUEUE_URL": queue_url,
        "LAYER8_WHATSAPP_APP_SECRET": WA_SECRET,
        "LAYER8_WHATSAPP_VERIFY_TOKEN": "bench",
        "LAYER8_WHATSAPP_ACCESS_TOKEN": "wa-bench-token",
        "LAYER8_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "LAYER8_WHATSAPP_GRAPH_URL": graph.url,
    }


# --- one configuration ------------------------------------------------------------------------------------
def measure(processes: tuple[str, ...], options: argparse.Namespace) -> dict[str, Any]:
    clear_queue(options.redis)
    try:
        with (
            postgres_schema("bench_cluster") as url,
            fake_servers() as (_slack, graph),
            tempfile.TemporaryDirectory() as home,
        ):
            settings = channel_settings(graph, url, options.redis)
            with running_cluster(Path(home), settings, processes, timeout=300) as cluster:
                db = Database(url)
                bearer, senders = prepare(db, options.subscribers)
                db.dispose()
                # untimed: every subscriber's first turns and every sender's first message (cold paths,
                # connection pools, the first Chroma query) happen before the clock starts
                asyncio.run(chat_load(cluster.balancer, bearer, 60.0, 2 * len(bearer)))
                asyncio.run(webhook_load(cluster.balancer, senders, len(senders), 4, graph, options.wait))
                chat = asyncio.run(chat_load(cluster.balancer, bearer, options.seconds, options.turns))
                hooks = asyncio.run(
                    webhook_load(
                        cluster.balancer, senders, options.webhooks, options.concurrency, graph, options.wait
                    )
                )
                served = httpx.get(cluster.model + "/healthz").json()["served"]
                nodes, workers = len(cluster.nodes), sum(p.startswith("worker") for p in processes)
    finally:
        clear_queue(options.redis)
    return {"api_nodes": nodes, "workers": workers, "model_requests": served, "chat": chat, "webhooks": hooks}


TABLE = {  # column title → key in a row
    "API nodes": "api_nodes",
    "workers": "workers",
    "chat turns/s": "chat.turns_per_s",
    "chat p50 ms": "chat.p50_ms",
    "chat p95 ms": "chat.p95_ms",
    "webhook acks/s": "webhooks.ack_per_s",
    "ack p95 ms": "webhooks.ack_p95_ms",
    "replies/s": "webhooks.replies_per_s",
    "lost": "webhooks.lost",
    "answered twice": "webhooks.answered_twice",
}


def table(rows: list[dict[str, Any]]) -> str:
    return markdown(list(TABLE), [cells(r, TABLE.values()) for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="web chat phase length per configuration")
    parser.add_argument("--turns", type=int, default=3000, help="web chat turns at most per configuration")
    parser.add_argument("--subscribers", type=int, default=16, help="simulated web chat subscribers")
    parser.add_argument(
        "--webhooks", type=int, default=300, help="signed WhatsApp messages per configuration"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="webhooks in flight at once")
    parser.add_argument("--wait", type=float, default=90.0, help="seconds to wait for the last reply")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--fault",
        choices=("kill-worker", "drop-pg", "stop-chroma", "all"),
        help="instead of 1 vs 2 nodes: faults under load (benchmarks/cluster_faults.py)",
    )
    options = parser.parse_args()
    if options.fault:
        # imported here: cluster_faults builds on this module's load generators
        from benchmarks import cluster_faults

        cluster_faults.run(options)
        return
    rows = []
    for processes in (ONE_OF_EACH, EVERYTHING):
        print(f"starting: {' '.join(processes)}", flush=True)
        rows.append(measure(processes, options))
        print(json.dumps(rows[-1]), flush=True)
    one, two = rows
    scaling = {
        "chat_turns_per_s": round(two["chat"]["turns_per_s"] / max(one["chat"]["turns_per_s"], 0.1), 2),
        "webhook_replies_per_s": round(
            two["webhooks"]["replies_per_s"] / max(one["webhooks"]["replies_per_s"], 0.1), 2
        ),
    }
    result = {
        "measured_at": now(),
        "machine": machine("cpus", "python", "load"),
        "model": "layer8 model serve --fake (instant)",
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()},
        "rows": rows,
        "scaling_2_vs_1": scaling,
    }
    write_json(options.out, result)
    print(table(rows))
    print(f"scaling, 2 nodes + 2 workers vs 1 + 1: {scaling}")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
