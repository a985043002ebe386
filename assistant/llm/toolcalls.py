"""Finding tool calls in a small model's free text, and checking their arguments against the tool's schema.

Qwen2.5-Coder-1.5B writes a call in several shapes: the ``<tool_call>…</tool_call>`` tags its template asks
for, a ```` ```json ```` fence, the template's own ``{{"name": …}}`` example with doubled braces, or bare
JSON. Only objects naming a known tool count as calls; everything else stays text. Pure functions, no llama.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"```[ \t]*(?:json|JSON|tool_call|python)?[ \t]*\n?(.*?)```", re.DOTALL)
_NAME_KEYS = ("name", "tool", "function", "tool_name")
_ARG_KEYS = ("arguments", "parameters", "args", "input")
_OPENERS = ("<tool_call>", "<tools>", "<function", "```", "{", "[")
_MARKUP = re.compile(
    r"<(?:function|tool)(?:\s*=\s*|\s+name\s*=\s*)[\"']?([A-Za-z_][\w.-]*)[\"']?"
    r"|<([A-Za-z_]\w*)>\s*(?=\{)"
)
_MARKUP_END = re.compile(r"\s*['\"]?\s*(?:/>|>)?\s*(?:</(?:function|tool|[A-Za-z_]\w*)>)?\s*(?:</tools>)?")
_PYCALL = re.compile(r"\b([A-Za-z_]\w*)\(([^()]*)\)")
_NAMED = re.compile(r"(?<![\w.</])([A-Za-z_]\w*)[ \t]*:?[ \t]*(?=\{)")
_WORD_SO_FAR = re.compile(
    r"[a-z][a-z0-9]*(?:_[a-z0-9]*)*|[A-Z][a-z0-9]*(?:_[a-z0-9]*)+"
)  # maybe a tool name still being written
_NAME_OPENER = re.compile(r"[A-Za-z][a-z0-9]*(?:_[a-z0-9]+)+\s*(?:[({]|$)")  # (S)earch_knowledge {


@dataclass(frozen=True)
class ParsedCall:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parsed:
    """The text around the calls (``content``) and the calls themselves, in order."""

    content: str
    calls: list[ParsedCall]


def parse_tool_calls(text: str, tool_names: Collection[str]) -> Parsed:
    """Split ``text`` into prose and calls to the tools in ``tool_names``."""
    for pattern in (_TAGGED, _FENCED):
        calls, spans = _from_blocks(text, pattern, tool_names)
        if calls:
            return Parsed(_cut(text, spans), calls)
    for finder in (_from_markup, _from_named_object, _from_bare, _from_python_call):
        calls, spans = finder(text, tool_names)
        if calls:
            return Parsed(_cut(text, spans), calls)
    return Parsed(text.strip(), [])


def call_from_object(obj: Any, tool_names: Collection[str]) -> ParsedCall | None:
    """A call from one decoded object: ``{"name", "arguments"}`` and its usual variants."""
    if not isinstance(obj, Mapping):
        return None
    if isinstance(obj.get("function"), Mapping):  # OpenAI's {"type": "function", "function": {...}}
        return call_from_object(obj["function"], tool_names)
    name = next((str(obj[k]) for k in _NAME_KEYS if isinstance(obj.get(k), str)), None)
    if name is not None and name in tool_names:
        raw: Any = next((obj[k] for k in _ARG_KEYS if k in obj), {})
        args = _as_args(raw)
        return None if args is None else ParsedCall(name, args)
    if len(obj) == 1:  # {"tool_name": {...arguments}}
        ((key, value),) = obj.items()
        args = _as_args(value)
        if key in tool_names and args is not None:
            return ParsedCall(key, args)
    return None


_CALL_NAME = re.compile(r'"(?:name|tool|function)"\s*:\s*"([A-Za-z_]\w*)"')
_WRAPPING = re.compile(r"</?(?:tools|tool_call|function|tool)>|[{}\[\]\s`]")


def broken_call(text: str, tool_names: Collection[str]) -> str | None:
    """The tool a call-shaped text meant when the parser found no call in it — ``get_my_profile`` alone, or
    ``<tools>{"name": "get_my_profile", "arguments": {…`` with a brace missing — so its arguments can be
    written again under the tool's grammar. None for prose that merely mentions a tool."""
    head = text.strip().rstrip("()").strip()
    if head in tool_names:
        return head
    if not head.startswith(_OPENERS):
        return None
    named = {m.group(1) for m in _CALL_NAME.finditer(text)} & set(tool_names)
    return named.pop() if len(named) == 1 else None


def empty_call(text: str) -> bool:
    """Whether the text is only a call's wrapping with nothing inside (``<tools>\n\n</tools>``, ``{}``, or
    nothing at all): the model meant to call a tool and did not say which."""
    return not _WRAPPING.sub("", text)


def argument_errors(args: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Why ``args`` does not satisfy the tool's JSON schema (empty when it does)."""
    try:
        Draft202012Validator.check_schema(dict(schema))
    except SchemaError:  # a tool with a broken schema cannot be checked; do not block the call
        return []
    validator = Draft202012Validator(dict(schema))
    return sorted(_describe(e.path, e.message) for e in validator.iter_errors(dict(args)))


def without_invalid(args: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """``args`` less the arguments that break the schema, when what is left satisfies it; else None.

    Regenerating a whole call under grammar costs up to 256 slow tokens (on a loaded 2-core machine a new
    subscriber's first profile turn ran past the turn timeout); a call whose other arguments are fine keeps
    them, and values of the wrong type or form are dropped. An argument under a name the tool does not have
    (``city`` for ``location``) is a misnamed one: None, so that it is regenerated rather than lost."""
    properties = set((schema.get("properties") or {}).keys())
    if not set(args) <= properties:
        return None
    kept = dict(args)
    bad = {str(e.path[0]) for e in Draft202012Validator(dict(schema)).iter_errors(kept) if e.path}
    kept = {k: v for k, v in kept.items() if k not in bad}
    if not kept or argument_errors(kept, schema):
        return None
    return kept


_CALL_OPENINGS = ("<tool_call>", "<tools>", "<function", "```json", "```tool_call", "{{", '{"')


def opens_call(text: str) -> bool:
    """Whether the model's text has begun a call in one of the shapes it writes them in (``<tool_call>``,
    ``<tools>``, a json fence, the template's doubled braces, bare JSON): prose never starts so."""
    return text.lstrip().startswith(_CALL_OPENINGS)


def could_start_call(text: str) -> bool:
    """Whether streamed text may still turn into a call (then it is held back instead of shown)."""
    head = text.lstrip()
    if not head or any(m.startswith(head[: len(m)]) for m in _OPENERS):
        return True
    return bool(_WORD_SO_FAR.fullmatch(head) or _NAME_OPENER.match(head))


def _from_blocks(
    text: str, pattern: re.Pattern[str], names: Collection[str]
) -> tuple[list[ParsedCall], list[tuple[int, int]]]:
    calls, spans = [], []
    for match in pattern.finditer(text):
        found = [c for c in (call_from_object(o, names) for o in _objects(match.group(1))) if c]
        if found:
            calls.extend(found)
            spans.append(match.span())
    return calls, spans


def _from_bare(text: str, names: Collection[str]) -> tuple[list[ParsedCall], list[tuple[int, int]]]:
    calls, spans = [], []
    for start, end, obj in _scan(text):
        items = obj if isinstance(obj, list) else [obj]
        found = [c for c in (call_from_object(o, names) for o in items) if c]
        if found:
            calls.extend(found)
            spans.append((start, end))
    return calls, spans


def _from_markup(text: str, names: Collection[str]) -> tuple[list[ParsedCall], list[tuple[int, int]]]:
    """XML-ish calls, as the model writes them after reading the template's ``<tools>`` block:
    ``<function name="x" arguments='{…}'/>``, ``<function=x>{…}</function>``, ``<x>{…}</x>``."""
    calls, spans = [], []
    for match in _MARKUP.finditer(text):
        name = match.group(1) or match.group(2)
        if name not in names:
            continue
        brace = text.find("{", match.end(), match.end() + 40)
        decoded = _decode_at(text, brace) if brace >= 0 else None
        args = _as_args(decoded[1]) if decoded else {}
        if args is None:
            continue
        end = decoded[0] if decoded else match.end()
        tail = _MARKUP_END.match(text, end)
        calls.append(ParsedCall(name, args))
        spans.append((_wrapper_start(text, match.start()), tail.end() if tail else end))
    return calls, spans


def _from_named_object(text: str, names: Collection[str]) -> tuple[list[ParsedCall], list[tuple[int, int]]]:
    """``find_introductions {"need": "flour"}``: a tool's name, then its arguments as an object — the shape
    of the system prompt's worked examples, which the 1.5B model sometimes writes instead of a call."""
    calls, spans = [], []
    for match in _NAMED.finditer(text):
        name = match.group(1).lower()  # "Search_knowledge {...}" at the start of a sentence too
        if name not in names:
            continue
        decoded = _decode_at(text, match.end())
        args = _as_args(decoded[1]) if decoded else None
        if decoded is None or args is None:
            continue
        calls.append(ParsedCall(name, args))
        spans.append((match.start(), decoded[0]))
    return calls, spans


def _wrapper_start(text: str, start: int) -> int:
    """Include an opening ``<tools>`` right before the call in the span that is cut out."""
    head = text[:start].rstrip()
    return len(head) - len("<tools>") if head.endswith("<tools>") else start


def _from_python_call(text: str, names: Collection[str]) -> tuple[list[ParsedCall], list[tuple[int, int]]]:
    """``find_introductions(need="flour", location="Leeds")``: keyword arguments with literal values."""
    calls, spans = [], []
    for match in _PYCALL.finditer(text):
        if match.group(1) not in names:
            continue
        args = _keyword_literals(match.group(2))
        if args is not None:
            calls.append(ParsedCall(match.group(1), args))
            spans.append(match.span())
    return calls, spans


def _keyword_literals(source: str) -> dict[str, Any] | None:
    try:
        node = ast.parse(f"f({source})", mode="eval").body
        if not isinstance(node, ast.Call) or node.args:
            return None
        return {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _describe(path: Iterable[Any], message: str) -> str:
    where = ".".join(str(p) for p in path)
    return f"{where}: {message}" if where else message


def _objects(block: str) -> Iterator[Any]:
    """Every JSON value in a block (several calls may share one fence)."""
    for _start, _end, obj in _scan(block):
        yield from obj if isinstance(obj, list) else [obj]


def _scan(text: str) -> Iterator[tuple[int, int, Any]]:
    """Decode JSON objects and arrays found anywhere in ``text``, left to right, without overlaps."""
    i = 0
    while (i := _next_open(text, i)) >= 0:
        decoded = _decode_at(text, i)
        if decoded is None:
            i += 1
            continue
        end, obj = decoded
        yield i, end, obj
        i = end


def _next_open(text: str, start: int) -> int:
    positions = [p for p in (text.find("{", start), text.find("[", start)) if p >= 0]
    return min(positions, default=-1)


def _decode_at(text: str, i: int) -> tuple[int, Any] | None:
    decoder = json.JSONDecoder()
    try:
        obj, end = decoder.raw_decode(text, i)
        return end, obj
    except json.JSONDecodeError:
        pass
    if text.startswith("{{", i):  # the template's example doubles the braces: {{"name": …}}
        inner = _decode_at(text, i + 1)
        if inner is not None:
            end = inner[0]
            while end < len(text) and text[end] == "}":
                end += 1
            return end, inner[1]
    return _decode_python(text, i)


def _decode_python(text: str, i: int) -> tuple[int, Any] | None:
    """A Python-style dict (single quotes, True/None), tried only up to the matching closing brace."""
    end = _matching_close(text, i)
    if end is None:
        return None
    try:
        return end, ast.literal_eval(text[i:end])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _matching_close(text: str, i: int) -> int | None:
    depth, quote = 0, ""
    for j in range(i, len(text)):
        ch = text[j]
        if quote:
            quote = "" if ch == quote and text[j - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return j + 1
    return None


def _as_args(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            return None
    return dict(raw) if isinstance(raw, Mapping) else None


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
