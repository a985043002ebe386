"""The tools eval: its data is well formed and its scorer is exact and deterministic."""

from __future__ import annotations

from collections import Counter

import pytest
from langchain_core.messages import AIMessage

from assistant.llm.fake import FakeChatModel
from evals import tools_suite
from tools.registry import BY_NAME, NAMES


def test_the_cases_cover_every_tool_and_one_in_four_need_none() -> None:
    cases = tools_suite.load_cases()
    assert len(cases) >= 60
    assert len({c.id for c in cases}) == len(cases)
    per_tool = Counter(c.expected_tool for c in cases)
    assert per_tool[None] / len(cases) >= 0.25
    assert set(per_tool) - {None} == set(NAMES)


def test_expected_arguments_are_real_and_valid_arguments() -> None:
    for case in tools_suite.load_cases():
        if case.expected_tool is None:
            assert case.expected_args == {}
            continue
        args = BY_NAME[case.expected_tool].args
        assert set(case.expected_args) <= set(args.model_fields), case.id
        required = {k: "filler" for k, f in args.model_fields.items() if f.is_required()}
        args.model_validate(required | case.expected_args)


def test_an_oracle_scores_full_marks() -> None:
    cases = tools_suite.load_cases()
    report = tools_suite.run(tools_suite.oracle(cases), cases, name="oracle")
    assert report.tool_accuracy == report.argument_accuracy == report.argument_accuracy_all == 1.0
    assert report.to_dict()["cases"] == len(cases)


def test_a_model_that_never_calls_tools_scores_only_the_no_tool_cases() -> None:
    cases = tools_suite.load_cases()
    report = tools_suite.run(FakeChatModel(responder=lambda _: "Hello!"), cases)
    none = sum(c.expected_tool is None for c in cases)
    assert report.tool_accuracy == none / len(cases)
    assert report.argument_accuracy_all == 0.0


def test_scoring_a_wrong_argument() -> None:
    case = tools_suite.Case(
        "x", "we closed £2,400 thanks to Bob", "record_deal", {"amount": "2400", "referrer": "Bob"}
    )
    good = AIMessage(
        content="",
        tool_calls=[{"name": "record_deal", "args": {"amount": "£2,400", "referrer": "Bob"}, "id": "1"}],
    )
    bad = AIMessage(
        content="",
        tool_calls=[{"name": "record_deal", "args": {"amount": 240, "referrer": "Bob"}, "id": "1"}],
    )
    assert tools_suite.score(case, good, 0.1).args_ok is True
    assert tools_suite.score(case, bad, 0.1).args_ok is False


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("2400", 2400, True),
        ("2400", "2400.00", True),
        ("2400", "£2,400", True),
        ("2400", "24000", False),
        ("flour supplier", "a reliable Flour Supplier", True),
        ("flour supplier", "flour", False),
        ("Jane's Cafe", "Jane's Café", True),
        (True, True, True),
        (True, "true", False),
        (5, 5, True),
        ("growing", None, False),
    ],
)
def test_value_matching(expected: object, actual: object, ok: bool) -> None:
    assert tools_suite.value_matches(expected, actual) is ok


def test_plurals_match() -> None:
    assert tools_suite.value_matches("wedding photographer", "Wedding photographers in Leeds")
