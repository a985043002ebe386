"""FastAPI dependencies: the only place where ``Depends`` meets Layer8's parts.

The application is built once by the composition root and handed to :func:`channels.api.app.create_app`,
which keeps it on ``app.state``. A route asks for the part it uses: ``SessionDep`` to read, ``DbDep`` to
open its own unit of work with the principal as actor, ``SettingsDep`` for the settings::

    with db.transaction(principal.acting_for(subscriber_id)) as session: ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from assistant.settings import Settings
from channels.ports import Parts
from network.db import Database


def get_container(request: Request) -> Parts:
    return cast(Parts, request.app.state.container)


ContainerDep = Annotated[Parts, Depends(get_container)]


def get_db(container: ContainerDep) -> Database:
    return container.db


def get_settings(container: ContainerDep) -> Settings:
    return container.settings


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def read_session(db: DbDep) -> Iterator[Session]:
    """One read-only session per request, shared by every dependency that asks for it."""
    with db.read() as session:
        yield session


SessionDep = Annotated[Session, Depends(read_session)]
