"""State files of evaluated prompt prefixes: keyed by model and tokens, checked, pruned, written whole."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant.llm.prefix_store import SUFFIX, EngineIdentity, PrefixStore

MODEL = EngineIdentity(model_sha256="a" * 64, n_ctx=8192, runtime="llama-cpp-python 0.3.36")
PREFIX = (151644, 8948, 198, 2610, 525)
STATE = bytes(range(256)) * 40


@pytest.fixture
def store(tmp_path: Path) -> PrefixStore:
    return PrefixStore(tmp_path / "cache" / "llm", MODEL)


def test_a_saved_prefix_loads_back_with_its_tokens_and_state(store: PrefixStore) -> None:
    path = store.save(PREFIX, STATE)
    assert path.parent == store.directory and path.name.endswith(SUFFIX)
    assert path.name.startswith(MODEL.model_sha256[:16])
    (loaded,) = PrefixStore(store.directory, MODEL).load_all()  # another process, same model
    assert loaded.tokens == PREFIX and loaded.state == STATE and loaded.path == path


def test_the_name_changes_with_the_tokens_and_the_model(store: PrefixStore) -> None:
    other_model = PrefixStore(store.directory, EngineIdentity("b" * 64, 8192, MODEL.runtime))
    names = {
        store.path_for(PREFIX).name,
        store.path_for(PREFIX[:-1]).name,
        store.path_for((*PREFIX[:-1], 13)).name,
        other_model.path_for(PREFIX).name,
    }
    assert len(names) == 4


@pytest.mark.parametrize(
    "other",
    [
        EngineIdentity("b" * 64, 8192, MODEL.runtime),
        EngineIdentity(MODEL.model_sha256, 4096, MODEL.runtime),
        EngineIdentity(MODEL.model_sha256, 8192, "llama-cpp-python 0.4.0"),
    ],
    ids=["another model", "another context size", "another runtime"],
)
def test_a_file_for_another_engine_is_ignored_and_removed(store: PrefixStore, other: EngineIdentity) -> None:
    foreign = PrefixStore(store.directory, other).save(PREFIX, STATE)
    assert store.load_all() == []
    assert not foreign.exists()


def test_a_damaged_or_renamed_file_is_ignored_and_removed(store: PrefixStore) -> None:
    cut = store.save(PREFIX, STATE)
    cut.write_bytes(cut.read_bytes()[:-10])  # a state shorter than its header says
    garbage = store.directory / f"junk{SUFFIX}"
    garbage.write_bytes(b"not a state file")
    renamed = store.save(PREFIX[:3], STATE)
    renamed.rename(store.directory / store.path_for(PREFIX[:2]).name)  # its name no longer matches its tokens
    assert store.load_all() == []
    assert list(store.directory.iterdir()) == []


def test_prune_keeps_only_the_current_prefix(store: PrefixStore) -> None:
    current = store.save(PREFIX, STATE)
    stale = store.save(PREFIX[:3], STATE)  # the prompt or the tools changed since
    removed = store.prune(keep=[PREFIX])
    assert removed == [stale] and current.exists() and not stale.exists()


def test_loading_respects_a_byte_budget_newest_first(store: PrefixStore) -> None:
    older = store.save(PREFIX[:3], STATE)
    os.utime(older, (time.time() - 60, time.time() - 60))
    store.save(PREFIX, STATE)
    (loaded,) = store.load_all(max_bytes=len(STATE) + 1)
    assert loaded.tokens == PREFIX
    assert older.exists(), "over budget is not stale: another process may use it"


def test_a_write_leaves_no_temporary_file_and_replaces_whole(store: PrefixStore) -> None:
    store.save(PREFIX, b"x" * 100)
    store.save(PREFIX, STATE)  # a second writer of the same prefix: the last rename wins, whole
    assert [p.name for p in store.directory.iterdir()] == [store.path_for(PREFIX).name]
    (loaded,) = store.load_all()
    assert loaded.state == STATE


def test_a_half_written_temporary_is_never_loaded_and_old_ones_are_cleared(store: PrefixStore) -> None:
    store.save(PREFIX, STATE)
    partial = store.directory / f"{store.path_for(PREFIX).name}.abc123.tmp"
    partial.write_bytes(store.path_for(PREFIX).read_bytes()[:50])
    assert [s.tokens for s in store.load_all()] == [PREFIX]
    store.prune(keep=[PREFIX])
    assert partial.exists(), "a write in progress in another process is left alone"
    os.utime(partial, (time.time() - 7200, time.time() - 7200))
    store.prune(keep=[PREFIX])
    assert not partial.exists()


def test_a_failed_write_leaves_nothing_behind(store: PrefixStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        store.save(PREFIX, STATE)
    assert list(store.directory.iterdir()) == []


def test_an_unreadable_file_is_skipped_not_deleted(
    store: PrefixStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(PREFIX, STATE)

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert store.load_all() == []
    assert path.exists()
