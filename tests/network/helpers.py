"""Small builders for network tests."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest

from network.db import Database
from network.services import consent
from network.services.subscribers import create_subscriber


def make_subscribers(db: Database, *names: str, contactable: bool = True) -> list[str]:
    ids = []
    with db.transaction() as session:
        for name in names:
            sub = create_subscriber(session, name, contact_email=f"{name.split()[0].lower()}@example.com")
            consent.set_consent(session, sub.id, "discoverable", True, channel="test")
            consent.set_consent(session, sub.id, "contactable", contactable, channel="test")
            ids.append(sub.id)
    return ids


def raw_hits(db: Database, pattern: re.Pattern[bytes]) -> list[str]:
    """Where the raw bytes still match ``pattern``: the SQLite file and its WAL, or a PostgreSQL dump."""
    if db.dialect == "sqlite":
        return [str(p) for p in db.files() if p.is_file() and pattern.search(p.read_bytes())]
    schema = unquote(db.url).rsplit("search_path=", 1)[-1]
    url = db.engine.url.set(drivername="postgresql", query={})
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    dump = subprocess.run(
        [pg_dump, "--data-only", f"--schema={schema}", url.render_as_string(hide_password=False)],
        capture_output=True,
        check=True,
    ).stdout
    return ["pg_dump"] if pattern.search(dump) else []
