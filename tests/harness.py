"""A whole-pipeline harness for conversations (errbot's ``testbot``): the real assistant, real database and
real tools, with a scripted fake chat model at the boundary.

    h = Harness(db, script=[FakeChatModel.call("find_introductions", need="flour")])  # the server replies
    bakery = h.subscriber("Leeds Bakery", needs="flour")
    h.send("find me a flour supplier", as_=bakery)
    h.press("Confirm")
    assert h.count(Deal) == 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select

from assistant.agent import ToolRun
from assistant.llm.fake import FakeChatModel, Reply, Responder
from assistant.messages import Action, Button, InboundMessage, OutboundReply
from assistant.service import Assistant, Options
from composition.assistant import ports_of
from composition.container import Layer8
from network.db import Database
from network.services import consent, profiles
from network.services.subscribers import create_subscriber
from tools.ports import Ports

T = TypeVar("T")


class Harness:
    def __init__(
        self,
        db_or_container: Database | Layer8,
        script: Sequence[Reply | Responder] = (),
        *,
        ports: Ports | None = None,
        options: Options | None = None,
        channel: str = "test",
        model: FakeChatModel | None = None,
    ) -> None:
        if isinstance(db_or_container, Layer8):
            self.db = db_or_container.db
            ports = ports or ports_of(db_or_container)
        else:
            self.db = db_or_container
        self.model = model or FakeChatModel()
        self.model.enqueue(*script)
        self.assistant = Assistant(self.db, self.model, ports or Ports(), options)
        self.channel = channel
        self.replies: list[OutboundReply] = []
        self.chunks: list[list[str]] = []
        self.runs: list[list[ToolRun]] = []  # each turn's tool runs: what the model was shown, what was said
        self.me: str | None = None
        self._record_runs()

    def _record_runs(self) -> None:
        """Keep each turn's tool runs: with no second model call, a run's content (the framed data the model
        was shown) is no longer in ``model.calls``, and tests still check what crosses that boundary."""
        agent = self.assistant.agent
        stream = agent.stream

        def recorded(messages: Any, tools: Any) -> Any:
            result = yield from stream(messages, tools)
            if self.runs:
                self.runs[-1].extend(result.runs)
            return result

        agent.stream = recorded  # type: ignore[method-assign]

    # --- building a network --------------------------------------------------------------------------
    def subscriber(
        self,
        name: str,
        *,
        consented: bool | None = True,
        email: str | None = None,
        phone: str | None = None,
        **profile: Any,
    ) -> str:
        """A subscriber with a declared profile; ``consented=None`` leaves consent never asked."""
        with self.db.transaction() as session:
            sub = create_subscriber(
                session,
                name,
                contact_email=email or f"{name.split()[0].lower()}@example.com",
                contact_phone=phone,
                contact_name=f"{name.split()[0]} Owner",
            )
            if profile:
                profiles.update_profile(session, sub.id, profile)
            if consented is not None:
                for kind in ("discoverable", "contactable"):
                    consent.set_consent(session, sub.id, kind, consented, channel="test")
            return sub.id

    # --- talking -----------------------------------------------------------------------------------------
    def script(self, *turns: Reply | Responder) -> Harness:
        self.model.enqueue(*turns)
        return self

    def send(
        self,
        text: str = "",
        as_: str | None = None,
        *,
        thread: str | None = None,
        action: Action | None = None,
        linked: bool = True,
    ) -> OutboundReply:
        sub = as_ or self.me
        self.me = sub
        message = InboundMessage(
            channel=self.channel,
            thread_key=thread or f"thread-{sub}",
            subscriber_id=sub if linked else None,
            text=text,
            action=action,
        )
        chunks: list[str] = []
        final: OutboundReply | None = None
        self.runs.append([])
        for part in self.assistant.stream(message):
            if isinstance(part, OutboundReply):
                assert final is None, "stream yielded two final replies"
                final = part
            else:
                chunks.append(part)
        assert final is not None, "stream ended without a reply"
        self.chunks.append(chunks)
        self.replies.append(final)
        return final

    def press(
        self, button: Button | Action | str, as_: str | None = None, *, thread: str | None = None
    ) -> OutboundReply:
        """Press a button (or the button with this label on the last reply)."""
        if isinstance(button, str):
            labels = {b.label: b for b in self.last_reply().buttons}
            assert button in labels, f"no button {button!r} on the last reply: {list(labels)}"
            button = labels[button]
        action = button.action if isinstance(button, Button) else button
        return self.send("", as_, thread=thread, action=action)

    def last_reply(self) -> OutboundReply:
        assert self.replies, "nothing was sent yet"
        return self.replies[-1]

    def tool_names(self) -> list[str]:
        return [c.name for c in self.last_reply().tool_calls]

    def shown(self) -> str:
        """What the last turn's tools showed the model (their framed results and errors), all together."""
        assert self.runs, "nothing was sent yet"
        return "\n".join(r.content for r in self.runs[-1])

    # --- records -----------------------------------------------------------------------------------------
    def rows(self, model: type[T], **where: Any) -> list[T]:
        with self.db.read() as session:
            query = select(model).filter_by(**where)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def count(self, model: type[Any], **where: Any) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0)
