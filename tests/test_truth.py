"""Only facts that can be true (issue 20, item 2), on both stores: a fact dated after the
register's clock, an act on someone who is no party of the case, a key given twice and the
contradictions the law package refuses are refused, naming why; the contradictions a botched
case can truly hold are stored and flagged (KZ-INCONSISTENT-TIMELINE). Corrections obey the
same checks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from habeas.clock import FixedClock
from habeas.services import queries
from habeas.services.register import Register
from tests.conftest import NOW, OPERATOR, REGISTRAR, event, lines

CASE = "KZ-2024-000900"
OTHER = "KZ-2024-000901"
INV = {"role": "investigator", "actor": "inv-1"}
JUDGE = {"role": "judge", "actor": "j-1"}
IJ = {"role": "investigating_judge", "actor": "ij-1"}
PROSECUTOR = {"role": "prosecutor", "actor": "pr-1"}
PRISON = {"role": "prison_officer", "actor": "po-1"}


def at(day: int, hour: int = 10) -> str:
    return f"2024-03-{day:02d}T{hour:02d}:00:00+05:00"


def opening(case: str = CASE) -> list[dict]:
    return [
        event("report.received", {"channel": "in_person", "summary": "a theft"}, case=case, at=at(1, 9)),
        event("case.registered", {"erdr_number": "1", "article": "188", "region": "almaty-city"}, case=case, at=at(1)),
        event(
            "party.added",
            {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"},
            case=case,
            at=at(1, 11),
        ),
    ]


def detained(day: int = 2, person: str = "P1", case: str = CASE) -> dict:
    return event("person.detained", {"person": person, "place": "street"}, case=case, at=at(day), **INV)


def died(day: int, person: str = "P1") -> dict:
    return event(
        "death.recorded", {"person": person, "place": "SIZO-1", "cause": "illness"}, case=CASE, at=at(day), **PRISON
    )


def custody(kind: str, day: int, until: str) -> dict:
    return event(kind, {"person": "P1", "until": until}, case=CASE, at=at(day), **IJ)


def to_court(day: int) -> list[dict]:
    return [
        event("case.sent_to_court", {"court": "court-1"}, case=CASE, at=at(day), **PROSECUTOR),
        event("trial.started", {"court": "court-1"}, case=CASE, at=at(day, 11), **JUDGE),
    ]


def verdict(day: int, outcome: str) -> dict:
    return event("verdict.delivered", {"person": "P1", "outcome": outcome}, case=CASE, at=at(day), **JUDGE)


# Refused: (the facts after the case's opening, the field named, words of the reason)
REFUSED = {
    "dated two days after the clock": (
        [
            event(
                "person.detained",
                {"person": "P1", "place": "street"},
                case=CASE,
                at=(NOW + timedelta(days=2)).isoformat(),
                **INV,
            )
        ],
        "occurred_at",
        "after the register's clock",
    ),
    "dated a year after the clock": (
        [
            event(
                "person.released",
                {"person": "P1", "ground": "x"},
                case=CASE,
                at="2027-11-25T10:00:00+05:00",
                **PROSECUTOR,
            )
        ],
        "occurred_at",
        "after the register's clock",
    ),
    "dated in 2199": (
        [
            event(
                "person.questioned",
                {"person": "P1", "counsel_present": True},
                case=CASE,
                at="2199-01-01T10:00:00+05:00",
                **INV,
            )
        ],
        "occurred_at",
        "after the register's clock",
    ),
    "a detention of no party": ([detained(person="P9")], "data.person", "party.added"),
    "a party of another case": (
        [
            *opening(OTHER)[:2],
            event("party.added", {"person": "P7", "role": "suspect", "name": "C D"}, case=OTHER, at=at(1, 11)),
            detained(person="P7"),
        ],
        "data.person",
        "party.added",
    ),
    "a verdict on no party": (
        [
            *to_court(5),
            event("verdict.delivered", {"person": "P9", "outcome": "convicted"}, case=CASE, at=at(6), **JUDGE),
        ],
        "data.person",
        "party.added",
    ),
    "a second death": ([died(3), died(4)], "kind", "recorded already"),
    "a detention after death": ([died(3), detained(4)], "occurred_at", "after death.recorded"),
    "custody until before the order": (
        [detained(2), custody("custody.ordered", 3, at(2))],
        "data.until",
        "not after the fact itself",
    ),
    "a birth date in 2150": (
        [
            event(
                "party.added",
                {"person": "P2", "role": "witness", "name": "E F", "birth_date": "2150-01-01"},
                case=CASE,
                at=at(2),
            )
        ],
        "data.birth_date",
        "after the fact itself",
    ),
}

# Flagged: stored, and the case file shows KZ-INCONSISTENT-TIMELINE naming these facts.
FLAGGED = {
    "a release without a detention": [
        event("person.released", {"person": "P1", "ground": "x"}, case=CASE, at=at(3), **PROSECUTOR)
    ],
    "two verdicts, convicted then acquitted": [*to_court(5), verdict(6, "convicted"), verdict(8, "acquitted")],
    "prison after an acquittal": [
        *to_court(5),
        verdict(6, "acquitted"),
        event("prisoner.admitted", {"person": "P1", "facility": "EC-1"}, case=CASE, at=at(9), **PRISON),
    ],
    "a detention in a closed case": [
        event("case.closed", {"ground": "no_crime"}, case=CASE, at=at(2), **PROSECUTOR),
        detained(3),
    ],
    "a trial started twice in two courts": [
        *to_court(5),
        event("trial.started", {"court": "court-2"}, case=CASE, at=at(6), **JUDGE),
    ],
    "an extension that shortens the term": [
        detained(2),
        custody("custody.ordered", 3, "2024-05-01T10:00:00+05:00"),
        custody("custody.extended", 20, "2024-04-01T10:00:00+05:00"),
    ],
    "a complaint registered never filed": [
        event("complaint.registered", {"complaint": "C1", "erdr_number": "2"}, case=CASE, at=at(3), **PROSECUTOR)
    ],
    "a detention before the report": [detained(1).copy() | {"occurred_at": "2024-03-01T08:00:00+05:00"}],
}


def _register(engine, law, tolerance=None) -> Register:
    return Register(engine, law, FixedClock(NOW), future_tolerance=tolerance)


@pytest.mark.parametrize("name", REFUSED)
def test_a_fact_that_cannot_be_true_is_refused_and_nothing_stored(engine, law, name):
    facts, field, words = REFUSED[name]
    report = _register(engine, law).import_lines(lines(*opening(), *facts), REGISTRAR)
    assert not report.ok and report.stored == 0
    (error,) = report.errors
    assert error.line == 3 + len(facts)  # the last line is the one refused
    assert any(p.field == field and words in p.reason for p in error.problems), error.lines()
    assert _register(engine, law).import_lines(lines(*opening(), *facts[:-1]), REGISTRAR).ok  # the rest is fine


@pytest.mark.parametrize("name", FLAGGED)
def test_a_contradiction_a_case_can_hold_is_stored_and_flagged(engine, law, name):
    facts = FLAGGED[name]
    report = _register(engine, law).import_lines(lines(*opening(), *facts), REGISTRAR)
    assert report.ok, [e.lines() for e in report.errors]
    file = queries.case_file(engine, law, CASE, OPERATOR, "review", NOW, NOW)
    flagged = [f for f in file["findings"] if f["code"] == "KZ-INCONSISTENT-TIMELINE"]
    assert flagged and all(f["status"] == "breached" and f["params"]["reason"] for f in flagged)
    stored = {e["id"] for e in file["events"]}
    assert any(set(f["evidence"]) <= stored and f["evidence"] for f in flagged)


def test_the_tolerance_is_the_register_s_setting(engine, law):
    soon = event(
        "person.detained",
        {"person": "P1", "place": "street"},
        case=CASE,
        at=(NOW + timedelta(minutes=3)).isoformat(),
        **INV,
    )
    assert not _register(engine, law, timedelta(0)).import_lines(lines(*opening(), soon), REGISTRAR).ok
    assert _register(engine, law).import_lines(lines(*opening(), soon), REGISTRAR).ok  # 5 minutes by default
    late = soon | {"id": "late", "occurred_at": (NOW + timedelta(minutes=6)).isoformat()}
    assert not _register(engine, law).import_lines(lines(late), REGISTRAR).ok


def test_the_tolerance_comes_from_the_environment(monkeypatch):
    from habeas import config

    assert config.future_tolerance() == timedelta(minutes=5)
    monkeypatch.setenv(config.ENV_FUTURE_TOLERANCE, "30")
    assert config.future_tolerance() == timedelta(minutes=30)
    monkeypatch.setenv(config.ENV_FUTURE_TOLERANCE, "soon")
    with pytest.raises(ValueError, match="no number of minutes"):
        config.future_tolerance()


def test_a_party_added_in_an_earlier_import_counts(engine, law):
    assert _register(engine, law).import_lines(lines(*opening()), REGISTRAR).ok
    assert _register(engine, law).import_lines(lines(detained(2)), REGISTRAR).ok
    refused = _register(engine, law).import_lines(lines(detained(3, person="P2")), REGISTRAR)
    assert "party.added" in refused.errors[0].lines()[0]


def _corrected(target: str, data: dict) -> dict:
    raw = event("record.corrected", {"event": target, "reason": "a typo", "data": data}, case=CASE, at=at(20), **INV)
    return raw


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"occurred_at": "2199-03-02T10:00:00+05:00"}, "data.data.occurred_at", "after the register's clock"),
        ({"person": "P9"}, "data.data.person", "party.added"),
    ],
    ids=["a time moved to 2199", "a person moved to a ghost"],
)
def test_a_correction_obeys_the_same_checks(engine, law, data, field, words):
    detention = detained(2) | {"id": "d-1"}
    assert _register(engine, law).import_lines(lines(*opening(), detention), REGISTRAR).ok
    report = _register(engine, law).import_lines(lines(_corrected("d-1", data)), REGISTRAR)
    assert not report.ok
    assert any(p.field == field and words in p.reason for p in report.errors[0].problems), report.errors[0].lines()
    fine = _corrected("d-1", {"occurred_at": "2024-03-02T09:00:00+05:00"})
    assert _register(engine, law).import_lines(lines(fine), REGISTRAR).ok


def test_a_correction_that_moves_a_detention_after_a_death_is_refused(engine, law):
    facts = [detained(2) | {"id": "d-1"}, died(5)]
    assert _register(engine, law).import_lines(lines(*opening(), *facts), REGISTRAR).ok
    report = _register(engine, law).import_lines(lines(_corrected("d-1", {"occurred_at": at(6)})), REGISTRAR)
    assert not report.ok and "after death.recorded" in report.errors[0].lines()[0]


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "a", "id": "b", "kind": "report.received", "case": "KZ-1", "occurred_at": "2024-03-01T09:00:00+05:00", '
        '"actor": {"id": "inv-1", "role": "investigator", "agency": "police"}, '
        '"data": {"channel": "x", "summary": "y"}}',
        '{"id": "a", "kind": "report.received", "case": "KZ-1", "occurred_at": "2024-03-01T09:00:00+05:00", '
        '"actor": {"id": "inv-1", "role": "investigator", "agency": "police"}, '
        '"data": {"channel": "x", "summary": "y", "summary": "z"}}',
        '{"id" : "a", "kind": "report.received", "case": "KZ-1", "occurred_at": "2024-03-01T09:00:00+05:00", '
        '"actor": {"id": "inv-1", "id": "inv-2", "role": "investigator"}, "data": {"channel": "x", "summary": "y"}}',
    ],
    ids=["id twice", "a data key twice", "an actor key twice, spaced"],
)
def test_a_key_given_twice_is_refused(engine, law, text):
    report = _register(engine, law).import_lines([text], REGISTRAR)
    assert not report.ok and report.stored == 0
    assert "given twice" in report.errors[0].lines()[0]
    json.loads(text)  # plain JSON readers take it silently: the register does not


def test_custody_until_2199_is_recorded_and_breaches_the_custody_maximum(engine, law):
    facts = [detained(2), custody("custody.ordered", 3, "2199-01-01T10:00:00+05:00")]
    assert _register(engine, law).import_lines(lines(*opening(), *facts), REGISTRAR).ok
    file = queries.case_file(engine, law, CASE, OPERATOR, "review", NOW, NOW)
    assert any(f["code"] == "KZ-CUSTODY-MAXIMUM" and f["status"] == "breached" for f in file["findings"])
