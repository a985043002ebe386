"""The BEA supply-chain prior on the real 2017 tables (the package's own condensed copy)."""

from __future__ import annotations

import pytest

from retrieval.naics import Naics, sector_code
from retrieval.supply_chain import SupplyChain, percent, plain, ranked

BAKERY = "311811"  # Retail Bakeries -> BEA 311810 Bread and bakery product manufacturing
FLOUR = "311211"  # Flour Milling -> BEA 311210
GROCERY_WHOLESALE = "424410"  # -> BEA 424400


@pytest.fixture(scope="module")
def chain() -> SupplyChain:
    return SupplyChain.load()


def test_bakeries_buy_from_grocery_wholesalers_and_flour_mills(chain: SupplyChain) -> None:
    # data/README's sanity check: 6.8% and 5.2% of the bakeries' intermediate inputs
    assert chain.buy_share(BAKERY, GROCERY_WHOLESALE) == pytest.approx(0.068, abs=0.001)
    assert chain.buy_share(BAKERY, FLOUR) == pytest.approx(0.052, abs=0.001)
    top = [link.bea_code for link in chain.top_suppliers(BAKERY, 10)]
    assert "424400" in top and "311210" in top


def test_flour_mills_sell_to_bakeries(chain: SupplyChain) -> None:
    buyers = chain.top_buyers(FLOUR, 5)
    assert "311810" in [link.bea_code for link in buyers]
    assert BAKERY in next(link for link in buyers if link.bea_code == "311810").naics
    assert chain.sell_share(FLOUR, BAKERY) > 0.1
    assert chain.is_top_buyer(FLOUR, BAKERY) and chain.is_top_supplier(BAKERY, FLOUR)


def test_management_real_estate_and_government_never_ranked(chain: SupplyChain) -> None:
    for code in ("541211", "722511", "238220", "561720", BAKERY):
        links = chain.top_suppliers(code, 20) + chain.top_buyers(code, 20)
        assert links and all(ranked(link.bea_code) for link in links)
        assert not any(link.bea_code.startswith(("550000", "531", "S00", "GS", "F", "T0")) for link in links)


def test_shares_are_fractions_in_descending_order(chain: SupplyChain) -> None:
    links = chain.top_suppliers("722511", 15)
    shares = [link.share for link in links]
    assert shares == sorted(shares, reverse=True)
    assert all(0 < share < 1 for share in shares)
    assert sum(link.share for link in chain.top_suppliers("722511", 500)) <= 1.0


def test_a_trade_spanning_several_bea_codes_is_summed(chain: SupplyChain) -> None:
    assert len(chain.bea_codes("238220")) > 1  # construction work is classified by structure, not trade
    top = [link.bea_code for link in chain.top_suppliers("238220", 5)]
    assert "444000" in top  # building material dealers


def test_unknown_codes_fall_back_to_their_parent_or_to_nothing(chain: SupplyChain) -> None:
    assert chain.bea_codes("311819") == chain.bea_codes("31181")  # no such industry: its parent's
    assert chain.bea_codes("999999") == ()
    assert chain.buy_share("999999", BAKERY) == 0.0
    assert chain.top_suppliers("999999") == []
    assert chain.reason("999999", BAKERY) is None


def test_reason_in_plain_words(chain: SupplyChain) -> None:
    reason = chain.reason(BAKERY, FLOUR)
    assert reason is not None
    assert reason.startswith("the retail bakeries industry buys 5.2% of its inputs from flour milling")
    assert "US input-output tables" in reason


def test_households_buy_most_bread_and_few_flour(chain: SupplyChain) -> None:
    assert chain.household_share(BAKERY) > 0.5
    assert chain.household_share("541211") < chain.household_share(BAKERY)


def test_words_helpers() -> None:
    assert plain("Commercial Printing (except Screen and Books)") == "commercial printing"
    assert percent(0.0522) == "5.2%" and percent(0.1234) == "12%" and percent(0.0004) == "under 0.1%"


def test_naics_titles_and_lineage() -> None:
    naics = Naics.load()
    assert naics.title(BAKERY) == "Retail Bakeries"
    assert [entry.code for entry in naics.lineage(BAKERY)] == ["31-33", "311", "3118", "31181", "311811"]
    assert sector_code("445110") == "44-45" and naics.parent("445110", 2).title == "Retail Trade"
    assert len(naics.level(6)) == 1057 and len(naics.level(2)) == 20
    assert "Illustrative Examples" in naics.get("238220").description
    assert "Cross-References" not in naics.get(BAKERY).description
