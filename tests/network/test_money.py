import pytest

from network.errors import InvalidAmount, UnknownCurrency
from network.money import Money, parse_money


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("2400", "GBP", 240000), ("12.50", "eur", 1250), (1500, "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_amounts_become_minor_units(amount: object, currency: str, minor: int) -> None:
    assert parse_money(amount, currency).amount_minor == minor


@pytest.mark.parametrize(
    "amount", ["12,50", -1, "-1", "NaN", "inf", "1e3", 12.5, "", " ", "12.", True, None, "1.234", "0"]
)
def test_bad_amounts_are_refused(amount: object) -> None:
    with pytest.raises(InvalidAmount):
        parse_money(amount, "GBP")


def test_decimals_beyond_the_currency_exponent_are_refused() -> None:
    with pytest.raises(InvalidAmount):
        parse_money("12.5", "JPY")


@pytest.mark.parametrize("currency", ["XYZ", "pounds", "", "GB"])
def test_unknown_currencies_are_refused(currency: str) -> None:
    with pytest.raises(UnknownCurrency):
        parse_money("10", currency)


def test_formatting_respects_the_exponent() -> None:
    assert Money(240000, "GBP").format() == "2,400.00 GBP"
    assert Money(1500, "JPY").format() == "1,500 JPY"
