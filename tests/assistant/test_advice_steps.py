"""The playbook steps the server picks for advice: the best passage in its own order, others by relevance."""

from __future__ import annotations

from tools import advice
from tools.ports import Passage

FORECAST = Passage(
    "cash-flow#forecast",
    "Cash flow",
    "Building a 13-week cash-flow forecast",
    "A 13-week forecast is the most useful cash tool.\n\n"
    "1. **Start from today's bank balance** across all accounts.\n"
    "2. **List receipts in the week you expect the money**, not the invoice date.\n",
)
CHASING = Passage(
    "cash-flow#credit-control",
    "Cash flow",
    "Credit control",
    "Credit control brings debtor days down.\n\n- Invoice the same day the work is delivered.\n"
    "- Run a chasing timetable for overdue invoices.\n- Paint the office a calm colour.\n",
)


def test_the_best_passage_keeps_its_order_and_others_add_only_what_speaks_to_the_question() -> None:
    steps = advice.pick("how do I chase overdue invoices sooner", [FORECAST, CHASING])
    texts = [s.text for s in steps]
    assert texts[:3] == [
        "A 13-week forecast is the most useful cash tool.",
        "Start from today's bank balance across all accounts.",
        "List receipts in the week you expect the money, not the invoice date.",
    ]
    assert "Run a chasing timetable for overdue invoices." in texts
    assert not any("Paint" in t for t in texts)


def test_steps_render_under_their_heading_with_the_citation_once() -> None:
    text = advice.render(advice.pick("chase overdue invoices", [FORECAST, CHASING]))
    assert text.count("[cash-flow#forecast]") == 1
    assert text.splitlines()[0] == "Building a 13-week cash-flow forecast [cash-flow#forecast]"
    assert "- Start from today's bank balance across all accounts." in text


def test_no_passages_no_steps() -> None:
    assert advice.pick("anything", []) == []


def _section(section: str, score: float) -> Passage:
    return Passage(f"supplier-risk#{section.lower().replace(' ', '-')}", "Supplier risk", section, "", score)


def test_a_section_around_the_remedy_yields_to_a_nearby_one_that_says_what_to_do() -> None:
    network = _section("How your network can help with supplier risk", 0.52)
    causes = _section("Root causes of supplier fragility", 0.50)
    remedy = _section("Dual-sourcing: when and how", 0.45)
    far = _section("Safety stock and reorder points", 0.20)
    asked = "We rely on a single supplier for our packaging. How do I reduce that risk?"
    assert advice.order(asked, [network, causes, remedy, far]) == [remedy, network, causes, far]


def test_a_question_that_asks_for_the_causes_keeps_them_first() -> None:
    causes = _section("Root causes of supplier fragility", 0.50)
    remedy = _section("Dual-sourcing: when and how", 0.45)
    assert advice.order("Why do our suppliers keep letting us down?", [causes, remedy]) == [causes, remedy]
    assert advice.order("How do we stop suppliers letting us down?", [causes, remedy]) == [remedy, causes]
