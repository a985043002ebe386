"""The text-completion engine under the local chat model: llama.cpp in-process, behind a small port.

``llama_cpp`` is imported only when a :class:`LlamaEngine` is built, so everything else (and the test suite)
works without llama-cpp-python installed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from assistant.llm.prefix_cache import PrefixCache, common_prefix, llama_cpp_module
from assistant.llm.prefix_store import PrefixStore
from assistant.llm.template import ChatTemplate
from network.errors import ModelUnavailable

logger = logging.getLogger(__name__)
# A turn's prompt is the shared prefix (a pinned snapshot) plus ~20–150 tokens of session and message; copying
# its whole KV state (~90 MB for ~3,100 tokens) after each generation took 0.15–0.8 s of the turn and saved
# only those few tokens' evaluation the next time. Only a prompt with this many tokens beyond any snapshot
# (the advice framing's own prompt, a summary) is snapshotted.
SAVE_MIN_NEW = 256


class ContextTooLong(ModelUnavailable):
    code = "model_context_exceeded"


class Engine(Protocol):
    """Completes a rendered prompt; ``schema`` constrains the output to that JSON schema. A generation holds
    the engine until it is exhausted or closed: close one before starting the next."""

    template: ChatTemplate

    def generate(
        self, prompt: str, *, max_tokens: int, schema: Mapping[str, Any] | None = None
    ) -> Generator[str, None, None]: ...

    def count_tokens(self, text: str) -> int: ...


@dataclass(frozen=True)
class Warmed:
    """What warming a shared prefix did: ``memory`` (already evaluated in this process), ``file`` (restored
    from a state file) or ``evaluated`` (computed now, and saved when a store is configured)."""

    tokens: int
    source: Literal["memory", "file", "evaluated"]
    seconds: float
    path: Path | None = None
    state_bytes: int = 0


class LlamaEngine:
    """One GGUF loaded with llama-cpp-python; calls are serialised (a llama context is not thread-safe).

    Greedy decoding (temperature 0, the default) keeps tool choice reproducible. A :class:`PrefixCache` lets
    each prompt resume from the longest prefix evaluated before, so the system prompt and tools are evaluated
    once.
    """

    def __init__(
        self,
        path: Path,
        *,
        n_threads: int,
        n_ctx: int,
        temperature: float = 0.0,
        cache_bytes: int = 512 << 20,
        store: PrefixStore | None = None,
    ) -> None:
        llama_cpp = llama_cpp_module()
        self._llama_cpp: Any = llama_cpp

        # n_threads explicit: on a busy 2-core box 2 threads ran 10× slower than 1 (2.7 vs 57 tokens/s)
        self._llm: Any = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            seed=7,
            verbose=False,
        )
        self.n_ctx = n_ctx
        self.temperature = temperature
        source = self._llm.metadata.get("tokenizer.chat_template")
        if not source:
            raise ModelUnavailable(f"{path} carries no chat template", path=str(path))
        eos = self._token_text(self._llm.token_eos())
        self.template = ChatTemplate(source, bos_token=self._token_text(self._llm.token_bos()), eos_token=eos)
        self._stop = sorted({eos, "<|im_end|>", "<|im_start|>", "<|endoftext|>"} - {""})
        self._grammars: dict[str, Any] = {}
        self.cache = PrefixCache(self._llm, capacity_bytes=cache_bytes)
        self._lock = threading.Lock()
        self.store = store
        self._stored: dict[tuple[int, ...], Path] = {}
        logger.info("loaded %s (threads=%d, context=%d)", path.name, n_threads, n_ctx)
        self._load_stored(cache_bytes // 2)

    def _load_stored(self, max_bytes: int) -> None:
        """Shared prefixes other processes (or an earlier start) evaluated: restored, not recomputed."""
        if self.store is None:
            return
        for stored in self.store.load_all(max_bytes):
            self.cache.add(stored.tokens, stored.state, pinned=True)
            self._stored[stored.tokens] = stored.path
        if self._stored:
            logger.info(
                "loaded %d evaluated prompt prefix(es) from %s", len(self._stored), self.store.directory
            )

    def warm(self, prompts: Sequence[str]) -> Warmed:
        """Make the prefix these prompts share evaluated, from memory, a state file or by evaluating it.

        Pass two renderings that differ only where per-person text starts: their common *token* prefix is
        exactly what every conversation shares. A newly evaluated prefix is written to the store and the
        store's files for any other prefix are removed (the prompt or the tools changed since).
        """
        tokens = tuple(common_prefix_of([self._tokenize(p) for p in prompts]))
        started = time.perf_counter()
        with self._lock:
            source = self._prime(tokens)
            self.cache.pin_only([tokens])
            state = self.cache.state_bytes(tokens) if tokens in self.cache else b""
        path = self._stored.get(tokens)
        if self.store is not None and path is None and state:
            path = self.store.save(tokens, state)
            self._stored[tokens] = path
        if self.store is not None:
            self.store.prune(keep=[tokens])
        seconds = time.perf_counter() - started
        logger.info("shared prompt prefix ready: %d tokens (%s, %.2f s)", len(tokens), source, seconds)
        return Warmed(len(tokens), source, seconds, path, len(state))

    def _prime(self, tokens: tuple[int, ...]) -> Literal["memory", "file", "evaluated"]:
        """Under the lock: the live state becomes exactly ``tokens``, snapshotted and pinned."""
        if not tokens:
            return "memory"
        if tokens in self.cache:
            return "file" if tokens in self._stored else "memory"
        keep = min(self.cache.restore_best(tokens), len(tokens))
        self._llm.n_tokens = keep  # eval() drops the KV cells from here on
        self._llm.eval(list(tokens[keep:]))
        self.cache.save(pinned=True)
        return "evaluated"

    def count_tokens(self, text: str) -> int:
        return len(self._tokenize(text))

    def generate(
        self, prompt: str, *, max_tokens: int, schema: Mapping[str, Any] | None = None
    ) -> Generator[str, None, None]:
        tokens = self._tokenize(prompt)
        budget = self.n_ctx - len(tokens)
        if budget < 16:
            raise ContextTooLong(
                "the conversation no longer fits the model's context window",
                context=self.n_ctx,
                prompt_tokens=len(tokens),
            )
        grammar = self._grammar(schema) if schema is not None else None
        with self._lock:
            self.cache.restore_best(tokens)
            chunks: Iterator[Any] = self._llm.create_completion(
                tokens,
                max_tokens=min(max_tokens, budget),
                temperature=self.temperature,
                stop=self._stop,
                grammar=grammar,
                stream=True,
            )
            try:
                for chunk in chunks:
                    text = chunk["choices"][0]["text"]
                    if text:
                        yield text
            finally:
                self.cache.save(min_new=SAVE_MIN_NEW)

    def option_logprobs(self, prompt: str, options: Sequence[str]) -> dict[str, float]:
        """The log-probability of each of ``options`` continuing ``prompt``, up to the token that sets it
        apart from the others (after that a tool name's tokens are all but certain).

        One decode for the prompt (resumed from the cache like a generation) and one per token that two or
        more options still share: for the 14 tool names, 4 single-token decodes (~0.1 s here).
        """
        sequences = {option: self._tokenize(prompt + option) for option in options}
        base = common_prefix_of(list(sequences.values()))
        if not base or any(len(s) == len(base) for s in sequences.values()):
            raise ValueError("each option must add at least one token to the prompt")
        with self._lock:
            keep = min(self.cache.restore_best(base), len(base) - 1)  # the last token's logits are needed
            self._llm.n_tokens = keep
            self._llm.eval(base[keep:])
            scores: dict[str, float] = {}
            self._score_branches(sequences, len(base), 0.0, scores)
        return scores

    def _score_branches(
        self, sequences: Mapping[str, Sequence[int]], depth: int, so_far: float, scores: dict[str, float]
    ) -> None:
        """Under the lock, with the live state holding ``depth`` tokens every sequence shares."""
        logprobs = _log_softmax(self._last_logits())
        groups: dict[int, dict[str, Sequence[int]]] = {}
        for option, tokens in sequences.items():
            groups.setdefault(tokens[depth], {})[option] = tokens
        for token, members in groups.items():
            score = so_far + float(logprobs[token])
            going = {o: t for o, t in members.items() if len(t) > depth + 1}
            scores.update(dict.fromkeys(set(members) - set(going), score))
            if len(going) == 1:
                scores.update(dict.fromkeys(going, score))
            elif going:
                self._llm.n_tokens = depth
                self._llm.eval([token])
                self._score_branches(going, depth + 1, score, scores)

    def _last_logits(self) -> Any:
        n_vocab = int(self._llm.n_vocab())
        pointer = self._llama_cpp.llama_get_logits(self._llm.ctx)
        return np.ctypeslib.as_array(pointer, shape=(n_vocab,)).astype(np.float64)

    def tokenize(self, text: str) -> list[int]:
        return self._tokenize(text)

    def _tokenize(self, text: str) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _grammar(self, schema: Mapping[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            grammar = self._llama_cpp.llama_grammar.LlamaGrammar
            self._grammars[key] = grammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return str(self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore"))


def _log_softmax(logits: Any) -> Any:
    shifted = logits - logits.max()
    return shifted - float(np.log(np.exp(shifted).sum()))


def common_prefix_of(sequences: Sequence[Sequence[int]]) -> list[int]:
    """The longest token prefix all ``sequences`` share."""
    if not sequences:
        return []
    first = list(sequences[0])
    return first[: min(common_prefix(first, other) for other in sequences)]
