"""Small-count suppression that survives arithmetic (design §1 point 5; issue 23 item 5).

A table is a set of cells (any hashable key → a count of people) and the linear relations
that hold between them (`Relation`: a total is the sum of its parts — a region's count and
the national one, a measure and its breakdown, two indicators counting the same people), or
that a total counts at least its parts (`exact=False`: a count within another, as
`containment` finds them).

Who reads a published table knows more than its relations: counts are whole numbers and
never negative, a cell marked "< 5" holds 0–4 and a cell marked as withheld to protect
another holds at least 5. So the check is not
whether linear algebra isolates a withheld cell, but what a solver makes of all of it: for
each withheld cell, the least and the greatest value it can take given every published
figure (`bounds`, two linear programmes per cell, HiGHS through SciPy).

Rules (`suppress`):
- **primary**: a cell counting 1 to `min_count - 1` people is withheld (`SMALL`);
- **complementary**: more cells, each counting at least `min_count`, are withheld
  (`PROTECTS`) until no withheld cell is pinned to a single value; where no such cell is
  left around one, a zero is withheld, as "< 5" (which it is: a zero is published
  otherwise). A zero is never withheld as protecting another: beside a published total of
  zero it would be a known zero, and it tells a reader a small cell's partner adds nothing.

Every relation given must name cells of the table and hold in its counts (`check_relations`):
one that could not be used would be known to a reader and not to the suppression, so it is an
error, never skipped.

Which cells are withheld depends on the whole table only, never on which part of it a
report shows (`services.statistics` suppresses the full table of a year, then slices it).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

SMALL = "small"  # counts 1 to min_count - 1 people
PROTECTS = "protects"  # counts min_count or more: withheld so that a small cell cannot be worked out
DERIVED = "derived"  # a share, rate, mean or median drawn from a withheld count


@dataclass(frozen=True)
class Relation:
    total: Hashable
    parts: tuple[Hashable, ...]
    exact: bool = True  # False: the parts are among what the total counts, which may count more

    @property
    def members(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)

    def coefficients(self) -> dict[Hashable, int]:
        out: dict[Hashable, int] = {self.total: 1}
        for part in self.parts:
            out[part] = out.get(part, 0) - 1
        return out


@dataclass
class Withheld:
    """The cells withheld from a table, each with why."""

    small: set[Hashable] = field(default_factory=set)
    protects: set[Hashable] = field(default_factory=set)

    def __contains__(self, key: Hashable) -> bool:
        return key in self.small or key in self.protects

    def __iter__(self):
        yield from self.small
        yield from self.protects

    def __len__(self) -> int:
        return len(self.small) + len(self.protects)

    def reason(self, key: Hashable) -> str | None:
        return SMALL if key in self.small else PROTECTS if key in self.protects else None


def primary(cells: Mapping[Hashable, int], min_count: int) -> set[Hashable]:
    return {key for key, value in cells.items() if 0 < value < min_count}


def suppress(cells: Mapping[Hashable, int], relations: Sequence[Relation], min_count: int) -> Withheld:
    """The cells to withhold: the small ones and enough others that none can be worked out."""
    check_relations(cells, relations)
    withheld = Withheld(primary(cells, min_count))
    if not withheld.small:
        return withheld
    touching: dict[Hashable, list[Relation]] = {}
    for relation in relations:
        for member in relation.members:
            touching.setdefault(member, []).append(relation)
    order = {key: index for index, key in enumerate(sorted(cells, key=repr))}
    clean: set[frozenset] = set()  # groups of withheld cells already found safe
    while True:
        _cover_lone_withheld(cells, relations, withheld, touching, min_count, order)
        # what a solver makes of the published figures: widen where it narrows a withheld cell
        exposed = exposed_cells(cells, withheld, relations, min_count, clean)
        if not exposed:
            return withheld
        if not _widen(exposed, cells, withheld, touching, min_count, order):
            return withheld  # nothing left to withhold around them: no more can be done


def _candidates(around: Iterable[Hashable], cells, withheld: Withheld, touching, min_count: int) -> list[Hashable]:
    """Published cells that can protect: at least `min_count` (a zero protects nothing)."""
    return [
        m for c in around for r in touching.get(c, ()) for m in r.members if m not in withheld and cells[m] >= min_count
    ]


def _cheapest(found: Iterable[Hashable], cells, order) -> Hashable | None:
    found = list(found)
    return min(found, key=lambda c: (cells[c], order[c])) if found else None


def _cover_lone_withheld(cells, relations, withheld: Withheld, touching, min_count: int, order) -> None:
    """No relation may have exactly one withheld member (it would be its difference)."""
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if relation.exact and sum(1 for m in relation.members if m in withheld) == 1:
                lone = next(m for m in relation.members if m in withheld)
                pick = _cheapest(_candidates([lone], cells, withheld, touching, min_count), cells, order)
                if pick is not None:
                    withheld.protects.add(pick)
                    changed = True


def _widen(exposed, cells, withheld: Withheld, touching, min_count: int, order) -> set[Hashable]:
    """Withhold a partner of each exposed cell; the cells it added (none: nothing more can be)."""
    added: set[Hashable] = set()
    for cell in sorted(exposed, key=order.__getitem__):
        if any(m in added for r in touching.get(cell, ()) for m in r.members):
            continue  # a partner added this round may already do: look again first
        pick = _partner(cell, cells, withheld, touching, min_count, order)
        if pick is None:  # its relations are withheld whole: look one relation further out
            around = {m for r in touching.get(cell, ()) for m in r.members}
            pick = _cheapest(_candidates(around, cells, withheld, touching, min_count), cells, order)
        if pick is not None:
            withheld.protects.add(pick)
            added.add(pick)
            continue
        # nothing of min_count or more is near: a zero of its relations, withheld as "< 5"
        # (which says fewer than min_count: none is fewer)
        zeros = [m for r in touching.get(cell, ()) for m in r.members if m not in withheld and cells[m] == 0]
        if zeros:
            pick = min(zeros, key=order.__getitem__)
            withheld.small.add(pick)
            added.add(pick)
    return added


def check_relations(cells: Mapping[Hashable, int], relations: Sequence[Relation]) -> None:
    """Refuse a relation that names a cell the table lacks or that the counts break.

    A relation is what a reader adds up: one the suppression left out, it would not protect
    against (issue 23: F1's own relations were dropped on the way and its withheld counts came
    back from its margins), so a relation that cannot be used is an error, never skipped."""
    for relation in relations:
        missing = [m for m in relation.members if m not in cells]
        if missing:
            raise ValueError(f"suppression: {relation.total!r} = {relation.parts!r} names no cell {missing[0]!r}")
        total, parts = cells[relation.total], sum(cells[p] for p in relation.parts)
        if total != parts if relation.exact else total < parts:
            sign = "=" if relation.exact else ">="
            raise ValueError(
                f"suppression: the counts break {relation.total!r} {sign} {' + '.join(map(repr, relation.parts))}"
            )


def _partner(cell, cells, withheld, touching, min_count, order) -> Hashable | None:
    """A published cell of one of `cell`'s relations to withhold with it: the smallest that
    leaves room for a small count to range over 1…min_count-1 (at least 2·min_count - 1),
    else the largest there is."""
    found = {m for r in touching.get(cell, ()) for m in r.members if m not in withheld and cells[m] >= min_count}
    if not found:
        return None
    roomy = [m for m in found if cells[m] >= 2 * min_count - 1]
    if roomy:
        return min(roomy, key=lambda c: (cells[c], order[c]))
    return max(found, key=lambda c: (cells[c], -order[c]))


def exposed_cells(
    cells: Mapping[Hashable, int],
    withheld: Withheld,
    relations: Sequence[Relation],
    min_count: int,
    clean: set[frozenset] | None = None,
) -> set[Hashable]:
    """The withheld cells the published figures pin to a single value.

    Decided without every bound: the true table is one solution, and each programme solved
    is another; a cell two solutions show at two whole values is safe, so only the rest
    are solved for one by one. `clean` remembers the groups of withheld cells found safe (a group no new withheld
    cell joined is the same programme)."""
    ranges = _ranges(withheld, min_count)
    out: set[Hashable] = set()
    for group, keys in _groups(cells, ranges, relations):
        frozen = frozenset(keys)
        if clean is not None and frozen in clean:
            continue
        found = _unsafe(group, keys, ranges, cells, min_count)
        if not found and clean is not None:
            clean.add(frozen)
        out |= found
    return out


def _unsafe(group, keys, ranges, cells, min_count) -> set[Hashable]:
    # nothing exceeds the sum of the table: a bound an attacker may lack, so the check is stricter
    problem = _Programme(group, keys, ranges, cap=sum(cells.values()) + min_count)
    seen_low = {k: cells[k] for k in keys}
    seen_high = dict(seen_low)

    def safe(k) -> bool:  # two whole values at least
        return math.floor(seen_high[k] + 1e-6) > math.ceil(seen_low[k] - 1e-6)

    def note(solution) -> None:
        for k, v in zip(keys, solution, strict=True):
            seen_low[k] = min(seen_low[k], v)
            seen_high[k] = max(seen_high[k], v)

    # a few directions that move many cells at once: all down, all up
    for sign in (1.0, -1.0):
        note(problem.solution(np.full(len(keys), sign)))
    unsafe = set()
    for i, k in enumerate(keys):
        if safe(k):
            continue
        for sign in (1.0, -1.0):
            if safe(k):
                break
            direction = np.zeros(len(keys))
            direction[i] = sign
            note(problem.solution(direction))
        if not safe(k):
            unsafe.add(k)
    return unsafe


def bounds(
    cells: Mapping[Hashable, int], withheld: Withheld, relations: Sequence[Relation], min_count: int
) -> dict[Hashable, tuple[int, float]]:
    """For every withheld cell, the least and greatest whole value consistent with the
    published cells, the relations and the markers (small: 1…min_count-1; protects: at
    least min_count); `math.inf` where nothing bounds it above."""
    published = {k: v for k, v in cells.items() if k not in withheld}
    return solve(published, _ranges(withheld, min_count), relations)


def _ranges(withheld: Withheld, min_count: int) -> dict[Hashable, tuple[int, int | None]]:
    return {k: (0, min_count - 1) for k in withheld.small} | {k: (min_count, None) for k in withheld.protects}


def solve(
    published: Mapping[Hashable, int],
    ranges: Mapping[Hashable, tuple[int, int | None]],
    relations: Sequence[Relation],
) -> dict[Hashable, tuple[int, float]]:
    """Interval bounds of the unknown cells (`ranges`: each one's known range, None for no
    upper bound) under `relations`, whose other members are `published`: each connected
    group of unknowns is a linear programme, minimised and maximised for each unknown."""
    out: dict[Hashable, tuple[int, float]] = {}
    for group, keys in _groups(published, ranges, relations):
        problem = _Programme(group, keys, ranges)
        for i, key in enumerate(keys):
            direction = np.zeros(len(keys))
            direction[i] = 1.0
            least = problem.solution(direction)[i]
            direction[i] = -1.0
            greatest = problem.solution(direction)[i]
            out[key] = (math.ceil(least - 1e-6), greatest if math.isinf(greatest) else math.floor(greatest + 1e-6))
    grouped = {k for _, keys in _groups(published, ranges, relations) for k in keys}
    for key in set(ranges) - grouped:  # in no relation: its marker says all there is
        low, high = ranges[key]
        out[key] = (low, math.inf if high is None else high)
    return out


def _groups(published, ranges, relations):
    """The relations as equations over the unknowns, grouped by the unknowns they share:
    [(equations, unknowns)], an equation being ({unknown: coefficient}, constant, exact): the
    sum of the coefficients times the unknowns equals the constant, or (not exact) is at least it."""
    rows: list[tuple[dict[Hashable, int], int, bool]] = []
    for relation in relations:
        if not all(m in published or m in ranges for m in relation.members):
            continue
        row, constant = {}, 0
        for key, coefficient in relation.coefficients().items():
            if key in ranges:
                row[key] = coefficient
            else:
                constant -= coefficient * published[key]
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append((row, constant, relation.exact))
    return [(group, sorted({k for row, *_ in group for k in row}, key=repr)) for group in _components(rows)]


class _Programme:
    """One group's equations and ranges: `solution(direction)` is a point of the feasible set
    that goes furthest along `direction` (inf where nothing bounds it)."""

    def __init__(self, group, keys, ranges, cap: float | None = None):
        index = {k: i for i, k in enumerate(keys)}
        # equations as they are; "at least" as linprog's "at most", both sides negated
        self.a, self.b = _matrix([(r, c) for r, c, exact in group if exact], index)
        self.a_ub, self.b_ub = _matrix(
            [({k: -v for k, v in r.items()}, -c) for r, c, exact in group if not exact], index
        )
        self.limits = [(low, cap if high is None else high) for low, high in (ranges[k] for k in keys)]
        self.keys = keys

    def solution(self, direction: np.ndarray) -> np.ndarray:
        """Minimise direction · x."""
        found = linprog(direction, self.a_ub, self.b_ub, self.a, self.b, bounds=self.limits, method="highs")
        if found.status == 2:  # infeasible: the figures contradict their relations
            raise ValueError(f"suppression: the relations do not hold among {self.keys[:3]!r}…")
        if found.status == 3:  # unbounded: only asked with one cell's direction, which is what goes to inf
            return np.where(direction < 0, math.inf, -math.inf)
        if found.status != 0:
            raise ValueError(f"suppression: the solver failed ({found.message})")
        return found.x


def _matrix(rows: list[tuple[dict, int]], index: Mapping[Hashable, int]):
    """Rows of ({unknown: coefficient}, constant) as a sparse matrix and its right-hand side
    (None, None for none: linprog takes no empty matrix)."""
    if not rows:
        return None, None
    data, row_ix, col_ix = [], [], []
    for n, (row, _) in enumerate(rows):
        for k, v in row.items():
            data.append(v)
            row_ix.append(n)
            col_ix.append(index[k])
    return csr_array((data, (row_ix, col_ix)), shape=(len(rows), len(index))), np.array([c for _, c in rows], float)


def _components(rows: list[tuple[dict, int, bool]]) -> list[list[tuple[dict, int, bool]]]:
    """Group the equations that share unknowns (each group is solved on its own)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row, *_ in rows:
        keys = list(row)
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
        find(keys[0])
    groups: dict = {}
    for item in rows:
        groups.setdefault(find(next(iter(item[0]))), []).append(item)
    return list(groups.values())
