"""Digest benchmark: one scheduled pass over 100,000 subscribers on the Redis queue.

A fresh SQLite file holds N subscribers, each on WhatsApp inside the 24-hour window, in ten kinds of ten
percent: opted out; nothing new; in Tokyo, where it is quiet hours at the pass's moment; a digest two days ago
(not due); and six kinds with one new suggested match each (they get a digest). The pass is the worker's own
(:class:`channels.digest_schedule.DigestSchedule`): it pages the subscribers onto a Redis list; ``--workers``
processes of :class:`channels.queue.RedisWorker` run the ``digest.page`` tasks — each decision, message and
record exactly as ``layer8 worker`` does — with WhatsApp's Graph API replaced by a sender that only counts.
So what is timed is the queue, the database and the rules, not the network hop.

    nice -n 19 .venv/bin/python benchmarks/digest_bench.py [--subscribers 100000] [--workers 1] [--pages N]

Prints a table and writes benchmarks/results/digest.json: seconds per 1,000 digests sent (the pass's wall
time over the digests it sent) and per 1,000 subscribers decided, with the page times' p50/p95.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402
import threading  # noqa: E402

import redis  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from assistant.messages import OutboundReply  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from channels import digest_schedule  # noqa: E402
from channels.digest_schedule import DigestSchedule  # noqa: E402
from channels.queue import RedisQueue, RedisWorker  # noqa: E402
from composition.channels import sending_runtime  # noqa: E402
from composition.container import Layer8  # noqa: E402
from network.db import Database  # noqa: E402
from network.migrate import upgrade  # noqa: E402
from network.models import (  # noqa: E402
    ChannelIdentity,
    DigestDelivery,
    DigestPreference,
    Introduction,
    Subscriber,
)

RESULTS = ROOT / "benchmarks" / "results" / "digest.json"
REDIS_URL = os.environ.get("LAYER8_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # a Wednesday noon UTC: 21:00 in Tokyo (quiet from 21)
BATCH = 5000


class CountingWhatsApp:
    """Stands in for the Graph API: counts what would be sent, returns a message id."""

    def __init__(self) -> None:
        self.sent = 0

    def send(
        self, to: str, reply: OutboundReply, *, last_inbound_at: datetime | None, purpose: str = "default"
    ) -> str | None:
        self.sent += 1
        return f"wamid.bench.{to}.{self.sent}"

    def close(self) -> None:
        return None


def settings_for(db_url: str, home: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=db_url, home=home, env="test", queue_url=REDIS_URL, digest_interval_s=60
    )


# --- the network ------------------------------------------------------------------------------------------
def seed(db: Database, n: int) -> dict[str, int]:
    """N subscribers in ten kinds (see the module's docstring); returns how many of each."""
    kinds = {"opted_out": 0, "nothing_new": 0, "quiet_hours": 0, "not_due": 0, "new": 0}
    for start in range(0, n, BATCH):
        rows: dict[str, list[dict[str, Any]]] = {"sub": [], "id": [], "pref": [], "intro": [], "dig": []}
        for i in range(start, min(n, start + BATCH)):
            kind = _kind(i)
            kinds[kind] += 1
            _rows(rows, i, kind, n)
        with db.transaction() as session:
            session.execute(insert(Subscriber), rows["sub"])
            session.execute(insert(ChannelIdentity), rows["id"])
            for model, key in ((DigestPreference, "pref"), (Introduction, "intro"), (DigestDelivery, "dig")):
                if rows[key]:
                    session.execute(insert(model), rows[key])
    return kinds


def _kind(i: int) -> str:
    return {0: "opted_out", 1: "nothing_new", 2: "quiet_hours", 3: "not_due"}.get(i % 10, "new")


def _rows(rows: dict[str, list[dict[str, Any]]], i: int, kind: str, n: int) -> None:
    partner = i ^ 1 if i ^ 1 < n else i - 1  # in the same insert batch (even-sized), so it exists
    me, other = f"sub_{i:016x}", f"sub_{partner:016x}"
    joined = NOW - timedelta(days=60)
    rows["sub"].append({"id": me, "business_name": f"Business {i}", "created_at": joined})
    rows["id"].append(
        {
            "id": f"chi_{i:016x}",
            "subscriber_id": me,
            "channel": "whatsapp",
            "external_id": f"+4477{i:08d}",
            "linked_at": joined,
            "last_inbound_at": NOW - timedelta(hours=1),
        }
    )
    if kind in ("opted_out", "quiet_hours"):
        rows["pref"].append(
            {
                "subscriber_id": me,
                "opted_out": kind == "opted_out",
                "frequency_days": 7,
                "time_zone": "Asia/Tokyo" if kind == "quiet_hours" else "UTC",
                "quiet_from": 21,
                "quiet_to": 8,
                "updated_at": joined,
            }
        )
    if kind == "not_due":
        rows["dig"].append(
            {
                "id": f"dig_{i:016x}",
                "subscriber_id": me,
                "sent_at": NOW - timedelta(days=2),
                "channel": "whatsapp",
            }
        )
    if kind != "nothing_new":
        at = NOW - timedelta(days=1)
        rows["intro"].append(
            {
                "id": f"int_{i:016x}",
                "requester_id": me,
                "target_id": other,
                "state": "suggested",
                "score": 0.8,
                "reasons": ["They print menus for cafes."],
                "created_at": at,
                "updated_at": at,
            }
        )


# --- the workers ------------------------------------------------------------------------------------------
def work(db_url: str, home: str, key: str) -> None:
    """One ``layer8 worker``'s task loop on the bench's list (runs in a child process until told to stop)."""
    logging.disable(logging.WARNING)
    layer8 = Layer8(settings_for(db_url, Path(home)))
    runtime = sending_runtime(layer8)
    runtime.__dict__["whatsapp"] = CountingWhatsApp()
    client = redis.Redis.from_url(REDIS_URL)

    def page(task: dict[str, Any]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        digest_schedule.run_page(runtime, task)
        client.rpush(f"{key}:page_s", time.perf_counter() - started)
        client.rpush(f"{key}:page_cpu_s", time.process_time() - cpu)

    stop = threading.Event()

    def watch() -> None:  # the parent stops us by setting a key
        while not client.exists(f"{key}:stop"):
            time.sleep(0.2)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    client.rpush(f"{key}:ready", "1")
    RedisWorker(REDIS_URL, {digest_schedule.TASK: page}, key=key, block_s=0.5).run(stop)
    runtime.close()
    layer8.close()


class FirstPages:
    """The bench's queue: the first ``limit`` pages go to Redis, the rest are counted and dropped (a pass
    over part of a large network, when the machine is too busy for the whole)."""

    def __init__(self, queue: RedisQueue, limit: int | None) -> None:
        self._queue, self._limit, self.seen = queue, limit, 0

    def submit(self, name: str, payload: dict[str, Any], *, key: str | None = None) -> None:
        self.seen += 1
        if self._limit is None or self.seen <= self._limit:
            self._queue.submit(name, payload, key=key)

    def close(self) -> None:
        self._queue.close()


def run_pass(
    db_url: str, home: Path, subscribers: int, workers: int, page: int, pages: int | None
) -> dict[str, Any]:
    key = f"layer8:bench:digest:{os.getpid()}"
    keys = [key, f"{key}:page_s", f"{key}:page_cpu_s", f"{key}:stop", f"{key}:ready"]
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(digest_schedule.LOCK_KEY, *keys)
    context = mp.get_context("spawn")
    procs = [context.Process(target=work, args=(db_url, str(home), key)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    layer8 = Layer8(settings_for(db_url, home))
    runtime = sending_runtime(layer8)
    queue = FirstPages(RedisQueue(REDIS_URL, key=key), pages)
    runtime.__dict__["queue"] = queue
    while int(client.llen(f"{key}:ready")) < workers:  # the workers import and connect
        time.sleep(0.2)
    started = time.perf_counter()
    queued = DigestSchedule(runtime, clock=lambda: NOW, page_size=page).step()
    queued_s = time.perf_counter() - started
    measured = min(queued.handled, pages or queued.handled)
    done = 0
    while done < measured:
        time.sleep(0.2)
        if int(client.llen(f"{key}:page_s")) > done:
            done = int(client.llen(f"{key}:page_s"))
            print(f"  {done}/{measured} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    wall_s = time.perf_counter() - started
    client.set(f"{key}:stop", "1")
    for proc in procs:
        proc.join(30)
    page_s = sorted(float(v) for v in client.lrange(f"{key}:page_s", 0, -1))
    cpu_s = sum(float(v) for v in client.lrange(f"{key}:page_cpu_s", 0, -1))
    client.delete(digest_schedule.LOCK_KEY, *keys)
    with layer8.db.read() as session:
        sent = int(session.scalar(select(func.count()).where(DigestDelivery.sent_at == NOW)) or 0)
    runtime.close()
    layer8.close()
    decided = min(subscribers, measured * page)
    return {
        "pages": queued.handled,
        "pages_measured": measured,
        "subscribers_decided": decided,
        "worker_cpu_s": round(cpu_s, 1),
        "cpu_s_per_1000_digests": round(cpu_s / (sent / 1000), 2) if sent else None,
        "queue_pass_s": round(queued_s, 2),
        "wall_s": round(wall_s, 1),
        "digests_sent": sent,
        "s_per_1000_digests": round(wall_s / (sent / 1000), 2) if sent else None,
        "s_per_1000_subscribers": round(wall_s / (decided / 1000), 2),
        "page_s_p50": round(statistics.median(page_s), 2),
        "page_s_p95": round(page_s[int(0.95 * (len(page_s) - 1))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=None, help="Run only the first N pages of the pass.")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="layer8-digest-bench-") as tmp:
        home = Path(tmp)
        db_url = f"sqlite:///{home / 'digest-bench.db'}"
        db = Database(db_url)
        upgrade(db)
        started = time.perf_counter()
        kinds = seed(db, args.subscribers)
        seed_s = time.perf_counter() - started
        db.dispose()
        result = run_pass(db_url, home, args.subscribers, args.workers, args.page, args.pages)
        load_after = os.getloadavg()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": [round(v, 2) for v in load_after],  # 1, 5 and 15 minutes: the pass's own share
        "database": "sqlite (WAL)",
        "queue": "redis",
        "subscribers": args.subscribers,
        "workers": args.workers,
        "page_size": args.page,
        "kinds": kinds,
        "seed_s": round(seed_s, 1),
        **result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    head = ("subscribers", "decided", "workers", "sent", "wall s", "s/1k digests", "CPU s/1k digests")
    print(" ".join(f"{h:>16}" for h in head))
    row = (args.subscribers, result["subscribers_decided"], args.workers, result["digests_sent"])
    row += (result["wall_s"], result["s_per_1000_digests"], result["cpu_s_per_1000_digests"])
    print(" ".join(f"{v!s:>16}" for v in row))
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
