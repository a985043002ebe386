"""The PostgreSQL server and Redis the tests (and ``benchmarks/cluster_load.py``) share: a schema of one's own
for each user of the database, and a task queue emptied before and after each user of Redis."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from sqlalchemy import create_engine, text

from channels.queue import DEFAULT_KEY

POSTGRES_URL = os.environ.get("LAYER8_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A new schema on the test server, dropped with all it holds afterwards; yields the URL that uses it."""
    schema = f"{prefix}_{secrets.token_hex(5)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def clear_queue(url: str) -> None:
    """Delete the task queue's keys (pending and in-progress lists) from the Redis database at ``url``."""
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=DEFAULT_KEY + "*"):
        client.delete(key)
    client.close()
