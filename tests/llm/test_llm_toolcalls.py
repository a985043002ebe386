"""The tolerant tool-call parser: every shape the 1.5B model was seen to use, and what must stay text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from assistant.llm.toolcalls import (
    Parsed,
    ParsedCall,
    argument_errors,
    call_from_object,
    could_start_call,
    parse_tool_calls,
)

TOOLS = {"find_introductions", "get_my_profile", "log_referral"}
FIND = ParsedCall("find_introductions", {"need": "flour supplier", "location": "Leeds"})


def test_tagged_call_with_prose_before_it() -> None:
    text = (
        "Let me look.\n<tool_call>\n"
        '{"name": "find_introductions", "arguments": {"need": "flour supplier", "location": "Leeds"}}'
        "\n</tool_call>"
    )
    parsed = parse_tool_calls(text, TOOLS)
    assert parsed.calls == [FIND]
    assert parsed.content == "Let me look."


def test_several_tagged_calls_and_an_unclosed_last_tag() -> None:
    text = (
        '<tool_call>\n{"name": "get_my_profile", "arguments": {}}\n</tool_call>\n'
        '<tool_call>\n{"name": "find_introductions", "arguments": {"need": "flour supplier", '
        '"location": "Leeds"}}'
    )
    assert parse_tool_calls(text, TOOLS).calls == [ParsedCall("get_my_profile"), FIND]


def test_json_fence_as_the_model_writes_it() -> None:
    text = (
        '```json\n{\n  "name": "find_introductions",\n  "arguments": {\n    "need": "flour supplier",\n'
        '    "location": "Leeds"\n  }\n}\n```'
    )
    assert parse_tool_calls(text, TOOLS).calls == [FIND]
    assert parse_tool_calls(text, TOOLS).content == ""


def test_doubled_braces_copied_from_the_template_example() -> None:
    parsed = parse_tool_calls('{{"name": "get_my_profile", "arguments": {}}}}', TOOLS)
    assert parsed.calls == [ParsedCall("get_my_profile")]
    assert parsed.content == ""


def test_xml_style_calls_after_reading_the_tools_block() -> None:
    seen = (
        '<tools>\n  <function name="find_introductions" '
        'arguments=\'{"need": "flour supplier", "location": "Leeds"}\'/>\n</tools>'
    )
    assert parse_tool_calls(seen, TOOLS) == Parsed("", [FIND])
    llama_style = "Sure. <function=get_my_profile>{}</function>"
    assert parse_tool_calls(llama_style, TOOLS) == Parsed("Sure.", [ParsedCall("get_my_profile")])
    named_tag = '<log_referral>{"to_subscriber_id": 42}</log_referral>'
    assert parse_tool_calls(named_tag, TOOLS).calls == [ParsedCall("log_referral", {"to_subscriber_id": 42})]
    assert parse_tool_calls('<function name="get_my_profile"/>', TOOLS).calls == [
        ParsedCall("get_my_profile")
    ]
    assert parse_tool_calls('<b>{"a": 1}</b>', TOOLS).calls == []


def test_bare_json_and_a_list_of_calls() -> None:
    one = '{"name": "find_introductions", "arguments": {"need": "flour supplier", "location": "Leeds"}}'
    assert parse_tool_calls(one, TOOLS).calls == [FIND]
    many = f'[{one}, {{"name": "get_my_profile", "arguments": {{}}}}]'
    assert parse_tool_calls(many, TOOLS).calls == [FIND, ParsedCall("get_my_profile")]


def test_argument_variants() -> None:
    as_string = {"name": "find_introductions", "arguments": json.dumps(FIND.args)}
    parameters = {"name": "find_introductions", "parameters": FIND.args}
    openai = {"type": "function", "function": {"name": "find_introductions", "arguments": FIND.args}}
    keyed = {"find_introductions": FIND.args}
    for obj in (as_string, parameters, openai, keyed):
        assert call_from_object(obj, TOOLS) == FIND, obj
    assert call_from_object({"name": "get_my_profile"}, TOOLS) == ParsedCall("get_my_profile")
    assert call_from_object({"name": "get_my_profile", "arguments": "not json"}, TOOLS) is None


def test_python_style_dict_and_call() -> None:
    parsed = parse_tool_calls("{'name': 'log_referral', 'arguments': {'to_subscriber_id': 42}}", TOOLS)
    assert parsed.calls == [ParsedCall("log_referral", {"to_subscriber_id": 42})]
    parsed = parse_tool_calls('find_introductions(need="flour supplier", location="Leeds")', TOOLS)
    assert parsed.calls == [FIND]


def test_unknown_tools_and_plain_answers_stay_text() -> None:
    for text in (
        '{"name": "delete_everything", "arguments": {}}',
        "Pennine Mills sells flour {wholesale} in Leeds.",
        'Prices look like {"croissant": 120} in pence.',
        "Call print(x) to see it.",
        "",
    ):
        parsed = parse_tool_calls(text, TOOLS)
        assert parsed.calls == []
        assert parsed.content == text.strip()


@given(st.text(alphabet=st.characters(blacklist_characters="{}[]()<`")))
def test_text_without_brackets_never_becomes_a_call(text: str) -> None:
    parsed = parse_tool_calls(text, TOOLS)
    assert parsed.calls == []
    assert parsed.content == text.strip()


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(st.integers(), st.text(max_size=20), st.booleans(), st.none()),
        max_size=4,
    ),
    st.sampled_from(["tag", "fence", "bare"]),
)
def test_any_arguments_survive_every_wrapping(args: dict[str, object], wrapping: str) -> None:
    body = json.dumps({"name": "log_referral", "arguments": args})
    text = {"tag": f"<tool_call>\n{body}\n</tool_call>", "fence": f"```json\n{body}\n```", "bare": body}
    assert parse_tool_calls(text[wrapping], TOOLS).calls == [ParsedCall("log_referral", args)]


def test_argument_errors_follow_the_json_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"to_subscriber_id": {"type": "integer"}, "note": {"type": "string"}},
        "required": ["to_subscriber_id"],
        "additionalProperties": False,
    }
    assert argument_errors({"to_subscriber_id": 42}, schema) == []
    assert argument_errors({}, schema) == ["'to_subscriber_id' is a required property"]
    assert argument_errors({"to_subscriber_id": "forty-two"}, schema) == [
        "to_subscriber_id: 'forty-two' is not of type 'integer'"
    ]
    assert argument_errors({"to_subscriber_id": 1, "who": "x"}, schema)
    assert argument_errors({"x": 1}, {"type": "no-such-type"}) == []  # a broken schema blocks nothing


def test_could_start_call() -> None:
    for held in ("", "  ", "<tool", "<tool_call>", "<tools>", "<func", "``", "```json", "{", ' {"na', "["):
        assert could_start_call(held), held
    for held in (
        "find",
        "find_intro",
        "find_introductions ",
        'find_introductions {"ne',
        "my_network(",
        "Search_k",
    ):
        assert could_start_call(held), held
    for prose in ("Hello", "<b>", "Sure, {", "1. First", "hello there", "sure, {", "cash flow"):
        assert not could_start_call(prose), prose


def test_a_tool_name_then_its_arguments_is_a_call() -> None:
    """The shape of the system prompt's worked examples, which the model copies as text."""
    parsed = parse_tool_calls('find_introductions {"need": "flour supplier", "limit": 3}', TOOLS)
    assert parsed == Parsed("", [ParsedCall("find_introductions", {"need": "flour supplier", "limit": 3})])
    parsed = parse_tool_calls("Let me look.\nget_my_profile: {}", TOOLS)
    assert parsed == Parsed("Let me look.", [ParsedCall("get_my_profile")])
    assert parse_tool_calls('unknown_tool {"a": 1}', TOOLS).calls == []
    capital = parse_tool_calls('Find_introductions {"need": "flour"}', TOOLS)  # seen in a local eval run
    assert capital == Parsed("", [ParsedCall("find_introductions", {"need": "flour"})])
    assert parse_tool_calls("Use a set like {1, 2}", TOOLS).calls == []
