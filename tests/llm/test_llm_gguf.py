"""Assembling and verifying a GGUF: the SHA-256 is checked before anything is loaded."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from assistant.llm import gguf
from assistant.llm.gguf import ModelFile, ModelHashMismatch, ModelNotInstalled


def _parts(tmp_path: Path) -> tuple[list[Path], str]:
    chunks = [os.urandom(1000), os.urandom(2500), b"tail"]
    paths = []
    for n, data in enumerate(chunks, start=1):
        path = tmp_path / f"part{n:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths, hashlib.sha256(b"".join(chunks)).hexdigest()


def test_assemble_joins_the_parts_in_order_and_reports_progress(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    target = tmp_path / "models" / "m.gguf"
    seen: list[int] = []
    assert gguf.assemble(parts, target, digest, seen.append) == digest
    assert target.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert sum(seen) == gguf.total_size(parts)
    assert not target.with_name("m.gguf.partial").exists()


def test_a_wrong_hash_leaves_nothing_to_load(tmp_path: Path) -> None:
    parts, _ = _parts(tmp_path)
    target = tmp_path / "m.gguf"
    with pytest.raises(ModelHashMismatch) as raised:
        gguf.assemble(parts, target, "0" * 64)
    assert raised.value.code == "model_hash_mismatch"
    assert not target.exists()
    assert not target.with_name("m.gguf.partial").exists()


def test_verify_refuses_a_changed_file_even_after_a_good_check(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    target = gguf.default_path(tmp_path)
    gguf.assemble(parts, target, digest)
    model = ModelFile(target, digest)
    assert gguf.verify(model) == target
    target.write_bytes(target.read_bytes()[:-1] + b"X")  # same size, new content: the stamp no longer matches
    with pytest.raises(ModelHashMismatch):
        gguf.verify(model)


def test_the_stamp_spares_a_second_full_hash_but_check_hashes_anyway(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    target = tmp_path / "m.gguf"
    gguf.assemble(parts, target, digest)
    hashed: list[int] = []
    gguf.verify(ModelFile(target, digest), hashed.append)
    assert hashed == []
    gguf.verify(ModelFile(target, digest), hashed.append, trust_stamp=False)
    assert sum(hashed) == target.stat().st_size


def test_a_missing_file_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled, match="layer8 model install"):
        gguf.verify(ModelFile(tmp_path / "none.gguf", gguf.GGUF_SHA256))


def test_a_custom_gguf_is_checked_only_when_its_hash_is_given(tmp_path: Path) -> None:
    custom = tmp_path / "other.gguf"
    custom.write_bytes(b"GGUF other model")
    assert gguf.model_file(tmp_path, custom) == ModelFile(custom, None)
    assert gguf.verify(gguf.model_file(tmp_path, custom)) == custom
    with pytest.raises(ModelHashMismatch):
        gguf.verify(gguf.model_file(tmp_path, custom, "AB" * 32))
    bundled = gguf.model_file(tmp_path, None)
    assert bundled == ModelFile(tmp_path / "models" / gguf.GGUF_NAME, gguf.GGUF_SHA256)


def test_missing_chunk_packages_are_named() -> None:
    with pytest.raises(ModelNotInstalled, match="part1"):
        gguf.part_paths(package="layer8_no_such_chunk_{n}", count=2)
