"""The words of a seeded business: its name, contact, description, bottlenecks, goals and interests.

Every choice comes from the ``random.Random`` it is given, so the same seed writes the same words.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence

from seeding.catalog import SeedCatalog, SeedIndustry, Town

BOTTLENECKS = (
    "finding a reliable supplier of {need}",
    "the rising cost of {need}",
    "late-paying customers squeeze our cash flow",
    "winning new customers now that cold calling and SEO have stopped working",
    "hiring and keeping skilled staff",
    "too much time lost on admin and paperwork",
    "our website brings in very few enquiries",
    "quiet months after Christmas",
    "pricing our work so that it pays",
    "delivery and transport costs",
)
GOALS = {
    "startup": ("land our first regular business customers", "break even this year", "build a local name"),
    "growing": ("open a second site", "hire two more people", "win contracts with bigger businesses"),
    "established": ("win more repeat business", "protect our margins with better suppliers", "reach {town}"),
    "mature": ("plan the handover to the next generation", "modernise our systems", "start exporting"),
}
INTERESTS = (
    "local networking",
    "sustainability",
    "apprenticeships",
    "buying local",
    "new technology",
    "community events",
    "exporting",
)
STAGE_WORDS = {
    "startup": "new",
    "growing": "growing",
    "established": "established",
    "mature": "long-standing",
}


def pick_weighted(
    rng: random.Random, items: Sequence[tuple[str, float]], count: int, power: float
) -> list[str]:
    """``count`` distinct items, drawn without replacement with weights ``share ** power``."""
    pool = [(item, max(weight, 1e-6) ** power) for item, weight in items]
    chosen: list[str] = []
    while pool and len(chosen) < count:
        total = sum(weight for _, weight in pool)
        point = rng.random() * total
        for index, (item, weight) in enumerate(pool):
            point -= weight
            if point <= 0 or index == len(pool) - 1:
                chosen.append(item)
                pool.pop(index)
                break
    return chosen


def business_name(rng: random.Random, catalog: SeedCatalog, industry: SeedIndustry, town: Town) -> str:
    word = rng.choice(industry.name_words)
    style = rng.random()
    if style < 0.35:
        return f"{rng.choice(catalog.surnames)} {word}"
    if style < 0.55:
        return f"{rng.choice(catalog.name_words)} {word}"
    if style < 0.7:
        return f"{town.locality} {word}"
    if style < 0.85:
        return f"{rng.choice(catalog.first_names)}'s {word}"
    return f"{rng.choice(catalog.surnames)} & {rng.choice(catalog.surnames)} {word}"


def ascii_slug(text: str, limit: int = 40) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain.replace("'", "")).strip("-")[:limit].strip("-")


def email(first: str, last: str, name: str) -> str:
    """At a subdomain of example.com (RFC 2606): it can never reach a real mailbox."""
    return f"{ascii_slug(first)}.{ascii_slug(last)}@{ascii_slug(name)}.example.com"


def article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def staff_words(employees: int) -> str:
    if employees <= 1:
        return "just me"
    if employees == 2:
        return "two of us"
    return f"a team of {employees}"


def description(
    rng: random.Random, name: str, industry: SeedIndustry, town: Town, stage: str, employees: int
) -> str:
    kind = industry.kind
    extras = ", ".join(word.lower() for word in industry.synonyms[:3] if word.lower() != kind)
    detail = f" ({extras})" if extras else ""
    templates = (
        f"{name} is {article(STAGE_WORDS[stage])} {kind} in {town.locality}, {staff_words(employees)}. "
        f"We offer {industry.sells}{detail}.",
        f"We are {name}, {staff_words(employees)} in {town.locality}: {industry.sells}{detail}.",
        f"{STAGE_WORDS[stage].capitalize()} {kind} based in {town.locality} offering "
        f"{industry.sells}{detail}. {staff_words(employees).capitalize()}.",
    )
    return rng.choice(templates)


def offers(industry: SeedIndustry) -> str:
    title = industry.title.lower()
    words = ", ".join(dict.fromkeys(w.lower() for w in industry.synonyms[:6] if w.lower() != title))
    parts = [industry.sells, title, words]
    return "; ".join(part for part in parts if part)


def ideal_customers(rng: random.Random, industry: SeedIndustry, construction: bool) -> str:
    chosen: list[str] = []
    if industry.household_share >= 0.35:
        chosen.append(
            "homeowners and landlords" if construction else "local households and walk-in customers"
        )
    business = [(words, share) for words, share in industry.customers if share >= 0.02]
    chosen += pick_weighted(rng, business, 3 - len(chosen), power=0.8)
    return "; ".join(dict.fromkeys(chosen)) or "local businesses"


def bottlenecks(rng: random.Random, needs: Sequence[str]) -> str:
    need = needs[0] if needs else "stock"
    chosen = rng.sample(BOTTLENECKS, rng.choice((1, 2)))
    return "; ".join(template.format(need=need) for template in chosen)


def goals(rng: random.Random, stage: str, catalog: SeedCatalog, town: Town) -> str:
    nearby = min(
        (other for other in catalog.towns if other.locality != town.locality),
        key=lambda other: (other.latitude - town.latitude) ** 2 + (other.longitude - town.longitude) ** 2,
    )
    chosen = rng.sample(GOALS[stage], rng.choice((1, 2)))
    return "; ".join(goal.format(town=nearby.locality) for goal in chosen)


def interests(rng: random.Random) -> str:
    return "; ".join(rng.sample(INTERESTS, rng.choice((1, 2))))
