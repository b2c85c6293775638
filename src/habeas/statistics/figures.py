"""The reference figures the rates divide by: population by region and year, the SPACE I median."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from habeas.statistics.counting import NATIONAL_DEFAULT as NATIONAL


def _population(raw: Mapping[str, Any], national: str = NATIONAL) -> dict[int, tuple[dict[str, int], set[str]]]:
    """year → (population by region and for the country, the regions whose figure is an estimate).

    A figure is a number (an estimate unless the year says `certainty: published`) or
    `{value, certainty, source}`; the country is the year's `national` figure, else the
    sum of the regions (an estimate if any of them is)."""
    out: dict[int, tuple[dict[str, int], set[str]]] = {}
    for version in raw.get("years", []):
        default = version.get("certainty", "estimate")
        by_region: dict[str, int] = {}
        estimated: set[str] = set()
        for region, figure in (version.get("by_region") or {}).items():
            value, certainty = _figure(figure, default)
            by_region[region] = value
            if certainty != "published":
                estimated.add(region)
        if version.get("national") is not None:
            by_region[national], certainty = _figure(version["national"], default)
            if certainty != "published":
                estimated.add(national)
        else:
            by_region[national] = sum(by_region.values())
            if estimated:
                estimated.add(national)
        out[int(version["year"])] = (by_region, estimated)
    return out


def _figure(figure: Any, default: str) -> tuple[int, str]:
    if isinstance(figure, Mapping):
        return int(figure["value"]), str(figure.get("certainty", default))
    return int(figure), default


def _space(raw: Mapping[str, Any], years: Sequence[int]) -> dict[int, float]:
    """The SPACE I median in force for each year: the latest version not after it."""
    versions = sorted((int(v["year"]), v["median_per_100k"]) for v in raw.get("versions", []))
    out: dict[int, float] = {}
    for year in years:
        found = [value for since, value in versions if since <= year]
        if found:
            out[year] = found[-1]
    return out
