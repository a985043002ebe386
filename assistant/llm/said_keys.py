"""Which arguments a call may carry: those the person's words speak to.

A tool may mark an optional argument with ``x-cues`` in its JSON schema: words people use when they mean it
("looking for" for a profile's needs). Such an argument is written only when the person's message has one of
its cues; the others are left to the tool's defaults. Arguments without cues are the model's to write.

Why: shown twelve optional profile fields, the 1.5B model wrote all of them for "we started doing vegan cakes
too" (a description, needs "van", employees 10, an industry code): ~100 generated tokens, 5–7 s of an action
turn, for values the server then had to throw away — and the offers it was asked for came out as "cakes".
The cues are dropped from the prompt (:mod:`assistant.llm.toolspec`), so the shared prefix is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CUES = "x-cues"
_ARGUMENTS = re.compile(r'"(?:arguments|parameters)"\s*:\s*\{')


@dataclass(frozen=True)
class Said:
    """``wanted``: required arguments and those whose cues the person used, in the schema's order;
    ``allowed``: those plus every argument without cues."""

    wanted: tuple[str, ...]
    allowed: frozenset[str]
    required: tuple[str, ...] = ()

    def kept(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Only the allowed arguments of a call (all of them when none would be left)."""
        kept = {k: v for k, v in args.items() if k in self.allowed}
        return kept if kept else dict(args)

    def instead(self, before: Sequence[Key], score: Callable[[list[str]], Mapping[str, float]]) -> str | None:
        """The key to write in place of one the person did not speak to, after the keys ``before``: a
        required one still missing; for the first key, the spoken one ``score`` (the model's log-probability
        of each ``key"`` there; empty when it cannot score) finds likeliest; else none (the call ends)."""
        done = {k.name for k in before}
        missing = [k for k in self.required if k not in done]
        if missing or before:
            return missing[0] if missing else None
        options = list(self.wanted)
        scored = score([f'{k}"' for k in options]) if len(options) > 1 else {}
        if not scored:
            return options[0] if options else None
        return max(options, key=lambda k: scored[f'{k}"'])

    def only(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """``schema`` with only the allowed properties (for the repair grammar)."""
        properties = schema.get("properties") or {}
        return {**schema, "properties": {k: v for k, v in properties.items() if k in self.allowed}}


def said_keys(parameters: Mapping[str, Any], asked: str) -> Said | None:
    """What ``asked`` lets a call write; None when the schema marks no cues, or when every argument has
    cues and the person used none of them (then the model decides, as before)."""
    properties: Mapping[str, Any] = parameters.get("properties") or {}
    cued = {k for k, p in properties.items() if isinstance(p, Mapping) and CUES in p}
    if not cued:
        return None
    said = asked.lower()
    required = set(parameters.get("required") or [])
    heard = {k for k in cued if _used(properties[k][CUES], said)}
    if not heard and cued == properties.keys():
        return None
    wanted = tuple(k for k in properties if k in required or k in heard)
    kept = frozenset(wanted) | (properties.keys() - cued)
    return Said(wanted, kept, tuple(k for k in properties if k in required))


def _used(cues: Sequence[str], said: str) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(c)}", said) for c in cues)


@dataclass(frozen=True)
class Key:
    name: str
    quote_at: int  # the key's opening quote
    after_at: int  # the ``{`` or ``,`` before it: the arguments end here when this key is dropped


def keys_written(text: str) -> list[Key]:
    """The keys of a call's arguments object written so far in ``text``, each once its closing quote is
    written (a tiny JSON scan: strings, escapes and nesting)."""
    opened = _ARGUMENTS.search(text)
    if opened is None:
        return []
    keys: list[Key] = []
    depth, in_string, escaped, expecting = 1, False, False, True
    start, after = 0, opened.end() - 1
    for i in range(opened.end(), len(text)):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
                if depth == 1 and expecting:
                    keys.append(Key(text[start + 1 : i], start, after))
                    expecting = False
        elif c == '"':
            in_string, start = True, i
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            after, expecting = i, True
    return keys
