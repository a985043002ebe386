"""Webhook benchmark: the acknowledgement path of Slack and WhatsApp on loopback, with the turn stubbed.

The app runs in its own process on a real uvicorn (uvloop + httptools) over a fresh SQLite file; the load
comes from this process (aiohttp, bounded concurrency, a bounded number of requests). Every request is
signed and verified, de-duplicated in the database and queued; the background task that would run the turn is
a stub that sleeps for the model's time (0 s for throughput, 5 s for the Slack acknowledgement check), so
what is measured is the edge: verify, de-duplicate, queue, acknowledge. Slack's Web API is a local fake.

    .venv/bin/python benchmarks/webhook_bench.py [--requests 3000] [--concurrency 32]

Prints a table and writes benchmarks/results/webhooks.json. Targets: ≥ 400 requests/s with p99 ≤ 250 ms,
and Slack acknowledgements p99 ≤ 1 s while the model takes 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402
import threading  # noqa: E402

import aiohttp  # noqa: E402
import uvicorn  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from benchmarks.report import cells, columns, machine, ms, now, passed, percentile, write_json  # noqa: E402
from benchmarks.signed import Request, slack_message, whatsapp_message  # noqa: E402
from channels.queue import InProcessQueue  # noqa: E402
from channels.runtime import runtime_for  # noqa: E402
from composition.channels import web_app  # noqa: E402
from composition.container import Layer8  # noqa: E402
from network.db import Database  # noqa: E402
from network.migrate import upgrade  # noqa: E402
from tests.channels.fakes import FakeSlackAPI  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "webhooks.json"
TABLE = [("scenario", -22), ("req", 6), ("conc", 6), ("req/s", 9), ("p50 ms", 9), ("p99 ms", 9)]
TABLE += [("max ms", 9), ("statuses", 24)]  # (title, width); a negative width aligns left
KEYS = ("requests", "concurrency", "requests_per_s", "p50_ms", "p99_ms", "max_ms", "statuses")
SLACK_SECRET = "bench-slack-signing-secret"
WA_SECRET = "bench-whatsapp-app-secret"
PHONE_ID = "1122334455667"


# --- the server process --------------------------------------------------------------------------------
def serve(db_url: str, home: str, slack_api: str, model_s: float, ready: Any) -> None:
    """Build the app with a stubbed turn and serve it until killed (runs in a child process)."""

    logging.disable(logging.WARNING)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db_url,
        home=Path(home),
        env="test",
        slack_signing_secret=SecretStr(SLACK_SECRET),
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_api_url=slack_api,
        whatsapp_app_secret=SecretStr(WA_SECRET),
        whatsapp_verify_token=SecretStr("bench"),
        whatsapp_phone_number_id=PHONE_ID,
        rate_limit_enabled=False,  # this measures acknowledgements; 50 senders would hit the per-sender limit
    )
    container = Layer8(settings)
    app = web_app(container)
    runtime = runtime_for(app)
    done = threading.Semaphore(0)

    def stub(payload: dict[str, Any]) -> None:  # the turn: the model's time, no CPU
        time.sleep(model_s)
        done.release()

    names = list(runtime.handlers())
    runtime.__dict__["queue"] = InProcessQueue(dict.fromkeys(names, stub), workers=4, max_pending=1_000_000)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ready.put(sock.getsockname()[1])
    config = uvicorn.Config(app, loop="uvloop", http="httptools", log_level="critical", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def start_server(tmp: Path, slack_api: str, model_s: float) -> tuple[mp.Process, str]:
    db_url = f"sqlite:///{tmp / f'bench-{model_s}.db'}"
    database = Database(db_url)
    upgrade(database)
    database.dispose()
    context = mp.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=serve, args=(db_url, str(tmp), slack_api, model_s, ready), daemon=True)
    process.start()
    port = ready.get(timeout=60)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return process, base


# --- requests ---------------------------------------------------------------------------------------------
def slack_request(n: int, run: str) -> Request:
    user = f"W{n % 50}"
    return slack_message(
        SLACK_SECRET, team="T111", app="A111", user=user, event_id=f"Ev{run}{n}", text=f"hello number {n}"
    )


def whatsapp_request(n: int, run: str) -> Request:
    sender, text = f"4477009{n % 50:05d}", f"hello number {n}"
    return whatsapp_message(
        WA_SECRET, phone_id=PHONE_ID, sender=sender, message_id=f"wamid.{run}.{n}", text=text, name="Bench"
    )


async def hammer(base: str, requests: list[Request], concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pending = iter(requests)

    async def worker(session: aiohttp.ClientSession) -> None:
        for path, raw, headers in pending:
            started = time.perf_counter()
            async with session.post(base + path, data=raw, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        # warm-up (bolt's first request calls auth.test; connections open)
        path, raw, headers = requests[0]
        async with session.post(base + path, data=raw, headers=headers) as response:
            await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(percentile(latencies, 0.5), 2),
        "p99_ms": ms(percentile(latencies, 0.99), 2),
        "max_ms": ms(max(latencies), 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def scenario(base: str, kind: str, n: int, concurrency: int, run: str) -> dict[str, Any]:
    make = slack_request if kind == "slack" else whatsapp_request
    requests = [make(i, run) for i in range(n + 1)]
    return asyncio.run(hammer(base, requests[1:] + requests[:1], concurrency))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--slow-requests", type=int, default=300, help="Slack events while the model takes 5 s"
    )
    parser.add_argument("--model-s", type=float, default=5.0)
    args = parser.parse_args()
    slack = FakeSlackAPI()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        process, base = start_server(Path(tmp), slack.api_url, 0.0)
        try:
            rows["whatsapp"] = scenario(base, "whatsapp", args.requests, args.concurrency, "a")
            rows["slack"] = scenario(base, "slack", args.requests, args.concurrency, "a")
        finally:
            process.kill()
        process, base = start_server(Path(tmp), slack.api_url, args.model_s)
        try:
            slow = scenario(base, "slack", args.slow_requests, 16, "b")
            rows[f"slack_model_{args.model_s:g}s"] = slow
        finally:
            process.kill()
    slack.close()
    checks = {
        "whatsapp_400rps_p99_250ms": rows["whatsapp"]["requests_per_s"] >= 400
        and rows["whatsapp"]["p99_ms"] <= 250,
        "slack_400rps_p99_250ms": rows["slack"]["requests_per_s"] >= 400 and rows["slack"]["p99_ms"] <= 250,
        "slack_ack_p99_1s_while_model_5s": slow["p99_ms"] <= 1000,
    }
    report = {
        "benchmark": "webhooks",
        "when": now(),
        "machine": machine("python", "cpus", "platform"),
        "server": "uvicorn 1 worker, uvloop + httptools, SQLite (WAL) file, in-process queue, turn stubbed",
        "scenarios": rows,
        "checks": checks,
    }
    write_json(RESULTS, report)
    print(columns(TABLE, ([name, *cells(row, KEYS)] for name, row in rows.items())))
    print(passed(checks))
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
