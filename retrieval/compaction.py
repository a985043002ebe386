"""Compact a Chroma ``PersistentClient`` store so erased records leave no bytes behind.

Measured on chromadb 1.5.9: after ``delete`` the document stays in ``chroma.sqlite3`` and the vector in the
HNSW ``data_level0.bin``; after ``delete_collection`` the old segment folder stays on disk. Compaction is
therefore: rebuild the collection (done by the caller), ``VACUUM`` the SQLite file, and remove segment
folders that no live segment references.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SQLITE_FILE = "chroma.sqlite3"


def compact_store(path: Path) -> list[Path]:
    """VACUUM the store's SQLite file and delete orphaned segment folders; returns the folders removed."""
    database = path / SQLITE_FILE
    if not database.exists():
        return []
    live = _live_segments(database)
    removed: list[Path] = []
    for child in path.iterdir():
        if child.is_dir() and UUID.match(child.name) and child.name not in live:
            shutil.rmtree(child)
            removed.append(child)
    _vacuum(database)
    logger.info("Chroma store compacted; %d orphaned segment folders removed", len(removed))
    return removed


def _live_segments(database: Path) -> set[str]:
    connection = sqlite3.connect(database, timeout=30)
    try:
        return {row[0] for row in connection.execute("SELECT id FROM segments")}
    finally:
        connection.close()


def _vacuum(database: Path) -> None:
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        # in WAL mode VACUUM writes the new pages to the WAL: the main file keeps the old ones until this
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
