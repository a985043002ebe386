"""Where a tool's name goes in a call the model opened, and the small pure helpers the local chat model
uses to choose it (:meth:`assistant.llm.local.LocalChatModel._choose`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any


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


def without_ids(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema the grammar writes under, without optional ``…_id`` arguments: the prompt asks for names,
    and under the grammar the 1.5B model wrote an introduction id of 240 digits (256 tokens, 100 s on a busy
    machine) instead of the ``accept`` it had left out."""
    required = set(schema.get("required") or [])
    properties = {
        k: v for k, v in (schema.get("properties") or {}).items() if not k.endswith("_id") or k in required
    }
    return {**schema, "properties": properties}
