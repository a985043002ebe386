"""Turn latency as a subscriber feels it: the raw model speed, then turns through a real `layer8 serve`.

    .venv/bin/python benchmarks/turn_latency.py [--model local|fake] [--kinds first,action,advice,chat,new]
        [--port 8765] [--max-minutes 20] [--subscribers 200] [--out benchmarks/results/turn_latency.json]

In one run: (1) the GGUF measured directly with llama-cpp-python — prompt tokens/s over a 500-token prompt and
generation tokens/s over 64 tokens, on 1 thread and on every core, with the CPU's AVX2/AVX-512 flags; (2) a
fresh LAYER8_HOME (`layer8 init`, `seed`, `index rebuild`, as `make run`; the GGUF linked, not copied), a
`layer8 serve` subprocess on 127.0.0.1, and a fixed list of 30 messages by kind: the first reply after a fresh
serve (and again after a restart on the same home, which reuses whatever state files the first warm-up wrote
there), action turns, advice (streamed: first words and whole answer), chat, and new subscribers' first turns.
Each kind: n, p50, p95 in seconds and its ratio to the raw speed (see ``DEFINITIONS``). Every reply text is
kept in the JSON. The run stops by itself at ``--max-minutes``; ``--model fake`` is a quick smoke run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from assistant.llm.gguf import GGUF_NAME  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.latency_table import markdown, print_table, stats  # noqa: E402
from benchmarks.model_speed import cpu, raw_speeds  # noqa: E402
from benchmarks.serve_process import port_free, serving  # noqa: E402
from benchmarks.turn_catalogue import ACTION, ADVICE, CHAT, DEFINITIONS, FIRST, KINDS, NEW  # noqa: E402
from evals.reply_check import check, flag_dicts  # noqa: E402
from network.actor import Actor  # noqa: E402
from network.db import Database  # noqa: E402
from network.models import ConsentKind, Subscriber  # noqa: E402
from network.services import consent  # noqa: E402
from network.services.subscribers import create_subscriber  # noqa: E402
from network.tokens import issue  # noqa: E402


@dataclass
class Plan:
    """What the run may still spend."""

    deadline: float
    kinds: tuple[str, ...]
    turns: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    serves: list[dict[str, Any]] = field(default_factory=list)  # the serve the other turns ran on

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def skip(self, queue: list[tuple[str, str, str]]) -> None:
        for kind, *_ in queue:
            self.skipped[kind] = self.skipped.get(kind, 0) + 1
        if queue:
            print(f"time cap reached: {len(queue)} turns not sent")


# --- a fresh installation -----------------------------------------------------------------------------------
def layer8(home: Path, env: dict[str, str], *args: str, timeout: float = 900) -> str:
    code = "import sys; from cli import main; sys.argv[0] = 'layer8'; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"layer8 {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def environment(home: Path, model: str, threads: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYER8_")}
    env |= {
        "LAYER8_HOME": str(home),
        "LAYER8_LLM_PROVIDER": model,
        "LAYER8_EMBEDDER": "fake" if model == "fake" else "minilm",
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "COLUMNS": "200",
    }
    if threads:
        env["LAYER8_LLM_THREADS"] = str(threads)
    return env


def install(home: Path, env: dict[str, str], subscribers: int, models: Path) -> dict[str, float]:
    """`make run`'s steps on a fresh home; the GGUF (and its hash stamp) linked from the operator's home."""
    home.mkdir(parents=True, exist_ok=True)
    if models.is_dir():
        (home / "models").symlink_to(models.resolve(), target_is_directory=True)
    seconds = {}
    for step in (["init"], ["seed", "--subscribers", str(subscribers), "--seed", "7"], ["index", "rebuild"]):
        started = time.perf_counter()
        layer8(home, env, *step)
        seconds[" ".join(step[:2])] = round(time.perf_counter() - started, 1)
    return seconds


def cast(home: Path) -> dict[str, Any]:
    """An established subscriber with tokens, four other businesses to name, and new subscribers' tokens."""

    db = Database(Settings(home=home).database)
    with db.transaction(Actor.admin("bench")) as session:
        rows = session.scalars(select(Subscriber).order_by(Subscriber.created_at, Subscriber.id)).all()
        ok = [s for s in rows if consent.is_granted(session, s.id, ConsentKind.CONTACTABLE) and s.profile]
        names = [s.business_name for s in ok]
        unique = [s for s in ok if names.count(s.business_name) == 1]
        me, others = unique[0], [s.business_name for s in unique[1:5]]
        token = issue(session, "subscriber", subscriber_id=me.id, label="bench").token
        new = []
        for name, said in NEW:
            sub = create_subscriber(
                session, name, contact_email=f"owner@{name.split()[0].lower()}.example.com"
            )
            new.append((issue(session, "subscriber", subscriber_id=sub.id, label="bench").token, said))
        found = {"me": me.business_name, "token": token, "others": others, "new": new}
    db.engine.dispose()
    return found


def files_under(home: Path) -> set[str]:
    return {str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and "chroma" not in p.parts}


# --- turns --------------------------------------------------------------------------------------------------
def turn(client: httpx.Client, token: str, kind: str, text: str, thread: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"message": text, "thread": thread}
    started = time.perf_counter()
    if kind != "advice":
        response = client.post("/v1/chat", json=body, headers=headers)
        reply = response.json() if response.status_code == 200 else {"reply": response.text}
        return row(kind, text, thread, time.perf_counter() - started, None, response.status_code, reply)
    first, reply, status = None, {"reply": ""}, 0
    with client.stream("POST", "/v1/chat/stream", json=body, headers=headers) as response:
        status, event = response.status_code, ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "delta" and first is None:
                if json.loads(line[6:]).get("text", "").strip():
                    first = time.perf_counter() - started
            elif line.startswith("data: ") and event == "reply":
                reply = json.loads(line[6:])
    seconds = time.perf_counter() - started
    return row(kind, text, thread, seconds, first if first is not None else seconds, status, reply)


def row(
    kind: str,
    text: str,
    thread: str,
    seconds: float,
    first: float | None,
    status: int,
    reply: dict[str, Any],
) -> dict[str, Any]:
    calls = [c.get("name") for c in reply.get("tool_calls") or []]
    shown = f"{seconds:6.1f} s" + (f" (first words {first:.1f} s)" if first is not None else "")
    print(f"  {kind:<7} {shown}  {text[:50]!r} → {calls} {str(reply.get('reply', ''))[:70]!r}", flush=True)
    return {
        "kind": kind,
        "message": text,
        "thread": thread,
        "seconds": round(seconds, 2),
        "first_words_s": round(first, 2) if first is not None else None,
        "status": status,
        "tool_calls": calls,
        "error_code": reply.get("error_code"),
        "buttons": [b.get("label") for b in reply.get("buttons") or []],
        "reply": reply.get("reply", ""),
    }


def messages(people: dict[str, Any], kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, token, text), interleaved by kind so a run cut short by the time cap still covers every kind."""
    queues = {
        "action": [(people["token"], m.format(*people["others"])) for m in ACTION],
        "advice": [(people["token"], m) for m in ADVICE],
        "chat": [(people["token"], m) for m in CHAT],
        "new": list(people["new"]),
    }
    order = [k for k in KINDS[1:] if k in kinds]
    out = []
    while any(queues[k] for k in order):
        out += [(k, *queues[k].pop(0)) for k in order if queues[k]]
    return out


def first_reply(
    home: Path, env: dict[str, str], port: int, people: dict[str, Any], label: str
) -> dict[str, Any]:
    before = files_under(home)
    with serving(home, env, port) as ready, client_for(port) as client:
        print(f"serve ({label}): answering {ready['answering_s']} s, ready {ready['time_to_ready_s']} s")
        result = turn(client, people["token"], "first", FIRST, f"bench-first-{label.split()[-1]}")
    written = sorted(f for f in files_under(home) - before if not f.startswith("serve-"))
    return {**result, "serve": label, **ready, "files_written": written}


@contextmanager
def client_for(port: int) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(660, connect=10)) as client:
        yield client


def play(home: Path, env: dict[str, str], port: int, people: dict[str, Any], plan: Plan) -> None:
    if "first" in plan.kinds:
        for label in ("fresh home", "restart"):
            plan.turns.append(first_reply(home, env, port, people, label))
    queue = messages(people, plan.kinds)
    if not queue or plan.left() <= 0:
        plan.skip(queue)
        return
    with serving(home, env, port) as ready, client_for(port) as client:
        plan.serves.append(ready)
        print(f"serve: ready {ready['time_to_ready_s']} s; {len(queue)} turns", flush=True)
        for number, (kind, token, text) in enumerate(queue):
            if plan.left() <= 0:
                plan.skip(queue[number:])
                return
            plan.turns.append(turn(client, token, kind, text, f"bench-{number}"))


def check_replies(home: Path, turns: list[dict[str, Any]]) -> None:
    """The reply check (evals/reply_check.py) on every reply, with the turn's tool errors as stored."""
    with sqlite3.connect(home / "layer8.db") as db:
        stored = db.execute(
            "SELECT c.thread_key, m.tool_calls FROM messages m JOIN conversations c"
            " ON c.id = m.conversation_id WHERE m.role = 'assistant' ORDER BY m.seq"
        ).fetchall()
    runs = {
        key.rsplit(":", 1)[-1]: [c for c in json.loads(calls or "[]") if "name" in c] for key, calls in stored
    }
    for t in turns:
        t["reply_check"] = flag_dicts(check(t["reply"], said=t["message"], runs=runs.get(t["thread"], [])))


# --- the table ---
def summarise(turns: list[dict[str, Any]], raw: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = [
        {**stats(f"first reply ({t['serve']})", [t], raw), "ready_s": t["time_to_ready_s"]}
        for t in turns
        if t["kind"] == "first"
    ]
    for kind in KINDS[1:]:
        mine = [t for t in turns if t["kind"] == kind]
        if mine:
            rows.append(stats(kind, mine, raw))
        if kind == "advice" and mine:
            rows.append(stats("advice, first words", mine, raw, key="first_words_s"))
    others = [t for t in turns if t["kind"] != "first"]
    if others:
        rows.append(stats("all but first", others, raw))
    return rows


def retable(path: Path) -> int:
    """Recompute a saved run's table from its turns (after the summary's columns change) and print it."""
    result = json.loads(path.read_text())
    result["kinds"] = summarise(result["turns"], result.get("raw"))
    result["definitions"] = DEFINITIONS
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(markdown(result["kinds"]))
    return 0


# --- main ---------------------------------------------------------------------------------------------------
def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", choices=["local", "fake"], default="local")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {','.join(KINDS)}")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-minutes", type=float, default=20.0)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument(
        "--threads", type=int, default=0, help="LAYER8_LLM_THREADS for serve (0: its default)"
    )
    parser.add_argument(
        "--raw-threads", default=f"1,{os.cpu_count() or 1}", help="thread counts for the raw speed"
    )
    parser.add_argument("--models", type=Path, default=ROOT / "var" / "models", help="where the GGUF is")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "turn_latency.json")
    parser.add_argument("--retable", type=Path, help="only recompute and print the table of a saved run")
    options = parser.parse_args(argv)
    options.kinds = tuple(k.strip() for k in options.kinds.split(",") if k.strip())
    options.raw_threads = tuple(sorted({int(n) for n in options.raw_threads.split(",") if n.strip()}))
    unknown = set(options.kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; use {','.join(KINDS)}")
    if not options.retable and not port_free(options.port):
        parser.error(f"port {options.port} is in use")
    return options


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    if options.retable:
        return retable(options.retable)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows in a log file as it happens
    plan = Plan(time.monotonic() + options.max_minutes * 60, options.kinds)
    load_before = os.getloadavg()

    raw = raw_speeds(options.models / GGUF_NAME, options.raw_threads) if options.model == "local" else None
    home = Path(tempfile.mkdtemp(prefix="layer8-bench-"))
    try:
        env = environment(home, options.model, options.threads)
        setup_s = install(home, env, options.subscribers, options.models)
        people = cast(home)
        play(home, env, options.port, people, plan)
        check_replies(home, plan.turns)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    rows = summarise(plan.turns, raw)
    print_table(rows, raw)
    flagged = sum(1 for t in plan.turns if t.get("reply_check"))
    print(f"reply check: {flagged} of {len(plan.turns)} replies flagged")
    result = {
        "benchmark": "turn_latency",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "model": options.model,
        "cpu": cpu(),
        "llm_threads": options.threads or "serve's default (LAYER8_LLM_THREADS unset)",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "max_minutes": options.max_minutes,
        "subscribers": options.subscribers,
        "setup_s": setup_s,
        "raw": raw,
        "definitions": DEFINITIONS,
        "kinds": rows,
        "skipped_by_time_cap": plan.skipped,
        "serve_for_other_turns": plan.serves,
        "reply_check_flags": flagged,
        "turns": plan.turns,
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {options.out}")
    return 0


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


if __name__ == "__main__":
    raise SystemExit(main())
