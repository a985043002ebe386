"""``layer8 signin code``: one-time sign-in codes for the web chat (a subscriber) and the console (an agent);
and the ready sign-ins ``layer8 serve --demo-sign-in`` prints once the server is up (``make run``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.sign_in_delivery import deliver_code
from cli.application import application
from composition.channels import channel_runtime
from composition.container import Layer8
from network import sign_in
from network.actor import Actor
from network.directory import business_names
from network.errors import InvalidInput
from network.models import Subscriber
from network.services import linking
from network.sign_in import IssuedSignIn
from seeding.network import NetworkGenerator

signin_app = typer.Typer(
    help="One-time sign-in codes for the web chat and the console (stored hashed, single use).",
    no_args_is_help=True,
)
DEMO_AGENT = "demo.agent"
DEMO_SEED = 7  # `make run` seeds with --seed 7; its first business is the demo's anchor bakery


def register(app: typer.Typer) -> None:
    app.add_typer(signin_app, name="signin")


@signin_app.command("code")
def code(
    ctx: typer.Context,
    subscriber: str | None = typer.Option(None, help="A subscriber's id: a code for the web chat."),
    agent: str | None = typer.Option(None, help="A support agent's name: a code for the console."),
    minutes: int | None = typer.Option(
        None, min=1, max=1440, help="How long it stays valid (default LAYER8_SIGN_IN_CODE_MINUTES, 15)."
    ),
    send: bool = typer.Option(
        False,
        "--send",
        help="Send it to the subscriber's linked WhatsApp or Slack chat instead of printing it.",
    ),
    url: str = typer.Option("http://127.0.0.1:8000", help="The server's address, for the printed link."),
) -> None:
    """Issue a one-time sign-in code (printed once, or sent over the subscriber's linked chat)."""
    if (subscriber is None) == (agent is None):
        raise typer.BadParameter("give exactly one of --subscriber ID or --agent NAME")
    if send and agent:
        raise typer.BadParameter("--send delivers a subscriber's code over their linked chat")
    layer8 = application(ctx)
    ttl = timedelta(minutes=minutes or layer8.settings.sign_in_code_minutes)
    with layer8.db.transaction(Actor.admin("cli")) as session:
        via = _linked_chat(session, str(subscriber)) if send else "cli"
        if subscriber:
            issued = sign_in.issue_for_subscriber(session, subscriber, issued_by="cli", sent_via=via, ttl=ttl)
        else:
            issued = sign_in.issue_for_agent(session, str(agent), issued_by="cli", sent_via="cli", ttl=ttl)
    if send:
        channel = deliver_code(channel_runtime(layer8), issued, int(ttl.total_seconds() // 60))
        if channel is None:
            raise InvalidInput("the code could not be sent: the subscriber has no reachable linked chat")
        typer.echo(f"sent a sign-in code over {channel}; it works once, until {_until(issued)}", err=True)
        return
    typer.echo(f"one-time sign-in code, works once until {_until(issued)}: {link(url, issued)}", err=True)
    typer.echo(issued.code)


def link(base_url: str, issued: IssuedSignIn) -> str:
    """The sign-in link: the code rides in the fragment, which browsers never send to a server."""
    page = "/chat" if issued.subscriber_id else "/console/sign-in"
    return f"{base_url.rstrip('/')}{page}#code={issued.code}"


@dataclass(frozen=True)
class DemoSignIns:
    chat: IssuedSignIn
    console: IssuedSignIn
    business: str

    def lines(self, base_url: str) -> list[str]:
        assert self.chat.subscriber_id is not None
        until = _until(self.chat)
        return [
            "",
            "Layer8 is running. Sign in (each link works once, until " + until + "):",
            f"  Web chat  {link(base_url, self.chat)}",
            f"            as {self.business} ({self.chat.subscriber_id}), a demo subscriber",
            f"  Console   {link(base_url, self.console)}",
            f"            as support agent {DEMO_AGENT}",
            "  New links: layer8 signin code --subscriber " + self.chat.subscriber_id,
            f"             layer8 signin code --agent {DEMO_AGENT}",
            "",
        ]


def demo_sign_ins(layer8: Layer8, minutes: int, subscriber_id: str | None = None) -> DemoSignIns:
    """A web chat code for a demo subscriber and a console code for the demo agent."""
    ttl = timedelta(minutes=minutes)
    with layer8.db.transaction(Actor.admin("cli:demo")) as session:
        chosen = subscriber_id or demo_subscriber(session)
        if chosen is None:
            raise InvalidInput("there is no subscriber to sign in as yet: run `layer8 seed` first")
        chat = sign_in.issue_for_subscriber(session, chosen, issued_by="demo", sent_via="demo", ttl=ttl)
        console = sign_in.issue_for_agent(session, DEMO_AGENT, issued_by="demo", sent_via="demo", ttl=ttl)
        business = business_names(session, [chosen]).get(chosen, chosen)
    return DemoSignIns(chat, console, business)


def demo_subscriber(session: Session) -> str | None:
    """The demo network's first business (a Leeds bakery) when seeded, else the earliest active one."""
    anchor = next(iter(NetworkGenerator(DEMO_SEED))).subscriber.id
    found = session.get(Subscriber, anchor)
    if found is not None and found.status == "active":
        return found.id
    return session.scalar(
        select(Subscriber.id).where(Subscriber.status == "active").order_by(Subscriber.created_at).limit(1)
    )


def _linked_chat(session: Session, subscriber_id: str) -> str:
    identity = linking.latest_identity(session, subscriber_id, ("whatsapp", "slack"))
    if identity is None:
        raise InvalidInput("the subscriber has no linked WhatsApp or Slack chat to send a code to")
    return identity.channel


def _until(issued: IssuedSignIn) -> str:
    return issued.expires_at.strftime("%H:%M UTC")
