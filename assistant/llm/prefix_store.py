"""Evaluated prompt prefixes kept on disk as llama.cpp state files, shared by every process on the machine.

Evaluating the shared prefix (system prompt and tools block) costs tens of seconds on a slow 2-core box; its
llama.cpp state is ~28 KB a token, written in ~0.2 s and restored in ~0.06 s (measured on a 1,441-token
prefix). So `layer8 serve`, `layer8 ask`, `layer8 chat` and `layer8 worker` load the file instead of
evaluating the prefix again.

A state is only valid for the exact model and the exact tokens it was computed from: a file is named by the
model's SHA-256 and the SHA-256 of its tokens, and its header repeats both (with the context size and the
llama-cpp-python version) so a renamed or foreign file is not trusted. Files are written to a temporary name
and renamed into place, so a reader never sees half a file and two writers cannot interleave.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

MAGIC = b"LAYER8-KV1\n"
SUFFIX = ".kvstate"
_LENGTH = struct.Struct("<I")
TEMPORARY_MAX_AGE_S = 3600


@dataclass(frozen=True)
class EngineIdentity:
    """What a state depends on besides its tokens: the model's weights, the context size, the runtime."""

    model_sha256: str
    n_ctx: int
    runtime: str  # llama-cpp-python's version: the state layout is llama.cpp's, not ours


@dataclass(frozen=True)
class StoredPrefix:
    tokens: tuple[int, ...]
    state: bytes
    path: Path


def tokens_sha256(tokens: Sequence[int]) -> str:
    return hashlib.sha256(_pack(tokens)).hexdigest()


class PrefixStore:
    """A directory of state files for one :class:`EngineIdentity`."""

    def __init__(self, directory: Path, identity: EngineIdentity) -> None:
        self.directory = directory
        self.identity = identity

    def path_for(self, tokens: Sequence[int]) -> Path:
        return self.directory / f"{self.identity.model_sha256[:16]}-{tokens_sha256(tokens)[:24]}{SUFFIX}"

    def load_all(self, max_bytes: int | None = None) -> list[StoredPrefix]:
        """Every valid state for this identity, newest first, within ``max_bytes`` of state in total.

        A file for another model, context size or runtime, or one that fails its checks, is deleted.
        """
        loaded: list[StoredPrefix] = []
        total = 0
        for path in self._files_newest_first():
            try:
                stored = self._read(path)
            except OSError as exc:  # unreadable here (another user's file): not ours to judge or delete
                logger.warning("could not read the prompt state %s (%s)", path.name, exc)
                continue
            if stored is None:
                _remove(path, "it belongs to another model or runtime, or is damaged")
                continue
            if max_bytes is not None and total + len(stored.state) > max_bytes:
                continue
            loaded.append(stored)
            total += len(stored.state)
        return loaded

    def save(self, tokens: Sequence[int], state: bytes) -> Path:
        """Write ``state`` for ``tokens`` atomically (a temporary file renamed into place)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        header = {
            **asdict(self.identity),
            "tokens_sha256": tokens_sha256(tokens),
            "n_tokens": len(tokens),
            "state_sha256": hashlib.sha256(state).hexdigest(),
            "state_bytes": len(state),
        }
        target = self.path_for(tokens)
        fd, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as out:
                _write(out, header, tokens, state)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        logger.info(
            "saved an evaluated prompt prefix: %d tokens, %d bytes, %s", len(tokens), len(state), target
        )
        return target

    def prune(self, keep: Iterable[Sequence[int]]) -> list[Path]:
        """Delete this model's state files for any tokens but ``keep`` (a prompt or tools change made them
        stale); another model's files go too. Returns the deleted paths."""
        wanted = {self.path_for(tokens).name for tokens in keep}
        removed = self._abandoned_temporaries()
        for path in self._files_newest_first():
            if path.name not in wanted:
                _remove(path, "its prompt prefix is no longer the shared one")
                removed.append(path)
        return removed

    def _abandoned_temporaries(self) -> list[Path]:
        """Temporary files a writer left behind when it died (an hour is far beyond any write)."""
        if not self.directory.is_dir():
            return []
        removed = []
        for path in self.directory.glob(f"*{SUFFIX}.*.tmp"):
            try:
                old = time.time() - path.stat().st_mtime > TEMPORARY_MAX_AGE_S
            except FileNotFoundError:
                continue
            if old:
                _remove(path, "a write that never finished")
                removed.append(path)
        return removed

    def _files_newest_first(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        files = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            try:
                files.append((path.stat().st_mtime_ns, path))
            except FileNotFoundError:  # pruned by another process meanwhile
                continue
        return [path for _, path in sorted(files, reverse=True)]

    def _read(self, path: Path) -> StoredPrefix | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # pruned by another process meanwhile
            return None
        parsed = _parse(data)
        if parsed is None:
            return None
        header, tokens, state = parsed
        expected = {
            **asdict(self.identity),
            "tokens_sha256": tokens_sha256(tokens),
            "n_tokens": len(tokens),
            "state_sha256": hashlib.sha256(state).hexdigest(),
            "state_bytes": len(state),
        }
        if header != expected or path.name != self.path_for(tokens).name:
            return None
        return StoredPrefix(tuple(tokens), state, path)


def _write(out: BinaryIO, header: dict[str, object], tokens: Sequence[int], state: bytes) -> None:
    encoded = json.dumps(header, sort_keys=True).encode()
    packed = _pack(tokens)
    for part in (MAGIC, _LENGTH.pack(len(encoded)), encoded, _LENGTH.pack(len(packed)), packed, state):
        out.write(part)


def _parse(data: bytes) -> tuple[dict[str, object], list[int], bytes] | None:
    """Header, tokens and state of a file's bytes; None when it is not one of ours or is cut short."""
    if not data.startswith(MAGIC):
        return None
    at = len(MAGIC)
    try:
        (size,) = _LENGTH.unpack_from(data, at)
        header = json.loads(data[at + 4 : at + 4 + size])
        at += 4 + size
        (packed,) = _LENGTH.unpack_from(data, at)
        at += 4
        if packed % 4 or at + packed > len(data):
            return None
        tokens = list(struct.unpack(f"<{packed // 4}i", data[at : at + packed]))
    except (struct.error, ValueError):
        return None
    if not isinstance(header, dict):
        return None
    return header, tokens, data[at + packed :]


def _pack(tokens: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(tokens)}i", *tokens)


def _remove(path: Path, why: str) -> None:
    try:
        path.unlink()
        logger.info("removed the prompt state %s: %s", path.name, why)
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning("could not remove the prompt state %s (%s)", path.name, exc)
