"""Deciding, token by token, which generated text can be shown now and which may be a tool call.

Prose streams to the person as it is generated; anything that may open a call (``<tool_call>``, a fence, a
leading ``{`` or ``tool_name {``) is held back until the end, where the parser decides. Pure logic, no llama.
"""

from __future__ import annotations

import re

from assistant.llm.toolcalls import could_start_call

_MARKERS = ("<tool_call>", "<tools>", "<function", "```")
_NAMED_CALL = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+\s*[({]")  # find_introductions {"need": …}


class StreamGate:
    """Feed generated pieces; get back the text that is safe to show. ``held`` is what was kept back."""

    def __init__(self) -> None:
        self._shown = ""
        self._pending = ""
        self._mode = "undecided"  # → "prose" (streaming) or "held" (maybe a call: keep everything)

    @property
    def shown(self) -> str:
        return self._shown

    @property
    def held(self) -> str:
        return self._pending

    def feed(self, piece: str) -> str:
        self._pending += piece
        if self._mode == "held":
            return ""
        if self._mode == "undecided":
            if could_start_call(self._pending):
                if self._pending.strip():
                    self._mode = "held" if _complete_opener(self._pending) else "undecided"
                return ""
            self._mode = "prose"
        return self._release()

    def _release(self) -> str:
        marker_at = min((i for i in (self._pending.find(m) for m in _MARKERS) if i >= 0), default=-1)
        if marker_at >= 0:
            self._mode = "held"
            out, self._pending = self._pending[:marker_at], self._pending[marker_at:]
        else:
            cut = len(self._pending) - _partial_marker_len(self._pending)
            out, self._pending = self._pending[:cut], self._pending[cut:]
        self._shown += out
        return out


def _complete_opener(text: str) -> bool:
    """Whether held text has committed to a call-like opening (rather than still being ambiguous)."""
    head = text.lstrip()
    if head.startswith(("{", "[")) or any(head.startswith(m) for m in _MARKERS):
        return True
    return bool(_NAMED_CALL.match(head))


def _partial_marker_len(text: str) -> int:
    """Length of the longest suffix of ``text`` that could be the start of a marker."""
    best = 0
    for marker in _MARKERS:
        for n in range(1, len(marker)):
            if text.endswith(marker[:n]):
                best = max(best, n)
    return best


def truncated(text: str, stop: list[str] | None) -> str:
    """``text`` up to the first of the ``stop`` words it holds."""
    for word in stop or []:
        if word in text:
            text = text[: text.index(word)]
    return text
