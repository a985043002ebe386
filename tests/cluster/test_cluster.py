"""The whole flow across processes: two API nodes behind the balancer, workers on Redis, PostgreSQL, a real
Chroma server and ``layer8 model serve --fake`` — started by ``make cluster``'s own script and Procfile."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
import redis
from sqlalchemy import select

from channels.queue import DEFAULT_KEY
from network import tokens
from network.actor import Actor
from network.models import ChannelIdentity, Subscriber
from tests.channels.conftest import WA_SECRET
from tests.channels.fakes import wait_until
from tests.channels.test_whatsapp_webhook import SENDER, text_body
from tests.cluster.conftest import REDIS_URL, Running

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]
ASK = "Please introduce me to a flour supplier"


def subscriber_token(cluster: Running) -> tuple[str, str]:
    with cluster.db.transaction(Actor.admin("test")) as session:
        subscriber_id = session.scalars(select(Subscriber.id).order_by(Subscriber.id)).first()
        assert subscriber_id is not None, "setup seeded the network"
        issued = tokens.issue(session, "subscriber", subscriber_id=subscriber_id, label="cluster test")
    return subscriber_id, issued.token


def test_a_turn_started_on_one_node_is_continued_and_read_on_the_other(cluster: Running) -> None:
    _, token = subscriber_token(cluster)
    auth = {"Authorization": f"Bearer {token}"}
    first, second = (httpx.Client(base_url=n, headers=auth, timeout=30) for n in cluster.nodes)

    matched = first.post("/v1/chat", json={"message": ASK, "thread": "cluster"}).json()
    assert [c["name"] for c in matched["tool_calls"]] == ["find_introductions"]
    assert matched["items"], "matching read the Chroma server and found someone"
    followed = second.post("/v1/chat", json={"message": "thanks", "thread": "cluster"}).json()
    assert followed["reply"] == "(fake model) thanks"

    shown = second.get("/v1/chat/messages", params={"thread": "cluster"}).json()["messages"]
    assert [m["role"] for m in shown] == ["user", "assistant", "user", "assistant"]
    assert shown[0]["text"] == ASK and shown[1]["items"] == matched["items"]


def test_the_balancer_spreads_turns_over_both_nodes(cluster: Running) -> None:
    _, token = subscriber_token(cluster)
    with httpx.Client(base_url=cluster.balancer, headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(4):
            answer = client.post("/v1/chat", json={"message": f"hello {n}", "thread": "spread"}, timeout=30)
            # (the once-a-period NPS question may follow a plain answer)
            assert answer.json()["reply"].startswith(f"(fake model) hello {n}")
        sent = client.get("/_balancer").json()["upstreams"]
    assert all(count >= 2 for count in sent.values()), sent
    served = httpx.get(cluster.model + "/healthz").json()["served"]
    assert served >= 4  # every node's turns went to the one model server


def test_a_webhook_taken_by_a_node_is_answered_once_by_a_worker(cluster: Running) -> None:
    with cluster.db.transaction(Actor.admin("test")) as session:
        subscriber_id = session.scalars(select(Subscriber.id).order_by(Subscriber.id.desc())).first()
        linked = ChannelIdentity(subscriber_id=subscriber_id, channel="whatsapp", external_id=f"+{SENDER}")
        session.add(linked)
    raw = json.dumps(text_body(ASK, "wamid.cluster.1")).encode()
    signed = {
        "X-Hub-Signature-256": "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest(),
        "Content-Type": "application/json",
    }
    for node in cluster.nodes:  # the platform delivers again, to the other node: one turn, one reply
        answer = httpx.post(node + "/webhooks/whatsapp", content=raw, headers=signed, timeout=10)
        assert answer.status_code == 200

    replies = wait_until(cluster.graph.sent, timeout=30, interval=0.2)
    body = replies[0].params["text"]["body"] if "text" in replies[0].params else json.dumps(replies[0].params)
    assert "flour" in body.lower() or "interactive" in replies[0].params
    wait_until(lambda: queue_settled(), timeout=30, interval=0.2)  # nothing waiting, nothing in flight
    assert len(cluster.graph.sent()) == 1, cluster.log_tail()


def queue_settled() -> bool:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        lists = [DEFAULT_KEY, *(k.decode() for k in client.scan_iter(match=DEFAULT_KEY + ":processing:*"))]
        return all(client.llen(key) == 0 for key in lists)
    finally:
        client.close()


def test_a_streamed_turn_passes_through_the_balancer_as_events(cluster: Running) -> None:
    _, token = subscriber_token(cluster)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"message": "good morning to you all", "thread": "streamed"}
    url = cluster.balancer + "/v1/chat/stream"
    with httpx.stream("POST", url, json=body, headers=headers, timeout=30) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = list(r.iter_lines())
    events = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert events.count("delta") > 1 and events[-1] == "reply"
    reply = json.loads(next(x for x in reversed(lines) if x.startswith("data: ")).removeprefix("data: "))
    assert reply["reply"] == "(fake model) good morning to you all"
