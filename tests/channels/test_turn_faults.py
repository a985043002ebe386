"""Issue 20's faults, turn by turn: a turn run again after its worker died, a database that drops mid-turn,
and a receipt that cannot be written after the reply went. The real assistant (with the scripted fake model)
and the real records, on SQLite and PostgreSQL; fakes at the edges: the WhatsApp sender, a model that
"dies" or drops the database while it generates, and a database that refuses statements (``tests.outage``).

What issue 20 asks: the turn runs again, the person's message is stored once, the reply is sent once, and
nothing acknowledged is lost — a person whose turn could not run gets a clear reply instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from sqlalchemy import select

from assistant.llm.fake import FakeChatModel, Reply, echo_responder
from assistant.messages import OutboundReply
from assistant.service import Assistant
from channels import texts
from channels.runtime import ChannelRuntime
from channels.whatsapp import jobs as whatsapp_jobs
from composition.channels import GAVE_UP, JOBS
from network import dedup
from network.db import Database
from network.models import InboundEvent, Message
from tests.channels.conftest import Harness, open_harness
from tests.channels.fakes import wait_until
from tests.channels.test_slack_events import dm
from tests.channels.test_whatsapp_webhook import SENDER, text_body
from tests.outage import Outage
from tools.ports import Ports


class Killed(BaseException):
    """The worker's process died here (SIGKILL): nothing of it runs on, no handler sees it."""


@dataclass
class Model:
    """The fake model's responder: echoes, and does ``then`` (kill, drop the database) on its first call —
    once the webhook was acknowledged, when ``acked`` is given (the outage is one of the turn's)."""

    then: Callable[[], None] | None = None
    calls: int = 0
    acked: threading.Event | None = None

    def __call__(self, messages: list[BaseMessage]) -> Reply:
        self.calls += 1
        if self.calls == 1 and self.then is not None:
            if self.acked is not None:
                self.acked.wait(10)
            self.then()
        return echo_responder(messages)

    def after_ack(self, then: Callable[[], None]) -> threading.Event:
        self.then, self.acked = then, threading.Event()
        return self.acked


@dataclass
class FakeSender:
    """The WhatsApp sender at the boundary: records each reply; ``die_after`` sends then dies."""

    sent: list[str] = field(default_factory=list)
    die_after: bool = False

    def send(
        self, to: str, reply: OutboundReply, *, last_inbound_at: datetime | None, purpose: str = "default"
    ) -> str | None:
        self.sent.append(reply.text)
        if self.die_after:
            self.die_after = False
            raise Killed
        return f"wamid.out.{len(self.sent)}"

    def close(self) -> None:
        pass


@pytest.fixture
def pipeline(db: Database, tmp_path: Path) -> Iterator[tuple[Harness, Model, Outage]]:
    """The app on SQLite and PostgreSQL with the real assistant; queued turns retry fast here."""
    model = Model()
    settings = {"queue_retry_first_s": 0.02, "queue_retry_attempts": 5}
    with open_harness(db, tmp_path, **settings) as h:
        h.container.assistant = Assistant(db, FakeChatModel(responder=model), Ports())
        outage = Outage(db)
        yield h, model, outage
        outage.close()


def worker_runtime(h: Harness, sender: FakeSender) -> ChannelRuntime:
    """A worker's runtime, as ``layer8 worker`` builds it, sending through ``sender``."""
    return ChannelRuntime(h.container, JOBS, lambda _settings: sender, gave_up=GAVE_UP)


def queued(h: Harness, text: str, wamid: str) -> dict[str, Any]:
    """A WhatsApp message the webhook acknowledged (its receipt written) and queued."""
    assert dedup.first_time(h.db, "whatsapp", wamid, "message")
    return {"message_id": wamid, "from": SENDER, "text": text, "received_at": time.time()}


def stored(db: Database, role: str, content_like: str) -> int:
    with db.read() as session:
        rows = session.scalars(select(Message.content).where(Message.role == role)).all()
    return sum(1 for c in rows if content_like in c)


def receipt(db: Database, wamid: str) -> str | None:
    with db.read() as session:
        return session.scalar(select(InboundEvent.status).where(InboundEvent.event_id == wamid))


# --- a worker killed mid-turn --------------------------------------------------------------------------
def test_a_turn_run_again_after_its_worker_died_stores_the_message_once(
    pipeline: tuple[Harness, Model, Outage],
) -> None:
    h, model, _ = pipeline
    h.link("whatsapp", f"+{SENDER}")
    sender = FakeSender()
    task = queued(h, "hello after a crash", "wamid.kill.1")

    def die() -> None:
        raise Killed

    model.then = die  # the worker dies while the model generates, after the message was stored
    with pytest.raises(Killed):
        whatsapp_jobs.run_message(worker_runtime(h, sender), task)
    assert stored(h.db, "user", "hello after a crash") == 1
    whatsapp_jobs.run_message(worker_runtime(h, sender), task)  # another worker, once the lease lapsed

    assert stored(h.db, "user", "hello after a crash") == 1
    assert sender.sent == ["(fake model) hello after a crash"]
    assert receipt(h.db, "wamid.kill.1") == "answered"


def test_a_worker_killed_after_sending_does_not_send_again(pipeline: tuple[Harness, Model, Outage]) -> None:
    h, _, _ = pipeline
    h.link("whatsapp", f"+{SENDER}")
    sender = FakeSender(die_after=True)  # the reply went; the worker died before writing its receipt
    task = queued(h, "hello once", "wamid.kill.2")
    with pytest.raises(Killed):
        whatsapp_jobs.run_message(worker_runtime(h, sender), task)
    whatsapp_jobs.run_message(worker_runtime(h, sender), task)

    assert sender.sent == ["(fake model) hello once"]
    assert receipt(h.db, "wamid.kill.2") == "sending"  # the intent stands: the window at-most-once leaves
    assert stored(h.db, "user", "hello once") == 1


# --- the database drops mid-turn -----------------------------------------------------------------------
def test_a_turn_that_meets_a_database_outage_runs_again_and_answers(
    pipeline: tuple[Harness, Model, Outage],
) -> None:
    h, model, outage = pipeline
    h.link("whatsapp", f"+{SENDER}")
    acked = model.after_ack(lambda: outage.fail(4))  # the database drops while the model generates
    assert h.wa_post(text_body("hello during an outage", "wamid.pg.1")).status_code == 200
    acked.set()
    h.drain()

    bodies = [c.params["text"]["body"] for c in h.graph.sent()]
    assert bodies == ["(fake model) hello during an outage"]  # no apology, no second reply
    assert outage.failed == 4 and model.calls >= 2
    assert stored(h.db, "user", "hello during an outage") == 1
    assert stored(h.db, "assistant", "(fake model) hello during an outage") == 1
    assert receipt(h.db, "wamid.pg.1") == "answered"


def test_an_outage_longer_than_the_attempts_ends_with_one_clear_reply(
    pipeline: tuple[Harness, Model, Outage],
) -> None:
    h, model, outage = pipeline
    h.link("whatsapp", f"+{SENDER}")
    acked = model.after_ack(outage.down)
    assert h.wa_post(text_body("hello to nobody", "wamid.pg.2")).status_code == 200
    acked.set()
    wait_until(lambda: h.graph.sent(), timeout=30)
    h.drain()
    outage.up()

    bodies = [c.params["text"]["body"] for c in h.graph.sent()]
    assert bodies == [texts.RECORDS_UNREACHABLE]
    assert model.calls == 1  # the later attempts failed before the model (the records were down)


# --- the receipt cannot be written after the reply went -------------------------------------------------
def answered_mark(sql: str, _params: Any) -> bool:
    """The receipt's last write (the intent, written before the send, has a NOT IN guard)."""
    return sql.startswith("UPDATE inbound_events") and "NOT IN" not in sql


def test_a_receipt_write_that_fails_for_a_moment_is_written_again(
    pipeline: tuple[Harness, Model, Outage],
) -> None:
    h, _, outage = pipeline
    h.link("whatsapp", f"+{SENDER}")
    sender = FakeSender()
    outage.fail(2, when=answered_mark)
    whatsapp_jobs.run_message(worker_runtime(h, sender), queued(h, "hello receipt", "wamid.rc.1"))
    assert sender.sent == ["(fake model) hello receipt"]
    assert outage.failed == 2 and receipt(h.db, "wamid.rc.1") == "answered"


def test_a_reply_whose_receipt_cannot_be_written_is_not_sent_again(
    pipeline: tuple[Harness, Model, Outage],
) -> None:
    h, _, outage = pipeline
    h.link("whatsapp", f"+{SENDER}")
    sender = FakeSender()
    task = queued(h, "hello no receipt", "wamid.rc.2")
    outage.fail(100, when=answered_mark)
    whatsapp_jobs.run_message(worker_runtime(h, sender), task)  # ends: the reply went
    outage.up()
    whatsapp_jobs.run_message(worker_runtime(h, sender), task)  # the queue ran it again all the same

    assert sender.sent == ["(fake model) hello no receipt"]
    assert receipt(h.db, "wamid.rc.2") == "sending"


# --- the same on Slack -----------------------------------------------------------------------------------
def test_a_slack_turn_that_meets_an_outage_is_answered_once(pipeline: tuple[Harness, Model, Outage]) -> None:
    h, model, outage = pipeline
    h.link("slack", "T111:W111")
    acked = model.after_ack(lambda: outage.fail(4))
    assert h.slack_post(dm("hello from slack", event_id="EvPg1")).status_code == 200
    acked.set()
    wait_until(lambda: h.slack.posts(), timeout=30)  # bolt queues the turn after its acknowledgement
    h.drain()

    assert [p.params["text"] for p in h.slack.posts()] == ["(fake model) hello from slack"]
    assert stored(h.db, "user", "hello from slack") == 1
    with h.db.read() as session:
        status = session.scalar(select(InboundEvent.status).where(InboundEvent.event_id == "EvPg1"))
    assert status == "answered"


def test_a_slack_turn_out_of_attempts_asks_to_send_again(pipeline: tuple[Harness, Model, Outage]) -> None:
    h, model, outage = pipeline
    h.link("slack", "T111:W111")
    acked = model.after_ack(outage.down)
    assert h.slack_post(dm("hello to nobody on slack", event_id="EvPg2")).status_code == 200
    acked.set()
    wait_until(lambda: h.slack.posts(), timeout=30)
    h.drain()
    outage.up()
    assert [p.params["text"] for p in h.slack.posts()] == [texts.RECORDS_UNREACHABLE]
