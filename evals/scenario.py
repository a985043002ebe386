"""Scenarios: a cast of businesses, records set up before the talk, scripted user turns, and expectations.

One JSON object per line (``evals/data/conversations.jsonl``, ``evals/data/safety.jsonl``)::

    {"id": "deal-confirmed", "flow": "deal", "title": "...",
     "cast": {"me": {"name": "Rhubarb Bakery", "profile": {...}, "consent": true},
              "bob": {"name": "Bob's Books"}},
     "setup": [{"referral": {"giver": "@bob", "receiver": "@me", "prospect": "Jane's Cafe"}}],
     "turns": [{"as": "me", "say": "We closed £2,400 ...",
                "fake": [{"tool": "record_deal", "args": {"amount": "2400"}}, {"text": "Please confirm."}]},
               {"press": "Confirm"}],
     "expect": [{"table": "deals", "where": {"receiver_id": "@me", "amount_minor": 240000}, "count": 1}]}

``fake`` holds the scripted model moves for ``--model fake`` (ignored with a real model): a tool call
``{"tool", "args"}``, several at once ``{"tools": [[name, args], ...]}``, a reply ``{"text"}``, or
``{"echo": true}`` — a reply repeating every tool result the model was shown (the worst case for leaks).
Strings ``"@alias"`` anywhere in setup, args or expectations stand for that cast member's subscriber id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Member:
    alias: str
    name: str
    profile: dict[str, Any] = field(default_factory=dict)
    consent: bool | None = True  # None: consent never asked (a new subscriber)
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Step:
    actor: str | None  # cast alias; None: the previous step's actor
    say: str | None = None
    press: str | None = None  # a button label on the last reply to this actor (or to ``source``)
    source: str | None = None  # press a button shown to someone else (a forged press)
    otherwise: str | None = None  # typed instead when that button is missing (real models)
    answer_intro: tuple[str, bool] | None = None  # (requester alias, accept?) as a button press
    intro_target: str | None = None  # whose waiting request the press answers (default: the actor's)
    fake: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    flow: str
    title: str
    cast: tuple[Member, ...]
    setup: tuple[dict[str, Any], ...]
    steps: tuple[Step, ...]
    expect: tuple[dict[str, Any], ...]
    tags: tuple[str, ...] = ()

    @property
    def first_actor(self) -> str:
        return next((s.actor for s in self.steps if s.actor), self.cast[0].alias)


def parse(raw: dict[str, Any]) -> Scenario:
    cast = tuple(
        Member(
            alias=alias,
            name=m["name"],
            profile=dict(m.get("profile") or {}),
            consent=m.get("consent", True),
            email=m.get("email"),
            phone=m.get("phone"),
        )
        for alias, m in raw["cast"].items()
    )
    return Scenario(
        id=raw["id"],
        flow=raw.get("flow", "other"),
        title=raw.get("title", raw["id"]),
        cast=cast,
        setup=tuple(raw.get("setup") or ()),
        steps=tuple(_step(s) for s in raw["turns"]),
        expect=tuple(raw.get("expect") or ()),
        tags=tuple(raw.get("tags") or ()),
    )


def _step(raw: dict[str, Any]) -> Step:
    answer = None
    if "accept_intro" in raw or "decline_intro" in raw:
        accept = "accept_intro" in raw
        answer = (str(raw["accept_intro" if accept else "decline_intro"]).lstrip("@"), accept)
    press = raw.get("press")
    default = {"Confirm": "yes", "Cancel": "no"}.get(press or "")
    return Step(
        actor=raw.get("as"),
        say=raw.get("say"),
        press=press,
        source=raw.get("from"),
        intro_target=raw.get("of"),
        otherwise=raw.get("otherwise", default),
        answer_intro=answer,
        fake=tuple(raw.get("fake") or ()),
    )


def load(path: Path) -> list[Scenario]:
    scenarios = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                scenarios.append(parse(json.loads(line)))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path.name} line {number}: {exc}") from exc
    return scenarios


def resolve(value: Any, ids: dict[str, str]) -> Any:
    """Replace ``"@alias"`` strings (at any depth) with subscriber ids."""
    if isinstance(value, str) and value.startswith("@") and value[1:] in ids:
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, ids) for v in value]
    return value
