"""Tool specs as the small model reads them: the same meaning in fewer prompt tokens.

Prompt evaluation runs at ~25 tokens/s on one busy core, and pydantic's schemas spend most of their tokens on
what the model does not need to read: ``anyOf [X, null]`` with ``default: null`` for every optional field, and
length and range bounds. The prompt gets the compact form; argument validation and the repair grammar keep
using the full schema, so no constraint is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# ``x-cues`` (assistant/llm/said_keys.py) steer which arguments are written; the model need not read them
_DROPPED = {
    "title",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "x-cues",
}


def compact_tool(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI tool spec with its parameters compacted (name and description unchanged), without its
    optional ``…_id`` arguments: tools find businesses and referrals by name, and shown an id field the 1.5B
    model filled it with an invented number ("referral_id": "12345") — tokens written for nothing."""
    function = dict(spec["function"])
    if "parameters" in function:
        function["parameters"] = without_optional_ids(compact_schema(function["parameters"]))
    return {**spec, "function": function}


def without_optional_ids(schema: Any) -> Any:
    """``schema`` without its optional ``…_id`` properties, for the prompt and for the repair grammar: the
    prompt asks for names, and under the grammar the 1.5B model wrote an introduction id of 240 digits (256
    tokens, 100 s on a busy machine) instead of the ``accept`` it had left out."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return schema
    required = set(schema.get("required") or [])
    kept = {k: v for k, v in schema["properties"].items() if not k.endswith("_id") or k in required}
    return {**schema, "properties": kept}


def compact_schema(schema: Any) -> Any:
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out = {k: compact_schema(v) for k, v in schema.items() if k not in _DROPPED}
    if out.get("default", 0) is None:
        del out["default"]
    return _unwrap_optional(out)


def _unwrap_optional(schema: dict[str, Any]) -> dict[str, Any]:
    """``{"anyOf": [X, {"type": "null"}], ...}`` → X plus the outer keys (optional per "required")."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(options) or not isinstance(kept[0], Mapping):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest}
