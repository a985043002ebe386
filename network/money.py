"""Money as integer minor units plus an ISO 4217 code; never a float.

``parse_money("12.50", "GBP")`` → ``Money(1250, "GBP")``. The currency's exponent is respected: ``"12.5"``
in JPY or ``"1.234"`` in EUR is refused, as are ``"12,50"``, ``-1``, ``"NaN"`` and unknown codes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from network.errors import InvalidAmount, UnknownCurrency

_PLAIN_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
MAX_MINOR = 10**15  # a sane ceiling: a quadrillion minor units


@cache
def exponents() -> dict[str, int]:
    text = resources.files("network").joinpath("data/iso4217.json").read_text()
    table: dict[str, int] = json.loads(text)
    return table


def exponent(currency: str) -> int:
    code = currency.strip().upper() if isinstance(currency, str) else ""
    table = exponents()
    if code not in table:
        raise UnknownCurrency(f"unknown currency {currency!r}: use an ISO 4217 code such as GBP, EUR or USD")
    return table[code]


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidAmount("amount_minor must be an integer number of minor units")
        exponent(self.currency)

    def major(self) -> Decimal:
        """The amount in major units (``Money(1250, "GBP").major()`` → ``Decimal("12.5")``)."""
        return Decimal(self.amount_minor).scaleb(-exponent(self.currency))

    def format(self) -> str:
        exp = exponent(self.currency)
        sign = "-" if self.amount_minor < 0 else ""
        major, minor = divmod(abs(self.amount_minor), 10**exp)
        return f"{sign}{major:,}{'.' + str(minor).zfill(exp) if exp else ''} {self.currency}"

    def __str__(self) -> str:
        return self.format()


def parse_money(amount: object, currency: str, *, allow_zero: bool = False) -> Money:
    """Parse a major-unit amount (``"2400"``, ``"12.50"``, ``12``) into :class:`Money`.

    Strings must be plain decimals with a dot; ints are major units. Floats are refused outright because
    they cannot say how many decimals the person meant.
    """
    code = currency.strip().upper() if isinstance(currency, str) else ""
    exp = exponent(code)
    value = _to_decimal(amount)
    power = value.as_tuple().exponent
    places = -power if isinstance(power, int) else 0
    if places > exp:
        raise InvalidAmount(f"{amount!r} has more decimals than {code} allows ({exp})")
    minor = int(value * (10**exp))
    if minor < 0 or (minor == 0 and not allow_zero):
        raise InvalidAmount(f"amount must be positive, got {amount!r}")
    if minor > MAX_MINOR:
        raise InvalidAmount(f"amount {amount!r} is too large")
    return Money(minor, code)


def money_from_minor(amount_minor: object, currency: str) -> Money:
    """Validate an amount that already arrives in minor units (APIs, tools)."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InvalidAmount(f"amount_minor must be an integer, got {amount_minor!r}")
    if amount_minor <= 0:
        raise InvalidAmount(f"amount must be positive, got {amount_minor!r}")
    if amount_minor > MAX_MINOR:
        raise InvalidAmount(f"amount {amount_minor!r} is too large")
    return Money(amount_minor, currency.strip().upper())


def _to_decimal(amount: object) -> Decimal:
    if isinstance(amount, bool | float):
        raise InvalidAmount(f"give the amount as text or an integer, not {amount!r}")
    if isinstance(amount, int):
        return Decimal(amount)
    if isinstance(amount, Decimal):
        text = format(amount, "f")
    elif isinstance(amount, str):
        text = amount.strip()
    else:
        raise InvalidAmount(f"not an amount: {amount!r}")
    if not _PLAIN_DECIMAL.match(text):
        raise InvalidAmount(f"not an amount: {amount!r} (use digits with an optional '.' for decimals)")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise InvalidAmount(f"not an amount: {amount!r}") from exc
