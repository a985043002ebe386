"""A receiver test server: a real HTTP endpoint that verifies every delivery with the ``standardwebhooks``
package, and injects faults on demand (HTTP 500, a hang past the sender's timeout, a dropped connection)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HANG_S = 1.5  # longer than the relay's timeout in these tests


@dataclass(frozen=True)
class Received:
    message_id: str
    type: str
    data: dict[str, Any]
    body: bytes


@dataclass
class Receiver:
    secret: str = ""
    faults: deque[str] = field(default_factory=deque)  # "500" | "hang" | "drop" | "ok", one per request
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def next_fault(self) -> str:
        with self.lock:
            return self.faults.popleft() if self.faults else "ok"

    def accept(self, body: bytes, headers: dict[str, str]) -> bool:
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            return False
        event = json.loads(body)
        with self.lock:
            self.received.append(Received(headers["webhook-id"], event["type"], event["data"], body))
        return True

    def ids(self) -> list[str]:
        return [r.message_id for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            fault = receiver.next_fault()
            if fault == "drop":
                self.close_connection = True  # no response at all: the sender sees a broken connection
                return
            if fault == "500":
                self._answer(500)
                return
            if fault == "hang":  # processed, but the answer comes after the sender gave up
                receiver.accept(body, {k.lower(): v for k, v in self.headers.items()})
                time.sleep(HANG_S)
                self._answer(204)
                return
            ok = receiver.accept(body, {k.lower(): v for k, v in self.headers.items()})
            self._answer(204 if ok else 401)

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender hung up first

    return Handler
