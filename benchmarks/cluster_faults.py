"""Faults under load in the loopback cluster (``benchmarks/cluster_load.py --fault …``), with the fake model.

One cluster (two API nodes, two workers, ``chroma run``, PostgreSQL, Redis) whose workers and Chroma server
run beside honcho, so they can be killed and started again; then, while signed WhatsApp messages (or web chat
introduction requests) flow:

- ``kill-worker``: worker1 gets SIGKILL mid-load; worker2 takes its tasks back once its lease lapses
  (``LAYER8_QUEUE_LEASE_S``, 5 s here);
- ``drop-pg``: for 10 s every PostgreSQL connection of the cluster's processes is terminated
  (``pg_terminate_backend`` on their ``application_name``) every 100 ms — the shared server keeps running;
  the sender delivers again after a non-200, as WhatsApp does;
- ``stop-chroma``: the Chroma server is stopped for 10 s under web chat introduction requests, then started.

Reported: what the senders saw (statuses, retries), recovery time, and — from the records afterwards, in
PostgreSQL and at the fake Graph API — what was lost or done twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import create_engine, func, select, text

from benchmarks.cluster_load import (
    ASK,
    RESULTS,
    channel_settings,
    chat_load,
    prepare,
    webhook_load,
    whatsapp_body,
)
from channels.queue import DEFAULT_KEY
from channels.texts import RECORDS_UNREACHABLE
from network.db import Database
from network.models import InboundEvent, Message
from tests.channels.fakes import FakeGraphAPI, fake_servers
from tests.cluster.launch import Cluster, running_cluster
from tests.stores import POSTGRES_URL, clear_queue, postgres_schema
from tools.phrases import APOLOGIES

FAULTS = ("kill-worker", "drop-pg", "stop-chroma")
HONCHO = ("model", "tmf", "setup", "api1", "api2", "relay", "balancer")
OUTSIDE = ("chroma", "worker1", "worker2")
OUTAGE_S = 10.0
SAID = re.compile(r"\(fake model\) (hello number \d+)")
FAULT_RESULTS = RESULTS.with_name("cluster_faults.json")


async def deliver(
    base: str, senders: list[str], numbers: range, run: str, concurrency: int
) -> tuple[Counter[int], int, int]:
    """Post each message until it is acknowledged (a non-200 is delivered again after ``Retry-After``, at
    most 20 times, as the platform does); returns first statuses, acknowledged messages, deliveries again."""
    statuses: Counter[int] = Counter()
    acked = retries = 0
    pending = iter(numbers)

    async def poster(client: httpx.AsyncClient) -> None:
        nonlocal acked, retries
        for n in pending:
            path, raw, headers = whatsapp_body(senders[n % len(senders)], n, run)  # signed
            for attempt in range(20):
                try:
                    answer = await client.post(path, content=raw, headers=headers)
                    status, wait = answer.status_code, float(answer.headers.get("retry-after", 1))
                except httpx.HTTPError:
                    status, wait = 599, 1.0
                if attempt == 0:
                    statuses[status] += 1
                if status == 200:
                    acked += 1
                    break
                retries += 1
                await asyncio.sleep(min(wait, 5.0))
            await asyncio.sleep(0.05)  # a steady stream, not a burst

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(*(poster(client) for _ in range(concurrency)))
    return statuses, acked, retries


def later(delay: float, action: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(delay), action()), daemon=True)
    thread.start()
    return thread


def processing(queue: redis.Redis, pid: int) -> int:
    """Tasks in the processing list of the worker whose process is ``pid``."""
    keys = [k for k in queue.scan_iter(match=f"{DEFAULT_KEY}:processing:*") if f"-{pid}-" in k.decode()]
    return sum(int(queue.llen(k)) for k in keys)


def drop_connections(admin_url: str, tag: str, seconds: float) -> int:
    """Terminate every backend whose application_name is ``tag``, every 100 ms for ``seconds``."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    killed = 0
    deadline = time.monotonic() + seconds
    with admin.connect() as connection:
        while time.monotonic() < deadline:
            rows = connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :t"),
                {"t": tag},
            )
            killed += sum(1 for (ok,) in rows if ok)
            time.sleep(0.1)
    admin.dispose()
    return killed


def wait_answered(graph: FakeGraphAPI, before: int, expected: int, seconds: float) -> float:
    started = time.monotonic()
    while len(graph.sent()) - before < expected and time.monotonic() - started < seconds:
        time.sleep(0.1)
    return time.monotonic()


def backlog(queue_url: str) -> int:
    """Turns still queued or being run (not lost: a worker will answer them)."""
    queue = redis.Redis.from_url(queue_url)
    lists = [DEFAULT_KEY, *queue.scan_iter(match=f"{DEFAULT_KEY}:processing:*")]
    total = sum(int(queue.llen(k)) for k in lists)
    queue.close()
    return total


def records(db: Database, graph: FakeGraphAPI, numbers: range) -> dict[str, Any]:
    """What the records say for ``numbers``: each message stored, answered and sent exactly once?"""
    wanted = {f"hello number {n}" for n in numbers}
    with db.read() as session:
        stored = Counter(
            c
            for (c,) in session.execute(select(Message.content).where(Message.role == "user"))
            if c in wanted
        )
        statuses = Counter(
            dict(
                session.execute(
                    select(InboundEvent.status, func.count())
                    .where(InboundEvent.event_id.like("wamid.%"))
                    .group_by(InboundEvent.status)
                ).all()
            )
        )
    bodies = [body_of(c.params) for c in graph.sent()]
    said = (SAID.search(body) for body in bodies)  # the fake's echo, whatever follows it (an NPS question)
    sent = Counter(found.group(1) for found in said if found and found.group(1) in wanted)
    return {
        "messages": len(wanted),
        "stored_once": sum(1 for t in wanted if stored[t] == 1),
        "stored_twice": sum(1 for t in wanted if stored[t] > 1),
        "not_stored": sum(1 for t in wanted if stored[t] == 0),
        "replies_sent_once": sum(1 for t in wanted if sent[t] == 1),
        "replies_sent_twice": sum(1 for t in wanted if sent[t] > 1),
        "no_reply": sum(1 for t in wanted if sent[t] == 0),
        # since the run began (the fake Graph API keeps every fault's replies): apologies for a failed turn,
        # and "send it again" after a turn's attempts all met an outage
        "error_replies_so_far": sum(1 for b in bodies if b in APOLOGIES),
        "send_again_replies_so_far": sum(1 for b in bodies if b == RECORDS_UNREACHABLE),
        "receipts_by_status": dict(statuses),
    }


def body_of(params: dict[str, Any]) -> str:
    """A sent reply's text: a plain message's body, or the body of a list or buttons (the NPS question
    follows an answer as a list, with the answer in its body)."""
    if "interactive" in params:
        return str(params["interactive"].get("body", {}).get("text", ""))
    return str(params.get("text", {}).get("body", ""))


def kill_worker(
    cluster: Cluster, senders: list[str], graph: FakeGraphAPI, opts: argparse.Namespace
) -> dict[str, Any]:
    queue = redis.Redis.from_url(opts.redis)
    victim = cluster.outside["worker1"].pid
    numbers = range(1000, 1000 + opts.webhooks)
    before, seen = len(graph.sent()), {}

    def fault() -> None:
        seen["in_flight"] = processing(queue, victim)
        cluster.kill("worker1")
        seen["killed_at"] = time.monotonic()
        seen["left_behind"] = processing(queue, victim)
        while processing(queue, victim) and time.monotonic() - seen["killed_at"] < 120:
            time.sleep(0.05)
        seen["reclaimed_s"] = round(time.monotonic() - seen["killed_at"], 2)

    watcher = later(2.0, fault)
    statuses, acked, retries = asyncio.run(
        deliver(cluster.balancer, senders, numbers, "kw", opts.concurrency)
    )
    watcher.join(150)
    done = wait_answered(graph, before, acked, opts.wait)
    cluster.start("worker1")  # back for the next fault
    return {
        "fault": "kill-worker",
        "first_statuses": dict(statuses),
        "acknowledged": acked,
        "delivered_again": retries,
        "tasks_in_flight_at_kill": seen.get("left_behind"),
        "recovery_s": seen.get("reclaimed_s"),
        "seconds_to_last_reply_after_fault": round(done - seen.get("killed_at", done), 2),
        "queued_at_check": backlog(opts.redis),
        "records": records(cluster_db(cluster), graph, numbers),
    }


def drop_pg(
    cluster: Cluster, senders: list[str], graph: FakeGraphAPI, opts: argparse.Namespace
) -> dict[str, Any]:
    numbers = range(2000, 2000 + opts.webhooks)
    before, seen = len(graph.sent()), {}

    def fault() -> None:
        seen["started"] = time.monotonic()
        seen["terminated"] = drop_connections(opts.postgres, opts.tag, OUTAGE_S)
        seen["ended"] = time.monotonic()

    watcher = later(2.0, fault)
    statuses, acked, retries = asyncio.run(
        deliver(cluster.balancer, senders, numbers, "pg", opts.concurrency)
    )
    watcher.join(60)
    done = wait_answered(graph, before, acked, opts.wait)
    return {
        "fault": "drop-pg",
        "outage_s": OUTAGE_S,
        "connections_terminated": seen.get("terminated"),
        "first_statuses": dict(statuses),
        "acknowledged": acked,
        "delivered_again": retries,
        "seconds_to_last_reply_after_outage": round(done - seen.get("ended", done), 2),
        "queued_at_check": backlog(opts.redis),
        "records": records(cluster_db(cluster), graph, numbers),
    }


def stop_chroma(cluster: Cluster, bearer: list[str], opts: argparse.Namespace) -> dict[str, Any]:
    outcomes: list[tuple[float, int, bool, str]] = []
    seen: dict[str, float] = {}
    deadline = time.monotonic() + OUTAGE_S + 20

    def fault() -> None:
        cluster.kill("chroma", signal.SIGTERM)
        seen["stopped"] = time.monotonic()
        time.sleep(OUTAGE_S)
        cluster.start("chroma")
        seen["started"] = time.monotonic()

    async def subscriber(client: httpx.AsyncClient, token: str, index: int) -> None:
        while time.monotonic() < deadline:
            try:
                answer = await client.post(
                    "/v1/chat",
                    json={"message": ASK, "thread": f"fault{index}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                body = answer.json() if answer.status_code == 200 else {}
                said = str(body.get("text") or body.get("reply") or body)
                outcomes.append(
                    (
                        time.monotonic(),
                        answer.status_code,
                        bool(body.get("items")),
                        said[:160],
                    )
                )
            except httpx.HTTPError:
                outcomes.append((time.monotonic(), 599, False, ""))
            await asyncio.sleep(0.2)

    async def load() -> None:
        async with httpx.AsyncClient(base_url=cluster.balancer, timeout=60) as client:
            await asyncio.gather(*(subscriber(client, t, i) for i, t in enumerate(bearer[:4])))

    watcher = later(5.0, fault)
    asyncio.run(load())
    watcher.join(60)
    stopped, started = seen.get("stopped", 0.0), seen.get("started", 0.0)
    during = [o for o in outcomes if stopped <= o[0] <= started]
    after = [o for o in outcomes if o[0] > started]
    back = next((o[0] for o in after if o[2]), None)
    return {
        "fault": "stop-chroma",
        "outage_s": OUTAGE_S,
        "turns": len(outcomes),
        "during": {
            "turns": len(during),
            "statuses": dict(Counter(o[1] for o in during)),
            "with_matches": sum(o[2] for o in during),
            "replies": sorted({o[3] for o in during if o[1] == 200})[:3],
        },
        "after": {"turns": len(after), "with_matches": sum(o[2] for o in after)},
        "recovery_s": round(back - started, 2) if back else None,
    }


def cluster_db(cluster: Cluster) -> Database:
    return Database(cluster.env["LAYER8_DATABASE_URL"])


def tag() -> str:
    return f"l8fault_{secrets.token_hex(3)}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| fault | what users saw | recovery | lost | done twice |", "|---|---|---|---|---|"]
    for r in rows:
        if r["fault"] == "stop-chroma":
            d = r["during"]
            lines.append(
                f"| stop-chroma {r['outage_s']:.0f} s | {d['turns']} turns during: {d['statuses']}, "
                f"{d['with_matches']} with matches | {r['recovery_s']} s to the first match | — | — |"
            )
            continue
        rec = r["records"]
        recovery = r.get("recovery_s", r.get("seconds_to_last_reply_after_outage"))
        lines.append(
            f"| {r['fault']} | first tries {r['first_statuses']}, {r['delivered_again']} delivered again "
            f"| {recovery} s | {rec['no_reply']} unanswered, {rec['not_stored']} not stored "
            f"| {rec['replies_sent_twice']} replies, {rec['stored_twice']} stored |"
        )
    return "\n".join(lines)


def run(options: argparse.Namespace) -> None:
    """``cluster_load.py --fault NAME|all``: one cluster, the faults in turn, a table and a JSON file."""
    options.tag = tag()
    options.postgres = POSTGRES_URL
    clear_queue(options.redis)
    faults = FAULTS if options.fault == "all" else (options.fault,)
    rows: list[dict[str, Any]] = []
    try:
        with (
            postgres_schema("bench_cluster") as schema_url,
            fake_servers() as (_slack, graph),
            tempfile.TemporaryDirectory() as home,
        ):
            url = schema_url.replace("?", f"?application_name={options.tag}&", 1)
            settings = {**channel_settings(graph, url, options.redis), "LAYER8_QUEUE_LEASE_S": "5"}
            with running_cluster(Path(home), settings, HONCHO, timeout=900, outside=OUTSIDE) as cluster:
                db = Database(url)
                bearer, senders = prepare(db, options.subscribers)
                db.dispose()
                asyncio.run(chat_load(cluster.balancer, bearer[:4], 30.0, 8))  # warm: pools, first queries
                asyncio.run(webhook_load(cluster.balancer, senders, len(senders), 4, graph, options.wait))
                for fault in faults:
                    print(f"fault: {fault}", flush=True)
                    if fault == "stop-chroma":
                        rows.append(stop_chroma(cluster, bearer, options))
                    else:
                        act = kill_worker if fault == "kill-worker" else drop_pg
                        rows.append(act(cluster, senders, graph, options))
                    print(json.dumps(rows[-1]), flush=True)
    finally:
        clear_queue(options.redis)
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
        "model": "layer8 model serve --fake (instant)",
        "webhooks_per_fault": options.webhooks,
        "rows": rows,
    }
    out = FAULT_RESULTS if options.out == RESULTS else options.out
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows))
    print(f"wrote {out}")
