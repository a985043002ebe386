"""Canned replies for agents, kept as files in ``channels/console/replies`` (one Markdown file each: a
``# Title`` line, then the reply). An operator edits them without touching code; the conversation page offers
them by title and puts the chosen one in the reply box, where the agent can still change it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_NAME = re.compile(r"^[a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class CannedReply:
    name: str
    title: str
    text: str


@cache
def canned_replies() -> tuple[CannedReply, ...]:
    folder = resources.files("channels.console").joinpath("replies")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = entry.name.removesuffix(".md")
        if not entry.name.endswith(".md") or not _NAME.match(name):
            continue
        title, _, text = entry.read_text(encoding="utf-8").partition("\n")
        found.append(CannedReply(name, title.lstrip("# ").strip(), text.strip()))
    return tuple(found)


def canned_text(name: str | None) -> str:
    """The text of the canned reply called ``name`` ('' when there is none)."""
    return next((c.text for c in canned_replies() if c.name == name), "")
