"""Small talk and off-topic chat are answered without tools, unless they may answer a question the assistant
asked."""

from __future__ import annotations

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.routing import ChatRouter, small_talk
from network.db import Database
from retrieval.embedder import build_embedder
from retrieval.knowledge import playbook_topics
from tests.assistant.fakes import fake_ports
from tests.harness import Harness
from tools.ports import Lazy

call = FakeChatModel.call


@pytest.mark.parametrize("text", ["Hi!", "Cheers", "Thanks, that's helpful", "Good evening!", "Bye for now"])
def test_small_talk(text: str) -> None:
    assert small_talk(text)


@pytest.mark.parametrize("text", ["yes", "find me a baker", "thanks, now find flour", "", "What can you do?"])
def test_not_small_talk(text: str) -> None:
    assert not small_talk(text)


def test_ok_after_a_question_may_need_tools() -> None:
    assert small_talk("ok")
    assert not small_talk("ok", last_reply="Shall I look for flour suppliers?")


def test_small_talk_turns_are_answered_without_tools(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script("Hello!", "Shall I look for flour suppliers?", "Looking now.")
    quick.send("hello", as_=me)
    assert quick.model.calls[0].tools == []
    quick.send("what can you do?")
    quick.send("ok")
    assert quick.model.calls[2].tools, "an ok after a question may be a yes that needs a tool"


@pytest.fixture(scope="module")
def router() -> ChatRouter:
    # the packaged all-MiniLM-L6-v2, offline, with the playbooks' topics as production has them
    return ChatRouter(build_embedder("minilm"), extra={"search_knowledge": playbook_topics()})


@pytest.mark.parametrize(
    "text", ["What's the capital of France?", "Tell me a story about a pirate", "Is it sunny in Bath today?"]
)
def test_the_router_sends_off_topic_chat_past_the_tools(router: ChatRouter, text: str) -> None:
    assert router.is_chat(text), router.score(text)


@pytest.mark.parametrize(
    "text",
    [
        "I need a plumber in York",
        "How do I stop customers paying late?",
        "Introduce me to Pennine Mills",
        "We closed £900 thanks to Bob's referral",
        "What's on my profile?",
        "I want to talk to someone about my bill",
    ],
)
def test_the_router_keeps_the_tools_for_requests(router: ChatRouter, text: str) -> None:
    assert not router.is_chat(text), router.score(text)


@pytest.mark.parametrize(
    "text",
    [
        "How many weeks of stock should we hold for our best sellers?",
        "Is it worth offering a cheaper basic version of our service?",
        "What should go in a job advert for a van driver?",
    ],
)
def test_a_question_for_the_playbooks_ranks_the_knowledge_search_among_the_likeliest_tools(
    router: ChatRouter, text: str
) -> None:
    assert "search_knowledge" in router.likely_tools(text)[:2], router.likely_tools(text)


@pytest.mark.parametrize(
    "text", ["How am I doing in the network?", "what's my traffic light?", "am I doing well?", "am I amber?"]
)
def test_asking_how_one_is_doing_keeps_the_tools_and_ranks_the_network_summary_first(
    router: ChatRouter, text: str
) -> None:
    # answered by my_network's traffic light; "hey, how's your day going?" stays chat
    assert not router.is_chat(text), router.score(text)
    assert router.likely_tools(text)[0] == "my_network", router.likely_tools(text)


def test_the_playbooks_topics_name_business_topics_not_other_requests() -> None:
    topics = playbook_topics()
    assert "Safety stock and reorder points" in topics
    assert not any(t.startswith(("How your network", "Worked example")) for t in topics)


@pytest.mark.parametrize(
    "text", ["What is this?", "what can you do for me", "Who are you?", "How does this thing work?"]
)
def test_questions_about_layer8_are_told_apart(router: ChatRouter, text: str) -> None:
    assert router.is_about(text), text


@pytest.mark.parametrize(
    "text",
    [
        "What's on my profile?",
        "What's a referral?",
        "I need a plumber in York",
        "Which football team do you support?",
    ],
)
def test_other_messages_are_not_about_layer8(router: ChatRouter, text: str) -> None:
    assert not router.is_about(text), text


@pytest.mark.parametrize(
    "text",
    [
        "What's the weather like in Leeds today?",
        "Who won the football last night?",
        "what's happening in the news?",
        "Is it going to be sunny tomorrow?",
    ],
)
def test_questions_only_live_data_could_answer_are_told_apart(router: ChatRouter, text: str) -> None:
    assert router.is_live(text), text
    assert router.is_chat(text), text


@pytest.mark.parametrize(
    "text",
    [
        "What is this?",
        "Tell me a joke",
        "Interest rates keep going up, how do I cope with the loan repayments?",
        "I need a plumber in York",
        "Slow weekday afternoons, what can I do?",
        "How many referrals have I given so far?",
    ],
)
def test_other_messages_are_not_live_questions(router: ChatRouter, text: str) -> None:
    assert not router.is_live(text), text


def test_what_is_this_is_answered_by_the_server_and_starts_a_new_subscribers_interview(
    sqlite_db: Database, router: ChatRouter
) -> None:
    ports = fake_ports(sqlite_db)
    ports.router = Lazy(lambda: router)
    harness = Harness(sqlite_db, ports=ports)
    new = harness.subscriber("Fresh Start Ltd", consented=None)
    reply = harness.send("What is this?", as_=new)
    assert reply.text.startswith("I'm Layer8, the business networking assistant")
    assert "what your business does" in reply.text
    assert harness.model.calls == []  # no model call: the answer is there at once


def test_the_router_never_skips_the_tools_for_an_answer_to_a_question(router: ChatRouter) -> None:
    assert router.is_chat("tell me a joke")
    assert not router.is_chat("tell me a joke", last_reply="Which flour do you need?")


class _Always:
    def __init__(self, verdict: bool) -> None:
        self.verdict = verdict

    def is_chat(self, text: str, last_reply: str | None = None) -> bool:
        return self.verdict

    def is_about(self, text: str, last_reply: str | None = None) -> bool:
        return False

    def is_live(self, text: str, last_reply: str | None = None) -> bool:
        return False


def test_a_turn_the_router_calls_chat_is_answered_without_tools(sqlite_db: Database) -> None:
    ports = fake_ports(sqlite_db)
    ports.router = Lazy(lambda: _Always(True))  # type: ignore[arg-type,return-value]
    harness = Harness(sqlite_db, ports=ports)
    me = harness.subscriber("Leeds Bakery")
    harness.script("Canberra.")
    harness.send("what's the capital of Australia?", as_=me)
    assert harness.model.calls[0].tools == []


@pytest.mark.parametrize(
    ("message", "first", "tool", "args", "framing", "said"),
    [
        (  # a call written out; advice: the server's steps, then the model frames them (a call without tools)
            "they never pay on time, the so-and-sos",
            'search_knowledge {"query": "late payers"}',
            "search_knowledge",
            {"query": "late payers"},
            ["Start by invoicing the same day."],
            "From our business playbooks:\n",
        ),
        (  # prose that explains which tool to use; the server says what the search found
            "We're a bakery in Leeds and we need a reliable flour supplier.",
            'You can use the `find_introductions` function with the `need` parameter set to "flour".',
            "find_introductions",
            {"need": "flour"},
            [],
            "Nobody on the network offers flour yet.",
        ),
    ],
)
def test_an_answer_that_names_a_tool_on_a_chat_turn_runs_the_turn_again_with_the_tools(
    sqlite_db: Database,
    message: str,
    first: str,
    tool: str,
    args: dict[str, str],
    framing: list[str],
    said: str,
) -> None:
    ports = fake_ports(sqlite_db)
    ports.router = Lazy(lambda: _Always(True))  # type: ignore[arg-type,return-value]
    harness = Harness(sqlite_db, ports=ports)
    me = harness.subscriber("Leeds Bakery")
    harness.script(first, call(tool, **args), *framing)
    reply = harness.send(message, as_=me)
    assert [c.tools == [] for c in harness.model.calls] == [True, False] + [True] * len(framing)
    assert reply.text.startswith(said) and tool not in reply.text and first not in reply.text
    assert all(f in reply.text for f in framing) and harness.model.pending == 0
