"""``GET /healthz``: is the process up and its database reachable and migrated? No authentication."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from channels.api.deps import ContainerDep
from channels.api.version import VERSION
from channels.ports import Parts
from network.errors import Layer8Error

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None


class ServiceUnavailable(Layer8Error):
    code = "service_unavailable"
    status = 503


@router.get("/healthz", response_model=Health, summary="Liveness and database check")
def healthz(container: ContainerDep) -> Health:
    try:
        with container.db.read() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        raise ServiceUnavailable("the database is unreachable or not migrated (run `layer8 init`)") from None
    return Health(status="ok", version=VERSION, database=container.db.dialect, schema_revision=revision)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
