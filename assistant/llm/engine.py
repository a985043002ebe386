"""The text-completion engine under the local chat model: llama.cpp in-process, behind a small port.

``llama_cpp`` is imported only when a :class:`LlamaEngine` is built, so everything else (and the test suite)
works without llama-cpp-python installed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from assistant.llm.prefix_cache import PrefixCache
from assistant.llm.template import ChatTemplate
from network.errors import ModelUnavailable

logger = logging.getLogger(__name__)


class ContextTooLong(ModelUnavailable):
    code = "model_context_exceeded"


class Engine(Protocol):
    """Completes a rendered prompt; ``schema`` constrains the output to that JSON schema."""

    template: ChatTemplate

    def generate(
        self, prompt: str, *, max_tokens: int, schema: Mapping[str, Any] | None = None
    ) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


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
    ) -> None:
        import llama_cpp  # lazy: an optional, compiled dependency (pip install -e '.[local]')

        self._llama_cpp: Any = llama_cpp

        # n_threads explicit: on a busy 2-core box 2 threads ran 10× slower than 1 (PITFALLS)
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
        logger.info("loaded %s (threads=%d, context=%d)", path.name, n_threads, n_ctx)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenize(text))

    def generate(
        self, prompt: str, *, max_tokens: int, schema: Mapping[str, Any] | None = None
    ) -> Iterator[str]:
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
                self.cache.save()

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
