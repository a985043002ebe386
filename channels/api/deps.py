"""FastAPI dependencies: the only place where ``Depends`` meets Layer8's parts.

The container is built once by the caller (``assistant.container.build()``) and handed to
:func:`channels.api.app.create_app`, which keeps it on ``app.state``. Routes read through ``SessionDep``;
a route that changes records opens its own unit of work with the principal as actor::

    with container.db.transaction(principal.acting_for(subscriber_id)) as session: ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from channels.ports import Parts


def get_container(request: Request) -> Parts:
    return cast(Parts, request.app.state.container)


ContainerDep = Annotated[Parts, Depends(get_container)]


def read_session(container: ContainerDep) -> Iterator[Session]:
    """One read-only session per request, shared by every dependency that asks for it."""
    with container.db.read() as session:
        yield session


SessionDep = Annotated[Session, Depends(read_session)]
