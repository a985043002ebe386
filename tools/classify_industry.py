"""``classify_industry``: a business description → the three most likely NAICS 2017 industries."""

from __future__ import annotations

from pydantic import Field

from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec
from tools.ports import as_code


class Args(ToolArgs):
    description: str = Field(..., min_length=2, max_length=2000, description="What the business does.")


def classify_industry(env: ToolEnv, args: Args) -> Data:
    """Use when they ask which industry or NAICS code a kind of business has, e.g. 'what industry code
    is a florist?'. Their own listed industry is on their profile (get_my_profile)."""
    codes = [as_code(c) for c in env.ports.classifier.get().classify(args.description, 3)]
    return {"industries": [{"code": c.code, "title": c.title, "score": round(c.score, 3)} for c in codes]}


def reply(args: Args, data: Data) -> Said:
    found = data["industries"]
    if not found:
        return say("industry_unknown", description=args.description)
    best, others = found[0], found[1:]
    alternatives = "; ".join(f"{c['code']} {c['title']}" for c in others)
    return say(
        "industry",
        description=args.description,
        code=best["code"],
        title=best["title"],
        alternatives=f" Close alternatives: {alternatives}." if alternatives else "",
    )


SPEC = spec(
    "classify_industry",
    Args,
    classify_industry,
    reply=reply,
    what="classify that business",
    hint="with what the business does",
)
