"""The ``openai`` provider's tool calling against ``layer8 model serve``: a real OpenAI-compatible server on a
loopback socket (uvicorn), the real local chat model inside it over a scripted engine, ``ChatOpenAI`` as
production builds it (``build_openai``) outside."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from pydantic import SecretStr

import prompts
from assistant import prompting
from assistant.llm.openai_provider import build_openai
from assistant.llm.template import system_message
from assistant.settings import Settings
from channels.model_server.app import create_model_app
from channels.model_server.queue import GenerationQueue, QueueFull
from composition.model_server import session_marker
from tests.channels.fakes import wait_until
from tests.llm.test_llm_local_model import ASK, CALL, TOOLS
from tests.support import AppServer

NAME = "qwen-scripted"


class Served:
    """The scripted engine behind a model server, and a client made by the ``openai`` provider."""

    def __init__(self, build: Callable[..., Any], tmp_path: Path, *outputs: Any, **app: Any) -> None:
        self.model, self.engine = build(*outputs)
        self.app = create_model_app(self.model, model_name=NAME, **app)
        self.server = AppServer(self.app)
        self.tmp_path = tmp_path

    def __enter__(self) -> Served:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def base_url(self) -> str:
        return self.server.url + "/v1"

    def client(self, key: str | None = None) -> BaseChatModel:
        settings = Settings(
            _env_file=None,
            home=self.tmp_path,
            llm_base_url=self.base_url,
            llm_model=NAME,
            llm_max_retries=0,
            llm_timeout_s=10,
            llm_api_key=SecretStr(key) if key else None,
        )
        return build_openai(settings)


@pytest.fixture
def serve(local_model: Callable[..., Any], tmp_path: Path) -> Iterator[Callable[..., Served]]:
    opened: list[Served] = []

    def start(*outputs: Any, **app: Any) -> Served:
        served = Served(local_model, tmp_path, *outputs, **app).__enter__()
        opened.append(served)
        return served

    yield start
    for served in opened:
        served.__exit__(None, None, None)


def test_a_tool_call_crosses_the_wire_with_the_same_prompt_as_in_process(
    serve: Callable[..., Served], local_model: Callable[..., Any]
) -> None:
    served = serve(CALL)
    reply = served.client().bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("find_introductions", {"need": "flour", "location": "Leeds"})
    ]
    assert str(reply.tool_calls[0]["id"]).startswith("call_")
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert reply.usage_metadata and reply.usage_metadata["input_tokens"] > 0

    in_process, engine = local_model(CALL)
    in_process.bind_tools(TOOLS).invoke(ASK)
    assert served.engine.requests[0].prompt == engine.requests[0].prompt  # the shared prefix stays shared


def test_a_plain_answer_and_a_tool_result_round(serve: Callable[..., Served]) -> None:
    served = serve("Pennine Mills sells flour in Leeds.")
    call = AIMessage(
        "", tool_calls=[{"name": "find_introductions", "args": {"need": "flour"}, "id": "call_1"}]
    )
    history = [*ASK, call, ToolMessage('[{"name": "Pennine Mills"}]', tool_call_id="call_1")]
    reply = served.client().bind_tools(TOOLS).invoke(history)
    assert reply.tool_calls == [] and reply.content == "Pennine Mills sells flour in Leeds."
    prompt = served.engine.requests[0].prompt
    assert "Pennine Mills" in prompt and "<tool_call>" in prompt
    assert "# Tools" not in prompt  # no tools offered again after a result, as in process


def test_streaming_sends_prose_in_pieces_and_a_call_at_the_end(serve: Callable[..., Served]) -> None:
    served = serve("Flour keeps for about a year if stored dry.", CALL)
    model = served.client().bind_tools(TOOLS)
    pieces = list(model.stream([HumanMessage("How long does flour keep?")]))
    assert len([p for p in pieces if p.text]) > 1
    assert "".join(p.text for p in pieces) == "Flour keeps for about a year if stored dry."

    total: AIMessageChunk | None = None
    for piece in model.stream(ASK):
        assert isinstance(piece, AIMessageChunk)
        total = piece if total is None else total + piece
    assert total is not None
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        ("find_introductions", {"need": "flour", "location": "Leeds"})
    ]


def test_a_forced_tool_is_written_under_its_schema(serve: Callable[..., Served]) -> None:
    served = serve('{"need": "flour"}')
    reply = served.client().bind_tools(TOOLS, tool_choice="find_introductions").invoke(ASK)
    assert reply.tool_calls[0]["args"] == {"need": "flour"}
    assert served.engine.requests[0].schema is not None


def test_an_agent_runs_a_whole_tool_round_through_the_server(serve: Callable[..., Served]) -> None:
    served = serve(CALL, "Pennine Mills can help with flour.")
    agent = create_agent(served.client(), TOOLS, system_prompt="Layer8 test system prompt.")
    result = agent.invoke({"messages": [HumanMessage("I need a flour supplier in Leeds")]})
    kinds = [m.type for m in result["messages"]]
    assert kinds == ["human", "ai", "tool", "ai"]
    assert "sells flour near Leeds" in result["messages"][2].text
    assert result["messages"][-1].text == "Pennine Mills can help with flour."


def test_models_lists_the_served_model_and_the_key_is_required_when_set(serve: Callable[..., Served]) -> None:
    served = serve("ok", api_key=SecretStr("s3cret-key"))
    listed = openai.OpenAI(base_url=served.base_url, api_key="s3cret-key", max_retries=0).models.list()
    assert [m.id for m in listed.data] == [NAME]
    with pytest.raises(openai.AuthenticationError):
        served.client("wrong").invoke([HumanMessage("hi")])
    assert served.client("s3cret-key").invoke([HumanMessage("hi")]).text == "ok"


def test_bad_requests_answer_in_openais_error_shape(serve: Callable[..., Served]) -> None:
    served = serve()
    answer = httpx.post(served.base_url + "/chat/completions", json={"model": NAME, "messages": []})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_request"


def test_the_queue_serves_in_arrival_order_and_refuses_past_its_bound() -> None:
    queue = GenerationQueue(max_waiting=3)
    release, order = threading.Event(), list[int]()

    def job(number: int) -> Callable[[], None]:
        def run() -> None:
            if number == 0:
                release.wait(10)  # the model is busy with the first request
            order.append(number)

        return run

    first = queue.submit(job(0))
    waiting = [queue.submit(job(i)) for i in (1, 2, 3)]
    with pytest.raises(QueueFull):
        queue.submit(job(99))
    release.set()
    for future in [first, *waiting]:
        future.result(timeout=10)
    assert order == [0, 1, 2, 3]
    queue.close()


def test_a_full_queue_answers_503_with_retry_after(serve: Callable[..., Served]) -> None:
    queue = GenerationQueue(max_waiting=1)
    release = threading.Event()
    served = serve("late", queue=queue)
    queue.submit(lambda: release.wait(10))  # the model is busy
    queue.submit(lambda: None)  # and one request waits
    answer = httpx.post(
        served.base_url + "/chat/completions",
        json={"model": NAME, "messages": [{"role": "user", "content": "hi"}]},
    )
    release.set()
    assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
    assert json.loads(answer.text)["error"]["code"] == "model_busy"


def test_system_and_list_content_arrive_as_text(serve: Callable[..., Served]) -> None:
    served = serve("fine")
    client = served.client()
    reply = client.invoke(
        [SystemMessage("Be brief."), HumanMessage([{"type": "text", "text": "hello there"}])]
    )
    assert reply.text == "fine"
    assert (
        "Be brief." in served.engine.requests[0].prompt and "hello there" in served.engine.requests[0].prompt
    )


def test_a_request_whose_client_gave_up_is_not_generated(serve: Callable[..., Served]) -> None:
    queue = GenerationQueue()
    release = threading.Event()
    served = serve("never asked for", queue=queue)
    queue.submit(lambda: release.wait(10))  # the model is busy
    with pytest.raises(httpx.ReadTimeout):  # as the openai client's timeout does before it retries
        httpx.post(
            served.base_url + "/chat/completions",
            json={"model": NAME, "messages": [{"role": "user", "content": "hi"}]},
            timeout=httpx.Timeout(10, read=0.5),
        )
    wait_until(lambda: queue.given_up == 1, timeout=10)  # the server saw the client go (slow when loaded)
    release.set()
    wait_until(lambda: queue.abandoned == 1, timeout=10)
    assert served.engine.requests == []  # the model never spent a token on it


def test_the_per_person_session_stays_after_the_shared_prefix(
    serve: Callable[..., Served], local_model: Callable[..., Any]
) -> None:
    """The session's mark does not cross the wire; the server restores it, so the prompt (and the prefix
    every subscriber shares) is the one the embedded model renders in process."""
    shared = prompting.shared_instructions("Acme Telecom")
    session = prompts.render(
        "session", today="2026-12-07", business_name="Leeds Bakes", onboarding="", summary="", recent=""
    )
    turn = [system_message(shared, session.strip()), ASK[1]]
    served = serve("Hello.", prepare=session_marker("Acme Telecom"))
    served.client().bind_tools(TOOLS).invoke(turn)
    in_process, engine = local_model("Hello.")
    in_process.bind_tools(TOOLS).invoke(turn)
    prompt = served.engine.requests[0].prompt
    assert prompt == engine.requests[0].prompt
    assert prompt.index("# Tools") < prompt.index("Leeds Bakes")
