"""Loading millions of ready vectors into the index, resumably (issue 20: 2M vectors into a Chroma server).

``layer8 index rebuild`` embeds and upserts a batch at a time and starts over when stopped. At a million
subscribers the load alone takes tens of minutes, so this keeps a checkpoint file beside the data: after each
batch is upserted, how many rows of each collection are in. A run that is stopped (killed, the server
restarted) starts again at the first batch not recorded. The batch in flight when it stopped may or may not
have been stored; it is upserted again, which changes nothing (upsert by id).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.index import MAX_BATCH, Metadata, VectorIndex, VectorRecord


class VectorSource(Protocol):
    """Rows ``0 .. len - 1`` of one collection, read a slice at a time (e.g. from a memory-mapped file)."""

    def __len__(self) -> int: ...

    def rows(self, start: int, stop: int) -> Sequence[VectorRecord]: ...


@dataclass
class ArraySource:
    """Vectors in an array (or ``np.load(..., mmap_mode="r")``); ids, documents and metadata by row."""

    vectors: np.ndarray
    id_of: Callable[[int], str]
    document_of: Callable[[int], str] = lambda row: ""
    metadata_of: Callable[[int], Metadata] = lambda row: {}

    def __len__(self) -> int:
        return len(self.vectors)

    def rows(self, start: int, stop: int) -> list[VectorRecord]:
        block = np.asarray(self.vectors[start:stop], dtype=np.float32)
        return [
            VectorRecord(self.id_of(n), block[n - start], self.document_of(n), self.metadata_of(n))
            for n in range(start, stop)
        ]


class Checkpoint:
    """``{collection: rows stored}`` in a JSON file, replaced atomically after each batch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, int]:
        if not self.path.exists():
            return {}
        return {str(k): int(v) for k, v in json.loads(self.path.read_text()).items()}

    def save(self, done: Mapping[str, int]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(json.dumps(dict(done), sort_keys=True))
        os.replace(temporary, self.path)


def load_resumably(
    index: VectorIndex,
    sources: Mapping[str, VectorSource],
    checkpoint: Checkpoint,
    *,
    batch: int = MAX_BATCH,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Upsert every source into its collection from where the checkpoint says it stopped, up to ``limit``
    rows each (all by default); collections advance together a batch at a time, so a stop leaves them
    within one batch of each other. ``progress`` gets the number of vectors stored after each upsert.
    Returns the rows stored per collection."""
    done = {name: 0 for name in sources} | {k: v for k, v in checkpoint.load().items() if k in sources}
    targets = {name: min(len(source), limit or len(source)) for name, source in sources.items()}
    while any(done[name] < targets[name] for name in sources):
        for name, source in sources.items():
            start = done[name]
            stop = min(targets[name], start + batch)
            if start >= stop:
                continue
            index.upsert(name, source.rows(start, stop))
            done[name] = stop
            checkpoint.save(done)
            if progress:
                progress(stop - start)
    return done
