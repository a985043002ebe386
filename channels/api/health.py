"""``GET /healthz``: is the process up, its database reachable and migrated, and its chat model warm?
No authentication.

The embedded model is loaded and its shared prompt prefix evaluated in a background thread from the server's
start (:mod:`assistant.warmup`): ``model`` is ``warming`` until then, ``ready`` after (at once for a fake or
API model), ``unavailable`` when it could not be loaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from assistant.warmup import ModelStatus, Warmup
from channels.api.deps import DbDep
from channels.api.lifespan import on_lifespan
from channels.api.version import VERSION
from channels.ports import Parts
from network.errors import Layer8Error
from network.migrate import schema_revision

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None
    model: ModelStatus


class ServiceUnavailable(Layer8Error):
    code = "service_unavailable"
    status = 503


@router.get("/healthz", response_model=Health, summary="Liveness, database and chat model check")
def healthz(db: DbDep, request: Request) -> Health:
    try:
        with db.read() as session:
            revision = schema_revision(session)
    except SQLAlchemyError:
        raise ServiceUnavailable("the database is unreachable or not migrated (run `layer8 init`)") from None
    warmup: Warmup = request.app.state.warmup
    return Health(
        status="ok",
        version=VERSION,
        database=db.dialect,
        schema_revision=revision,
        model=warmup.status,
    )


def install(app: FastAPI, container: Parts) -> None:
    """The route, and the warm-up started with the server (the composition root puts the
    :class:`~assistant.warmup.Warmup` on ``app.state.warmup``)."""
    app.include_router(router)
    on_lifespan(app, _warm_in_background)


@asynccontextmanager
async def _warm_in_background(app: FastAPI) -> AsyncIterator[None]:
    app.state.warmup.start()  # a daemon thread: the server answers (and reports `warming`) meanwhile
    yield
