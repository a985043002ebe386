"""``search_knowledge``: business playbooks for a bottleneck question, with citations — plus businesses in
the network that could help with it, and what the person's own profile says about the problem.
"""

from __future__ import annotations

import logging

from pydantic import Field

from network.models import Profile
from network.services import introductions
from tools import advice, phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, business_card, say, spec
from tools.context import Advice, Source
from tools.ports import Match, as_match, as_passage

logger = logging.getLogger(__name__)
PASSAGE_CHARS = 700
PASSAGES = 3
CANDIDATES = 6  # passages fetched and re-ordered (tools/advice.py ``order``) before the best three are kept
# below this similarity a passage is not about the question (all-MiniLM-L6-v2: every knowledge-eval
# question's best passage scores ≥ 0.31; "how do I bake sourdough?" 0.19, "the capital of France" 0.09)
MIN_SCORE = 0.25
HELPERS = 2


class Args(ToolArgs):
    query: str = Field(..., min_length=2, max_length=300, description="The business question or problem.")


def search_knowledge(env: ToolEnv, args: Args) -> Data:
    """Use for any question about running their business — cash flow, running out of money, late payers,
    pricing, hiring staff, finding customers, marketing, loans, exporting, keeping customers. Always
    look it up here rather than answering from memory, and cite the sources. Not for news, weather,
    sport, trivia or creative writing, nor for what Layer8, a referral or an introduction is."""
    said = env.ctx.user_text.splitlines()[-1] if env.ctx.user_text else ""
    # searched on the person's own question when there is one: the model's short query ("slow business
    # weekday afternoons") found slow *operations*, while whole questions found the right playbook for
    # 41 of 41 knowledge-eval questions
    asked = said if len(said.split()) >= 4 else args.query
    found = [as_passage(h) for h in env.ports.knowledge.get().search(asked, CANDIDATES)]
    hits = advice.order(asked, [h for h in found if h.score >= MIN_SCORE])[:PASSAGES]
    passages = [
        {"cite_as": f"[{h.citation}]", "title": h.title, "section": h.section, "text": _clip(h.text)}
        for h in hits
    ]
    steps = advice.pick(f"{args.query} {said}", hits)  # the model's query and the person's own words
    chosen = {s.citation for s in steps}
    env.effects.sources.extend(Source(h.citation, h.text) for h in hits if h.citation in chosen)
    data: Data = {"passages": passages, "steps": advice.render(steps)}
    if steps:
        env.effects.advice = Advice(question=args.query, steps=data["steps"])
    with env.write() as session:
        profile = session.get(Profile, env.ctx.subscriber_id)
        if profile is not None and (profile.bottlenecks or profile.needs):
            data["their_profile"] = {"bottlenecks": profile.bottlenecks, "needs": profile.needs}
        helpers = []
        for m in _helpers(env, args.query):
            introductions.suggest(
                session,
                env.ctx.subscriber_id,
                m.subscriber_id,
                score=m.score,
                parts=m.parts,
                reasons=m.reasons,
            )
            helpers.append({**business_card(session, m.subscriber_id), "reasons": m.reasons})
    if helpers:
        data["businesses_in_the_network_who_could_help"] = helpers
    return data


def _helpers(env: ToolEnv, query: str) -> list[Match]:
    try:
        return [as_match(m) for m in env.ports.needs.get().find(env.ctx.subscriber_id, query, HELPERS)]
    except LookupError:
        return []
    except Exception:  # the advice stands without suggestions
        logger.warning("need search failed during a knowledge question", exc_info=True)
        return []


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PASSAGE_CHARS else text[: PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def reply(args: Args, data: Data) -> Said:
    helpers = data.get("businesses_in_the_network_who_could_help") or []
    names = phrases.and_list([h["business_name"] for h in helpers])
    could_help = phrases.COULD_HELP.format(businesses=names) if names else ""
    if not data["steps"]:
        return say("advice_none", query=args.query, could_help=could_help)
    return say("advice", steps=data["steps"], could_help=could_help)


SPEC = spec(
    "search_knowledge",
    Args,
    search_knowledge,
    reply=reply,
    what="look that up in the playbooks",
    hint="as a question about your business",
)
