"""Alerts and findings as a supervising prosecutor sees them: from the projection, as of a time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from habeas.domain.case import fold_all
from habeas.law.rules import judge
from habeas.ledger import store
from habeas.services import maintenance, queries
from tests.conftest import REGISTRAR, event, one_case_lines
from tests.test_cli import ONE_CASE, habeas

CASE = "KZ-2024-000500"
PRE = "2024-03-01T09:00:00+05:00"


def detention_case(case=CASE, detained="2024-03-01T10:00:00+05:00"):
    return [
        event("report.received", {"channel": "in_person", "summary": "fight"}, case=case, at=PRE, id=f"{case}-1"),
        event(
            "case.registered",
            {"erdr_number": "1", "article": "293", "part": 1, "region": "almaty-city"},
            case=case,
            at=PRE,
            id=f"{case}-2",
        ),
        event(
            "party.added",
            {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"},
            case=case,
            at=PRE,
            id=f"{case}-3",
        ),
        event("person.detained", {"person": "P1", "place": "street"}, case=case, at=detained, id=f"{case}-4"),
    ]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def limit_alerts(engine, when):
    return [a for a in queries.alert_rows(engine, at(when)) if a["code"] == "KZ-DETENTION-LIMIT"]


def test_an_ongoing_detention_is_breached_once_its_limit_passes_with_no_new_event(register, engine):
    register.import_lines([json.dumps(e) for e in detention_case()], REGISTRAR)
    before = limit_alerts(engine, "2024-03-03T09:59:00+05:00")
    exactly = limit_alerts(engine, "2024-03-03T10:00:00+05:00")
    after = limit_alerts(engine, "2024-03-04T12:00:00+05:00")
    assert [a["status"] for a in before] == ["open"]
    assert [a["status"] for a in exactly] == ["open"]
    assert [a["status"] for a in after] == ["breached"]
    assert after[0]["due_at"] == "2024-03-03T10:00:00+05:00"  # 48 h, shown in the agency's offset
    assert after[0]["person"] == "P1" and after[0]["case"] == CASE and after[0]["evidence"] == [f"{CASE}-4"]
    assert "131" in after[0]["citation"]


def test_the_same_facts_before_the_2018_reform_get_72_hours(register, engine):
    register.import_lines([json.dumps(e) for e in detention_case(detained="2017-12-31T10:00:00+05:00")], REGISTRAR)
    found = limit_alerts(engine, "2018-01-04T12:00:00+05:00")
    assert found[0]["due_at"] == "2018-01-03T10:00:00+05:00"


def test_a_release_in_time_clears_the_alert(register, engine):
    case = detention_case()
    release = event(
        "person.released", {"person": "P1", "ground": "no grounds"}, case=CASE, at="2024-03-02T10:00:00+05:00", id="rel"
    )
    register.import_lines([json.dumps(e) for e in [*case, release]], REGISTRAR)
    assert limit_alerts(engine, "2024-03-05T00:00:00+05:00") == []
    # as of a time before the release, the detention was still running and open
    assert [a["status"] for a in limit_alerts(engine, "2024-03-02T09:00:00+05:00")] == ["open"]


def test_a_correction_of_the_detention_time_rejudges_the_case(register, engine, law):
    register.import_lines([json.dumps(e) for e in detention_case()], REGISTRAR)
    release = event("person.released", {"person": "P1", "ground": "x"}, case=CASE, at="2024-03-03T09:00:00+05:00")
    register.submit(release)
    assert limit_alerts(engine, "2024-03-05T00:00:00+05:00") == []
    # the detention really began a day earlier: the release came 71 h after it, past the 48 h limit
    fix = event(
        "record.corrected",
        {
            "event": f"{CASE}-4",
            "reason": "time misread from the protocol",
            "data": {"occurred_at": "2024-02-29T10:00:00+05:00"},
        },
        case=CASE,
        id="fix-1",
    )
    register.submit(fix)
    found = limit_alerts(engine, "2024-03-05T00:00:00+05:00")
    assert [a["status"] for a in found] == ["breached"]
    assert found[0]["due_at"] == "2024-03-02T10:00:00+05:00"
    assert "fix-1" in found[0]["evidence"]
    with engine.connect() as conn:
        state = fold_all(store.stream_events(conn, CASE))
    original = state.event(f"{CASE}-4")
    assert original.corrections == ("fix-1",)
    assert state.timeline[-1].id == "fix-1"  # the correction stays visible as a fact of its own


def test_a_correction_by_someone_else_is_refused(register):
    register.import_lines([json.dumps(e) for e in detention_case()], REGISTRAR)
    import pytest

    from habeas.domain.events import Refused

    fix = event(
        "record.corrected",
        {"event": f"{CASE}-4", "reason": "r", "data": {"place": "park"}},
        case=CASE,
        role="defence_lawyer",
        actor="adv-1",
    )
    with pytest.raises(Refused) as refused:
        register.submit(fix)
    assert "only investigator, prosecutor may correct it" in str(refused.value)


def test_facts_out_of_order_are_stored_and_flagged(register, engine):
    case = detention_case()
    early_release = event(
        "person.released", {"person": "P1", "ground": "x"}, case=CASE, at="2024-03-01T08:00:00+05:00", id="rel-early"
    )
    report = register.import_lines([json.dumps(e) for e in [*case, early_release]], REGISTRAR)
    assert report.ok and report.stored == 5
    found = [
        a
        for a in queries.alert_rows(engine, at("2024-03-05T00:00:00+05:00"))
        if a["code"] == "KZ-INCONSISTENT-TIMELINE"
    ]
    assert len(found) == 1 and set(found[0]["evidence"]) == {f"{CASE}-4", "rel-early"}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hours=st.lists(st.integers(-48, 24 * 80), min_size=1, max_size=6))
@example(hours=[761])  # 1 April 17:00: the example's detention, its protocol (no examination) to come
def test_alerts_from_the_projection_equal_judging_every_case_again(sqlite_engine, law, clock, hours):
    """The projection is a cache of the law's judgement: the same findings at any time.

    The projection knows every fact recorded, so for a past time it may know more than a
    replay up to that time: the closing event that came later (evidence is compared by its
    first event), the due moment of a duty that a later event fixes (the rights must be
    explained before the first questioning: a replay before it has no due time yet), and that
    such a duty was in the end breached (a protocol drawn with no medical examination: before
    the protocol a replay sees the duty open, the projection knows it is breached at it)."""
    from habeas.services.register import Register

    register = Register(sqlite_engine, law, clock)
    if not maintenance.verify(sqlite_engine).count:
        register.import_lines(one_case_lines(), REGISTRAR)
        for n in range(3):
            register.import_lines(
                [
                    json.dumps(e)
                    for e in detention_case(case=f"KZ-2024-9{n}", detained=f"2024-03-0{n + 1}T10:00:00+05:00")
                ],
                REGISTRAR,
            )
    with sqlite_engine.connect() as conn:
        states = [
            fold_all(store.stream_events(conn, c)) for c in ("KZ-2024-000123", "KZ-2024-90", "KZ-2024-91", "KZ-2024-92")
        ]
    for offset in hours:
        when = at("2024-03-01T00:00:00+05:00") + timedelta(hours=offset)
        rows = queries.alert_rows(sqlite_engine, when)
        projected = {(a["case"], a["code"], a["person"], a["evidence"][0]): (a["status"], a["due_at"]) for a in rows}
        # a before-duty breached later than `when` (its breach `at` is past `when`): hindsight
        later = {
            (a["case"], a["code"], a["person"], a["evidence"][0])
            for a in rows
            if a["kind"] == "violation" and a["params"].get("event_kind") and at(a["params"]["at"]) > when
        }
        replayed = {
            (s.case, f.code, f.person, f.evidence[0]): (f.status_at(when), f.to_dict(when)["due_at"])
            for s in states
            for f in judge(s, law, when)
        }
        assert projected.keys() == replayed.keys()
        for key, (status, due) in replayed.items():
            if key in later:
                assert (status, due) == ("open", None), key  # open then, breached in the end
                continue
            assert projected[key][0] == status, key
            assert due is None or projected[key][1] == due, key


def test_cli_alerts_law_show_and_case_show_at(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    habeas("init", db=db)
    lines = tmp_path / "d.jsonl"
    lines.write_text("\n".join(json.dumps(e) for e in detention_case()) + "\n")
    habeas("import", str(lines), db=db)
    habeas("import", str(ONE_CASE), db=db)
    shown = habeas("alerts", "--at", "2024-03-04T12:00+05:00", "--code", "KZ-DETENTION-LIMIT", db=db).stdout
    assert "breached" in shown and "KZ-2024-000500" in shown and "P1 detained 2024-03-01 10:00" in shown
    listed = json.loads(habeas("alerts", "--at", "2024-03-04T12:00+05:00", "--json", "--lang", "ru", db=db).stdout)
    limit = next(a for a in listed if a["code"] == "KZ-DETENTION-LIMIT")
    assert limit["status"] == "breached" and "задержан" in limit["text"] and limit["overdue"] == "26 h"
    file = json.loads(habeas("case", "show", CASE, "--json", "--at", "2024-03-02T10:00+05:00", db=db).stdout)
    assert {(f["code"], f["status"]) for f in file["findings"]} >= {("KZ-DETENTION-LIMIT", "open")}
    law = habeas("law", "show", "KZ-DETENTION-LIMIT", db=db).stdout
    assert "2018-01-01" in law and "2017-12-31" in law and "48" in law and "CPC art. 131" in law
    unknown = habeas("law", "show", "KZ-NOPE", db=db, check=False)
    assert unknown.returncode == 2 and "unknown rule code" in unknown.stderr
    bad_code = habeas("alerts", "--code", "KZ-NOPE", db=db, check=False)
    assert bad_code.returncode == 2
