"""Exports of the computed cells: the offence-level open data and the UN-CTS layout.

Both are read from the cells `indicators.compute` returns, so they were suppressed in the
same table as every report of the same years (an open-data row, the corruption indicator
and a UN-CTS category are sums of one another): no export and report together reveal a
withheld count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from habeas.statistics.indicators import NATIONAL, OPEN_DATA, UN_CTS, Cell
from habeas.statistics.report import marker

OPEN_DATA_COLUMNS = ("year", "region", "article", "iccs", "cases_registered", "suppressed", "withheld")
UN_CTS_COLUMNS = ("year", "section", "item", "label", "iccs", "value", "suppressed", "withheld")


def open_data(cells: Sequence[Cell], min_count: int, national: str = NATIONAL) -> list[dict[str, Any]]:
    """Cases registered, by year, region (and the country) and Criminal Code article."""
    rows = []
    for c in cells:
        if c.indicator != OPEN_DATA:
            continue
        article, iccs = c.label.split("|", 1)
        rows.append(
            {
                "year": c.year,
                "region": c.region,
                "article": article,
                "iccs": iccs,
                "cases_registered": marker(c.withheld, min_count) if c.suppressed else c.value,
                "suppressed": c.suppressed,
                "withheld": c.withheld or "",
            }
        )
    rows.sort(key=lambda r: (r["year"], r["region"] == national, r["region"], _article_order(r["article"])))
    return rows


def un_cts(
    cells: Sequence[Cell], layout: Mapping[str, Any], min_count: int, national: str = NATIONAL
) -> list[dict[str, Any]]:
    """The UN-CTS items for the whole country: offences recorded by category, then persons."""
    iccs = {f"{UN_CTS}.{c['code']}": " ".join(c.get("iccs", [])) for c in layout.get("categories", [])}
    persons = {p["measure"]: p for p in layout.get("persons", [])}
    rows = []
    for c in cells:
        if c.region != national:
            continue
        if c.indicator == UN_CTS:
            section, item, label, codes = "offences_recorded", c.measure.split(".", 1)[1], c.label, iccs[c.measure]
        elif c.measure in persons and c.indicator == c.measure.split(".", 1)[0]:
            p = persons[c.measure]
            section, item, label, codes = "persons", p["code"], p["label"], ""
        else:
            continue
        rows.append(
            {
                "year": c.year,
                "section": section,
                "item": item,
                "label": label,
                "iccs": codes,
                "value": marker(c.withheld, min_count) if c.suppressed else c.value,
                "suppressed": c.suppressed,
                "withheld": c.withheld or "",
            }
        )
    return rows


def _article_order(article: str) -> tuple:
    digits = "".join(ch for ch in article if ch.isdigit())
    return (int(digits) if digits else 0, article)
