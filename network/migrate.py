"""Create or migrate the database to the newest schema (``layer8 init``)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm import Session

from network.db import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("network") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> str:
    """Upgrade to head; returns the revision now in force."""
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() or "base"


def schema_revision(session: Session) -> str | None:
    """The revision recorded in the database (raises when the database is unreachable or unmigrated)."""
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if revision is None else str(revision)
