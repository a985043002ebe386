"""Soak: mixed traffic at a steady rate against one server for a long time, watching its memory.

The app runs in its own process on a real uvicorn over a fresh SQLite file, with the scripted fake chat model
(its record of calls emptied every 5 s: tests need it, a soak would only measure it), the fake embedder (so a
turn is the whole pipeline minus the model's time) and local fakes of Slack's Web API and WhatsApp's Graph.
This process sends, at ``--rate`` requests a second, a repeating mix: web-chat turns (bearer token), signed
Slack DM events and WhatsApp messages from linked identities (each a full turn in the background, answered
through the fakes), console pages (signed-in agent) and API lists. The server's resident memory (VmRSS) is
sampled every ``--sample-s`` seconds.

    nice -n 19 .venv/bin/python benchmarks/soak.py [--minutes 30] [--rate 10] [--warmup-minutes 5]

Prints a table per minute (requests, errors, p50/p99 ms, RSS, load average; :mod:`benchmarks.soak_report`)
and writes benchmarks/results/soak.json.
Checks: no error, RSS growth after warm-up ≤ 10 %, the last minutes' p99 within 2× the first minutes'.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import re
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import logging  # noqa: E402

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from assistant.llm.fake import FakeChatModel  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks import signed  # noqa: E402
from benchmarks.signed import Request  # noqa: E402
from benchmarks.soak_report import KINDS, Minute, print_table, summarise  # noqa: E402
from composition.channels import web_app  # noqa: E402
from composition.container import build  # noqa: E402
from network import tokens  # noqa: E402
from network.actor import Actor  # noqa: E402
from network.db import Database  # noqa: E402
from network.migrate import upgrade  # noqa: E402
from network.models import ChannelIdentity, Subscriber  # noqa: E402
from seeding.network import seed_network  # noqa: E402
from tests.channels.fakes import FakeGraphAPI, FakeSlackAPI  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
SLACK_SECRET = "soak-slack-signing-secret"
WA_SECRET = "soak-whatsapp-app-secret"
PHONE_ID = "1122334455667"
TEAM = "T0SOAK"
ADMIN_TOKEN = "soak-admin-token-5b1e"
SUBSCRIBERS = 40
_PRE = re.compile(r'name="pre" value="([^"]+)"')


# --- the server process --------------------------------------------------------------------------------
def settings_for(db_url: str, home: str, slack_api: str, graph_api: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db_url,
        home=Path(home),
        env="test",
        llm_provider="fake",
        embedder="fake",
        admin_token=SecretStr(ADMIN_TOKEN),
        slack_signing_secret=SecretStr(SLACK_SECRET),
        slack_bot_token=SecretStr("xoxb-soak"),
        slack_api_url=slack_api,
        whatsapp_app_secret=SecretStr(WA_SECRET),
        whatsapp_verify_token=SecretStr("soak"),
        whatsapp_access_token=SecretStr("soak-graph-token"),
        whatsapp_phone_number_id=PHONE_ID,
        whatsapp_graph_url=graph_api,
        rate_limit_enabled=False,  # a steady load from a few identities; limits are tested elsewhere
    )


def serve(settings: Settings, ready: Any) -> None:
    """Serve the production app until killed (runs in a child process)."""
    logging.disable(logging.WARNING)
    layer8 = build(settings)
    app = web_app(layer8)
    threading.Thread(target=forget_fake_calls, args=(layer8.chat_model,), daemon=True).start()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ready.put(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        log_level="critical",
        lifespan="on",
        timeout_keep_alive=60,  # a console request every few seconds must not race the idle-connection close
    )
    uvicorn.Server(config).run(sockets=[sock])


def forget_fake_calls(model: Any) -> None:
    """The fake model keeps every call it answered (tests assert on them): a soak would measure that list.
    Empty it now and then, so what grows is the server's own memory."""
    while True:
        time.sleep(5)
        if isinstance(model, FakeChatModel):
            model.calls.clear()


@dataclass
class World:
    subscriber_tokens: list[str]
    agent_token: str
    slack_users: list[str]
    phones: list[str]


def prepare(settings: Settings) -> World:
    """A migrated, seeded network: tokens for web chat, linked Slack and WhatsApp identities, an agent."""
    db = Database(settings.database_url)
    upgrade(db)
    seed_network(db, SUBSCRIBERS, 7, tenant=settings.tenant)
    world = World([], "", [], [])
    with db.transaction(Actor.admin("soak")) as session:
        ids = [s.id for s in session.query(Subscriber).order_by(Subscriber.id).limit(30)]
        for n, subscriber_id in enumerate(ids[:10]):
            world.subscriber_tokens.append(
                tokens.issue(session, "subscriber", subscriber_id=subscriber_id).token
            )
            user, phone = f"U{n:04d}", f"4477009{n:05d}"
            session.add(
                ChannelIdentity(subscriber_id=ids[10 + n], channel="slack", external_id=f"{TEAM}:{user}")
            )
            session.add(
                ChannelIdentity(subscriber_id=ids[20 + n], channel="whatsapp", external_id=f"+{phone}")
            )
            world.slack_users.append(user)
            world.phones.append(phone)
        world.agent_token = tokens.issue(session, "agent", agent_id="agent.soak").token
    db.dispose()
    return world


def start_server(settings: Settings) -> tuple[mp.process.BaseProcess, str]:
    context = mp.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=serve, args=(settings, ready), daemon=True)
    process.start()
    port = ready.get(timeout=600)  # niced on a busy 2-core machine, building the app took over 2 minutes
    for _ in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return process, f"http://127.0.0.1:{port}"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the traffic ----------------------------------------------------------------------------------------
def slack_event(n: int, user: str) -> Request:
    return signed.slack_message(
        SLACK_SECRET,
        team=TEAM,
        app="A0SOAK",
        user=user,
        event_id=f"EvSoak{n}",
        text=f"how is my network doing {n}",
    )


def whatsapp_message(n: int, phone: str) -> Request:
    return signed.whatsapp_message(
        WA_SECRET,
        phone_id=PHONE_ID,
        sender=phone,
        message_id=f"wamid.soak.{n}",
        text=f"any news for me {n}",
        name="Soak",
    )


def console_client(base: str, agent_token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/console/sign-in")
    pre = _PRE.search(page.text)
    if not pre:
        raise RuntimeError("the console's sign-in form has no pre-session field")
    signed = client.post(
        "/console/sign-in", data={"token": agent_token, "pre": pre.group(1), "next": "/console"}
    )
    if signed.status_code not in (200, 303):
        raise RuntimeError(f"console sign-in failed: {signed.status_code}")
    return client


def one_request(kind: str, n: int, world: World, api: httpx.Client, console: httpx.Client) -> httpx.Response:
    pick = n // len(KINDS)
    if kind == "chat":
        token = world.subscriber_tokens[pick % len(world.subscriber_tokens)]
        body = {"message": f"what can you do for me {n}", "thread": f"soak-{pick % 7}"}
        return api.post("/v1/chat", json=body, headers={"Authorization": f"Bearer {token}"})
    if kind in ("slack", "whatsapp"):
        make = slack_event if kind == "slack" else whatsapp_message
        who = (world.slack_users if kind == "slack" else world.phones)[pick % len(world.phones)]
        path, raw, headers = make(n, who)
        return api.post(path, content=raw, headers=headers)
    if kind == "console":
        return console.get("/console/handoffs" if pick % 2 else "/console")
    token = world.subscriber_tokens[pick % len(world.subscriber_tokens)]
    return api.get("/v1/introductions?limit=20", headers={"Authorization": f"Bearer {token}"})


def sample_rss(pid: int, minutes: list[Minute], started: float, every: float, stop: threading.Event) -> None:
    """The server's RSS, and the machine's load average beside it (p99 follows the load on a shared box)."""
    while not stop.wait(every):
        index = int((time.monotonic() - started) // 60)
        if index < len(minutes):
            minutes[index].rss.append(rss_mb(pid))
            minutes[index].load.append(os.getloadavg()[0])


def drive(base: str, world: World, pid: int, args: argparse.Namespace) -> list[Minute]:
    minutes = [Minute() for _ in range(args.minutes)]
    api = httpx.Client(base_url=base, timeout=30)
    console = console_client(base, world.agent_token)
    interval = 1.0 / args.rate
    started = time.monotonic()
    stop = threading.Event()
    sampler = threading.Thread(
        target=sample_rss, args=(pid, minutes, started, args.sample_s, stop), daemon=True
    )
    sampler.start()
    minutes[0].rss.append(rss_mb(pid))
    due = started
    try:
        for n in count():
            # a steady rate: when the server (or the machine) falls behind, the schedule slips rather
            # than sending the backlog in a burst
            due = max(due + interval, time.monotonic()) if n else started
            if due - started >= args.minutes * 60:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            kind = KINDS[n % len(KINDS)]
            minute = minutes[min(len(minutes) - 1, int((time.monotonic() - started) // 60))]
            sent = time.perf_counter()
            try:
                status = one_request(kind, n, world, api, console).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__  # type: ignore[assignment]
            minute.latencies[kind].append(time.perf_counter() - sent)
            if not isinstance(status, int) or status >= 400:
                minute.errors[f"{kind}:{status}"] = minute.errors.get(f"{kind}:{status}", 0) + 1
    finally:
        stop.set()
        api.close()
        console.close()
    return minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=10.0, help="requests a second, all kinds together")
    parser.add_argument("--warmup-minutes", type=int, default=None, help="default: a sixth of the run, ≥ 1")
    parser.add_argument("--sample-s", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.minutes < 2:
        parser.error("--minutes must be at least 2 (one of warm-up)")
    warmup = args.warmup_minutes if args.warmup_minutes is not None else max(1, args.minutes // 6)
    slack, graph = FakeSlackAPI(), FakeGraphAPI()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(f"sqlite:///{Path(tmp) / 'soak.db'}", tmp, slack.api_url, graph.url)
        world = prepare(settings)
        process, base = start_server(settings)
        try:
            assert process.pid is not None
            minutes = drive(base, world, process.pid, args)
        finally:
            process.kill()
            slack.close()
            graph.close()
    summary = summarise(minutes, warmup)
    report = {
        "benchmark": "soak",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": mp.cpu_count(),
            "platform": platform.platform(),
        },
        "server": "uvicorn 1 worker, uvloop + httptools, SQLite (WAL), in-process queue, fake model",
        "mix": list(KINDS),
        "rate_per_s": args.rate,
        "warmup_minutes": warmup,
        "replies_sent": {"slack": len(slack.posts()), "whatsapp": len(graph.sent())},
        **summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(summary)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
