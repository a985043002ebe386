"""The supply-chain prior: which industries buy from which, from the US BEA 2017 input-output tables.

A row of the Use table is a supplying commodity, a column a buying industry, in $M at producer prices.
``buy_share(buyer, supplier)`` is the share of the buyer industry's total intermediate inputs that comes from
the supplier's commodity (bakeries: grocery wholesalers 6.8%, flour milling 5.2%); ``sell_share`` is the
share of the supplier commodity's intermediate use that goes to the buyer. NAICS 2017 codes reach BEA detail
codes through BEA's crosswalk; a NAICS code spanning several BEA codes (e.g. construction trades) is the sum.

Flows are national and industry-level: they rank partner *industries*, never one pair of firms. When ranking,
management of companies (550000), real estate (531*) and government (S00*, GS*) are left out, or they
dominate every list.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from retrieval.naics import Naics

_EXCLUDED_PREFIXES = ("550000", "531", "S00", "GS")


def ranked(code: str) -> bool:
    """Whether a BEA code may appear in a ranking of partner industries."""
    return not code.startswith(_EXCLUDED_PREFIXES)


@dataclass(frozen=True, slots=True)
class Link:
    """A partner industry: its BEA detail code and name, the share, and the NAICS 2017 codes inside it."""

    bea_code: str
    name: str
    share: float
    naics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UseTable:
    inputs: dict[str, dict[str, float]]  # industry -> commodity -> $M
    outputs: dict[str, dict[str, float]]  # commodity -> industry -> $M
    industry_inputs: dict[str, float]  # industry -> total intermediate inputs (T005)
    commodity_use: dict[str, float]  # commodity -> total intermediate use (T001)
    households: dict[str, float]  # commodity -> personal consumption expenditures (F01000)
    names: dict[str, str]


class SupplyChain:
    def __init__(self, table: UseTable, crosswalk: dict[str, tuple[str, ...]], naics: Naics) -> None:
        self.table = table
        self.naics = naics
        self._to_bea = crosswalk
        members: dict[str, list[str]] = defaultdict(list)
        for code, beas in crosswalk.items():
            if len(code) == 6:
                for bea in beas:
                    members[bea].append(code)
        self._members = {bea: tuple(sorted(codes)) for bea, codes in members.items()}

    @classmethod
    def load(cls) -> SupplyChain:
        return _load()

    # --- codes ------------------------------------------------------------------------------------
    def bea_codes(self, naics_code: str) -> tuple[str, ...]:
        """BEA detail codes of a NAICS code (the closest ancestor of 3+ digits that the crosswalk knows)."""
        for length in range(len(naics_code), 2, -1):
            found = self._to_bea.get(naics_code[:length])
            if found:
                return found
        return ()

    def naics_codes(self, bea_code: str) -> tuple[str, ...]:
        """The six-digit NAICS 2017 codes inside a BEA detail code."""
        return self._members.get(bea_code, ())

    def name(self, bea_code: str) -> str:
        return self.table.names.get(bea_code, bea_code)

    # --- shares -----------------------------------------------------------------------------------
    def buy_share(self, buyer_naics: str, supplier_naics: str) -> float:
        """Share of the buyer industry's intermediate inputs bought from the supplier's commodity (0–1)."""
        return self._buy_share(self.bea_codes(buyer_naics), self.bea_codes(supplier_naics))

    def sell_share(self, supplier_naics: str, buyer_naics: str) -> float:
        """Share of the supplier commodity's intermediate use that the buyer industry takes (0–1)."""
        suppliers, buyers = self.bea_codes(supplier_naics), self.bea_codes(buyer_naics)
        total = sum(self.table.commodity_use.get(code, 0.0) for code in suppliers)
        flow = sum(self.table.outputs.get(s, {}).get(b, 0.0) for s in suppliers for b in buyers)
        return flow / total if total > 0 else 0.0

    def household_share(self, naics_code: str) -> float:
        """Of what households and businesses buy of this commodity, the households' share (0–1)."""
        codes = self.bea_codes(naics_code)
        households = sum(self.table.households.get(code, 0.0) for code in codes)
        business = sum(self.table.commodity_use.get(code, 0.0) for code in codes)
        return households / (households + business) if households + business > 0 else 0.0

    def _buy_share(self, buyers: Iterable[str], suppliers: Iterable[str]) -> float:
        buyers, suppliers = tuple(buyers), tuple(suppliers)
        total = sum(self.table.industry_inputs.get(code, 0.0) for code in buyers)
        flow = sum(self.table.inputs.get(b, {}).get(s, 0.0) for b in buyers for s in suppliers)
        return flow / total if total > 0 else 0.0

    # --- rankings ---------------------------------------------------------------------------------
    def top_suppliers(self, naics_code: str, k: int = 10) -> list[Link]:
        """The commodities the industry buys most of, as shares of its intermediate inputs."""
        buyers = self.bea_codes(naics_code)
        total = sum(self.table.industry_inputs.get(code, 0.0) for code in buyers)
        flows: dict[str, float] = defaultdict(float)
        for buyer in buyers:
            for commodity, value in self.table.inputs.get(buyer, {}).items():
                flows[commodity] += value
        return self._links(flows, total, k)

    def top_buyers(self, naics_code: str, k: int = 10) -> list[Link]:
        """The industries that take most of the commodity, as shares of its intermediate use."""
        suppliers = self.bea_codes(naics_code)
        total = sum(self.table.commodity_use.get(code, 0.0) for code in suppliers)
        flows: dict[str, float] = defaultdict(float)
        for supplier in suppliers:
            for industry, value in self.table.outputs.get(supplier, {}).items():
                flows[industry] += value
        return self._links(flows, total, k)

    def _links(self, flows: dict[str, float], total: float, k: int) -> list[Link]:
        if total <= 0:
            return []
        order = sorted((code for code in flows if ranked(code)), key=lambda code: (-flows[code], code))
        return [
            Link(code, self.name(code), flows[code] / total, self.naics_codes(code)) for code in order[:k]
        ]

    def is_top_supplier(self, buyer_naics: str, supplier_naics: str, k: int = 20) -> bool:
        """Whether the supplier's BEA industry is among the buyer's top ``k`` (the matching eval's test)."""
        top = {link.bea_code for link in self.top_suppliers(buyer_naics, k)}
        return bool(top.intersection(self.bea_codes(supplier_naics)))

    def is_top_buyer(self, supplier_naics: str, buyer_naics: str, k: int = 20) -> bool:
        top = {link.bea_code for link in self.top_buyers(supplier_naics, k)}
        return bool(top.intersection(self.bea_codes(buyer_naics)))

    # --- words ------------------------------------------------------------------------------------
    def reason(self, buyer_naics: str, supplier_naics: str) -> str | None:
        """``"the retail bakeries industry buys 5.2% of its inputs from flour milling and malt
        manufacturing (US input-output tables)"``, or ``None`` when there is no such flow."""
        share = self.buy_share(buyer_naics, supplier_naics)
        if share <= 0:
            return None
        buyer = plain(self.naics.title(buyer_naics)) if buyer_naics in self.naics else buyer_naics
        source = "US input-output tables"
        supplier = self._commodity_words(supplier_naics)
        return f"the {buyer} industry buys {percent(share)} of its inputs from {supplier} ({source})"

    def _commodity_words(self, naics_code: str) -> str:
        """BEA's name when the code is one BEA commodity (*flour milling and malt manufacturing*)."""
        codes = self.bea_codes(naics_code)
        if len(codes) == 1 or naics_code not in self.naics:
            return plain(self.name(codes[0])) if codes else naics_code
        return plain(self.naics.title(naics_code))


def plain(title: str) -> str:
    """A title as it reads inside a sentence: lower case, no parenthetical qualifiers."""
    words = []
    depth = 0
    for char in title:
        depth += char == "("
        if depth == 0:
            words.append(char)
        depth -= char == ")"
    return " ".join("".join(words).split()).lower()


def percent(share: float) -> str:
    value = share * 100
    if value >= 10:
        return f"{value:.0f}%"
    if value >= 0.1:
        return f"{value:.1f}%"
    return "under 0.1%"


def _read_csv(name: str) -> list[dict[str, str]]:
    path = resources.files("retrieval") / "data" / "bea" / name
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode("utf-8") if name.endswith(".gz") else raw.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _load() -> SupplyChain:
    inputs: dict[str, dict[str, float]] = defaultdict(dict)
    outputs: dict[str, dict[str, float]] = defaultdict(dict)
    for row in _read_csv("use_2017_flows.csv.gz"):
        value = float(row["usd_millions"])
        inputs[row["industry"]][row["commodity"]] = value
        outputs[row["commodity"]][row["industry"]] = value
    industry_inputs, commodity_use, households = {}, {}, {}
    for row in _read_csv("use_2017_totals.csv"):
        if row["kind"] == "industry":
            industry_inputs[row["code"]] = float(row["intermediate_usd_millions"])
        else:
            commodity_use[row["code"]] = float(row["intermediate_usd_millions"])
            households[row["code"]] = float(row["households_usd_millions"] or 0)
    names = {row["code"]: row["name"] for row in _read_csv("bea_detail_names.csv")}
    crosswalk: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv("naics_2017_to_bea_detail.csv"):
        crosswalk[row["naics"]].append(row["bea_detail"])
    table = UseTable(dict(inputs), dict(outputs), industry_inputs, commodity_use, households, names)
    return SupplyChain(table, {code: tuple(sorted(b)) for code, b in crosswalk.items()}, Naics.load())
