"""A report: the cells a spec asks for, with the definitions of their indicators.

Format-neutral: `to_dict` is the JSON (the CLI's `--format json`, the API's body), `rows`
the flat table (CSV, the terminal). A withheld cell is `null` with `"suppressed": true` and
why (`"withheld"`: `small`, `protects`, `derived`) in JSON; in a table it reads `< 5` (the
threshold in force) when it counts fewer people, and `x` when it is withheld so that another
cannot be worked out (it may hold hundreds) or is drawn from a withheld count (`marker`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from habeas.statistics.indicators import NATIONAL, UNKNOWN, Cell
from habeas.statistics.spec import ReportSpec, SpecError
from habeas.statistics.suppression import SMALL

COLUMNS = ("indicator", "measure", "label", "region", "year", "value", "suppressed", "withheld")
PROTECTED = "x"  # the marker of a cell withheld to protect another, or drawn from a withheld count


def marker(withheld: str | None, min_count: int) -> str:
    """What a withheld cell reads in every format: `< 5` for a small count, else `x`."""
    return f"< {min_count}" if withheld == SMALL else PROTECTED


@dataclass(frozen=True)
class Report:
    spec: ReportSpec
    cells: tuple[Cell, ...]
    min_count: int
    as_of: datetime
    indicators: Mapping[str, Mapping[str, Any]]  # id → its definition (indicators.yaml)
    region_names: Mapping[str, str]
    notes: Mapping[str, str] | None = None  # what the figures cannot say (indicators.yaml `notes`)
    national: str = NATIONAL  # the code of the whole country (indicators.yaml `national`)

    def withheld(self) -> str:
        """The marker of a small count (`< 5`)."""
        return f"< {self.min_count}"

    def marker(self, cell: Cell) -> str:
        return marker(cell.withheld, self.min_count)

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
            row["value"] = self.marker(c) if c.suppressed else ("" if c.value is None else c.value)
            row.setdefault("withheld", "")
            out.append(row)
        return out


def select(
    cells: Sequence[Cell],
    spec: ReportSpec,
    sections: Mapping[str, Sequence[str]],
    regions: Sequence[str],
    national: str = NATIONAL,
) -> tuple[list[str], list[str], list[Cell]]:
    """(indicators, regions, cells) the spec asks for; SpecError for a name it does not know."""
    for name in spec.sections:
        if name not in sections:
            raise SpecError(f"sections: {name!r} is not a section ({', '.join(sections)})")
    known = [*regions, UNKNOWN, national]
    for name in spec.regions:
        if name not in known:
            raise SpecError(f"regions: {name!r} is not a region ({', '.join(known)})")
    indicators = [i for s in (spec.sections or tuple(sections)) for i in sections[s]]
    indicators = list(dict.fromkeys(indicators))
    shown = list(spec.regions) if spec.regions else [*regions, UNKNOWN]
    if national not in shown:
        shown.append(national)
    wanted_ind, wanted_reg, years = set(indicators), set(shown), set(spec.years)
    order_ind = {i: n for n, i in enumerate(indicators)}
    order_reg = {r: n for n, r in enumerate(shown)}
    chosen = [c for c in cells if c.indicator in wanted_ind and c.region in wanted_reg and c.year in years]
    chosen.sort(key=lambda c: (order_ind[c.indicator], c.year, order_reg[c.region]))
    return indicators, shown, chosen
