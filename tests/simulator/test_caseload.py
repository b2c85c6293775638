"""The simulator's detailed caseload: deterministic, valid, importable, lawful on demand, bounded in memory."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from habeas.domain.events import Actor, parse_event
from habeas.services import queries
from habeas.services.register import Register
from habeas.simulator import Caseload, generate, write_jsonl

REGISTRAR = Actor("reg-1", "registrar", "ministry-records")


def test_same_seed_same_events_other_seed_other_events():
    first = list(generate(events=3000, seed=5))
    assert first == list(generate(events=3000, seed=5))
    assert first != list(generate(events=3000, seed=6))


def test_limits_and_identifiers():
    events = list(generate(cases=50, seed=2))
    cases = {e["case"] for e in events if "case" in e}
    assert len(cases) == 50
    assert all(c.startswith("KZ-20") and len(c.split("-")[2]) >= 6 for c in cases)
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids)) and all(i.startswith("g2-") for i in ids)
    assert len(list(generate(events=1234, seed=2))) == 1234


def test_every_event_parses_and_comes_in_time_order():
    events = list(generate(events=20_000, seed=11, breach_rate=0.2, cases_per_day=10))
    times = []
    for raw in events:
        event = parse_event(raw)
        times.append(event.occurred_at)
    assert times == sorted(times)
    kinds = Counter(e["kind"] for e in events)
    for kind in (
        "report.received",
        "case.registered",
        "person.detained",
        "rights.explained",
        "custody.ordered",
        "custody.refused",
        "case.closed",
        "case.sent_to_court",
        "verdict.delivered",
        "decision.approved",
        "facility.visited",
    ):
        assert kinds[kind] > 0, kind


def test_import_2000_generated_events_stores_all(sqlite_engine, law, clock):
    lines = [json.dumps(e) for e in generate(events=2000, seed=3)]
    report = Register(sqlite_engine, law, clock).import_lines(lines, REGISTRAR)
    assert report.errors == []
    assert (report.stored, report.skipped) == (2000, 0)


def test_lawful_caseload_gives_no_findings_and_breaches_give_some(sqlite_engine, law, clock):
    """breach_rate=0 must be lawful through and through; breaches must show as findings."""
    generated = list(generate(cases=150, seed=4, breach_rate=0.0))
    # each extension of the investigation is made by the prosecutor of the level its step needs
    extended = [e for e in generated if e["kind"] == "investigation.extended"]
    assert extended and all(e["data"].get("level") for e in extended)
    lawful = [json.dumps(e) for e in generated]
    register = Register(sqlite_engine, law, clock)
    assert register.import_lines(lawful, REGISTRAR).ok
    assert queries.alert_rows(sqlite_engine, clock.now()) == []
    # about one case in ten has a detention (the calibration's gravity mix and shares by gravity): 400 give some
    breaching = [json.dumps(e) for e in generate(cases=400, seed=40, breach_rate=0.3, first_case=5000)]
    assert register.import_lines(breaching, REGISTRAR).ok
    codes = {f["code"] for f in queries.alert_rows(sqlite_engine, clock.now())}
    breached = {"KZ-REPORT-REGISTRATION", "KZ-DETENTION-LIMIT", "KZ-DETENTION-RIGHTS", "KZ-INVESTIGATION-EXTENSION"}
    assert breached <= codes


def test_window_of_running_cases_stays_bounded():
    """The active window depends on the arrival rate and a case's life, not on the length."""
    short = Caseload(events=50_000, seed=9, cases_per_day=40)
    for _ in short:
        pass
    long = Caseload(events=200_000, seed=9, cases_per_day=40)
    for _ in long:
        pass
    assert long.cases_started > 3 * short.cases_started
    assert long.peak_active < 6000  # ~40 cases a day x a few months of life
    assert long.peak_active < long.cases_started / 2
    assert long.peak_active < 1.5 * short.peak_active


def test_write_jsonl(tmp_path):
    path = tmp_path / "sample.jsonl"
    assert write_jsonl(path, events=100, seed=1) == 100
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(itertools.islice(generate(seed=1), 100))


@pytest.mark.parametrize("start", [datetime(2017, 6, 1, tzinfo=UTC), datetime(2020, 12, 20, tzinfo=UTC)])
def test_other_starts_follow_the_law_then_in_force(start, sqlite_engine, law, clock):
    """Across law versions (the 2018 detention reform, the 2021 three-tier model): valid, lawful."""
    events = list(generate(cases=60, seed=8, start=start, breach_rate=0.0))
    qualified = {e["id"] for e in events if e["kind"] == "suspicion.qualified" and e["occurred_at"] < "2021"}
    assert not any(e["kind"] == "decision.approved" and e["data"]["event"] in qualified for e in events)
    report = Register(sqlite_engine, law, clock).import_lines([json.dumps(e) for e in events], REGISTRAR)
    assert report.ok
    assert queries.alert_rows(sqlite_engine, clock.now()) == []


def test_an_endless_stream_is_cut_by_until_or_by_taking_what_is_needed():
    start = datetime(2024, 3, 1, tzinfo=UTC)
    until = datetime(2024, 3, 20, tzinfo=UTC)
    cut = list(generate(seed=3, start=start, until=until, cases_per_day=20))
    assert cut and all(parse_event(e).occurred_at <= until for e in cut)
    assert max(parse_event(e).occurred_at for e in cut) > datetime(2024, 3, 18, tzinfo=UTC)
    assert len(list(itertools.islice(generate(seed=3), 5000))) == 5000  # no limit: endless


def test_what_the_engine_does_not_model_is_there():
    """Several suspects, appeals, NPM visits, case numbers from `first_case`, the calibration's mix."""
    events = list(generate(cases=600, seed=12, first_case=7000))
    cases = sorted({e["case"] for e in events if "case" in e})
    assert cases[0].endswith("-007000") and len(cases) == 600
    persons = {
        (e["case"], e["data"]["person"])
        for e in events
        if e["kind"] == "party.added" and e["data"]["role"] == "suspect"
    }
    assert any(person == "P2" for _, person in persons)
    kinds = Counter(e["kind"] for e in events)
    for kind in (
        "appeal.filed",
        "appeal.decided",
        "facility.visited",
        "prisoner.admitted",
        "investigation.extended",
        "counsel.waived",
    ):
        assert kinds[kind] > 0, kind
    assert all("case" not in e for e in events if e["kind"] == "facility.visited")


def test_the_default_breach_rate_gives_findings(sqlite_engine, law, clock):
    events = [json.dumps(e) for e in generate(cases=300, seed=21)]
    register = Register(sqlite_engine, law, clock)
    assert register.import_lines(events, REGISTRAR).ok
    assert {f["code"] for f in queries.alert_rows(sqlite_engine, clock.now())}


def test_only_a_foreigners_consulate_is_told():
    """A consular notice follows the detention of a suspect of another citizenship, never a national's."""
    foreign, notified = set(), []
    for raw in generate(cases=1500, seed=4):
        if raw["kind"] == "party.added" and raw["data"].get("citizenship"):
            foreign.add((raw["case"], raw["data"]["person"]))
        elif raw["kind"] == "consulate.notified":
            notified.append((raw["case"], raw["data"]["person"]))
    assert notified  # some foreigners are detained
    assert set(notified) <= foreign


def test_the_judge_of_a_measure_is_the_one_the_law_names_at_the_stage(law):
    """Custody is ordered and extended by the investigating judge before trial, by the trial
    judge after the case reaches court (competence.yaml `by_stage`), each at a court of the region."""
    by_stage: dict[str, set[str]] = {"pre_trial": set(), "court": set()}
    in_court: set[str] = set()
    for raw in generate(cases=1500, seed=4, law=law):
        if raw["kind"] == "case.sent_to_court":
            in_court.add(raw["case"])
        elif raw["kind"] in ("custody.ordered", "custody.extended", "custody.refused"):
            by_stage["court" if raw["case"] in in_court else "pre_trial"].add(raw["actor"]["role"])
    assert by_stage == {"pre_trial": {"investigating_judge"}, "court": {"judge"}}


def test_cases_arrive_as_the_one_arrivals_model_says(law):
    """The detailed caseload's offences come in the calibration's gravity mix (the engine's
    arrivals model), each gravity as the law's offence catalogue gives it on the day."""
    from habeas.law.offences import gravity_of
    from habeas.simulator import calibration

    mix = calibration("kz").arrivals["gravity_mix"].value
    found: Counter[str | None] = Counter()
    for raw in generate(cases=3000, seed=6, law=law):
        if raw["kind"] == "case.registered":
            data = raw["data"]
            found[gravity_of(law, data["article"], data["part"], parse_event(raw).occurred_at.date())] += 1
    for gravity, weight in mix.items():
        assert abs(found[gravity] / 3000 - weight / sum(mix.values())) < 0.03, gravity
