"""The first turn of a fresh process, with and without the shared prefix's state file, beside the raw speed.

Each measurement runs in a new process (as `layer8 serve`, `ask` or `worker` would start), on a scratch
LAYER8_HOME that points at the installed GGUF:

1. ``cold``: no state file. The first turn evaluates the whole prompt (instructions, tools, session, message);
   then what `layer8 model warm` does (the prefix is already in the live state, so it only writes the file).
2. ``restored``: a new process loads the state file with the model; its first turn evaluates only the
   per-person suffix.

Prints a table and writes ``benchmarks/results/warm_start.json``. Usage::

    .venv/bin/python benchmarks/warm_start_bench.py [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from assistant.llm import build_chat_model  # noqa: E402
from assistant.prompting import prefix_variants, render_system  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from tools.registry import schema_tools  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "warm_start.json"
ASK = "Do you know a good accountant?"


def child(mode: str) -> dict[str, Any]:
    """One fresh process: load the model (and any state file), then warm or take one turn."""
    settings = Settings(_env_file=None, llm_provider="local")
    started = time.perf_counter()
    model: Any = build_chat_model(settings)
    row: dict[str, Any] = {"mode": mode, "load_s": time.perf_counter() - started}
    engine = model.engine
    system = render_system(
        business_name="Rise & Shine Bakery",
        missing=None,
        summary=None,
        operator=settings.operator_name,
        today=date.today(),
    )
    messages = [*system, HumanMessage(ASK)]
    started = time.perf_counter()
    reply = model.bind_tools(schema_tools()).invoke(messages)
    row["first_turn_s"] = time.perf_counter() - started
    row["prompt_tokens"] = reply.usage_metadata["input_tokens"]
    row["tool_calls"] = [c["name"] for c in reply.tool_calls]
    row["restored_snapshots"] = engine.cache.restored
    if mode == "cold":
        warmed = model.warm_up(prefix_variants(settings.operator_name), schema_tools())
        row.update(prefix_tokens=warmed.tokens, source=warmed.source, warm_s=warmed.seconds)
        row.update(state_bytes=warmed.state_bytes, state_file=str(warmed.path))
    row.update(raw_speed(engine))
    return row


def raw_speed(engine: Any) -> dict[str, float]:
    """Prompt and generation tokens/s on this machine, in this process, right after the turn."""
    filler = " ".join(f"item{i}" for i in range(150))
    prompt = engine.template.render([{"role": "user", "content": f"Count these: {filler}"}])
    n_prompt = engine.count_tokens(prompt)
    started = time.perf_counter()
    list(engine.generate(prompt, max_tokens=1))
    prompt_s = time.perf_counter() - started
    story = engine.template.render([{"role": "user", "content": "Write a 200-word story about a baker."}])
    list(engine.generate(story, max_tokens=1))
    first = None
    pieces = 0
    for _ in engine.generate(story + "Once", max_tokens=40):
        pieces += 1
        first = first or time.perf_counter()
    gen_s = time.perf_counter() - (first or time.perf_counter())
    return {"prompt_tok_s": n_prompt / prompt_s, "gen_tok_s": (pieces - 1) / gen_s if pieces > 1 else 0.0}


def run(mode: str, home: Path, threads: int | None) -> dict[str, Any]:
    env = {**os.environ, "LAYER8_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if threads:
        env["LAYER8_LLM_THREADS"] = str(threads)
    command = [sys.executable, __file__, "--child", mode]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def scratch_home(source: Path) -> Path:
    """A new LAYER8_HOME whose models/ is the installed one (the GGUF and its verification stamp)."""
    home = Path(tempfile.mkdtemp(prefix="layer8-warm-"))
    (home / "models").symlink_to((source / "models").resolve())
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--child", choices=["cold", "restored"])
    parser.add_argument("--threads", type=int, default=0, help="LAYER8_LLM_THREADS (default: automatic)")
    parser.add_argument("--home", type=Path, default=ROOT / "var", help="where the GGUF is installed")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    home = scratch_home(args.home)
    rows = [run(mode, home, args.threads) for mode in ("cold", "restored")]
    for row in rows:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    result = {"threads": args.threads or os.cpu_count(), "load": os.getloadavg(), "rows": rows}
    OUT.write_text(json.dumps(result, indent=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
