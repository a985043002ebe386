"""Where a tool's name goes in a call the model opened, and the small pure helpers the local chat model
uses to choose it (:meth:`assistant.llm.local.LocalChatModel._choose`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping


def normalised(logprobs: Mapping[str, float]) -> dict[str, float]:
    """Log-probabilities renormalised over the given options."""
    top = max(logprobs.values())
    total = top + math.log(sum(math.exp(v - top) for v in logprobs.values()))
    return {k: v - total for k, v in logprobs.items()}


_NAME_SLOT = re.compile(r'"name"\s*:\s*"[A-Za-z_]*$')
_SLOT_WITHIN = 48  # characters of an opened call by which its name has begun (else: parsed as written)


def name_slot(text: str) -> str | None:
    """``text`` up to the opening quote of the name, once an opened call has reached its name."""
    match = _NAME_SLOT.search(text) if len(text) <= _SLOT_WITHIN else None
    if match is None:
        return None
    return text[: match.start()] + match.group()[: match.group().rindex('"') + 1]
