"""Which count measures count some of what another counts, derived from their declarations.

A count that takes the same episodes by the same year as another, and whose every test of a
field is at least as narrow as the other's (the same test, or values all among the other's),
counts a part of what the other counts: `L2.past` (detentions ended past the limit) is at
most `L7.detentions`, `F4.without_consent` at most `F1.closed_reconciliation`. A reader
knows it from the definitions alone, so the suppression is told (a `Relation` that is not
exact) and keeps it from narrowing a withheld cell, as it keeps every sum the package
declares. Nothing is declared for this: it follows from the counts as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import permutations
from typing import Any


def contained(raw: Mapping[str, Any], declared: Iterable[tuple[str, tuple[str, ...]]] = ()) -> list[tuple[str, str]]:
    """(larger, smaller) for every pair of count measures of `raw` (indicators.yaml) where the
    smaller counts a part of what the larger counts; those `declared` as a sum already say it
    (its parts within its total), and are left out."""
    said = {(total, part) for total, parts in declared for part in parts}
    counts = _counts(raw)
    out = []
    for larger, smaller in permutations(counts, 2):
        (kinds, year, tests), (kinds2, year2, tests2) = counts[larger], counts[smaller]
        if (larger, smaller) in said or kinds != kinds2 or year != year2 or tests == tests2:
            continue
        if all(name in tests2 and _narrower(tests2[name], test) for name, test in tests.items()):
            out.append((larger, smaller))
    return out


def _counts(raw: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], str, dict[str, Any]]]:
    """Each count measure's key → (episode kinds, year, tests), merged over its indicator's
    `count` as counting.parse_count merges them; counts by a field (rows of their own) left out."""
    out = {}
    for ind, spec in (raw.get("indicators") or {}).items():
        default = spec.get("count") or {}
        for m in spec.get("measures", []):
            if "count" not in m:
                continue
            own = m["count"] or {}
            merged = {**default, **own, "where": {**(default.get("where") or {}), **(own.get("where") or {})}}
            if merged.get("by"):
                continue
            kinds = merged.get("episode")
            kinds = tuple(sorted(kinds if isinstance(kinds, list) else [kinds]))
            key = m["key"] if "." in m["key"] else f"{ind}.{m['key']}"
            out[key] = (kinds, merged.get("year", "start"), merged["where"])
    return out


def _narrower(test: Any, than: Any) -> bool:
    """Whether a field's `test` lets through only values `than` lets through."""
    if test == than:
        return True
    if isinstance(test, Mapping) or isinstance(than, Mapping):
        return False  # tests of kinds (not_in, set, prefix): only the same one is known narrower
    values = test if isinstance(test, list) else [test]
    return all(v in (than if isinstance(than, list) else [than]) for v in values)
