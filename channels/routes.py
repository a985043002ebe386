"""Every conversational channel on the HTTP app: Slack, WhatsApp and web chat, and sign-in codes sent over
them (one entry in ``EDGES``)."""

from __future__ import annotations

from fastapi import FastAPI

from channels import runtime, sign_in_delivery
from channels.ports import Parts
from channels.slack import http as slack_http
from channels.web import chat, page
from channels.whatsapp import webhook


def install(app: FastAPI, container: Parts) -> None:
    runtime.install(app, container)
    slack_http.install(app, container)
    webhook.install(app, container)
    chat.install(app, container)
    page.install(app, container)
    sign_in_delivery.install(app, container)
