"""Snapshots of llama.cpp's KV cache, so a prompt can resume from the longest prefix already evaluated.

llama.cpp keeps one sequence: it reuses the common prefix of the previous prompt only. The local chat model
alternates between prompts with the tools block (a user turn) and without it (the answer after a tool result),
and several subscribers share the engine; without snapshots each switch re-evaluates the ~1,000-token system
prompt and tools at ~25 tokens/s. A snapshot holds only the KV state (~28 KB a token for the 1.5B model),
not llama-cpp-python's per-token logits (``Llama.save_state`` copies up to 300 MB of them, and its
``LlamaRAMCache`` does not count them), which are recomputed anyway after a restore.
"""

from __future__ import annotations

import ctypes
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


class PrefixCache:
    """An LRU of KV snapshots of one ``llama_cpp.Llama``, bounded in bytes."""

    def __init__(self, llm: Any, capacity_bytes: int = 256 * 1024 * 1024, min_gain: int = 32) -> None:
        self._llm = llm
        self._capacity = capacity_bytes
        self._min_gain = min_gain
        self._snapshots: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._pinned: set[tuple[int, ...]] = set()  # shared prefixes: never evicted
        self.restored = 0  # how many prompts resumed from a snapshot (for benchmarks and tests)

    @property
    def size_bytes(self) -> int:
        return sum(s.llama_state_size for s in self._snapshots.values())

    def __contains__(self, tokens: Sequence[int]) -> bool:
        return tuple(tokens) in self._snapshots

    def add(self, tokens: Sequence[int], llama_state: bytes, *, pinned: bool = True) -> None:
        """Keep a state computed elsewhere (a state file) as the snapshot of exactly ``tokens``."""
        key = tuple(tokens)
        self._snapshots[key] = _state(self._llm, key, llama_state)
        if pinned:
            self._pinned.add(key)
        self._evict()

    def state_bytes(self, tokens: Sequence[int]) -> bytes:
        """The llama.cpp state of the snapshot of exactly ``tokens`` (to write it to a file)."""
        return bytes(self._snapshots[tuple(tokens)].llama_state)

    def pin_only(self, keep: Sequence[Sequence[int]]) -> None:
        """Pin exactly these snapshots; any other pinned one becomes an ordinary (evictable) entry."""
        self._pinned = {tuple(tokens) for tokens in keep} & set(self._snapshots)
        self._evict()

    def restore_best(self, tokens: Sequence[int]) -> int:
        """Load the snapshot sharing the longest prefix with ``tokens`` when it beats the live state.

        Returns the number of prompt tokens that will not need evaluating.
        """
        live = common_prefix(self._llm.input_ids[: self._llm.n_tokens].tolist(), tokens)
        best_key, best = None, live
        for key in self._snapshots:
            shared = common_prefix(key, tokens)
            if shared > best:
                best_key, best = key, shared
        if best_key is None or best - live < self._min_gain:
            return live
        self._snapshots.move_to_end(best_key)
        self._llm.load_state(self._snapshots[best_key])
        self.restored += 1
        logger.debug("restored a KV snapshot: %d of %d prompt tokens cached", best, len(tokens))
        return best

    def covered(self, tokens: Sequence[int]) -> int:
        """How many leading ``tokens`` the best snapshot already holds."""
        return max((common_prefix(key, tokens) for key in self._snapshots), default=0)

    def save(self, *, pinned: bool = False, min_new: int = 0) -> None:
        """Snapshot the live state (the last prompt and its completion), unless fewer than ``min_new`` of
        its tokens go beyond what a snapshot already holds (then restoring it would save little)."""
        n_tokens = self._llm.n_tokens
        key = tuple(self._llm.input_ids[:n_tokens].tolist())
        if pinned and key:
            self._pinned.add(key)
        if not key or key in self._snapshots:
            return
        if min_new and not pinned and len(key) - self.covered(key) < min_new:
            return
        size = int(llama_cpp_module().llama_state_get_size(self._llm.ctx))
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_cpp_module().llama_state_get_data(self._llm.ctx, buffer, size))
        self._snapshots[key] = _state(self._llm, key, bytes(buffer)[:written])
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently used unpinned snapshots until the cache fits its capacity."""
        for key in list(self._snapshots):
            if self.size_bytes <= self._capacity:
                return
            if key not in self._pinned:
                del self._snapshots[key]


def _state(llm: Any, tokens: tuple[int, ...], llama_state: bytes) -> Any:
    """A ``LlamaState`` for ``load_state``: the KV state without llama-cpp-python's per-token logits."""
    input_ids = np.zeros(llm.n_ctx(), dtype=np.intc)
    input_ids[: len(tokens)] = tokens
    return llama_cpp_module().llama.LlamaState(
        input_ids=input_ids,
        # one zero row: load_state broadcasts it over the logits, which the next decode recomputes
        scores=_zero_scores(llm),
        n_tokens=len(tokens),
        llama_state=llama_state,
        llama_state_size=len(llama_state),
        seed=0,
    )


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _zero_scores(llm: Any) -> Any:
    return np.zeros((1, llm.n_vocab()), dtype=np.single)


def llama_cpp_module() -> Any:
    """llama-cpp-python, imported on first use: the one place that imports it."""
    import llama_cpp  # lazy: an optional, compiled dependency (pip install -e '.[local]')

    return llama_cpp
