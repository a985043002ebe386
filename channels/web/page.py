"""``GET /chat``: the web chat page — plain HTML, CSS and JS shipped as package data, no front-end build.

The page signs in with a one-time code that becomes a session cookie (:mod:`channels.web.session`),
redraws the thread on load, streams replies from ``/v1/chat/stream`` and draws a pending action's buttons.
A strict Content-Security-Policy allows only our own files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from channels.ports import Parts

STATIC = Path(str(resources.files("channels.web") / "static"))
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/chat")
async def chat_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=SECURITY_HEADERS)


@router.get("/")
async def home() -> RedirectResponse:
    """The product's front door is the chat."""
    return RedirectResponse("/chat", status_code=307)


@router.get("/chat/")
async def chat_page_slash() -> RedirectResponse:
    return RedirectResponse("/chat", status_code=308)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
    app.mount("/chat/static", StaticFiles(directory=STATIC), name="chat-static")
