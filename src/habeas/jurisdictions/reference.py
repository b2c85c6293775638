"""A jurisdiction's reference data for the statistics (`<package>/reference/*.yaml`):
regions, population by region and year, the SPACE I median, the indicator definitions.

Read from disk here (the data ring); `habeas.statistics` gets them as plain mappings.
A package without a `reference/` folder (a test jurisdiction) has empty reference data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from habeas.jurisdictions import package_root

FILES = ("indicators", "regions", "population", "space", "un-cts", "courts", "agencies")
# libyaml's safe loader where PyYAML has it: the same documents (tests/statistics), ~10x
# faster; an import's judging (the episodes projection) reads these before it forks
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> dict[str, Any]:
    """{file stem: its YAML} for the package `name`; missing files are empty mappings."""
    folder = package_root(name) / "reference"
    out: dict[str, Any] = {}
    for stem in FILES:
        path = folder / f"{stem}.yaml"
        out[stem] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) if path.is_file() else {}
    return out


def finding_codes(name: str) -> dict[str, str]:
    """{role: finding code} the indicators read (indicators.yaml `findings`)."""
    return dict(load(name)["indicators"].get("findings") or {})


def utc_offset(name: str, region: str | None, local: datetime) -> timedelta:
    """The UTC offset of the local time `local` (naive) in `region` (as recorded: code, alias
    or KATO code): its IANA `zone` in regions.yaml, else the package's (`zone` at the top of
    regions.yaml), else indicators.yaml `release.utc_offset`. The one place the statistics ask
    a region's time (the end of a local stock day)."""
    from habeas.statistics.indicators import Regions  # the one reading of a recorded region

    data = load(name)
    regions = data["regions"] or {}
    code = Regions(regions).of(region)
    entry = next((r for r in regions.get("regions") or [] if r.get("code") == code), {})
    zone = entry.get("zone") or regions.get("zone")
    if zone:
        return local.replace(tzinfo=ZoneInfo(zone)).utcoffset() or timedelta(0)
    text = str((data["indicators"].get("release") or {}).get("utc_offset", "+00:00"))
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes or 0))
