"""Fakes at the channel boundary: a scripted assistant, a local fake Slack Web API and a fake Graph API
(real HTTP servers on 127.0.0.1 ephemeral ports), and a real uvicorn server for the app.

Also used by ``benchmarks/webhook_bench.py``.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.messages import Action, Button, InboundMessage, ListItem, OutboundReply
from network.db import Database
from network.models import Conversation, Message

BOT_USER = "UBOT1"
BOT_ID = "BBOT1"


class FakeAssistant:
    """Deterministic replies; stores the conversation like the real assistant so feedback can find it.

    - a message containing "deal" → a pending action with Confirm / Cancel buttons
    - a message containing "matches" → three list items
    - a button → "Done: <kind> <target>."
    - anything else → "You said: <text>" (+ how many context lines came with it)
    """

    def __init__(self, db: Database | None = None, *, delay_s: float = 0.0) -> None:
        self.db = db
        self.delay_s = delay_s
        self.seen: list[InboundMessage] = []
        self._lock = threading.Lock()

    def handle(self, msg: InboundMessage) -> OutboundReply:
        with self._lock:
            self.seen.append(msg)
        if self.delay_s:
            time.sleep(self.delay_s)
        reply = self._reply(msg)
        if self.db is not None and msg.subscriber_id:
            self._store(msg, reply)
        return reply

    def stream(self, msg: InboundMessage) -> Iterator[str | OutboundReply]:
        reply = self.handle(msg)
        for word in reply.text.split(" "):
            yield word + " "
        yield reply

    @staticmethod
    def _reply(msg: InboundMessage) -> OutboundReply:
        if msg.action is not None:
            return OutboundReply(f"Done: {msg.action.kind} {msg.action.target_id}.")
        if "deal" in msg.text.lower():
            buttons = [
                Button("Confirm", Action("confirm", "act_1"), "primary"),
                Button("Cancel", Action("cancel", "act_1"), "danger"),
            ]
            pending = {"id": "act_1", "kind": "record_deal", "summary": "Record a deal of £2,400 with Acme"}
            return OutboundReply(
                "Please confirm: record a deal of £2,400 with Acme.", buttons, pending_action=pending
            )
        if "matches" in msg.text.lower():
            items = [ListItem(f"sub_{n}", f"Business {n}", f"reason {n}") for n in range(1, 4)]
            return OutboundReply("Businesses you could meet:", items=items)
        context = f" ({len(msg.context)} earlier)" if msg.context else ""
        return OutboundReply(f"You said: {msg.text}{context}")

    def _store(self, msg: InboundMessage, reply: OutboundReply) -> None:
        assert self.db is not None
        with self.db.transaction() as session:
            conversation = (
                session.query(Conversation)
                .filter_by(channel=msg.channel, thread_key=msg.thread_key)
                .one_or_none()
            )
            if conversation is None:
                conversation = Conversation(
                    subscriber_id=msg.subscriber_id, channel=msg.channel, thread_key=msg.thread_key
                )
                session.add(conversation)
                session.flush()
            seq = session.query(Message).filter_by(conversation_id=conversation.id).count()
            session.add(Message(conversation_id=conversation.id, seq=seq + 1, role="user", content=msg.text))
            session.add(
                Message(conversation_id=conversation.id, seq=seq + 2, role="assistant", content=reply.text)
            )


@dataclass
class Call:
    path: str
    method: str
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the body as sent (uploads)


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Callable[[Call], tuple[int, dict[str, Any], dict[str, str]]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.respond = respond


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params: dict[str, Any] = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("content-type") or ""
        if raw and not url.path.startswith("/upload/") and "multipart" not in content_type:
            if "json" in content_type:
                params.update(json.loads(raw))
            else:
                params.update(urllib.parse.parse_qsl(raw.decode()))
        call = Call(url.path, self.command, params, {k.lower(): v for k, v in self.headers.items()}, raw)
        with self.server.lock:
            self.server.calls.append(call)
        status, body, headers = self.server.respond(call)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _FakeServer:
    def __init__(self) -> None:
        self._server = _Recorder(self.respond)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def calls(self) -> list[Call]:
        with self._server.lock:
            return list(self._server.calls)

    def respond(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeSlackAPI(_FakeServer):
    """The Slack Web API methods Layer8 uses, plus response URLs under ``/respond/``."""

    def __init__(self) -> None:
        self.threads: dict[str, list[dict[str, Any]]] = {}
        self.socket_url = ""
        self.refuse: dict[str, str] = {}  # method → the error Slack answers it with (e.g. missing_scope)
        self._ts = 1700000000
        super().__init__()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def respond(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        method = call.path.rsplit("/", 1)[-1]
        if call.path.startswith(("/respond/", "/upload/")):
            return 200, {"ok": True}, {}
        if method in self.refuse:
            return 200, {"ok": False, "error": self.refuse[method]}, {}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.posts(method)):04d}"
            return 200, {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}, {}
        if method == "files.completeUploadExternal":
            return 200, {"ok": True, "files": json.loads(str(call.params.get("files") or "[]"))}, {}
        if method == "auth.test":
            return (
                200,
                {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T111", "team": "Test"},
                {},
            )
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            return 200, {"ok": True, "channel": call.params.get("channel"), "ts": f"{self._ts}.000100"}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": f"{self._ts}.000200"}, {}
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "DNEW" + str(call.params.get("users"))}}, {}
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": self.socket_url}, {}
        if method == "conversations.replies":
            return 200, {"ok": True, "messages": self.threads.get(str(call.params.get("ts")), [])}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def posts(self, method: str = "chat.postMessage") -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/" + method)]

    def uploads(self) -> dict[str, bytes]:
        """The bytes POSTed to each upload address, by file id."""
        return {c.path.rsplit("/", 1)[-1]: c.raw for c in self.calls if c.path.startswith("/upload/")}

    def replies(self) -> list[Call]:
        """Every message shown to a person: posts, ephemerals and response URLs."""
        return [
            c
            for c in self.calls
            if c.path.endswith(("/chat.postMessage", "/chat.postEphemeral")) or c.path.startswith("/respond/")
        ]


class FakeGraphAPI(_FakeServer):
    """``POST /{phone-number-id}/messages`` and ``/media`` (uploads); ``failures`` are answered first
    (status, error code)."""

    def __init__(self) -> None:
        self.failures: list[tuple[int, int | None]] = []
        self._n = 0
        super().__init__()

    def respond(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.failures:
            status, code = self.failures.pop(0)
            return status, {"error": {"message": "fake failure", "code": code}}, {"retry-after": "0"}
        self._n += 1
        if call.path.endswith("/media"):
            return 200, {"id": f"media.{self._n}"}, {}
        return 200, {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out.{self._n}"}]}, {}

    def sent(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/messages")]

    def media(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/media")]


def wait_until(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@contextmanager
def fake_servers() -> Iterator[tuple[FakeSlackAPI, FakeGraphAPI]]:
    slack, graph = FakeSlackAPI(), FakeGraphAPI()
    try:
        yield slack, graph
    finally:
        slack.close()
        graph.close()
