"""Server-side citations for answers built on the playbooks."""

from __future__ import annotations

from assistant.citing import drawn_on, with_sources
from retrieval.content_words import stem
from tools.context import Source

LATE = Source("cash-flow#late-payers", "Invoice the same day and chase on a timetable; debtor days show it.")
PRICE = Source("pricing#margins", "Price from your margin, not your competitor's list; review prices yearly.")


def test_an_answer_that_cites_already_is_left_as_written() -> None:
    answer = "Chase on a timetable [cash-flow#late-payers]."
    assert with_sources(answer, [PRICE]) == answer


def test_no_search_means_no_sources_line() -> None:
    assert with_sources("Hello!", []) == "Hello!"


def test_the_passage_the_answer_draws_on_is_cited_first() -> None:
    answer = "Review your prices yearly and price from your margin."
    assert drawn_on(answer, [LATE, PRICE]) == ["pricing#margins"]
    assert with_sources(answer, [LATE, PRICE]).endswith("\n\nSources: [pricing#margins]")


def test_an_answer_drawing_on_no_passage_cites_nothing() -> None:
    answer = "The owner's mobile is 0123 456789."
    assert drawn_on(answer, [LATE, PRICE]) == []
    assert with_sources(answer, [LATE, PRICE]) == answer


def test_at_most_two_sources_and_each_once() -> None:
    other = Source("cash-flow#late-payers", "Same section seen twice: invoice same day, chase timetable.")
    answer = "Invoice the same day, chase on a timetable, check debtor days, price from margin, review yearly"
    assert drawn_on(answer, [LATE, other, PRICE]) == ["cash-flow#late-payers", "pricing#margins"]


def test_word_forms_match() -> None:
    assert stem("invoices") == stem("invoice") and stem("chasing") == stem("chase")
    assert drawn_on("Invoices go out daily; keep chasing them.", [LATE]) == []  # two shared: not enough
    assert drawn_on("Invoicing the same day and chasing on a timetable", [LATE]) == ["cash-flow#late-payers"]
