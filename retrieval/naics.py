"""NAICS 2017: titles and long descriptions of every code, levels 2 (sector) to 6 (national industry).

Loaded from the package's own copy (``retrieval/data/naics``, see its SOURCE.md). Sectors that span several
two-digit prefixes keep their official names (``31-33`` Manufacturing, ``44-45`` Retail Trade, ``48-49``
Transportation and Warehousing).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from network.errors import NotFound

_SPANS = {
    "31": "31-33",
    "32": "31-33",
    "33": "31-33",
    "44": "44-45",
    "45": "44-45",
    "48": "48-49",
    "49": "48-49",
}


@dataclass(frozen=True, slots=True)
class NaicsCode:
    code: str
    title: str
    description: str

    @property
    def level(self) -> int:
        """Digits of the code: 2 for a sector (also ``31-33``), up to 6 for a national industry."""
        return 2 if "-" in self.code else len(self.code)


def sector_code(code: str) -> str:
    """The level-2 code a code belongs to (``311811`` → ``31-33``)."""
    return _SPANS.get(code[:2], code[:2])


class Naics:
    """All NAICS 2017 codes, by code."""

    def __init__(self, codes: dict[str, NaicsCode]) -> None:
        self._codes = codes

    @classmethod
    def load(cls) -> Naics:
        return _load()

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[NaicsCode]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)

    def get(self, code: str) -> NaicsCode:
        try:
            return self._codes[code]
        except KeyError:
            raise NotFound(f"unknown NAICS 2017 code {code!r}", code=code) from None

    def title(self, code: str) -> str:
        return self.get(code).title

    def level(self, level: int) -> list[NaicsCode]:
        return [entry for entry in self._codes.values() if entry.level == level]

    def parent(self, code: str, level: int) -> NaicsCode:
        """The ancestor of ``code`` at ``level`` digits (``parent("311811", 4)`` → Bakeries and Tortilla)."""
        return self.get(sector_code(code) if level == 2 else code[:level])

    def lineage(self, code: str) -> list[NaicsCode]:
        """Sector first, the code itself last."""
        levels = range(2, self.get(code).level + 1)
        return [self.parent(code, level) for level in levels if level == 2 or code[:level] in self]


@lru_cache(maxsize=1)
def _load() -> Naics:
    path = resources.files("retrieval") / "data" / "naics" / "naics_2017.json.gz"
    payload = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    codes = {
        code: NaicsCode(code, entry["title"], entry["description"])
        for code, entry in payload["codes"].items()
    }
    return Naics(codes)
