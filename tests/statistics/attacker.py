"""A solver-style attacker of the published statistics, written apart from the module it attacks.

It reads what anyone can read: the cells of a report as its JSON gives them (or an export's
rows), the relations of `reference/indicators.yaml` (a region's counts add up to the country's,
a measure to its breakdown, one indicator's count to another's), and what the markers say
(`< 5`: 0 to 4; `x` on a count: at least 5; counts are whole and never negative). Then, by
linear programming (SciPy's HiGHS), the least and the greatest value every withheld count can
take. Pairs of indicators that count mostly the same people (`shared_populations`) are taken
as equal wherever that guess is right — the luckiest reader there is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
from scipy.optimize import linprog

NATIONAL = "kz"
MIN = 5


def canonical(indicator: str, measure: str, indicators: Iterable[str]) -> str:
    head = measure.split(".", 1)[0]
    return measure if "." in measure and head in set(indicators) else f"{indicator}.{measure}"


def read_cells(cells: Iterable[Mapping], ref: Mapping, year: int) -> tuple[dict, dict]:
    """(published counts, withheld counts with their ranges) of one year, from JSON cells."""
    raw = ref["indicators"]
    ids = list(raw["indicators"]) + ["OD", "UN"]
    kinds = {}
    for ind, spec in raw["indicators"].items():
        for m in spec["measures"]:
            kinds[canonical(ind, m["key"], ids)] = m.get("kind", "count")
    published, withheld = {}, {}
    for c in cells:
        if c["year"] != year:
            continue
        key = canonical(c["indicator"], c["measure"], ids)
        if c["indicator"] in ("OD", "UN"):
            kinds.setdefault(key, "count")
        if kinds.get(key) != "count":
            continue
        cell = (key, c["region"])
        if not c["suppressed"]:
            published[cell] = c["value"]
        else:
            withheld[cell] = (0, MIN - 1) if c["withheld"] == "small" else (MIN, None)
    return published, withheld


def relations(ref: Mapping, keys: set) -> list[tuple[tuple, tuple]]:
    """Every relation the reference data declares, over the cells present."""
    raw = ref["indicators"]
    ids = list(raw["indicators"])
    regions = [r["code"] for r in ref["regions"]["regions"]] + ["unknown"]
    everywhere = [*regions, NATIONAL]
    measures = {k for k, _ in keys}
    out = []
    for m in measures:
        if not m.startswith("UN."):
            out.append(((m, NATIONAL), tuple((m, r) for r in regions)))
    pairs = []
    for ind, spec in raw["indicators"].items():
        for rel in spec.get("relations", []):
            pairs.append((canonical(ind, rel["total"], ids), tuple(canonical(ind, p, ids) for p in rel["parts"])))
    pairs += [(rel["total"], tuple(rel["parts"])) for rel in raw.get("relations", [])]
    for total, parts in pairs:
        for r in everywhere:
            out.append(((total, r), tuple((p, r) for p in parts)))
    offences = sorted(m for m in measures if m.startswith("OD."))
    corrupt = [k for k in offences if any(c.startswith(raw["corruption_iccs"]) for c in k.split("|", 1)[1].split())]
    for r in everywhere:
        if offences:
            out.append((("W1.registered", r), tuple((k, r) for k in offences)))
        if corrupt:
            out.append((("C1.cases", r), tuple((k, r) for k in corrupt)))
    for cat in ref["un-cts"].get("categories", []):
        parts = tuple(
            (k, NATIONAL) for k in offences if any(c.startswith(tuple(cat["iccs"])) for c in k.split("|", 1)[1].split())
        )
        out.append(((f"UN.{cat['code']}", NATIONAL), parts))
    return [(t, p) for t, p in out if t in keys and all(x in keys for x in p)]


def within(ref: Mapping, keys: set) -> list[tuple[tuple, tuple]]:
    """(larger, smaller) cells where the smaller's count is a part of the larger's, read off the
    definitions: the same episodes by the same year, every test of the larger's met by the
    smaller's (the same test, or values among its values). What it counts is then at most."""
    counts = {}
    for ind, spec in ref["indicators"]["indicators"].items():
        base = spec.get("count") or {}
        for m in spec["measures"]:
            if "count" in m:
                own = m["count"] or {}
                kinds = own.get("episode", base.get("episode"))
                where = {**(base.get("where") or {}), **(own.get("where") or {})}
                key = m["key"] if "." in m["key"] else f"{ind}.{m['key']}"
                counts[key] = (
                    str(sorted(kinds if isinstance(kinds, list) else [kinds])),
                    own.get("year", base.get("year")),
                    where,
                )

    def among(test, of) -> bool:
        if test == of:
            return True
        if isinstance(test, dict) or isinstance(of, dict):
            return False
        return set(map(repr, test if isinstance(test, list) else [test])) <= set(
            map(repr, of if isinstance(of, list) else [of])
        )

    out = []
    for big, (kinds, year, where) in counts.items():
        for small, (kinds2, year2, where2) in counts.items():
            narrower = all(f in where2 and among(where2[f], t) for f, t in where.items())
            if big != small and (kinds, year) == (kinds2, year2) and where != where2 and narrower:
                out += [((big, r), (small, r)) for b, r in keys if b == big and (small, r) in keys]
    return out


def guesses(ref: Mapping, keys: set, truth: Mapping) -> list[tuple[tuple, tuple]]:
    """Two indicators' counts of mostly the same people, taken as equal where they are."""
    out = []
    for first, second in ref["indicators"].get("shared_populations", []):
        for cell in [c for c in keys if c[0] == first]:
            other = (second, cell[1])
            if other in keys and truth.get(cell) == truth.get(other):
                out.append((cell, (other,)))
    return out


def bounds(published: Mapping, withheld: Mapping, known: list, at_most: list = ()) -> dict:
    """The least and greatest whole value of each withheld count, by linear programming;
    `at_most`: (larger, smaller) pairs, the smaller no more than the larger."""
    keys = sorted(withheld, key=repr)
    index = {k: i for i, k in enumerate(keys)}

    def rows_of(pairs):
        rows, rhs = [], []
        for total, parts in pairs:
            row, constant = np.zeros(len(keys)), 0.0
            for key, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
                if key in index:
                    row[index[key]] += sign
                else:
                    constant -= sign * published[key]
            if row.any():
                rows.append(row)
                rhs.append(constant)
        return (np.array(rows), np.array(rhs)) if rows else (None, None)

    out = {}
    if not keys:
        return out
    a, b = rows_of(known)
    a_ub, b_ub = rows_of([(small, (big,)) for big, small in at_most])  # small - big <= 0
    limits = [withheld[k] for k in keys]
    for i, key in enumerate(keys):
        c = np.zeros(len(keys))
        c[i] = 1.0
        low = linprog(c, a_ub, b_ub, a, b, bounds=limits, method="highs")
        high = linprog(-c, a_ub, b_ub, a, b, bounds=limits, method="highs")
        assert low.status == 0, (key, low.message)
        top = math.inf if high.status == 3 else math.floor(-high.fun + 1e-6)
        out[key] = (math.ceil(low.fun - 1e-6), top)
    return out


def pinned(found: Mapping) -> dict:
    return {k: v for k, v in found.items() if v[0] == v[1]}
