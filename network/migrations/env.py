"""Alembic environment: the URL or connection comes from the caller (``network.migrate``), never a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from network.models import Base

config = context.config


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as fresh:
        _migrate(fresh)
    engine.dispose()


run()
