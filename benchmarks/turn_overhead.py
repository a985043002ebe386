"""Per-turn overhead of the assistant, model time excluded: storage, prompt building, tools, retrieval.

    .venv/bin/python benchmarks/turn_overhead.py [--subscribers 200] [--turns 120] [--embedder minilm|fake]
                                                [--out benchmarks/results/turn_overhead.json]

A seeded network in a fresh SQLite file, the real vector index, matcher and knowledge base (MiniLM by
default), and the scripted fake chat model, which answers in microseconds — so a turn's wall time is the
overhead a real model adds its own latency to. Turns cycle through the kinds a conversation has: small talk,
reading the profile, finding introductions for a need, a knowledge question, the network summary, and
requesting an introduction then pressing Confirm. Prints a table; target p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.llm.fake import FakeChatModel  # noqa: E402
from assistant.messages import InboundMessage, OutboundReply  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.report import cells, columns, ms, percentile, write_json  # noqa: E402
from composition.assistant import options_of, ports_of  # noqa: E402
from composition.container import Layer8, build  # noqa: E402
from network.migrate import upgrade  # noqa: E402
from network.models import ConsentKind, Subscriber  # noqa: E402
from network.services import consent  # noqa: E402
from retrieval.profiles_index import ProfileIndexer  # noqa: E402
from seeding.network import seed_network  # noqa: E402

call = FakeChatModel.call
TARGET_P95_MS = 150.0


def setup(home: Path, subscribers: int, embedder: str) -> tuple[Layer8, str]:
    settings = Settings(home=home, llm_provider="fake", embedder=embedder)
    layer8 = build(settings)
    upgrade(layer8.db)
    report = seed_network(layer8.db, subscribers, 7, tenant=settings.tenant)
    ProfileIndexer(layer8.db, layer8.index, layer8.embedder).rebuild()
    layer8.knowledge.sync()
    assert report.first_id is not None
    return layer8, report.first_id


def scripts() -> dict[str, list[Any]]:
    """One list of fake-model replies per kind of turn (a tool call is followed by the final answer)."""
    return {
        "small talk": ["Hello! How can I help?"],
        "profile": [call("get_my_profile"), "Here is your profile."],
        "find (need)": [call("find_introductions", need="flour supplier"), "Two mills can help."],
        "find (profile)": [call("find_introductions"), "Here are three businesses."],
        "knowledge": [
            call("search_knowledge", query="customers pay late, cash flow"),
            "Forecast [cash-flow].",
        ],
        "my network": [call("my_network"), "Nothing yet."],
        "request intro": [call("request_introduction", business="{target}"), "Shall I ask them?"],
    }


def run(layer8: Layer8, me: str, turns: int) -> dict[str, list[float]]:
    model = FakeChatModel(responder=lambda _: "They run a bakery in Leeds.")  # answers summarisation
    assistant = Assistant(layer8.db, model, ports_of(layer8), options_of(layer8))
    kinds = scripts()
    timings: dict[str, list[float]] = {kind: [] for kind in [*kinds, "confirm button"]}
    names = iter(_targets(layer8, me))
    for n in range(turns + len(kinds)):  # the first round warms caches and is not counted
        kind = list(kinds)[n % len(kinds)]
        target = next(names) if kind == "request intro" else ""
        model.enqueue(*[r if isinstance(r, str) else _fill(r, target) for r in kinds[kind]])
        reply, seconds = _timed(assistant, InboundMessage("web", "bench", me, text=f"{kind} {n}"))
        if n >= len(kinds):
            timings[kind].append(seconds)
        if reply.buttons:
            press = InboundMessage("web", "bench", me, action=reply.buttons[0].action)
            _, seconds = _timed(assistant, press)
            if n >= len(kinds):
                timings["confirm button"].append(seconds)
    return timings


def _fill(message: Any, target: str) -> Any:
    if not message.tool_calls:
        return message
    calls = [
        {**c, "args": {k: (target if v == "{target}" else v) for k, v in c["args"].items()}}
        for c in message.tool_calls
    ]
    return message.model_copy(update={"tool_calls": calls})


def _targets(layer8: Layer8, me: str) -> list[str]:
    with layer8.db.read() as session:
        rows = session.scalars(select(Subscriber).where(Subscriber.id != me)).all()
        ok = [s for s in rows if consent.is_granted(session, s.id, ConsentKind.CONTACTABLE)]
        names = [s.business_name for s in ok]
        return [n for n in names if names.count(n) == 1]


def _timed(assistant: Assistant, message: InboundMessage) -> tuple[OutboundReply, float]:
    start = time.perf_counter()
    reply = assistant.handle(message)
    return reply, time.perf_counter() - start


def table(timings: dict[str, list[float]]) -> dict[str, Any]:
    rows = {kind: values for kind, values in timings.items() if values}
    every = [v for values in rows.values() for v in values]
    summary: dict[str, Any] = {}
    for kind, values in [*rows.items(), ("all turns", every)]:
        summary[kind] = {
            "n": len(values),
            "p50_ms": ms(statistics.median(values)),
            "p95_ms": ms(percentile(values, 0.95)),
            "max_ms": ms(max(values)),
        }
    spec = [("turn", -16), ("n", 5), ("p50 ms", 10), ("p95 ms", 10), ("max ms", 10)]
    keys = ("n", "p50_ms", "p95_ms", "max_ms")
    print(columns(spec, ([kind, *cells(row, keys)] for kind, row in summary.items())))
    verdict = "meets" if summary["all turns"]["p95_ms"] <= TARGET_P95_MS else "MISSES"
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {verdict}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="Assistant per-turn overhead without model time.")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--turns", type=int, default=140)
    parser.add_argument("--embedder", choices=["minilm", "fake"], default="minilm")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "turn_overhead.json")
    options = parser.parse_args()
    try:
        import torch  # lazy: only the minilm run needs it, and it takes seconds to import

        torch.set_num_threads(1)
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as home:
        layer8, me = setup(Path(home), options.subscribers, options.embedder)
        try:
            timings = run(layer8, me, options.turns)
        finally:
            layer8.close()
    summary = table(timings)
    result = {
        "benchmark": "turn_overhead",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "subscribers": options.subscribers,
        "embedder": options.embedder,
        "database": "sqlite",
        "load_average": os.getloadavg(),
        "target_p95_ms": TARGET_P95_MS,
        "turns": summary,
    }
    write_json(options.out, result, indent=1)


if __name__ == "__main__":
    main()
