"""The simulator: a calibrated caseload through the same law engine and register service.

Determinism by seed; every simulated fact is one the register accepts; what-ifs move the
measures the way the law and the load say they must (a shorter detention limit gives more
`KZ-DETENTION-LIMIT` breaches; fewer investigators give longer registration waits)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from habeas.jurisdictions import load, read_calibration
from habeas.law.package import LawDataError
from habeas.services.register import Register
from habeas.simulator import SIMULATOR, calibration, lines
from habeas.simulator.calibration import Calibration
from habeas.simulator.compare import WhatIf, compare
from habeas.simulator.engine import Simulation

START = datetime.fromisoformat("2024-01-01T00:00:00+05:00")


@pytest.fixture(scope="module")
def law():
    return load("kz")


@pytest.fixture(scope="module")
def cal():
    return calibration("kz")


def run(law, cal, seed=1, cases=600):
    return list(Simulation(law, cal, cases=cases, years=0.1, seed=seed, start=START))


def test_the_same_seed_gives_the_same_log_byte_for_byte(law, cal):
    first, again, other = run(law, cal, 5), run(law, cal, 5), run(law, cal, 6)
    assert json.dumps(first) == json.dumps(again)
    assert json.dumps(first) != json.dumps(other)


def test_facts_come_in_time_order_with_actors_of_the_right_roles(law, cal):
    events = run(law, cal)
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert times == sorted(times)
    roles = {e["kind"]: e["actor"]["role"] for e in events}
    assert roles["custody.ordered"] == "investigating_judge" and roles["verdict.delivered"] == "judge"


def test_the_register_takes_every_simulated_fact(law, cal, db_url):
    """Every fact, the stock's before the period and the releases years after it, on a clock
    that has seen them all (the engine leaves cases open three years after the period)."""
    from habeas.clock import FixedClock
    from habeas.db.engine import make_engine

    events = run(law, cal, cases=300)
    kinds = {e["kind"] for e in events}
    assert {"prisoner.admitted", "prisoner.released", "custody.extended"} <= kinds
    assert any(e["occurred_at"] < START.isoformat() for e in events)  # the stock's history
    clock = FixedClock(datetime.fromisoformat(max(e["occurred_at"] for e in events)))
    engine = make_engine(db_url)
    try:
        report = Register(engine, law, clock).import_lines(lines(iter(events)), SIMULATOR)
    finally:
        engine.dispose()
    assert report.errors == [] and report.stored == len(events) > 1000


def test_each_extension_has_the_prosecutors_the_law_asks_for(law, cal):
    """The investigation is extended by the prosecutor of the level its step needs, and custody
    on the petition agreed by each prosecutor its step names: no ladder of the law finds fault."""
    from habeas.domain.case import fold_all
    from habeas.domain.events import parse_event
    from habeas.law.rules import evaluate

    events = run(law, cal, cases=300)
    levels = {(e["kind"], e["data"].get("level")) for e in events}
    assert {("investigation.extended", "district"), ("investigation.extended", "regional")} <= levels
    assert ("decision.approved", "regional") in levels
    by_case: dict[str, list] = {}
    for raw in events:
        by_case.setdefault(raw["case"], []).append(parse_event(raw))
    found = {f.code for case in by_case.values() for f in evaluate(fold_all(case), law) if f.is_violation}
    assert not found & {"KZ-INVESTIGATION-EXTENSION", "KZ-CUSTODY-EXTENSION-AGREEMENT"}


def test_courts_sit_on_the_laws_working_days(law, cal):
    """A case goes to court, its trial starts and its verdict is given on a working day of the
    law's calendar (weekends, holidays and moved days off: the package's, not the simulator's)."""
    from habeas.law.rules.loading import load_calendar

    calendar = load_calendar(law)
    days = [
        datetime.fromisoformat(e["occurred_at"]).date()
        for e in run(law, cal, cases=300)
        if e["kind"] in ("case.sent_to_court", "trial.started", "verdict.delivered")
    ]
    assert len(days) > 100
    assert [d for d in days if calendar.next_working_day(d)[0] != d] == []


def test_every_figure_names_a_known_source():
    raw = read_calibration("kz")
    raw["failures"]["protocol_late"]["source"] = "a rumour"
    with pytest.raises(LawDataError, match="unknown source"):
        Calibration.parse(raw)


def test_a_shorter_detention_limit_gives_more_breaches(law, cal):
    shorter = WhatIf.parse(
        {
            "name": "24h",
            "overlay": {"parameters": {"detention.limit.adult": [{"value": 24, "valid_from": "2024-01-01"}]}},
        }
    )
    result = compare(law, cal, shorter, cases=1500, years=0.1, seed=3, replications=2, start=START)
    key = "breaches KZ-DETENTION-LIMIT"
    assert result.what_if[key].mean > 2 * max(result.baseline.get(key).mean if key in result.baseline else 0, 1)


def test_fewer_investigators_make_registration_wait_longer(law, cal):
    fewer = WhatIf.parse({"name": "understaffed", "resources": {"investigators": 6500}})
    result = compare(law, cal, fewer, cases=1500, years=0.1, seed=3, replications=2, start=START)
    key = "registration wait, h per case"
    assert result.what_if[key].mean > result.baseline[key].mean


def test_a_what_if_naming_what_does_not_exist_is_refused(law, cal):
    with pytest.raises(LawDataError, match="no such resource"):
        WhatIf.parse({"resources": {"astrologers": 3}}).apply(law, cal)
    with pytest.raises(LawDataError, match="no such parameter"):
        WhatIf.parse({"overlay": {"parameters": {"no.such": [{"value": 1, "valid_from": "2024-01-01"}]}}}).apply(
            law, cal
        )


def test_habeas_simulate_from_the_command_line(tmp_path):
    what_if = tmp_path / "what-if.yaml"
    what_if.write_text(
        "name: limit-24h\noverlay:\n  parameters:\n    detention.limit.adult:\n"
        "      - {value: 24, valid_from: 2024-01-01}\n",
        encoding="utf-8",
    )
    chart = tmp_path / "chart.svg"
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    subprocess.run([sys.executable, "-m", "habeas", "init", "--db", db], check=True, capture_output=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "habeas",
            "simulate",
            "--cases",
            "400",
            "--years",
            "0.1",
            "--replications",
            "2",
            "--what-if",
            str(what_if),
            "--chart",
            str(chart),
            "--db",
            db,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["what_if"] == "limit-24h" and found["replications"] == 2
    assert "recorded" in done.stderr
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    listed = subprocess.run(
        [sys.executable, "-m", "habeas", "case", "list", "--db", db, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "KZ-SIM-1-0000001" in listed.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "habeas", "simulate", "--what-if", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2


def test_a_simulated_year_reproduces_the_calibration_targets(law, cal, capsys):
    """A tenth of a national year (14,030 reports, resources and stocks scaled alike), scaled
    back, against every calibration figure of law-kz.md (`targets` in calibration.yaml): each
    within 20 %. The table is printed."""
    from habeas.jurisdictions import reference

    cases = 14_030
    sim = Simulation(law, cal, cases=cases, years=1.0, seed=11, start=START)
    registered = sum(1 for r in sim.records() if r[3] == "case.registered" and 0 <= r[1] <= sim.end_h)
    t, target = sim.totals, {name: figure.value for name, figure in cal.targets.items()}
    scale = cases / cal.arrivals["per_year"].value
    years = reference.load("kz")["population"]["years"]
    population = next(y for y in years if y["year"] == 2024)["national"]["value"]
    held = (t.prison_at_end + t.remand_at_end) / scale
    rows = [  # figure, simulated, published (law-kz.md)
        ("registered offences (2023)", registered / scale, target["registered"]),
        ("persons tried (2023, derived)", t.sent_to_court / scale, target["persons_tried"]),
        ("custody petitions granted (2024)", t.granted / t.petitions, target["petitions_granted_share"]),
        ("detentions a year (2018)", t.detentions / scale, target["detentions"]),
        ("convicts held at the year's end (2024)", t.prison_at_end / scale, target["prisoners"]),
        ("held on remand at the year's end (2024)", t.remand_at_end / scale, target["remand"]),
        ("held per 100,000 (2024)", held / population * 100_000, 220),
        ("unsentenced share of all held (2024)", t.remand_at_end / (t.prison_at_end + t.remand_at_end), 0.17),
    ]
    with capsys.disabled():
        print(f"\n{'figure':<42}{'simulated':>12}{'published':>12}{'off':>8}")
        for name, found, published in rows:
            print(f"{name:<42}{found:>12,.3f}{published:>12,.3f}{found / published - 1:>+8.1%}")
    for name, found, published in rows:
        assert abs(found / published - 1) <= 0.2, name
    # and within the places: no region over its capacity
    assert t.prison_by_region and all(n <= t.prison_places[r] for r, n in t.prison_by_region.items())


def test_fewer_prison_places_show_regions_over_capacity(law, cal):
    fewer = WhatIf.parse({"name": "fewer places", "resources": {"prison_places": 30000}})
    result = compare(law, cal, fewer, cases=1403, years=0.1, seed=3, replications=1, start=START)
    key = "prison regions over capacity at the end"
    assert result.baseline[key].mean == 0 and result.what_if[key].mean == len(cal.regions.value)


def test_the_vectorised_path_agrees_with_the_engine(law, cal):
    from habeas.simulator.fast import replicate

    engine = compare(law, cal, None, cases=4000, years=0.1, seed=1, replications=3, start=START).baseline
    fast = replicate(law, cal, cases=4000, replications=200, seed=1, at=START)
    for key in ("detentions", "custody petitions granted", "sent to court", "prisoners admitted"):
        assert abs(engine[key].mean - fast[key].mean()) <= 0.1 * fast[key].mean(), key  # within 10 %
    # rare events: within four standard errors of the engine's mean over its 3 replications
    rare = "breaches KZ-DETENTION-LIMIT"
    assert abs(engine[rare].mean - fast[rare].mean()) <= 4 * (fast[rare].mean() / 3) ** 0.5 + 1


def test_the_law_engine_answers_every_limit_the_engine_remembers(law, cal):
    """The engine remembers the law's answers per class of case only in the form the law showed;
    with `check_law` every remembered answer is checked against the law's answer for the case."""
    sim = Simulation(law, cal, cases=3000, years=0.1, seed=2, start=START, check_law=True)
    records = list(sim.records())
    assert len(records) == sim.totals.events > 10_000
    plain = Simulation(law, cal, cases=3000, years=0.1, seed=2, start=START)
    assert [r[:2] + r[3:] for r in plain.records()] == [r[:2] + r[3:] for r in records]
    assert plain.law_asked < 0.5 * sim.law_asked  # remembered, not copied


@pytest.mark.parametrize(("seed", "cases", "stock", "share"), [(3, 8000, False, 0.5), (5, 2000, True, 0.2)])
def test_the_agreements_remembered_are_the_laws_on_every_case(law, cal, seed, cases, stock, share):
    """Whose agreement an extension needs is remembered per class of case (`agreed`): with
    `check_law` the ladders are asked on every extension as well, and each remembered answer
    must be the law's for that case; most extensions are remembered, and the log is the same."""
    sim = Simulation(law, cal, cases=cases, years=0.1, seed=seed, start=START, stock=stock, check_law=True)
    records = list(sim.records())
    assert sim.agreements > 300 and sim.agreements_remembered > share * sim.agreements
    assert not sim._refuted  # no form the engine took was ever contradicted by the law
    plain = Simulation(law, cal, cases=cases, years=0.1, seed=seed, start=START, stock=stock)
    assert list(plain.records()) == records


def test_a_shorter_limit_by_overlay_is_not_remembered_from_the_baseline(law, cal):
    """Each run remembers only its own law's answers: under a 24 h limit they are checked too."""
    change = {"detention.limit.adult": [{"value": 24, "valid_from": "2024-01-01"}]}
    shorter = law.with_overlay(WhatIf.parse({"overlay": {"parameters": change}}).overlay)
    sim = Simulation(shorter, cal, cases=1500, years=0.1, seed=4, start=START, check_law=True)
    assert sum(1 for _ in sim.records()) > 5000
