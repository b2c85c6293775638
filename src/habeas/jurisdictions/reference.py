"""A jurisdiction's reference data for the statistics (`<package>/reference/*.yaml`):
regions, population by region and year, the SPACE I median, the indicator definitions.

Read from disk here (the data ring); `habeas.statistics` gets them as plain mappings.
A package without a `reference/` folder (a test jurisdiction) has empty reference data.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from habeas.jurisdictions import package_root

FILES = ("indicators", "regions", "population", "space", "un-cts")
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
