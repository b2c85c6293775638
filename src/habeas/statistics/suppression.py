"""Small-count suppression with complementary cells (design §1 point 5).

A table is a set of cells (any hashable key → a count of people) and the linear
relations that hold between them (`Relation`: a total is the sum of its parts — a
region's count and the national one, a measure and its breakdown). A cell counting more
than none and fewer than `min_count` people is suppressed (primary); then more cells are
suppressed (complementary) until no suppressed cell can be worked out from the published
ones by any linear combination of the relations: for every suppressed cell `x`, the unit
vector of `x` is not in the row space of the relations restricted to the suppressed cells
(checked exactly, in integers, `determined`).

A zero is published: it counts no one. Which cells are suppressed depends on the whole
table only, never on which part of it a report shows: two reports that differ by a region
or a year show the same value or the same "< 5" for every cell they share, so nothing is
learnt from their difference (`services.statistics` always suppresses the full table of a
year, all regions and all measures, then slices it).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Relation:
    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def members(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)

    def coefficients(self) -> dict[Hashable, int]:
        out: dict[Hashable, int] = {self.total: 1}
        for part in self.parts:
            out[part] = out.get(part, 0) - 1
        return out


def primary(cells: Mapping[Hashable, int], min_count: int) -> set[Hashable]:
    return {key for key, value in cells.items() if 0 < value < min_count}


def suppress(cells: Mapping[Hashable, int], relations: Sequence[Relation], min_count: int) -> set[Hashable]:
    """The cells to withhold: the small ones and enough others that none can be recovered."""
    hidden = primary(cells, min_count)
    if not hidden:
        return hidden
    relations = [r for r in relations if all(m in cells for m in r.members)]
    touching: dict[Hashable, list[Relation]] = {}
    for relation in relations:
        for member in relation.members:
            touching.setdefault(member, []).append(relation)
    order = {key: index for index, key in enumerate(sorted(cells, key=repr))}

    clean: set[frozenset] = set()  # groups of withheld cells already shown to pin nothing down

    def cheapest(candidates: Iterable[Hashable]) -> Hashable | None:
        open_ = [c for c in candidates if c not in hidden]
        return min(open_, key=lambda c: (cells[c], order[c])) if open_ else None

    while True:
        # 1. no relation may have exactly one withheld member (it would be its difference)
        changed = True
        while changed:
            changed = False
            for relation in relations:
                if sum(1 for m in relation.members if m in hidden) == 1:
                    pick = cheapest(relation.members)
                    if pick is not None:
                        hidden.add(pick)
                        changed = True
        # 2. no combination of relations may isolate a withheld cell
        exposed = determined(hidden, relations, clean)
        if not exposed:
            return hidden
        added = False
        for cell in sorted(exposed, key=lambda c: order[c]):  # a partner for each, in one pass
            for relation in touching.get(cell, ()):
                pick = cheapest(relation.members)
                if pick is not None:
                    hidden.add(pick)
                    added = True
                    break
        if not added:  # every relation of an exposed cell is withheld whole: widen to their neighbours
            pool = {
                m
                for c in exposed
                for r in touching.get(c, ())
                for m2 in r.members
                for r2 in touching.get(m2, ())
                for m in r2.members
            }
            pick = cheapest(pool) or cheapest(cells)
            if pick is None:
                return hidden
            hidden.add(pick)


def determined(
    hidden: set[Hashable], relations: Sequence[Relation], clean: set[frozenset] | None = None
) -> set[Hashable]:
    """The withheld cells that the published cells and the relations pin down exactly.

    `clean` remembers the groups (connected by relations) found to pin nothing down, so a
    group no new withheld cell joined is not solved again."""
    rows = []
    for relation in relations:
        row = {k: v for k, v in relation.coefficients().items() if k in hidden and v != 0}
        if row:
            rows.append(row)
    found: set[Hashable] = set()
    for component in _components(rows):
        keys = frozenset(k for row in component for k in row)
        if clean is not None and keys in clean:
            continue
        isolated = _isolated(component)
        if not isolated and clean is not None:
            clean.add(keys)
        found |= isolated
    return found


def _components(rows: list[dict]) -> list[list[dict]]:
    """Group the equations that share unknowns (each group is solved on its own)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        keys = list(row)
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
        find(keys[0])
    groups: dict = {}
    for row in rows:
        groups.setdefault(find(next(iter(row))), []).append(row)
    return list(groups.values())


def _isolated(rows: list[dict]) -> set[Hashable]:
    """Reduced row echelon form over the rationals, kept sparse (rows are dicts); a reduced
    row with a single unknown isolates it."""
    order = {k: i for i, k in enumerate(sorted({k for row in rows for k in row}, key=repr))}
    pivots: dict[Hashable, dict[Hashable, Fraction]] = {}  # pivot column → its row (coefficient 1 there)
    for raw in rows:
        row = {k: Fraction(v) for k, v in raw.items() if v}
        for col in [c for c in row if c in pivots]:  # reduced pivot rows bring in no other pivot column
            factor = row.get(col)
            if factor:
                for k, v in pivots[col].items():
                    value = row.get(k, 0) - factor * v
                    if value:
                        row[k] = value
                    else:
                        row.pop(k, None)
        if not row:
            continue
        col = min(row, key=order.__getitem__)
        lead = row[col]
        row = {k: v / lead for k, v in row.items()}
        for other in pivots.values():  # keep every pivot row reduced
            factor = other.get(col)
            if factor:
                for k, v in row.items():
                    value = other.get(k, 0) - factor * v
                    if value:
                        other[k] = value
                    else:
                        other.pop(k, None)
        pivots[col] = row
    return {col for col, row in pivots.items() if len(row) == 1}
