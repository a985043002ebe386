"""The reply check: words a subscriber should never read, found deterministically in one turn's reply.

``check(reply, said=..., runs=..., records=...)`` returns a :class:`Flag` for each of these:

* ``names_tool`` — a tool's name in any case (``Search_knowledge``), or tool jargon: "the find introductions
  tool", "the get_referrals function", "a tool call";
* ``speaks_as_user`` — the reply says, in the first person, what the user said about their own business
  ("We now employ 14 people.", "We won the Tom's Garage job …"), or speaks as the person being helped
  ("I have been handed off to a support agent.", "our bakery");
* ``third_person`` — the reply talks about the person it is talking to: "The person can ask for …";
* ``apology_after_success`` — "Sorry, I couldn't put an answer together" and the like after a turn whose tools
  all ran without an error (saying nothing was found is not an apology);
* ``contradicts_records`` — "your profile is incomplete" / "you need to add your description" when the
  profile has it, "you have no referrals" / "no deals yet" when the records have some.

It reads the reply without text in quotes and without the server's own listing of profile values (what the
person wrote, e.g. "description: We bake sourdough"), so quoting the person is never speaking as them; a tool
result pasted whole in its frame (the fake model's ``echo`` move) is data, judged by the leak check, not
prose. A record contradiction counts only when every :class:`Records` snapshot given (before and after the
turn) says so, so a turn that changed the records is never judged against the wrong moment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from assistant import shown
from assistant.onboarding import missing
from network.models import Deal, Profile, Referral, Subscriber
from tools.registry import NAMES

KINDS = ("names_tool", "speaks_as_user", "third_person", "apology_after_success", "contradicts_records")


@dataclass(frozen=True)
class Flag:
    kind: str
    evidence: str


@dataclass(frozen=True)
class Records:
    """What the records say about the person at one moment."""

    filled: frozenset[str]  # profile fields with a value, plus business_name
    missing: tuple[str, ...]  # onboarding topics with no value (assistant.onboarding.missing)
    referrals: int  # given or received
    deals: int  # as receiver or giver


def records_of(session: Session, subscriber_id: str) -> Records:
    profile = session.get(Profile, subscriber_id)
    subscriber = session.get(Subscriber, subscriber_id)
    filled = {f for f in FIELD_WORDS if profile is not None and getattr(profile, f, None) not in (None, "")}
    if subscriber is not None and subscriber.business_name:
        filled.add("business_name")
    referrals = session.scalar(
        select(func.count(Referral.id)).where(
            or_(Referral.giver_id == subscriber_id, Referral.receiver_id == subscriber_id)
        )
    )
    deals = session.scalar(
        select(func.count(Deal.id)).where(
            or_(Deal.giver_id == subscriber_id, Deal.receiver_id == subscriber_id)
        )
    )
    return Records(frozenset(filled), tuple(missing(profile)), int(referrals or 0), int(deals or 0))


def check(
    reply: str,
    *,
    said: str = "",
    runs: Sequence[Mapping[str, Any]] = (),
    records: Sequence[Records] = (),
) -> list[Flag]:
    """Every flag for one reply. ``said``: what the person wrote this turn; ``runs``: this turn's tool runs
    (``{"name", "error"?}``); ``records``: snapshots of the person's records around the turn."""
    reply = _FRAME.sub(" ", reply)
    plain = _plain(reply)
    flags = _names_tool(reply) + _speaks_as_user(plain, said) + _third_person(plain)
    flags += _apology_after_success(plain, runs)
    if shown.echoes_instructions(reply):
        flags.append(Flag("echoes_instructions", reply[:80]))
    if records:
        flags += _contradicts(plain, records)
    return flags


def flag_dicts(flags: Sequence[Flag]) -> list[dict[str, str]]:
    return [asdict(f) for f in flags]


def listing(
    case: str, turn: int, said: str, reply: str, flags: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    """One row of a suite's "reply check" table (a flagged reply, with what was said before it)."""
    found = "; ".join(f"{f['kind']}: {f['evidence']}" for f in flags)
    return {"case": case, "turn": turn, "said": said[:300], "reply": reply[:700], "flags": found}


# --- text preparation ---------------------------------------------------------------------------------------
# a tool result pasted whole (prompts/tool_result.md; the fake model's worst-case ``echo``): data, not prose
_FRAME = re.compile(
    r"Result of \w+ \(data, not instructions\):\s*<data>.*?</data>(?:\s*Answer the person[^\n]*)?", re.S
)
_QUOTED = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"|«[^»\n]*»|‘[^’\n]*’(?!\w)")
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "description": ("description", "describe what you do"),
    "offers": ("offers", "what you offer", "products", "services"),
    "needs": ("needs", "what you need"),
    "ideal_customers": ("ideal customers", "ideal customer", "target customers"),
    "bottlenecks": ("bottlenecks", "challenges"),
    "goals": ("goals",),
    "interests": ("interests",),
    "locality": ("location", "locality", "town", "city", "where you are based"),
    "region": ("region",),
    "employees": ("employees", "number of employees", "staff numbers", "team size", "headcount"),
    "naics_code": ("industry", "industry code", "naics code", "naics"),
    "languages": ("languages",),
    "business_name": ("business name", "company name", "name of your business"),
}
_LISTED = re.compile(
    r"(?im)(?:^please confirm:.*$)|(?:^.*→.*$)|(?:^\s*[-•*]\s*[^:\n]{1,40}:.*$)|"
    r"\b(?:description|offers|needs|goals|ideal[ _]customers|bottlenecks|interests|locality|region|"
    r"employees|languages|industry|growth[ _]stage)\s*:[^;\n]*"
)


def _plain(reply: str) -> str:
    """The reply without quoted text and without the server's listing of the person's own values."""
    return _LISTED.sub(" ", _QUOTED.sub(" ", reply))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9£€$]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


# --- names a tool -------------------------------------------------------------------------------------------
_NAME = re.compile(rf"\b(?:{'|'.join(NAMES)})\b", re.IGNORECASE)
_SPACED = "|".join(n.replace("_", r"[ -]") for n in NAMES)
_JARGON = re.compile(
    rf"\b(?:{_SPACED})\s+(?:tool|function)s?\b|\b[a-z]+(?:_[a-z]+)+\s+(?:tool|function)s?\b|"
    r"\b(?:tool|function)[ -]calls?\b|\b(?:call|calling|invoke|invoking)\s+(?:the|a|this|that)\s+"
    r"(?:[\w-]+\s+){0,2}(?:tool|function)s?\b",
    re.IGNORECASE,
)


def _names_tool(reply: str) -> list[Flag]:
    found = _NAME.search(reply) or _JARGON.search(reply)
    return [Flag("names_tool", found.group(0))] if found else []


# --- speaks as the user -------------------------------------------------------------------------------------
_FIRST_PERSON = {"i", "we", "our", "my", "i'm", "we're", "i've", "we've", "i'd", "we'd"}
_SECOND_PERSON = {"you", "your", "yours", "you're", "you've", "you'll", "you'd"}
_AS_USER = re.compile(
    r"\bI(?:\s+have|'ve|\s+had)?\s+(?:just\s+)?(?:been|got|get)\s+"
    r"(?:handed|passed|transferred|put through)\b|"
    r"\bI\s+was\s+(?:handed|passed|transferred)\b|"
    r"\bwe\s+(?:now\s+|also\s+|currently\s+|recently\s+|just\s+)?(?:employ|have\s+hired|hired|won|closed|signed|"
    r"referred)\b|"
    r"\bwe\s+(?:now\s+|also\s+)?have\s+\d+\s+(?:people|staff|employees|workers)\b|"
    # not "I won't"
    r"\bI\s+(?:referred|won|closed|signed|employ|hired|sell|bake|own\s+(?:a|an|the|my|our))\b(?!['’])|"
    r"\b(?:my|our)\s+(?:business|company|shop|firm|bakery|salon|restaurant|café|cafe|store|staff|employees|"
    r"workforce|turnover|revenue|invoices|clients|profile)\b(?!\s+(?:network|playbooks?))",
    re.IGNORECASE,
)


def _speaks_as_user(plain: str, said: str) -> list[Flag]:
    heard = set(_tokens(said))
    for sentence in _sentences(plain):
        if _AS_USER.search(sentence) or _echoes(_tokens(sentence), heard):
            return [Flag("speaks_as_user", sentence[:200])]
    return []


def _echoes(words: list[str], heard: set[str]) -> bool:
    """A first-person sentence, not addressed to the person, made of the person's own words."""
    if len(words) < 4 or words[0] not in _FIRST_PERSON or _SECOND_PERSON & set(words):
        return False
    if not heard & _FIRST_PERSON:
        return False
    return sum(w in heard for w in words) / len(words) >= 0.8


_THIRD_PERSON = re.compile(
    r"\bthe\s+(?:person|user|subscriber)\s+(?:can|could|should|has|is|wants|needs|may|might|would|will|must|can't|cannot|couldn't|"
    r"doesn't|didn't|isn't|hasn't|asked|said)\b",
    re.IGNORECASE,
)


def _third_person(plain: str) -> list[Flag]:
    found = _THIRD_PERSON.search(plain)
    return [Flag("third_person", found.group(0))] if found else []


# --- apologises after a tool that worked --------------------------------------------------------------------
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)
_FAILURE = re.compile(
    r"\b(?:couldn't|could not|can't|cannot|unable|wasn't able|was not able|went wrong|an error|a problem|"
    r"rephrase|try again|didn't work|did not work|failed|taking too long)\b",
    re.IGNORECASE,
)
_NOTHING_FOUND = re.compile(
    r"\b(?:couldn't|could not|can't|cannot|didn't|did not|wasn't able to|was unable to)\s+find\s+"
    r"(?:any|anyone|anybody|anything|a match|matches|someone|somebody|a business|businesses)\b",
    re.IGNORECASE,
)


def _apology_after_success(plain: str, runs: Sequence[Mapping[str, Any]]) -> list[Flag]:
    if not runs or any(r.get("error") for r in runs):
        return []
    for sentence in _sentences(plain):
        if _APOLOGY.search(sentence) and _FAILURE.search(sentence) and not _NOTHING_FOUND.search(sentence):
            names = ", ".join(str(r.get("name")) for r in runs)
            return [Flag("apology_after_success", f"{sentence[:160]} (after {names})")]
    return []


# --- states what the records contradict ---------------------------------------------------------------------
_INCOMPLETE = re.compile(r"\bprofile\s+(?:is|looks|seems)\s+(?:still\s+)?(?:incomplete|not complete)\b", re.I)
_ASKS_TO_ADD = re.compile(
    r"\b(?:you\s+(?:still\s+)?need\s+to|please|you\s+should|you\s+haven't|you\s+have\s+not)\s+(?:add|provide|"
    r"fill\s+in|complete|set|added|provided|filled\s+in)\b|\bmissing\s+from\s+your\s+profile\b|"
    r"\byour\s+profile\s+(?:is\s+)?(?:missing|lacks|doesn't\s+have|does\s+not\s+have)\b",
    re.IGNORECASE,
)
_AFTER = r"yet|so far|on record|recorded|logged|at the moment|right now|at all|and|or"
_END = rf"(?=\s*(?:[.,!;:?]|$)|\s+(?:{_AFTER})\b)"
_NONE_OF = re.compile(
    rf"\b(?:no|not\s+any|zero|0)\s+(referrals?|deals?){_END}|"
    rf"\byou\s+(?:haven't|have\s+not|don't\s+have|do\s+not\s+have)\s+(?:\w+\s+)?any\s+(referrals?|deals?){_END}",
    re.IGNORECASE,
)


def _contradicts(plain: str, records: Sequence[Records]) -> list[Flag]:
    for sentence in _sentences(plain):
        if _INCOMPLETE.search(sentence) and all(not r.missing for r in records):
            return [Flag("contradicts_records", f"{sentence[:160]} (nothing is missing)")]
        if _ASKS_TO_ADD.search(sentence):
            have = [f for f in _fields_named(sentence) if all(f in r.filled for r in records)]
            if have:
                return [Flag("contradicts_records", f"{sentence[:160]} (on record: {', '.join(have)})")]
        found = _NONE_OF.search(sentence)
        if found:
            what = (found.group(1) or found.group(2)).lower()
            count = min(r.referrals if what.startswith("referral") else r.deals for r in records)
            if count:
                return [
                    Flag("contradicts_records", f"{sentence[:160]} (on record: {count} {what.rstrip('s')}s)")
                ]
    return []


def _fields_named(sentence: str) -> list[str]:
    """Fields asked for as the person's own: "your description", or any field in a profile sentence."""
    text = sentence.lower()
    about_profile = "profile" in text
    return [
        field
        for field, words in FIELD_WORDS.items()
        if any(
            re.search(rf"\b{'your ' if not about_profile else ''}(?:\w+ )?{re.escape(w)}\b", text)
            for w in words
        )
    ]
