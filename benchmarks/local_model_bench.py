"""The embedded model on this machine: load time, RAM, prompt and generation speed, latency per turn.

    .venv/bin/python benchmarks/local_model_bench.py [--threads 1] [--out benchmarks/results/local_model.json]

Turns use the real system prompt (prompts/system.md) and the real 12 tool schemas, in the order a chat has
them: a cold first turn (tool call), the answer after a tool result (tools not offered), a later turn of the
same person (prefix cache), then new people's first turns (the shared instructions come from the prefix
cache; their session text and the tools block are evaluated). Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage  # noqa: E402

from assistant.llm import build_chat_model  # noqa: E402
from assistant.llm.local import LocalChatModel  # noqa: E402
from assistant.prompting import render_system  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tools.registry import frame, schema_tools  # noqa: E402

DAY = date(2026, 11, 26)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def system_for(business: str) -> list[SystemMessage]:
    """The production system prompt (shared instructions, then this person's session)."""
    return render_system(
        business_name=business, missing=None, summary=None, operator="Northwind Telecom", today=DAY
    )


def raw_speeds(model: LocalChatModel) -> dict[str, float]:
    engine = model.engine
    filler = " ".join(f"item{i}" for i in range(400))
    prompt = engine.template.render([{"role": "user", "content": f"Count these: {filler}"}])
    n_prompt = engine.count_tokens(prompt)
    _, prompt_s = timed(lambda: list(engine.generate(prompt, max_tokens=1)))
    story = engine.template.render([{"role": "user", "content": "Write a 300-word story about a baker."}])
    list(engine.generate(story, max_tokens=1))  # evaluate the prompt first
    start = time.perf_counter()
    first = None
    pieces = 0
    for _ in engine.generate(story + "Once", max_tokens=128):
        pieces += 1
        first = first or time.perf_counter()
    gen_s = time.perf_counter() - (first or start)
    return {
        "prompt_tokens": n_prompt,
        "prompt_tokens_per_s": round(n_prompt / prompt_s, 1),
        "generated_tokens": pieces,
        "generated_tokens_per_s": round((pieces - 1) / gen_s, 1) if pieces > 1 else 0.0,
    }


def turn(model: LocalChatModel, label: str, history: list[BaseMessage], tools: list[Any]) -> dict[str, Any]:
    reply, seconds = timed(lambda: model.bind_tools(tools).invoke(history))
    usage = reply.usage_metadata or {}
    row = {
        "turn": label,
        "seconds": round(seconds, 2),
        "prompt_tokens": usage.get("input_tokens"),
        "output_tokens": usage.get("output_tokens"),
        "tool_calls": [(c["name"], c["args"]) for c in reply.tool_calls],
        "text": reply.text[:120],
    }
    shown = row["tool_calls"] or row["text"]
    print(f"  {label:<34} {seconds:6.1f} s  prompt {row['prompt_tokens']:>5}  {shown!r}")
    return {"row": row, "reply": reply}


def conversation(model: LocalChatModel) -> list[dict[str, Any]]:
    tools = schema_tools()
    bakery = system_for("Rise & Shine Bakery")
    ask = HumanMessage("I run a bakery in Leeds and need a reliable flour supplier")
    first = turn(model, "1 first turn (cold, tools)", [*bakery, ask], tools)
    call = first["reply"].tool_calls[0] if first["reply"].tool_calls else None
    history: list[BaseMessage] = [*bakery, ask]
    if call:
        data = {
            "matches": [{"business": "Pennine Mills", "offers": "stone-ground flour", "why": "8 km away"}]
        }
        history += [
            AIMessage("", tool_calls=[call]),
            ToolMessage(frame(call["name"], data), tool_call_id=call["id"], name=call["name"]),
        ]
    answer = turn(model, "2 answer after tool result", history, tools)
    history += [
        answer["reply"],
        HumanMessage("Thanks. I referred Mrs Patel to Pennine Mills, please log it."),
    ]
    later = turn(model, "3 same person, next turn", history, tools)
    rows = [t["row"] for t in (first, answer, later)]
    # new people: the shared instructions resume from the prompt cache; their session text and the tools
    # block after it are evaluated once, then cached for their later turns
    for n, (business, said) in enumerate([("Patel Plumbing", "hello!"), ("Leeds Florist", "Who are you?")]):
        rows.append(
            turn(
                model, f"{4 + n} new person, first turn", [*system_for(business), HumanMessage(said)], tools
            )["row"]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--home", default=os.environ.get("LAYER8_HOME", str(ROOT / "var")))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "local_model.json"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    settings = Settings(home=Path(args.home), llm_provider="local", llm_threads=args.threads)
    model, load_s = timed(lambda: build_chat_model(settings))
    assert isinstance(model, LocalChatModel)
    print(f"loaded in {load_s:.1f} s, RSS {rss_mb():.0f} MB, load average {load_before:.1f}")
    speeds = raw_speeds(model)
    print(
        f"  prompt {speeds['prompt_tokens_per_s']} tok/s, generation {speeds['generated_tokens_per_s']} tok/s"
    )
    turns = conversation(model)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "load_seconds": round(load_s, 2),
        "rss_mb": round(rss_mb()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **speeds,
        "turns": turns,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "turns"}, indent=1))


if __name__ == "__main__":
    main()
