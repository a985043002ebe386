"""Conversations persist per thread, long ones are summarised, every message gets an answer or a reason."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.llm.fake import FakeChatModel
from assistant.service import Options
from network.db import Database
from network.models import Conversation, Message
from network.services.subscribers import erase_subscriber
from tests.assistant.fakes import fake_ports
from tests.harness import Harness
from tools import phrases


def test_messages_persist_per_thread_and_history_reaches_the_model(harness: Harness) -> None:
    me = harness.subscriber("Leeds Bakery", offers="bread")
    harness.script("Hello!", "You said hello before.", "A fresh thread.")
    harness.send("hello", as_=me)
    harness.send("what did I say?")
    harness.send("new topic", thread="other")
    assert harness.count(Conversation) == 2
    texts = [m.text for m in harness.model.calls[1].messages]
    # the conversation so far is told in the session (a message that refers back gets it), not replayed
    assert "- They said: hello" in texts[0] and texts[1:] == ["what did I say?"]
    assert [m.text for m in harness.model.calls[2].messages][1:] == ["new topic"]
    rows = harness.rows(Message)
    assert [(m.role, m.content) for m in rows if m.content == "Hello!"] == [("assistant", "Hello!")]


def test_a_shared_thread_key_never_mixes_two_subscribers(quick: Harness) -> None:
    a = quick.subscriber("Leeds Bakery")
    b = quick.subscriber("Pennine Mills")
    quick.script("Hi A.", "Hi B.")
    quick.send("my secret plan", as_=a, thread="shared")
    quick.send("hello", as_=b, thread="shared")
    assert "my secret plan" not in [m.text for m in quick.model.calls[1].messages]
    assert quick.count(Conversation) == 2


def test_long_threads_are_summarised(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")

    def respond(messages: list[BaseMessage]) -> str:
        if "Summarise this conversation" in messages[-1].text:
            return "They run a bakery and want flour."
        return "ok"

    quick.model.responder = respond
    for n in range(9):
        quick.send(f"message {n}", as_=me)
    conversation = quick.rows(Conversation)[0]
    assert conversation.summary == "They run a bakery and want flour."
    assert conversation.summarised_upto > 0
    quick.send("and now?")
    system = quick.model.calls[-1].messages[0].text
    assert "They run a bakery and want flour." in system
    assert "message 0" not in [m.text for m in quick.model.calls[-1].messages]


class WholeMessageFake(FakeChatModel):
    """Streams each reply as one chunk, keeping provider fields such as OpenAI's ``refusal``."""

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        reply = self._generate(messages, **kwargs).generations[0].message
        yield ChatGenerationChunk(
            message=AIMessageChunk(content=reply.content, additional_kwargs=reply.additional_kwargs)
        )


def test_model_timeout_error_and_refusal_each_get_a_reason(sqlite_db: Database) -> None:
    quick = Harness(sqlite_db, ports=fake_ports(sqlite_db), model=WholeMessageFake())
    me = quick.subscriber("Leeds Bakery")

    def timeout(_: list[BaseMessage]) -> str:
        raise TimeoutError("slow")

    def broken(_: list[BaseMessage]) -> str:
        raise RuntimeError("boom")

    quick.script(timeout, broken, AIMessage(content="", additional_kwargs={"refusal": "no"}))
    assert quick.send("a", as_=me).error_code == "model_timeout"
    assert quick.send("b").error_code == "model_error"
    refused = quick.send("c")
    assert refused.error_code == "refused" and refused.text
    answers = [m.content for m in quick.rows(Message) if m.role == "assistant"]
    assert len(answers) == 3 and all(answers)


def test_a_turn_past_its_deadline_stops_with_a_reason(sqlite_db: Database) -> None:
    h = Harness(sqlite_db, ports=fake_ports(sqlite_db), options=Options(turn_timeout_s=1e-9))
    me = h.subscriber("Leeds Bakery")
    h.script("a long answer that takes far too long")
    reply = h.send("hi", as_=me)
    assert reply.error_code == "model_timeout" and "too long" in reply.text


def test_empty_message_and_unknown_subscriber_get_reasons(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    assert quick.send("   ", as_=me).error_code == "empty_message"
    with quick.db.transaction() as session:
        erase_subscriber(session, me)
    assert quick.send("hello", as_=me).error_code == "unknown_subscriber"
    assert quick.model.calls == []


def test_streaming_yields_text_then_one_final_reply(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script("Hello! What does your business do?")
    reply = quick.send("hi there", as_=me)
    assert "".join(quick.chunks[-1]) == "Hello! What does your business do?" == reply.text
    assert len(quick.chunks[-1]) > 1, "the model's own words stream as they are generated"
    quick.script(FakeChatModel.call("get_my_profile"))
    reply = quick.send("profile?", as_=me)
    assert reply.text.startswith("Your profile for Leeds Bakery is still empty.")
    assert quick.chunks[-1] == [reply.text], "the server's words for a tool come at once, in one piece"
    assert len(quick.model.calls) == 2


def test_a_tool_call_written_as_the_answer_is_never_shown(quick: Harness) -> None:
    me = quick.subscriber("Leeds Bakery")
    quick.script('search_knowledge {"query": "how does it work"}')
    reply = quick.send("hello, how does it work?", as_=me)
    assert "search_knowledge" not in reply.text and "{" not in reply.text
    assert reply.text == phrases.MODEL_EMPTY


def test_the_prompt_read_back_as_an_answer_is_replaced_by_the_servers_line(quick: Harness) -> None:
    """The 1.5B model answered "Cheers" with the system prompt's own example: "no tool: answer yourself
    in a sentence or two." A person must never see the instructions."""
    me = quick.subscriber("Leeds Bakery")
    quick.script("no tool: answer yourself in a sentence or two.")
    reply = quick.send("Cheers", as_=me)
    assert reply.text == phrases.NO_TOOL_NEEDED
    quick.script("You're welcome! Speak soon.")
    assert quick.send("thanks!", as_=me).text == "You're welcome! Speak soon."
