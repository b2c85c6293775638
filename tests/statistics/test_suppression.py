"""Suppression: no cell under the threshold is published, and none can be worked out.

Hypothesis draws random tables (regions × a breakdown, with their row, column and grand
totals) and random caseloads; the check that nothing is recoverable is written here again,
independently of the module's (numpy's rank over the reals: a withheld cell is recoverable
exactly when its unit vector lies in the row space of the relations restricted to the
withheld cells, i.e. when it is zero in every vector of their null space).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habeas.jurisdictions import reference
from habeas.statistics.episodes import Episode
from habeas.statistics.indicators import NATIONAL, Definitions, Regions, compute
from habeas.statistics.report import select
from habeas.statistics.spec import ReportSpec
from habeas.statistics.suppression import Relation, suppress

MIN = 5


def recoverable(hidden, relations) -> set:
    keys = sorted(hidden, key=repr)
    if not keys:
        return set()
    index = {k: i for i, k in enumerate(keys)}
    rows = []
    for r in relations:
        row = np.zeros(len(keys))
        for k, v in r.coefficients().items():
            if k in index:
                row[index[k]] += v
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    # e_x lies in the row space of A exactly when x is zero in every vector of A's null space
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
    null = vt[rank:]
    return {k for k, i in index.items() if null.shape[0] == 0 or np.abs(null[:, i]).max() < 1e-9}


def two_way(counts: list[list[int]]):
    """A table of parts with its row totals, column totals and grand total, and the relations."""
    cells, relations = {}, []
    rows, cols = len(counts), len(counts[0])
    for i in range(rows):
        for j in range(cols):
            cells[(i, j)] = counts[i][j]
        cells[(i, "all")] = sum(counts[i])
        relations.append(Relation((i, "all"), tuple((i, j) for j in range(cols))))
    for j in range(cols):
        cells[("all", j)] = sum(counts[i][j] for i in range(rows))
        relations.append(Relation(("all", j), tuple((i, j) for i in range(rows))))
    cells[("all", "all")] = sum(cells[(i, "all")] for i in range(rows))
    relations.append(Relation(("all", "all"), tuple((i, "all") for i in range(rows))))
    relations.append(Relation(("all", "all"), tuple(("all", j) for j in range(cols))))
    return cells, relations


tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 14), min_size=cols, max_size=cols), min_size=1, max_size=7)
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_small_cell_is_published_and_none_withheld_can_be_recovered(counts):
    cells, relations = two_way(counts)
    hidden = set(suppress(cells, relations, MIN))  # the cells withheld, whatever the reason
    assert {k for k, v in cells.items() if 0 < v < MIN} <= hidden
    assert recoverable(hidden, relations) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=12))
def test_a_total_and_its_parts(parts):
    cells = {("part", i): v for i, v in enumerate(parts)} | {"total": sum(parts)}
    relations = [Relation("total", tuple(("part", i) for i in range(len(parts))))]
    hidden = set(suppress(cells, relations, MIN))  # the cells withheld, whatever the reason
    assert {k for k, v in cells.items() if 0 < v < MIN} <= hidden
    assert recoverable(hidden, relations) == set()
    if not any(0 < v < MIN for v in cells.values()):
        assert hidden == set()  # nothing withheld that need not be


def test_a_single_small_cell_takes_a_partner_with_it():
    cells, relations = two_way([[2, 10], [10, 10]])
    hidden = set(suppress(cells, relations, MIN))  # the cells withheld, whatever the reason
    assert (0, 0) in hidden and len(hidden) >= 4  # a rectangle at least: row and column partners
    assert recoverable(hidden, relations) == set()


REF = reference.load("kz")
DEFS = Definitions.parse(REF["indicators"])
REGIONS = Regions(REF["regions"])
AS_OF = datetime(2026, 1, 1)

detentions = st.lists(
    st.tuples(
        st.sampled_from(["almaty", "shymkent", "astana", "turkistan", "atyrau", "nowhere"]),
        st.sampled_from([2022, 2023, 2024]),
        st.booleans(),  # ended late
        st.sampled_from([None, True, False]),  # counsel at the first questioning
        st.booleans(),  # rights explained
    ),
    max_size=60,
)


def episodes(drawn):
    out = []
    for n, (region, year, late, counsel, rights) in enumerate(drawn):
        start = datetime(year, 3, 1)
        out.append(
            Episode(
                case=f"C{n}",
                episode="detention",
                year=year,
                region=region,
                person="P1",
                started_at=start,
                ended_at=start,
                end_year=year,
                late=late,
                flag=counsel,
                flag2=rights,
            )
        )
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(detentions, st.sampled_from(["almaty", "shymkent", "astana"]), st.sampled_from([2022, 2024]))
def test_two_reports_differing_by_a_region_or_a_year_reveal_nothing(drawn, region, year):
    found = episodes(drawn)
    cells = compute(found, [2022, 2023, 2024], AS_OF, REF)
    sections = DEFS.sections()
    wide = ReportSpec((2022, 2023, 2024), ("detention",), ("almaty", "shymkent", "astana"))
    narrow_region = ReportSpec((2022, 2023, 2024), ("detention",), tuple(r for r in wide.regions if r != region))
    narrow_year = ReportSpec(tuple(y for y in wide.years if y != year), ("detention",), wide.regions)
    _, _, a = select(cells, wide, sections, REGIONS.codes)
    for other in (narrow_region, narrow_year):
        _, _, b = select(cells, other, sections, REGIONS.codes)
        shared = {(c.indicator, c.measure, c.region, c.year): c for c in a}
        for c in b:  # every cell the smaller report shows, the larger shows alike
            assert shared[(c.indicator, c.measure, c.region, c.year)] == c
    # and what both publish together still pins down no withheld count of any year
    for y in wide.years:
        table = {(c.measure, c.region): c for c in cells if c.year == y and c.measure in DEFS.count_keys}
        hidden = {k for k, c in table.items() if c.suppressed}
        relations = [Relation((k, NATIONAL), tuple((k, r) for r in REGIONS.all)) for k in DEFS.count_keys]
        for total, parts in DEFS.relations:
            relations += [Relation((total, r), tuple((p, r) for p in parts)) for r in [*REGIONS.all, NATIONAL]]
        assert recoverable(hidden, relations) == set()
        counted = [e for e in found if e.year == y]
        for k, c in table.items():
            if c.suppressed:
                continue
            assert c.value == 0 or c.value >= MIN, (k, c)
        if counted:
            assert table[("L7.detentions", NATIONAL)].value in (None, len(counted))


def test_every_relation_a_reader_can_draw_from_the_package_reaches_the_suppression(monkeypatch):
    """Issue 23: F1's own relations (a total and its breakdowns) were dropped between the package
    and the suppression, and a solver took withheld F1 counts back from the margins. Every
    relation the attacker reads from the reference data (written apart, tests/statistics/attacker)
    is now one the suppression is given, for the whole table of a year."""
    from habeas.statistics import indicators
    from tests.statistics import attacker

    given_to: list = []
    real = indicators.suppress
    monkeypatch.setattr(indicators, "suppress", lambda c, r, n: given_to.append((c, r)) or real(c, r, n))
    compute([], [2024], datetime(2025, 6, 1), REF)
    ((cells, relations),) = given_to
    known = {(r.total, tuple(sorted(r.parts, key=repr))) for r in relations if r.exact}
    declared = [(t, p) for t, p in attacker.relations(REF, set(cells)) if p]  # a sum of nothing is a published 0
    assert len(declared) > 300  # margins of every measure, and each indicator's and between them
    assert [(t, p) for t, p in declared if (t, tuple(sorted(p, key=repr))) not in known] == []
    # and a count within another (at most it) is said by a sum or given as such
    within = {(r.total, r.parts[0]) for r in relations if not r.exact}
    said = {(r.total, p) for r in relations if r.exact for p in r.parts}
    pairs = attacker.within(REF, set(cells))
    assert len(pairs) > 100 and [pair for pair in pairs if pair not in within | said] == []


def test_a_relation_the_suppression_cannot_use_is_refused_not_skipped():
    """A relation naming a cell the table lacks (a misspelt key) or one the counts break would
    leave a reader knowing more than the suppression: both are errors."""
    cells = {"total": 7, "a": 3, "b": 4}
    with pytest.raises(ValueError, match="names no cell 'c'"):
        suppress(cells, [Relation("total", ("a", "c"))], MIN)
    with pytest.raises(ValueError, match="the counts break 'total'"):
        suppress(cells | {"b": 5}, [Relation("total", ("a", "b"))], MIN)
    assert set(suppress(cells, [Relation("total", ("a", "b"))], MIN)) == {"a", "b"}
