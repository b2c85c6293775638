"""The attacks of issue 23 on the published statistics, each as a test that must now fail to get through.

A simulated year (the simulator, through the register's import) is published as every product
shows it — the report's JSON and CSV, the open data and the UN-CTS export — and a solver
(`tests.statistics.attacker`, linear programming over every published figure and every
relation the reference data declares) tries to pin down each withheld count.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.jurisdictions import read_calibration, reference
from habeas.services import statistics
from habeas.services.register import Register
from habeas.simulator import SIMULATOR, lines
from habeas.simulator.calibration import Calibration
from habeas.simulator.engine import Simulation
from habeas.statistics.suppression import Relation, suppress
from tests.statistics import attacker
from tests.statistics.test_suppression import two_way

REF = reference.load("kz")
YEAR = 2024
SPEC = statistics.ReportSpec.parse(f"years={YEAR}")  # no region named: every region
AS_OF = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def year(tmp_path_factory, law):
    """A simulated year in a register: (the engine, the true counts by cell)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('year') / 'year.db'}"
    engine = make_engine(url)
    migrate(engine)
    start = datetime.fromisoformat(f"{YEAR}-01-01T00:00:00+05:00")
    sim = Simulation(law, _acquitting(), cases=2000, years=1.0, seed=7, start=start)
    done = Register(engine, law, FixedClock(sim.end)).import_lines(lines(sim.as_of(sim.end)), SIMULATOR)
    assert not done.errors
    truth = _counts(published_cells(engine, threshold=1))
    yield engine, truth
    engine.dispose()


def _acquitting() -> Calibration:
    """The calibration with acquittals ten times as frequent: at the calibrated 0.3 % a year of
    2,000 cases has none to protect (the national year's 97 are small counts in most regions),
    so the acquittal attack would have nothing to attack."""
    raw = read_calibration("kz")
    raw["probabilities"]["acquitted"]["value"] *= 10
    return Calibration.parse(raw)


def _counts(cells) -> dict:
    published, _ = attacker.read_cells(cells, REF, YEAR)
    return published


def published_cells(engine, threshold: int | None = None) -> list[dict]:
    """Every cell the public products print for the year, as JSON cells (exports mapped onto
    them); with a threshold of 1, every count as it is."""
    cells = statistics.report(engine, SPEC, AS_OF, threshold=threshold).to_dict()["cells"]
    _, offences = statistics.export(engine, "offences", SPEC, AS_OF, threshold=threshold)
    for row in offences:
        withheld = row["withheld"] or None
        value = None if row["suppressed"] else row["cases_registered"]
        measure = f"{row['article']}|{row['iccs']}"
        cells.append(_cell("OD", measure, row["region"], value, withheld))
    _, un = statistics.export(engine, "un-cts", SPEC, AS_OF, threshold=threshold)
    for row in un:
        if row["section"] == "offences_recorded":
            cells.append(_cell("UN", row["item"], "kz", None if row["suppressed"] else row["value"], row["withheld"]))
    return cells


def _cell(indicator, measure, region, value, withheld):
    return {
        "indicator": indicator,
        "measure": measure,
        "region": region,
        "year": YEAR,
        "value": value,
        "suppressed": value is None,
        "withheld": withheld or None,
    }


def test_a_solver_pins_no_withheld_count_of_a_simulated_year(year):
    """Issue 23: 32 withheld counts of 1–4 came back from one report's margins; one CSV gave
    back 25 (a measure's national total of 0 beside withheld zeros)."""
    engine, truth = year
    published, withheld = attacker.read_cells(published_cells(engine), REF, YEAR)
    assert len([k for k, v in withheld.items() if 0 < truth[k] < 5]) > 20  # the year has small counts to protect
    keys = set(published) | set(withheld)
    known = attacker.relations(REF, keys) + attacker.guesses(REF, keys, truth)
    found = attacker.bounds(published, withheld, known, attacker.within(REF, keys))
    for key, (low, high) in found.items():
        assert low <= truth[key] <= high, (key, truth[key], low, high)  # the attacker's knowledge is true
    assert attacker.pinned(found) == {}


def test_no_marker_misleads(year):
    """Issue 23: 27 cells withheld only to protect others printed "< 5" though they held
    hundreds. Now "< 5" is a count under five (a zero where only a zero could protect), and a
    cell withheld to protect another reads "x" in the JSON, the CSV and both exports."""
    engine, truth = year
    report = statistics.report(engine, SPEC, AS_OF)
    cells = report.to_dict()["cells"]
    _, withheld = attacker.read_cells(cells, REF, YEAR)
    protecting = [k for k, r in withheld.items() if r[0] == 5]
    assert protecting and all(truth[k] >= 5 for k in protecting)
    assert all(truth[k] < 5 for k, r in withheld.items() if r[0] == 0)
    rows = list(csv.DictReader(io.StringIO(_csv(report))))
    for row, cell in zip(rows, cells, strict=True):
        if cell["suppressed"]:
            assert row["value"] == ("< 5" if cell["withheld"] == "small" else "x"), (row, cell)
            assert row["withheld"] == cell["withheld"]
    _, offences = statistics.export(engine, "offences", SPEC, AS_OF)
    for row in offences:
        if row["suppressed"]:
            true = truth[(f"OD.{row['article']}|{row['iccs']}", row["region"])]
            assert (row["cases_registered"], true < 5) in (("< 5", True), ("x", False)), (row, true)


def _csv(report) -> str:
    from habeas.presentation.statistics import to_csv

    return to_csv(report)


def test_acquittals_withheld_in_f1_do_not_appear_in_w1(year):
    """Issue 23: an acquittal count withheld in F1 read as W1's "with a verdict" minus "with a
    conviction". Each step of W1 that a case stopped at is now a count of its own, suppressed
    with the rest, and counts of F1 and W1 that agree are withheld together."""
    engine, truth = year
    cells = statistics.report(engine, SPEC, AS_OF).to_dict()["cells"]
    published, withheld = attacker.read_cells(cells, REF, YEAR)
    hidden_acquittals = [r for (m, r) in withheld if m == "F1.acquitted" and 0 < truth[(m, r)] < 5]
    assert hidden_acquittals
    for region in hidden_acquittals:
        verdict, convicted = published.get(("W1.verdict", region)), published.get(("W1.convicted", region))
        if verdict is not None and convicted is not None:
            assert verdict - convicted != truth[("F1.acquitted", region)] or verdict - convicted >= 5, region


def test_the_same_cells_are_withheld_in_every_shape(year):
    """A cell reads the same in the report of one region, of all regions, of one section, of
    every section, in JSON and in the exports: nothing is learnt from comparing them."""
    engine, _ = year
    whole = {
        (c["indicator"], c["measure"], c["region"]): c
        for c in statistics.report(engine, SPEC, AS_OF).to_dict()["cells"]
    }
    for query in (f"years={YEAR}&sections=trial&regions=almaty", f"years={YEAR}&sections=detention"):
        part = statistics.report(engine, statistics.ReportSpec.parse(query), AS_OF).to_dict()["cells"]
        assert part and all(whole[(c["indicator"], c["measure"], c["region"])] == c for c in part)
    _, un = statistics.export(engine, "un-cts", SPEC, AS_OF)
    persons = {row["item"]: row for row in un if row["section"] == "persons"}
    for item, row in persons.items():
        cell = next(
            (c for (i, m, r), c in whole.items() if r == "kz" and i in ("F1", "L1") and m == item),
            None,
        )
        if cell is not None:
            assert row["suppressed"] == cell["suppressed"] and row["withheld"] == (cell.get("withheld") or "")


# -- the rule on its own: tables drawn at random -------------------------------------------------------

grids = st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=1, max_size=6)
)


@settings(max_examples=150, deadline=None)
@given(grids)
def test_a_solver_pins_nothing_in_a_random_table(counts):
    cells, relations = two_way(counts)
    withheld = suppress(cells, relations, 5)
    assert {k for k, v in cells.items() if 0 < v < 5} <= set(withheld)
    assert all(cells[k] >= 5 for k in withheld.protects)  # "x" never hides a small count or a zero
    published = {k: v for k, v in cells.items() if k not in withheld}
    ranges = {k: (0, 4) for k in withheld.small} | {k: (5, None) for k in withheld.protects}
    found = attacker.bounds(published, ranges, [(r.total, r.parts) for r in relations])
    assert attacker.pinned(found) == {}


def test_a_zero_total_beside_withheld_zeros_gives_nothing_away():
    """The shape of issue 23's CSV: a region counting no one (its total published as 0), whose
    zeros the old rule took as the cheapest partners of a small count. Counts are never
    negative, so the published 0 said the withheld zeros were zeros, and so what the small
    count was: the old choice is pinned whole; the new one pins nothing."""
    regions = ("r1", "r2", "r3")
    a, b = {"r1": 3, "r2": 0, "r3": 9}, {"r1": 7, "r2": 0, "r3": 8}
    cells = {}
    for r in regions:
        cells[("a", r)], cells[("b", r)], cells[("t", r)] = a[r], b[r], a[r] + b[r]
    for m in "abt":
        cells[(m, "kz")] = sum(cells[(m, r)] for r in regions)
    known = [((m, "kz"), tuple((m, r) for r in regions)) for m in "abt"]
    known += [(("t", r), (("a", r), ("b", r))) for r in (*regions, "kz")]
    old = {("a", "r1"), ("a", "r2"), ("b", "r1"), ("b", "r2")}  # what the rule of issue 12 withheld
    published = {k: v for k, v in cells.items() if k not in old}
    assert attacker.pinned(attacker.bounds(published, {k: (0, None) for k in old}, known)) == {
        ("a", "r1"): (3, 3),
        ("a", "r2"): (0, 0),
        ("b", "r1"): (7, 7),
        ("b", "r2"): (0, 0),
    }
    withheld = suppress(cells, [Relation(t, p) for t, p in known], 5)
    assert ("a", "r1") in withheld.small and not any(cells[k] == 0 for k in withheld.protects)
    published = {k: v for k, v in cells.items() if k not in withheld}
    ranges = {k: (0, 4) for k in withheld.small} | {k: (5, None) for k in withheld.protects}
    assert attacker.pinned(attacker.bounds(published, ranges, known)) == {}


def test_json_and_csv_markers_from_the_command_line(tmp_path):
    """The CLI prints the same markers: the legend names both."""
    from tests.statistics.test_report import imported
    from tests.test_cli import habeas

    url = imported(tmp_path)
    body = json.loads(habeas("report", "--years", "2024", "--format", "json", db=url).stdout)
    withheld = [c for c in body["cells"] if c["suppressed"]]
    assert withheld and {c["withheld"] for c in withheld} <= {"small", "protects", "derived"}
    table = habeas("report", "--years", "2024", "--section", "detention", db=url).stdout
    assert "x is withheld so that another cannot be worked out" in table


# -- figures per closed year: a released snapshot, not live counts ------------------------------------


def _detained(case: str, at: str, region: str = "abai") -> list[str]:
    from tests.conftest import event

    actor = {"id": "inv-9", "role": "investigator", "agency": f"police-{region}"}
    raw = [
        event("case.registered", {"erdr_number": "241100000099", "article": "188", "part": 1, "region": region}),
        event("party.added", {"person": "P1", "role": "suspect", "name": "S"}),
        event("person.detained", {"person": "P1", "place": "police"}),
    ]
    for n, e in enumerate(raw):
        e["case"], e["actor"] = case, actor
        e["occurred_at"] = at.replace("T10:00", f"T10:0{n}")
    return [json.dumps(e) for e in raw]


def test_two_snapshots_around_one_new_case_do_not_differ(engine, law):
    """Issue 23: two live reports around one new case revealed a single detention in a region.
    A year is published once it has closed, as released; a case recorded later — even one
    that happened in that year — changes no figure of it, in any product."""
    clock = FixedClock(datetime(2025, 3, 1, tzinfo=UTC))
    register = Register(engine, law, clock)
    register.import_lines(_detained("KZ-2024-000001", "2024-05-01T10:00:00+05:00"), SIMULATOR)
    spec = statistics.ReportSpec.parse("years=2024&sections=detention")
    with pytest.raises(statistics.SpecError, match="2025 has not closed yet"):
        statistics.report(engine, statistics.ReportSpec.parse("years=2025"), clock.now())
    before = statistics.report(engine, spec, clock.now()).to_dict()["cells"]
    offences_before = statistics.export(engine, "offences", spec, clock.now())
    clock.advance(timedelta(days=1))
    register.import_lines(_detained("KZ-2024-000002", "2024-06-01T10:00:00+05:00"), SIMULATOR)  # a late record
    after = statistics.report(engine, spec, clock.now()).to_dict()["cells"]
    assert after == before
    assert statistics.export(engine, "offences", spec, clock.now()) == offences_before
    live = statistics.report_from_log(engine, spec, clock.now(), threshold=1)  # the log knows both cases
    assert next(c.value for c in live.cells if c.measure == "L7.detentions" and c.region == "kz") == 2


def test_a_year_is_released_once_it_has_ended_in_the_jurisdiction(engine):
    """31 December, 24:00 in Kazakhstan (UTC+5) is 19:00 UTC: not a minute before."""
    spec = statistics.ReportSpec.parse("years=2024")
    with pytest.raises(statistics.SpecError, match="the last is 2023"):
        statistics.report(engine, spec, datetime(2024, 12, 31, 18, 59, tzinfo=UTC))
    assert statistics.report(engine, spec, datetime(2024, 12, 31, 19, 0, tzinfo=UTC)).cells
    assert statistics.last_closed_year(datetime(2024, 12, 31, 19, 0, tzinfo=UTC)) == 2024


within_rows = grids.flatmap(
    lambda counts: st.tuples(
        st.just(counts), st.lists(st.integers(0, 12), min_size=len(counts[0]), max_size=len(counts[0]))
    )
)


@settings(max_examples=150, deadline=None)
@given(within_rows)
def test_a_count_within_another_pins_nothing_either(drawn):
    """A breakdown of the first row of a table counts some of what each of its cells counts
    (as F4's closures without consent are among F1's on reconciliation): each at most its
    cell, which a reader knows and the suppression is told (a relation that is not exact)."""
    counts, sub = drawn
    cells, relations = two_way(counts)
    for j, value in enumerate(sub):
        cells[("within", j)] = min(value, counts[0][j])
        relations.append(Relation((0, j), (("within", j),), exact=False))
    cells[("within", "all")] = sum(cells[("within", j)] for j in range(len(sub)))
    relations.append(Relation(("within", "all"), tuple(("within", j) for j in range(len(sub)))))
    withheld = suppress(cells, relations, 5)
    published = {k: v for k, v in cells.items() if k not in withheld}
    ranges = {k: (0, 4) for k in withheld.small} | {k: (5, None) for k in withheld.protects}
    equal = [(r.total, r.parts) for r in relations if r.exact]
    at_most = [(r.total, r.parts[0]) for r in relations if not r.exact]
    found = attacker.bounds(published, ranges, equal, at_most)
    assert all(low <= cells[k] <= high for k, (low, high) in found.items())
    assert attacker.pinned(found) == {}
