"""A report: the cells a spec asks for, with the definitions of their indicators.

Format-neutral: `to_dict` is the JSON (the CLI's `--format json`, the API's body), `rows`
the flat table (CSV, the terminal). A withheld cell is `null` with `"suppressed": true`
in JSON and `< 5` (the threshold in force) in a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from habeas.statistics.indicators import NATIONAL, UNKNOWN, Cell
from habeas.statistics.spec import ReportSpec, SpecError

COLUMNS = ("indicator", "measure", "label", "region", "year", "value", "suppressed")


@dataclass(frozen=True)
class Report:
    spec: ReportSpec
    cells: tuple[Cell, ...]
    min_count: int
    as_of: datetime
    indicators: Mapping[str, Mapping[str, Any]]  # id → its definition (indicators.yaml)
    region_names: Mapping[str, str]
    notes: Mapping[str, str] | None = None  # what the figures cannot say (indicators.yaml `notes`)

    def withheld(self) -> str:
        return f"< {self.min_count}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.spec.query(),
            "years": list(self.spec.years),
            "sections": list(self.spec.sections),
            "regions": [r for r in self.region_names],
            "min_count": self.min_count,
            "as_of": self.as_of.isoformat(),
            "indicators": {k: dict(v) for k, v in self.indicators.items()},
            "cells": [c.to_dict() for c in self.cells],
            **({"notes": dict(self.notes)} if self.notes else {}),
        }

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for c in self.cells:
            row = c.to_dict()
            row["value"] = self.withheld() if c.suppressed else ("" if c.value is None else c.value)
            out.append(row)
        return out


def select(
    cells: Sequence[Cell],
    spec: ReportSpec,
    sections: Mapping[str, Sequence[str]],
    regions: Sequence[str],
) -> tuple[list[str], list[str], list[Cell]]:
    """(indicators, regions, cells) the spec asks for; SpecError for a name it does not know."""
    for name in spec.sections:
        if name not in sections:
            raise SpecError(f"sections: {name!r} is not a section ({', '.join(sections)})")
    known = [*regions, UNKNOWN, NATIONAL]
    for name in spec.regions:
        if name not in known:
            raise SpecError(f"regions: {name!r} is not a region ({', '.join(known)})")
    indicators = [i for s in (spec.sections or tuple(sections)) for i in sections[s]]
    indicators = list(dict.fromkeys(indicators))
    shown = list(spec.regions) if spec.regions else [*regions, UNKNOWN]
    if NATIONAL not in shown:
        shown.append(NATIONAL)
    wanted_ind, wanted_reg, years = set(indicators), set(shown), set(spec.years)
    order_ind = {i: n for n, i in enumerate(indicators)}
    order_reg = {r: n for n, r in enumerate(shown)}
    chosen = [c for c in cells if c.indicator in wanted_ind and c.region in wanted_reg and c.year in years]
    chosen.sort(key=lambda c: (order_ind[c.indicator], c.year, order_reg[c.region]))
    return indicators, shown, chosen
