"""An installation that already has records upgrades: every migration runs over a database with rows that
other tables reference (fresh, empty test databases never showed that a SQLite batch copy of `subscribers`
cannot drop the table while foreign keys point at it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, Numeric, Table, insert, select

from network.db import Database
from network.events import EventBus
from network.migrate import alembic_config, upgrade

FIRST_WITH_OPERATIONS = "0006"  # the revision the oldest installations we support run


def _row(table: Table, **given: Any) -> dict[str, Any]:
    """Values for every column that needs one: ``given``, else a plain value of the column's type."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given:
            values[column.name] = given[column.name]
        elif not column.nullable and column.server_default is None and column.default is None:
            kind = column.type
            if isinstance(kind, Boolean):
                values[column.name] = False
            elif isinstance(kind, DateTime):
                values[column.name] = datetime(2026, 1, 1, tzinfo=UTC)
            elif isinstance(kind, Integer | Numeric):
                values[column.name] = 0
            elif isinstance(kind, JSON):
                values[column.name] = {}
            else:
                values[column.name] = f"{column.name[:30]}-1"
    return values


def test_an_installation_with_records_upgrades_to_the_newest_schema(db_url: str) -> None:
    database = Database(db_url, events=EventBus())
    try:
        with database.engine.begin() as connection:
            config = alembic_config(database.url)
            config.attributes["connection"] = connection
            command.upgrade(config, FIRST_WITH_OPERATIONS)
        with database.engine.begin() as connection:
            meta = MetaData()
            subscribers = Table("subscribers", meta, autoload_with=connection)
            conversations = Table("conversations", meta, autoload_with=connection)
            connection.execute(insert(subscribers).values(_row(subscribers, id="sub_0000000000000001")))
            connection.execute(
                insert(conversations).values(_row(conversations, subscriber_id="sub_0000000000000001"))
            )
        assert upgrade(database) != FIRST_WITH_OPERATIONS
        with database.engine.connect() as connection:
            meta = MetaData()
            subscribers = Table("subscribers", meta, autoload_with=connection)
            assert connection.execute(select(subscribers.c.id)).scalars().all() == ["sub_0000000000000001"]
    finally:
        database.dispose()
