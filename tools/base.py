"""What every tool shares: argument models that forbid extras, the server-supplied environment, the spec.

A tool is a function ``run(env, args) -> dict`` in its own module, with a pydantic ``Args`` model whose
docstrings and field descriptions the model reads. What the model supplies (``args``) is kept apart from
what the server supplies (``env``: the acting subscriber from the verified session, the database, the
retrieval ports, and the turn's effects). Results are plain JSON-able data; :mod:`tools.registry` frames
them as data for the model.

A tool that acts also says what it did in the server's own words: its ``reply(args, data)`` gives a
:class:`Said` (a ``reply_*`` template in ``prompts/`` and its values), and the person reads that instead
of a second model call. The embedded model, asked to write that reply, was slow (a second call after every
tool) and unreliable: it apologised after tools that succeeded, spoke as the user, named tools and
contradicted the records. Only advice (``search_knowledge``) is left to the model's words.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

import prompts
from network.db import Database
from network.models import Profile, Subscriber
from tools.context import ToolContext, TurnEffects
from tools.ports import Ports

Data = dict[str, Any]


class ToolArgs(BaseModel):
    """Arguments a model may give. Extra fields are refused: the acting business is never an argument."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


A = TypeVar("A", bound=ToolArgs)


@dataclass
class ToolEnv:
    ctx: ToolContext
    db: Database
    ports: Ports
    effects: TurnEffects

    def write(self) -> Any:
        """A transaction audited as the acting subscriber."""
        return self.db.transaction(self.ctx.actor)

    def read(self) -> Any:
        return self.db.read()


@dataclass(frozen=True)
class Said:
    """The server's words for what a tool did: the template ``prompts/reply_<template>.md`` and its values."""

    template: str
    values: dict[str, object] = field(default_factory=dict)

    def render(self) -> str:
        return prompts.render(f"reply_{self.template}", **self.values)


def say(template: str, **values: object) -> Said:
    return Said(template, values)


@dataclass(frozen=True)
class ToolSpec(Generic[A]):
    name: str
    args: type[A]
    run: Callable[[ToolEnv, A], Data]
    description: str
    # the server's reply once the tool ran (None: the model answers from the data, as for advice)
    reply: Callable[[A, Data], Said] | None = None
    # what the tool does, for a reply when it could not ("log that referral")
    what: str = "do that"
    # what to say again when the call could not be understood ("with the names …")
    hint: str = "with the names (and the amount, if there is one)"

    def call(self, env: ToolEnv, raw: dict[str, Any]) -> Data:
        return self.run(env, self.args.model_validate(raw))

    def said(self, raw: dict[str, Any], data: Data) -> str | None:
        """The reply to the person for ``data``, or None when the model is to write it."""
        if self.reply is None:
            return None
        return self.reply(self.args.model_validate(raw), data).render()

    def schema(self) -> dict[str, Any]:
        """The argument schema a model is shown, without pydantic's noise (validation stays server-side).

        Every token counts on the embedded model's 4k context: titles, ``anyOf [X, null]`` and
        ``default: null`` nearly doubled the tool block. Computed once per argument model.
        """
        return copy.deepcopy(_slim_schema(self.args))


def cues(*words: str) -> dict[str, Any]:
    """``json_schema_extra`` for an optional argument the model should write only when the person's message
    has one of ``words`` (matched at a word's start, any case; :mod:`assistant.llm.said_keys`)."""
    return {"x-cues": list(words)}


# words that date something: a deal's closing day, a meeting, a follow-up
WHEN_CUES = (
    "today",
    "yesterday",
    "ago",
    "last ",
    "next ",
    "this week",
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("january", "february", "march", "april", "may ", "june", "july", "august", "september"),
    *("october", "november", "december"),
)


@cache
def _slim_schema(args: type[ToolArgs]) -> dict[str, Any]:
    schema = args.model_json_schema()
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        options = prop.get("anyOf")
        if options and {"type": "null"} in options and len(options) == 2:
            del prop["anyOf"]
            prop.update(next(o for o in options if o != {"type": "null"}))
        if "default" in prop and prop["default"] is None:
            del prop["default"]
        for bound in ("maxLength", "minLength"):
            prop.pop(bound, None)
    return {k: v for k, v in schema.items() if k in ("type", "properties", "required")}


def spec(
    name: str,
    args: type[A],
    run: Callable[[ToolEnv, A], Data],
    *,
    reply: Callable[[A, Data], Said] | None = None,
    what: str = "do that",
    hint: str | None = None,
) -> ToolSpec[A]:
    """A tool spec whose description is ``run``'s docstring (what the model reads)."""
    doc = " ".join((run.__doc__ or "").split())
    if not doc:
        raise ValueError(f"tool {name} needs a docstring: the model reads it")
    made = ToolSpec(name=name, args=args, run=run, description=doc, reply=reply, what=what)
    return made if hint is None else dataclasses.replace(made, hint=hint)


def business_card(session: Session, subscriber_id: str) -> Data:
    """Public facts about another business: never contact details (those cross only on an accepted intro)."""
    subscriber = session.get(Subscriber, subscriber_id)
    profile = session.get(Profile, subscriber_id)
    if subscriber is None:
        return {}
    card: Data = {"subscriber_id": subscriber.id, "business_name": subscriber.business_name}
    if profile is not None:
        card |= {
            "industry": profile.naics_title,
            "locality": profile.locality,
        }
    return {k: v for k, v in card.items() if v}
