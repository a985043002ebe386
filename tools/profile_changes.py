"""What a profile update really changes, decided from the person's own words, never from the model's say-so.

A model asked to record "we also do wedding cakes now" tends to fill every field it is shown: the offers
become "Wedding cakes", needs and goals "none", staff 0. The server turns its values into changes:

- a placeholder ("none", "n/a", "", 0 staff) the person did not write is dropped;
- a field the person's words do not touch (no word of the value, no word about that field) is dropped;
- a text field *adds* the new items to what is there ("bread, cakes" → "bread, cakes; wedding cakes"),
  unless the person's newest message says the old text is gone ("we now only do…", "replace…");
- a value equal to the current one is no change at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from network.errors import InvalidInput
from network.models import PROFILE_TEXT_FIELDS
from network.profile_text import SEPARATOR, excerpt, merged, words
from network.services.profiles import clean_value
from tools.said import stated as said_verbatim

How = Literal["set", "added", "replaced"]
LABELS = {"naics_code": "industry", "service_radius_km": "service radius (km)", "employees": "staff"}

# values a model writes for "nothing" (compared as lower-case words)
PLACEHOLDERS = frozenset(
    [
        "",
        "none",
        "n a",
        "na",
        "nil",
        "null",
        "nothing",
        "unknown",
        "not specified",
        "not sure",
        "no",
        "tbd",
        "not applicable",
        "not mentioned",
        "not provided",
        "not stated",
        "same",
        "no change",
        "unchanged",
        "0",
    ]
)
# words in the newest message that say the old text goes ("we now only do…"); "also" keeps it
_REPLACE = re.compile(
    r"(?<!not )\b(only(?! just)|instead|replace[sd]?|replacing|no longer|any ?more|stopp?ed|stop doing|"
    r"rather than|switch(ed)?|change[sd]? (my|our|the|it)|correct(ion)?|wrong|remove|delete|"
    r"(update|set) (my|our|the) (description|offers?|needs?|goals?|ideal customers|bottlenecks?|interests?)"
    r")\b"
)
_ADD = re.compile(r"\b(also|as well|too|add(ed|ing)?|plus|another|extra|new line|expand(ed|ing)?)\b")
# a place is not added to: "we now also cover Huddersfield" is no move; only these words move a business
_MOVE = re.compile(r"\b(moved?|moving|relocat\w*|based|located|new address|now in)\b")
PLACE_FIELDS = frozenset({"locality", "country"})
# words with which people talk about a field without repeating its value
CUES: dict[str, tuple[str, ...]] = {
    "description": ("busines", "compan", "describe", "description", "about us", "we are a", "we're a"),
    "offers": (
        "offer",
        "sell",
        "make",
        "do ",
        "doing",
        "bake",
        "provid",
        "suppl",
        "servic",
        "product",
        "stock",
    ),
    "needs": ("need", "looking for", "look for", "want", "find", "short of", "running out", "supplier"),
    "ideal_customers": ("customer", "client", "sell to", "buyer", "audience", "market to"),
    "goals": ("goal", "aim", "plan", "hope", "ambition", "want to", "would like to"),
    "bottlenecks": (
        "bottleneck",
        "problem",
        "struggl",
        "hard to",
        "difficult",
        "slow",
        "short of",
        "running out",
        "can't",
        "cannot",
        "issue",
        "challenge",
        "quiet",
        "late",
    ),
    "interests": ("interest", "enjoy", "keen on", "passion"),
    "locality": ("based", "moved", "move ", "located", "locat", "relocat", "now in", "town", "city"),
    "country": ("country", "uk", "united kingdom", "britain", "england", "scotland", "wales", "ireland"),
    "service_radius_km": (" km", "kilomet", "mile", "radius", "within", "travel", "cover", "serve"),
    "employees": (
        "staff",
        "employ",
        "people",
        "team",
        "worker",
        "hire",
        "hired",
        "headcount",
        "just me",
        "on my own",
        "by myself",
        "sole trader",
    ),
    "growth_stage": (
        "startup",
        "start-up",
        "just started",
        "starting out",
        "new business",
        "launch",
        "grow",
        "expand",
        "establish",
        "mature",
        "years",
        "stage",
    ),
    "naics_code": ("industry", "naics", "sector", "category", "classif"),
}


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any
    how: How
    added: str | None = None  # the new items, when text was added to what was there
    stated: bool = False  # the value the model gave is the person's own words
    code: str | None = None  # for the industry: the NAICS code whose title ``after`` is

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field.replace("_", " "))

    def values(self) -> dict[str, Any]:
        """The profile columns this change writes."""
        if self.field == "industry":
            return {"naics_code": self.code, "naics_title": self.after}
        return {self.field: self.after}

    def shown(self) -> tuple[str | None, str]:
        """(before, after) as a person reads them: short, the added items kept in view."""
        before = excerpt(str(self.before), 60) if self.before not in (None, "") else None
        if self.added and len(str(self.after)) > 80:
            return before, f"{excerpt(str(self.before), 40)}{SEPARATOR}{excerpt(self.added, 40)}"
        return before, excerpt(str(self.after), 80)

    def to_data(self, state: str) -> dict[str, Any]:
        before, after = self.shown()
        data = {"field": self.label, "before": before, "after": after, "how": self.how, "state": state}
        return data | ({"added": excerpt(self.added, 80)} if self.added else {})


def newest(user_text: str) -> str:
    """The person's newest message (``ToolContext.user_text`` lists the recent ones, newest last)."""
    return user_text.rstrip().rsplit("\n", 1)[-1]


def replaces(user_text: str) -> bool:
    said = newest(user_text).lower()
    return bool(_REPLACE.search(said)) and not _ADD.search(said)


def plan(current: dict[str, Any], proposed: dict[str, Any], user_text: str) -> list[Change]:
    """The changes ``proposed`` makes to ``current``, keeping only what the person's words support."""
    replace = replaces(user_text)
    changes = []
    for field, value in proposed.items():
        if is_placeholder(value) and not stated(value, user_text):
            continue
        if not mentioned(field, value, user_text) or _not_a_move(field, current.get(field), user_text):
            continue
        change = _change(field, current.get(field), value, replace, stated(value, user_text))
        if change is not None:
            changes.append(change)
    return changes


def _not_a_move(field: str, before: Any, user_text: str) -> bool:
    said = newest(user_text).lower()
    return field in PLACE_FIELDS and bool(before) and bool(_ADD.search(said)) and not _MOVE.search(said)


def stated(value: Any, user_text: str) -> bool:
    """The value is the person's own words; a whole number given as 30.0 is said as "30"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return said_verbatim(value, user_text)


def all_stated(proposed: dict[str, Any], user_text: str) -> bool:
    """Every value the model gave (placeholders aside) is the person's own words, dropped ones included: a
    stated word inside a longer, invented update is not a request to change it."""
    return all(stated(v, user_text) for v in proposed.values() if not is_placeholder(v))


def is_placeholder(value: Any) -> bool:
    if isinstance(value, int | float):
        return value == 0
    return " ".join(words(str(value))) in PLACEHOLDERS


def mentioned(field: str, value: Any, user_text: str) -> bool:
    """The person spoke about this field: a word of the value, or a word people use for the field."""
    said = user_text.lower()
    if stated(value, user_text) or any(re.search(rf"\b{re.escape(c)}", said) for c in CUES.get(field, ())):
        return True
    if field in ("description", "offers", "needs", "locality"):
        return bool(set(words(str(value))) & set(words(user_text)) - _COMMON)
    return False


_COMMON = frozenset(
    words("a an and the of for to in on our we us my i me it is are be with from at by or do")
)


def _change(field: str, before: Any, value: Any, replace: bool, said: bool) -> Change | None:
    try:
        after = clean_value(field, value)
    except InvalidInput:
        return None  # a malformed value ("England" for a country code) is not worth refusing the rest
    if after is None or after == before or (isinstance(after, str) and words(after) == words(before)):
        return None
    if field not in PROFILE_TEXT_FIELDS or not before:
        return Change(field, before, after, "replaced" if before else "set", stated=said)
    if replace:
        return Change(field, before, after, "replaced", stated=said)
    combined = merged(before, after)
    if combined is None:
        return None
    kept = before.rstrip(" .;,") + SEPARATOR
    added = combined[len(kept) :] if combined.startswith(kept) else None
    return Change(field, before, combined, "added" if added else "replaced", added=added, stated=said)
