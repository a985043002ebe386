"""The explicit registry of the assistant's tools, and LangChain tools bound to one turn's server context.

The names are a contract (evals and operators rely on them). ``build_tools(env)`` closes each tool over the
server-side :class:`~tools.base.ToolEnv`, so the only thing a model controls is the validated ``Args``.
Results reach the model framed as *data* (``prompts/tool_result.md``); errors as a sentence it can pass on.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ValidationError

import prompts
from network.errors import Layer8Error
from network.outage import is_transient
from tools import (
    classify_industry,
    find_events,
    find_introductions,
    get_my_profile,
    handoff_to_human,
    log_referral,
    my_network,
    phrases,
    record_deal,
    request_introduction,
    respond_to_introduction,
    rsvp_event,
    search_knowledge,
    update_my_profile,
    update_referral,
)
from tools.base import Data, ToolEnv, ToolSpec

logger = logging.getLogger(__name__)
_TECHNICAL = re.compile(r"'[a-z]{2,5}_[0-9a-f]{8,}'|^not an amount\b|^unknown currency\b", re.IGNORECASE)

SPECS: tuple[ToolSpec[Any], ...] = (
    get_my_profile.SPEC,
    update_my_profile.SPEC,
    classify_industry.SPEC,
    find_introductions.SPEC,
    request_introduction.SPEC,
    respond_to_introduction.SPEC,
    log_referral.SPEC,
    update_referral.SPEC,
    record_deal.SPEC,
    my_network.SPEC,
    find_events.SPEC,
    rsvp_event.SPEC,
    search_knowledge.SPEC,
    handoff_to_human.SPEC,
)
NAMES = tuple(s.name for s in SPECS)
BY_NAME = {s.name: s for s in SPECS}


def frame(name: str, data: Data) -> str:
    """A tool result as fenced data; fence markers inside the data cannot close the fence early."""
    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    text = text.replace("<data>", "‹data›").replace("</data>", "‹/data›")
    return prompts.render("tool_result", tool=name, data=text)


def failure(name: str, code: str, message: str) -> str:
    return prompts.render("tool_error", tool=name, code=code, message=message)


def invalid_arguments(name: str, error: ValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors()[:5]
    )
    return prompts.render("tool_invalid_args", tool=name, problems=problems)


def unknown_tool(name: str) -> str:
    return prompts.render("tool_unknown", tool=name[:60], available=", ".join(NAMES))


def failed_reply(name: str, code: str, message: str | None = None) -> str:
    """The server's words when tool ``name`` could not do its job: what it tried, and why in plain words."""
    what = BY_NAME[name].what if name in BY_NAME else "do that"
    if code == "unknown_tool":
        return prompts.render("reply_not_possible")
    if code == "invalid_arguments":
        hint = BY_NAME[name].hint if name in BY_NAME else ToolSpec.hint
        return prompts.render("reply_unclear", what=what, hint=hint)
    if code in ("unavailable", "internal_error"):
        return prompts.render("reply_broken", what=what)
    # a message with a record id or a parser's wording ("not an amount: ''") is not for a person
    reason = "" if _TECHNICAL.search(message or "") else (message or "").strip()
    reason = reason or phrases.error_words(code)
    return prompts.render("reply_failed", what=what, reason=reason if reason[-1] in ".?!" else f"{reason}.")


def execute(spec: ToolSpec[Any], env: ToolEnv, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Run one tool: the content for the model, and an artifact for the server — the data or the error,
    with the reply the person reads when the tool speaks for itself (``reply``)."""
    try:
        data = spec.call(env, raw)
    except ValidationError as exc:
        return invalid_arguments(spec.name, exc), _failed(spec, "invalid_arguments")
    except Layer8Error as exc:
        return failure(spec.name, exc.code, exc.message), _failed(spec, exc.code, exc.message)
    except LookupError as exc:  # a retrieval part that is not configured on this installation
        logger.warning("tool %s unavailable: %s", spec.name, exc)
        message = "this feature is not available right now"
        return failure(spec.name, "unavailable", message), _failed(spec, "unavailable")
    except Exception as exc:
        if is_transient(exc):  # the records are unreachable for now: not the tool's failure, the turn's
            raise
        logger.exception("tool %s failed", spec.name)
        return failure(spec.name, "internal_error", "the tool failed"), _failed(spec, "internal_error")
    artifact: dict[str, Any] = {"data": data}
    said = spec.said(raw, data)
    if said is not None:
        artifact["reply"] = said
    return frame(spec.name, data), artifact


def _failed(spec: ToolSpec[Any], code: str, message: str | None = None) -> dict[str, Any]:
    artifact: dict[str, Any] = {"error": code}
    if message is not None:
        artifact["message"] = message
    if spec.reply is not None:
        artifact["reply"] = failed_reply(spec.name, code, message)
    return artifact


def _bind(spec: ToolSpec[Any], env: ToolEnv) -> BaseTool:
    def call(**kwargs: Any) -> tuple[str, dict[str, Any]]:
        return execute(spec, env, kwargs)

    def on_invalid(error: ValidationError) -> str:
        return invalid_arguments(spec.name, error)

    return StructuredTool.from_function(
        func=call,
        name=spec.name,
        description=spec.description,
        args_schema=spec.schema(),  # validated by spec.call with the pydantic model (extra="forbid")
        response_format="content_and_artifact",
        handle_validation_error=on_invalid,
    )


def build_tools(env: ToolEnv, names: tuple[str, ...] = NAMES) -> list[BaseTool]:
    """LangChain tools for one turn, bound to that turn's server-side context."""
    return [_bind(BY_NAME[name], env) for name in names]


def schema_tools(names: tuple[str, ...] = NAMES) -> list[BaseTool]:
    """The same tools for offline scoring: their schemas are offered to a model, nothing can run."""

    def refuse(**_: Any) -> tuple[str, dict[str, Any]]:
        raise RuntimeError("schema-only tool: evals score the call, they never execute it")

    return [
        StructuredTool.from_function(
            func=refuse,
            name=name,
            description=BY_NAME[name].description,
            args_schema=BY_NAME[name].schema(),
            response_format="content_and_artifact",
        )
        for name in names
    ]
