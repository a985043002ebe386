"""Phone numbers for seeded businesses, from Ofcom's ranges reserved for drama: they never ring anyone.

Mobile 07700 900000–900999 first (most owners give a mobile), then the town's own geographic drama range
where Ofcom reserves one (e.g. Leeds 0113 496 0000–0999), then the no-area range 01632 960000–960999.
Each number is handed out once while any is left; after that numbers repeat. Stored in E.164.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seeding.catalog import Town

MOBILE = "+447700900"
NO_AREA = "+441632960"
P_MOBILE = 0.75


def _numbers(prefix: str, rng: random.Random) -> list[str]:
    numbers = [f"{prefix}{n:03d}" for n in range(1000)]
    rng.shuffle(numbers)
    return numbers


class PhoneBook:
    def __init__(self, rng: random.Random, towns: Iterable[Town]) -> None:
        self.rng = rng
        self._mobile = _numbers(MOBILE, rng)
        self._spare = _numbers(NO_AREA, rng)
        self._local = {
            town.locality: _numbers(town.drama_prefix.replace(" ", ""), rng)
            for town in towns
            if town.drama_prefix
        }
        self._issued = 0

    def number(self, locality: str) -> str:
        self._issued += 1
        local = self._local.get(locality, [])
        if self._mobile and (self.rng.random() < P_MOBILE or not local):
            return self._mobile.pop()
        for pool in (local, self._spare, self._mobile):
            if pool:
                return pool.pop()
        return f"{MOBILE}{self._issued % 1000:03d}"  # every drama number is taken: repeat them
