"""Search raw files for text, and overwrite it in place: how an erasure checks that no byte is left.

Text is searched as UTF-8 bytes in 1 MiB windows that overlap by the longest needle, so a large store file
is never read whole into memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

CHUNK = 1 << 20


def files_holding(paths: Iterable[Path], traces: Sequence[str]) -> list[Path]:
    """The files among ``paths`` whose raw bytes contain any of ``traces``."""
    needles = _needles(traces)
    return [p for p in paths if p.is_file() and needles and _offsets(p, needles, first_only=True)]


def blank_in_place(path: Path, traces: Sequence[str]) -> int:
    """Overwrite every occurrence of ``traces`` in ``path`` with zero bytes; returns how many were found.

    Only for files whose format cannot legitimately hold text (e.g. an HNSW graph of float vectors and
    integer links), where such bytes are leftovers of freed memory written out with the index."""
    offsets = _offsets(path, _needles(traces), first_only=False)
    if offsets:
        with path.open("r+b") as handle:
            for offset, length in offsets:
                handle.seek(offset)
                handle.write(b"\0" * length)
    return len(offsets)


def _needles(traces: Sequence[str]) -> list[bytes]:
    return sorted({t.encode() for t in traces if t}, key=len, reverse=True)


def _offsets(path: Path, needles: list[bytes], *, first_only: bool) -> list[tuple[int, int]]:
    longest = max((len(n) for n in needles), default=0)
    found: set[tuple[int, int]] = set()
    tail, start = b"", 0  # start: the file offset of ``tail``'s first byte
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            for needle in needles:
                at = window.find(needle)
                while at >= 0:
                    found.add((start + at, len(needle)))
                    if first_only:
                        return sorted(found)
                    at = window.find(needle, at + 1)
            keep = min(len(window), max(longest - 1, 0))
            start += len(window) - keep
            tail = window[len(window) - keep :] if keep else b""
    return sorted(found)
