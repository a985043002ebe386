"""The machine and the raw speed of a GGUF (prompt and generation tokens/s), measured beside every latency
figure: machines of this kind differ in CPU (AVX-512 or not) by 3–5× in model speed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant.llm.prefix_cache import llama_cpp_module  # noqa: E402


def cpu() -> dict[str, Any]:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = next(
        (line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []
    )
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line), "?")
    return {
        "model": name,
        "cpus": os.cpu_count(),
        "avx2": "avx2" in flags,
        "avx512": any(f.startswith("avx512") for f in flags),
        "avx512_flags": sorted(f for f in flags if f.startswith("avx512")),
    }


def raw_speed(gguf: Path, threads: int) -> dict[str, Any]:
    """Prompt and generation speed of the GGUF itself: no template, no cache, greedy argmax by hand."""
    llm: Any = llama_cpp_module().Llama(
        str(gguf), n_ctx=2048, n_threads=threads, n_threads_batch=threads, n_batch=512, verbose=False
    )
    filler = " ".join(f"{word} {n}" for n, word in enumerate(["bread", "flour", "oven", "till"] * 150))
    prompt = llm.tokenize(f"Summarise this stock list: {filler}".encode())[:500]
    llm.reset()
    started = time.perf_counter()
    llm.eval(prompt)
    prompt_s = time.perf_counter() - started
    vocab = llm.n_vocab()
    started = time.perf_counter()
    for _ in range(64):  # every token evaluated, end-of-text or not: the cost per token is what is measured
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(vocab,))  # the last token's
        llm.eval([int(np.argmax(logits))])
    gen_s = time.perf_counter() - started
    del llm
    return {
        "threads": threads,
        "prompt_tokens": len(prompt),
        "prompt_tokens_per_s": round(len(prompt) / prompt_s, 1),
        "generated_tokens": 64,
        "generated_tokens_per_s": round(64 / gen_s, 1),
    }


def raw_speeds(gguf: Path, threads: tuple[int, ...]) -> dict[str, Any]:
    runs = [raw_speed(gguf, n) for n in threads]
    best = {  # the best each speed reached, whatever the thread count (a busy box can favour 1 thread)
        "prompt_tokens_per_s": max(r["prompt_tokens_per_s"] for r in runs),
        "generated_tokens_per_s": max(r["generated_tokens_per_s"] for r in runs),
    }
    reference = 100 / best["prompt_tokens_per_s"] + 20 / best["generated_tokens_per_s"]
    for run in runs:
        print(
            f"raw model, {run['threads']} thread(s): prompt {run['prompt_tokens_per_s']} tok/s "
            f"({run['prompt_tokens']} tokens), generation {run['generated_tokens_per_s']} tok/s"
        )
    return {"by_threads": runs, "best": best, "reference_s": round(reference, 3)}
