"""Bad input, as a clumsy clerk and an attacker send it (issue 7, items 1-8), on SQLite and PostgreSQL.

Every bad line is refused with `line N: field: reason`, nothing of its file is stored, and
the verdict does not depend on the store. Each test runs on both stores (`db_url`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from msgspec.structs import replace
from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.domain.events import (
    MAX_DEPTH,
    MAX_LINE_BYTES,
    Actor,
    Event,
    Refused,
    decode_line,
    parse_event,
    parse_time,
    stream_of,
)
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS, KINDS
from habeas.ledger import store
from habeas.services import maintenance, queries
from habeas.services.register import Register, StorageFailed, decide
from tests.conftest import NOW, OPERATOR, REGISTRAR, event, lines, one_case_lines

CASE = "KZ-2024-000777"
JUDGE = {"role": "investigating_judge", "actor": "ij-1"}
OMBUDSMAN = {"role": "ombudsman", "actor": "omb-1"}


def opened(case=CASE, id=None, at="2024-03-01T09:00:00+05:00"):
    return event("report.received", {"channel": "in_person", "summary": "a phone stolen"}, case=case, at=at, id=id)


def party(person="P1", name="Aidar Example", case=CASE, id=None):
    return event("party.added", {"person": person, "role": "suspect", "name": name}, case=case, id=id)


def visit(facility="SIZO-1 Almaty", **kw):
    raw = event("facility.visited", {"facility": facility, "findings": "overcrowded"}, **OMBUDSMAN, **kw)
    raw.pop("case", None)
    return raw


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar()


def messages(report) -> list[str]:
    return [text for error in report.errors for text in error.lines()]


def refused_lines(register, *raws) -> list[str]:
    """Import a file (objects, or lines as text) that must be refused; the error lines."""
    report = register.import_lines([r if isinstance(r, str) else json.dumps(r) for r in raws], REGISTRAR)
    assert not report.ok and report.stored == 0
    return messages(report)


# --- 1. a case is created only by report.received or case.registered ---------------------------------


def test_a_facility_visit_names_no_case_and_creates_none(register, engine):
    ghost = visit() | {"case": "KZ-GHOST-1"}
    assert refused_lines(register, opened(), ghost)[0].startswith(
        "line 2: case: facility.visited names no case: it is filed under its facility"
    )
    with pytest.raises(Refused) as refused:
        register.submit(ghost)
    assert refused.value.problems[0].field == "case"
    assert count(engine) == 0
    # the ghost case does not exist: a detention and a custody order for it are refused
    detained = event("person.detained", {"person": "P1", "place": "street"}, case="KZ-GHOST-1")
    custody = event(
        "custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, case="KZ-GHOST-1", **JUDGE
    )
    assert [m.split(":")[1].strip() for m in refused_lines(register, detained, custody)] == ["case", "case"]
    assert queries.case_list(engine) == []


def test_a_facility_visit_without_case_is_filed_under_its_facility_not_as_a_case(register, engine):
    assert register.submit(visit(id="v-1")).status == "stored"
    with engine.connect() as conn:
        (stream,) = conn.execute(text("SELECT stream FROM events")).one()
    assert stream == "#facility:SIZO-1 Almaty"
    assert queries.case_list(engine) == []


@pytest.mark.parametrize("kind", sorted(set(KINDS) - CASE_CREATING_KINDS - CASELESS_KINDS))
def test_no_other_kind_creates_a_case(law, kind):
    fact = Event(
        id="e-1",
        kind=kind,
        case="KZ-NEW-1",
        occurred_at=datetime(2024, 3, 1, tzinfo=UTC),
        actor=Actor("x-1", "admin"),
        data={},
    )
    problems = decide(law, fact, None)
    assert [p.field for p in problems] == ["case"] and "unknown case" in problems[0].reason


# --- 2. bad lines: a reason, never a traceback --------------------------------------------------------


def deep(n: int, inner=1):
    value = inner
    for _ in range(n):
        value = [value]
    return value


def nested_text(raw: dict, n: int, *path: str) -> str:
    """The line of `raw` with the value at `path` replaced by a list nested `n` deep (as text:
    json.dumps itself stops short of 1000 levels)."""
    target = raw = json.loads(json.dumps(raw))
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = "@DEEP@"
    return json.dumps(raw).replace('"@DEEP@"', "[" * n + "1" + "]" * n)


def number_text(raw: dict, digits: str, *path: str) -> str:
    target = raw = json.loads(json.dumps(raw))
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = "@N@"
    return json.dumps(raw).replace('"@N@"', digits)


def with_data(raw: dict, **data) -> dict:
    return raw | {"data": raw["data"] | data}


DETAINED = event("person.detained", {"person": "P1", "place": "street"})
CUSTODY = event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, **JUDGE)

BAD_LINES = {
    # JSON nested 1000 deep in any value
    "deep kind": (nested_text(opened(), 1000, "kind"), "kind.0.0"),
    "deep case": (nested_text(opened(), 1000, "case"), "case.0.0"),
    "deep id": (nested_text(opened(), 1000, "id"), "id.0.0"),
    "deep occurred_at": (nested_text(opened(), 1000, "occurred_at"), "occurred_at.0.0"),
    "deep actor": (nested_text(opened(), 1000, "actor", "id"), "actor.id.0"),
    "deep data": (nested_text(DETAINED, 1000, "data", "person"), "data.person.0"),
    "deep unknown field": (nested_text(opened(), 1000, "extra"), "extra.0.0"),
    "very deep": (nested_text(opened(), 20000, "data", "summary"), "data.summary.0"),
    "17 deep": (with_data(DETAINED, place=deep(MAX_DEPTH)), "data.place.0"),
    # numbers
    "5000 digits": (number_text(DETAINED, "1" * 5000, "data", "place"), "json"),
    "21 digits": (with_data(DETAINED, place=10**20), "json"),
    "1e400": (number_text(DETAINED, "1e400", "data", "place"), "json"),
    "NaN": (number_text(DETAINED, "NaN", "data", "place"), "json"),
    "Infinity": (number_text(DETAINED, "-Infinity", "data", "place"), "json"),
    # unhashable or mistyped envelope fields
    "kind a list": (opened() | {"kind": ["x"]}, "kind"),
    "kind an object": (opened() | {"kind": {"a": 1}}, "kind"),
    "role a list": (opened() | {"actor": {"id": "a", "role": ["investigator"]}}, "actor.role"),
    "actor values unhashable": (opened() | {"actor": {"id": ["a"], "role": {}, "agency": []}}, "actor.id"),
    # bad Unicode, NUL
    "lone surrogate in data": (with_data(DETAINED, place="street \ud83d"), "data.place"),
    "lone surrogate in case": (opened(case="KZ-\udfff"), "case"),
    "lone surrogate in a key": (with_data(DETAINED, **{"pl\ud83dace": "x"}), "data"),
    "lone surrogate in agency": (
        opened() | {"actor": {"id": "a", "role": "investigator", "agency": "\ud800"}},
        "actor.agency",
    ),
    "NUL in data": (with_data(DETAINED, place="street\u0000"), "data.place"),
    "NUL in a facility": (visit("SIZO\u0000"), "data.facility"),
    "NUL in id": (opened(id="e-\u0000"), "id"),
    # sizes
    "a line too long": (opened() | {"data": {"channel": "x", "summary": "y" * MAX_LINE_BYTES}}, "event"),
    "a string too long": (opened() | {"data": {"channel": "x", "summary": "y" * 4001}}, "data.summary"),
    "a long agency": (opened() | {"actor": {"id": "a", "role": "investigator", "agency": "x" * 129}}, "actor.agency"),
    # times out of range
    "occurred_at 9999+05": (opened(at="9999-12-31T23:59:59+05:00"), "occurred_at"),
    "occurred_at 9999-05": (opened(at="9999-12-31T23:59:59-05:00"), "occurred_at"),
    "occurred_at year 1": (opened(at="0001-01-01T00:00:00+05:00"), "occurred_at"),
    "occurred_at 2201 in UTC": (opened(at="2200-12-31T23:30:00-05:00"), "occurred_at"),
    "occurred_at 1899 in UTC": (opened(at="1900-01-01T00:30:00+05:00"), "occurred_at"),
    "occurred_at offset seconds": (opened(at="2024-03-01T09:00:00+05:00:30"), "occurred_at"),
    "occurred_at date and offset": (opened(at="2024-04-02+05:00"), "occurred_at"),
    "until 9999-05": (with_data(CUSTODY, until="9999-12-31T23:59:59-05:00"), "data.until"),
    "until 9999+05": (with_data(CUSTODY, until="9999-12-31T23:59:59+05:00"), "data.until"),
    "until year 1": (with_data(CUSTODY, until="0001-01-01T00:00:00+05:00"), "data.until"),
    # not an object
    "a list": ("[1, 2]", "event"),
    "truncated": (json.dumps(opened())[:-7], "json"),
}


@pytest.mark.parametrize("name", BAD_LINES)
def test_a_bad_line_is_named_and_nothing_is_stored(register, engine, name):
    bad, field = BAD_LINES[name]
    found = refused_lines(register, opened(), bad, party())
    assert found and all(m.startswith("line 2: ") for m in found), found
    assert found[0].split(": ")[1] == field, found
    assert all("\n" not in m and len(m) < 400 for m in found), found
    assert count(engine) == 0


def test_a_correction_to_year_9999_or_500_deep_is_refused(register, engine):
    fixed = {"event": "d-1", "reason": "typo"}
    to_9999 = event("record.corrected", fixed | {"data": {"occurred_at": "9999-12-31T23:59:59+05:00"}})
    before_1900 = event("record.corrected", fixed | {"data": {"occurred_at": "1899-12-31T10:00:00+05:00"}})
    until_9999 = event(
        "record.corrected", {"event": "c-1", "reason": "typo", "data": {"until": "9999-12-31T23:59:59-05:00"}}, **JUDGE
    )
    nested = event("record.corrected", fixed | {"data": {"place": deep(500)}})
    base = [opened(), party(), DETAINED | {"id": "d-1"}, CUSTODY | {"id": "c-1"}]
    found = refused_lines(register, *base, to_9999, before_1900, until_9999, nested)
    assert found == [
        "line 5: data.data.occurred_at: must lie in the years 1900 to 2200",
        "line 6: data.data.occurred_at: must lie in the years 1900 to 2200",
        "line 7: data.data.until: Value error, must lie in the years 1900 to 2200",
        "line 8: data.data.place: nested more than 16 deep",
    ]
    assert count(engine) == 0


def test_the_limits_hold_for_an_object_submitted_as_such(register, engine):
    for raw, field in [
        (with_data(DETAINED, place=deep(40)), "data.place.0"),
        (with_data(DETAINED, place=10**30), "data.place"),
        (with_data(DETAINED, place=float("nan")), "data.place"),
        (with_data(DETAINED, place="\ud83d"), "data.place"),
        (opened() | {"kind": ["x"]}, "kind"),
        (opened(at="9999-12-31T23:59:59-05:00"), "occurred_at"),
    ]:
        with pytest.raises(Refused) as refused:
            register.submit(raw)
        assert refused.value.problems[0].field == field
    assert count(engine) == 0


def test_a_line_at_the_limits_is_stored(engine, law):
    """What the limits allow, the register stores, on both stores alike (a register whose
    clock has reached the last accepted year: no fact is dated after the clock)."""
    from habeas.clock import FixedClock
    from habeas.services.register import Register

    register = Register(engine, law, FixedClock(datetime(2201, 1, 1, tzinfo=UTC)))
    longest = "K" + "9" * 127
    raws = [
        opened(case=longest, id="E" + "1" * 127, at="1900-01-01T05:00:00+05:00")
        | {"data": {"channel": "x" * 4000, "summary": "Жалоба 😀 " * 400}},
        visit("F" * 150, at="2200-12-31T23:59:59+00:00"),
        party(case=longest),
        event("bail.ordered", {"person": "P1", "amount": 10**15}, case=longest, **JUDGE),
    ]
    report = register.import_lines(lines(*raws), REGISTRAR)
    assert report.ok, messages(report)
    assert report.stored == 4 and maintenance.verify(engine).intact


def test_a_line_in_the_cli_gets_a_reason_and_exit_2_never_a_traceback(db_url, tmp_path):
    file = tmp_path / "bad.jsonl"
    bad = [
        nested_text(opened(), 1000, "data", "summary"),
        number_text(DETAINED, "1" * 5000, "data", "place"),
        json.dumps(opened() | {"kind": ["x"]}),
        json.dumps(with_data(DETAINED, place="\ud83d")),
        json.dumps(opened(at="9999-12-31T23:59:59-05:00")),
    ]
    file.write_text("\n".join([json.dumps(opened()), *bad]) + "\n")
    done = _habeas("import", str(file), db=db_url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    named = [line.split(":")[0] for line in done.stderr.splitlines() if line.startswith("line ")]
    assert sorted(set(named)) == ["line 2", "line 3", "line 4", "line 5", "line 6"]


def _habeas(*args: str, db: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HABEAS_DATABASE_URL": db, "COLUMNS": "200", **(env or {})}
    environment.pop("HABEAS_LOG_FILE", None) if env is None or "HABEAS_LOG_FILE" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "habeas", *args], capture_output=True, text=True, env=environment, timeout=300
    )


# --- 3. both stores accept and refuse the same lines ----------------------------------------------------


@pytest.mark.parametrize(
    "facility, verdict",
    [("F" * 150, "stored"), ("F" * 151, "line 1: data.facility: at most 150 characters"), ("F" * 200, "line 1: ")],
)
def test_a_facility_name_is_refused_by_validation_not_by_the_database(register, engine, facility, verdict):
    report = register.import_lines(lines(visit(facility)), REGISTRAR)
    if verdict == "stored":
        assert report.ok and count(engine) == 1
    else:
        assert messages(report)[0].startswith(verdict) and count(engine) == 0


# --- 4. a database error shows no stored data -----------------------------------------------------------


def _forbid_marker(url: str) -> None:
    """A rule of the operator's the register does not know: no event data may hold MARKER."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE events ADD CONSTRAINT no_marker CHECK (data NOT LIKE '%MARKER%')"))
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER no_marker BEFORE INSERT ON events WHEN NEW.data LIKE '%MARKER%'"
                    " BEGIN SELECT RAISE(ABORT, 'no marker'); END"
                )
            )
    engine.dispose()


def _three_cases() -> tuple[list[dict], list[str]]:
    """Three cases with names and ERDR numbers; line 9 carries the MARKER. Also what must not leak."""
    raws, secrets = [], []
    for n in range(3):
        case, erdr, name = f"KZ-SECRET-{n}", f"99887766{n}", f"Secretname Person{n}"
        registered = event("case.registered", {"erdr_number": erdr, "article": "188", "region": "astana"}, case=case)
        raws += [
            opened(case=case, id=f"s-{n}-1"),
            registered | {"id": f"s-{n}-2"},
            party(name=name, case=case, id=f"s-{n}-3"),
        ]
        secrets += [case, erdr, name, f"s-{n}-"]
    raws[8] = party(name="MARKER", case="KZ-SECRET-2", id="s-2-3")
    return raws, secrets


def test_a_database_error_names_the_line_and_its_class_and_nothing_else(db_url, tmp_path):
    _forbid_marker(db_url)
    raws, secrets = _three_cases()
    file = tmp_path / "cases.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in raws))
    log = tmp_path / "habeas.log"

    withheld = _habeas("import", str(file), db=db_url)
    kept = _habeas("import", str(file), "--log-file", str(log), db=db_url)
    by_env = _habeas("import", str(file), db=db_url, env={"HABEAS_LOG_FILE": str(tmp_path / "env.log")})
    for done in (withheld, kept, by_env):
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        said = done.stdout + done.stderr
        assert "line 9: database: IntegrityError (" in said
        assert not [s for s in secrets if s in said], said
        assert "INSERT" not in said and "MARKER" not in said
    assert "details withheld" in withheld.stderr
    assert f"details in {log}" in kept.stderr
    details = log.read_text()
    assert "IntegrityError" in details and "line 9" in details and "MARKER" in details
    assert "MARKER" in (tmp_path / "env.log").read_text()
    engine = make_engine(db_url)
    assert count(engine) == 0
    engine.dispose()


def test_a_database_error_on_submit_raises_without_the_data(db_url, law, clock):
    _forbid_marker(db_url)
    engine = make_engine(db_url)
    register = Register(engine, law, clock)
    register.submit(opened())
    with pytest.raises(StorageFailed) as failed:
        register.submit(party(name="MARKER Secretname"))
    assert str(failed.value) == "database: IntegrityError"
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert count(engine) == 1
    engine.dispose()


def test_a_database_error_in_a_large_import_names_the_right_line(register, engine, db_url):
    _forbid_marker(db_url)
    raws = [opened()] + [party(person=f"P{n}", name="W") for n in range(2500)]
    raws[2345] = party(person="PX", name="MARKER")
    with pytest.raises(StorageFailed) as failed:
        register.import_lines(lines(*raws), REGISTRAR)
    assert failed.value.line == 2346 and failed.value.error_class == "IntegrityError"
    assert count(engine) == 0


def test_an_import_stopped_while_its_rows_stream_stores_nothing_and_frees_the_connection(register, engine, monkeypatch):
    """On PostgreSQL an import streams its rows in a COPY (`store.Appender`); an import
    stopped with that COPY open ends it, rolls back, and leaves a connection that works."""
    from habeas.services.register import Batch

    offer = Batch.offer
    offered = 0

    def offer_then_stop(self, event):
        nonlocal offered
        offered += 1
        if offered == 1500:  # mid-chunk: the first rows are on their way
            raise KeyboardInterrupt
        return offer(self, event)

    monkeypatch.setattr(Batch, "offer", offer_then_stop)
    raws = [opened()] + [party(person=f"P{n}", name="W") for n in range(2500)]
    with pytest.raises(KeyboardInterrupt):
        register.import_lines(lines(*raws), REGISTRAR)
    assert count(engine) == 0
    monkeypatch.setattr(Batch, "offer", offer)
    report = register.import_lines(lines(*raws), REGISTRAR)
    assert report.ok and report.stored == 2501 and count(engine) == 2501
    assert maintenance.verify(engine).intact


# --- 5. an id names one fact ----------------------------------------------------------------------------


def test_an_id_stored_with_other_content_is_refused_and_an_identical_one_skipped(register, engine):
    register.submit(opened(id="e-1"))
    assert register.submit(opened(id="e-1")).status == "skipped"
    # the same instant written in another offset is another record of it: refused too
    for other in [
        opened(id="e-1", at="2024-03-01T09:00:01+05:00"),
        opened(id="e-1", at="2024-03-01T04:00:00+00:00"),
        opened(id="e-1", case="KZ-OTHER-1"),
        opened(id="e-1") | {"data": {"channel": "phone", "summary": "a phone stolen"}},
        opened(id="e-1") | {"actor": {"id": "inv-2", "role": "investigator", "agency": "police-almaty-bostandyk"}},
        party(id="e-1"),
    ]:
        with pytest.raises(Refused) as refused:
            register.submit(other)
        assert [str(p) for p in refused.value.problems] == ["id: already stored with other content"]
    # an identical re-send, spelled differently (another key order, a time written shorter)
    respelled = json.loads(json.dumps(opened(id="e-1", at="2024-03-01T09:00+05:00"), sort_keys=True))
    assert register.submit(respelled).status == "skipped"
    assert count(engine) == 1


def test_an_import_refuses_an_id_stored_with_other_content(register, engine):
    register.import_lines(lines(opened(id="e-1"), party(id="e-2")), REGISTRAR)
    found = refused_lines(register, opened(id="e-1"), party(id="e-2", name="Another Name"), party("P2", id="e-3"))
    assert found == ["line 2: id: already stored with other content"]
    assert count(engine) == 2
    report = register.import_lines(lines(opened(id="e-1"), party(id="e-2")), REGISTRAR)
    assert (report.stored, report.skipped, report.errors) == (0, 2, [])


def test_one_file_with_one_id_twice(register, engine):
    found = refused_lines(register, opened(id="e-1"), party(id="e-2"), party("P2", id="e-2"))
    assert found == ["line 3: id: already stored with other content"]
    report = register.import_lines(lines(opened(id="e-1"), party(id="e-2"), party(id="e-2")), REGISTRAR)
    assert (report.stored, report.skipped, report.errors) == (2, 1, [])
    assert count(engine) == 2


def test_one_id_twice_across_chunks_of_one_file(register, engine, monkeypatch):
    from habeas.services import register as register_module

    monkeypatch.setattr(register_module, "CHUNK", 2)
    found = refused_lines(register, opened(id="e-1"), party(id="e-2"), party("P3", id="e-3"), party("P2", id="e-2"))
    assert found == ["line 4: id: already stored with other content"]
    assert count(engine) == 0


# --- 6. strict types, on import and in corrections ------------------------------------------------------


def test_types_are_strict_on_import(register, engine):
    questioned = event("person.questioned", {"person": "P1", "counsel_present": True})
    registered = event("case.registered", {"erdr_number": "1", "article": "188", "part": 2, "region": "astana"})
    verdict = event(
        "verdict.delivered",
        {"person": "P1", "outcome": "convicted", "sentence": {"kind": "prison", "months": 24}},
        role="judge",
    )
    found = refused_lines(
        register,
        opened(),
        with_data(questioned, counsel_present="yes"),
        with_data(questioned, counsel_present=1),
        with_data(registered, part="2"),
        with_data(verdict, sentence={"kind": "prison", "months": "24"}),
        with_data(registered, part=2.0),
    )
    assert [m.split(": ")[0:2] for m in found] == [
        ["line 2", "data.counsel_present"],
        ["line 3", "data.counsel_present"],
        ["line 4", "data.part"],
        ["line 5", "data.sentence.months"],
        ["line 6", "data.part"],
    ]


def _stored_data(engine, event_id: str) -> dict:
    with engine.connect() as conn:
        found = store.stored_contents(conn, [event_id])
    return json.loads(found[event_id][5])


def test_a_correction_is_strict_and_stores_the_validated_value(register, engine):
    questioned = event("person.questioned", {"person": "P1", "counsel_present": True}, id="q-1")
    register.import_lines(lines(opened(), party(), questioned, CUSTODY | {"id": "c-1"}), REGISTRAR)

    def correction(target, changes, id, **who):
        return event("record.corrected", {"event": target, "reason": "typo", "data": changes}, id=id, **who)

    for bad, field in [
        (correction("q-1", {"counsel_present": "no"}, "x-1"), "data.data.counsel_present"),
        (correction("q-1", {"counsel_present": 0}, "x-2"), "data.data.counsel_present"),
        (correction("q-1", {"counsel_present": False, "extra": 1}, "x-3"), "data.data.extra"),
        (correction("q-1", {"person": "P\u0000"}, "x-4"), "data.data.person"),
        (correction("q-1", {"occurred_at": "2024-03-01T10:00:00"}, "x-5"), "data.data.occurred_at"),
    ]:
        with pytest.raises(Refused) as refused:
            register.submit(bad)
        assert refused.value.problems[0].field == field

    assert register.submit(correction("q-1", {"counsel_present": False}, "k-1")).status == "stored"
    assert _stored_data(engine, "k-1")["data"] == {"counsel_present": False}
    moved = correction(
        "c-1", {"until": "2024-04-02T10:00+05:00", "occurred_at": "2024-03-01T11:00+05:00"}, "k-2", **JUDGE
    )
    assert register.submit(moved).status == "stored"
    assert _stored_data(engine, "k-2")["data"] == {
        "until": "2024-04-02T10:00:00+05:00",
        "occurred_at": "2024-03-01T11:00:00+05:00",
    }
    renamed = correction("q-1", {"person": "  P1  "}, "k-3")
    assert register.submit(renamed).status == "stored"
    assert _stored_data(engine, "k-3")["data"] == {"person": "P1"}
    # re-sent as it was first sent, a correction is the same fact: skipped
    assert register.submit(moved).status == "skipped" and register.submit(renamed).status == "skipped"
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    file = queries.case_file(engine, register.law, CASE, OPERATOR, "test", moment, moment)
    shown = {e["id"]: e for e in file["events"]}
    assert shown["q-1"]["as_corrected"]["data"]["counsel_present"] is False
    assert shown["c-1"]["as_corrected"]["data"]["until"] == "2024-04-02T10:00:00+05:00"


# --- 7. no case can take an internal stream ---------------------------------------------------------------


def test_a_case_named_like_a_facility_stream_round_trips(register, engine, law, clock, tmp_path):
    case = "facility:EC-166/1"
    raws = [opened(case=case, id="a-1"), party(case=case, id="a-2"), visit("EC-166/1", id="a-3")]
    report = register.import_lines(lines(*raws), REGISTRAR)
    assert report.ok, messages(report)
    exported = list(maintenance.export_lines(engine, law, OPERATOR, NOW))
    assert [json.loads(line).get("case") for line in exported] == [case, case, None]
    other = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(other)
    again = Register(other, law, clock).import_lines(exported, REGISTRAR)
    assert again.ok and again.stored == 3, messages(again)
    assert list(maintenance.export_lines(other, law, OPERATOR, NOW)) == exported
    assert [c["case"] for c in queries.case_list(other)] == [case] == [c["case"] for c in queries.case_list(engine)]
    other.dispose()


def _legacy(engine, law, clock) -> None:
    """A register written before the internal namespace: visits filed under `facility:<name>`,
    beside a case whose id is one of those names."""
    with engine.begin() as conn:
        batch_register = Register(engine, law, clock)
        appender = store.Appender(conn, clock.now(), REGISTRAR)
        for version, raw in enumerate(
            [
                visit("EC-166/1", id="old-1"),
                opened(case="facility:EC-166/1", id="old-2"),
                visit("EC-166/1", id="old-3"),
            ],
            start=1,
        ):
            appender.append(replace(parse_event(raw), stored_stream="facility:EC-166/1"), version)
        appender.flush()
    maintenance.rebuild(engine, batch_register.law)


def test_an_old_database_keeps_its_streams_and_reads_case_less_by_kind(engine, law, clock, tmp_path):
    _legacy(engine, law, clock)
    assert maintenance.verify(engine).intact
    with engine.connect() as conn:
        read = list(store.iter_events(conn))
    assert [(e.case, e.stream) for e in read] == [
        (None, "facility:EC-166/1"),
        ("facility:EC-166/1", "facility:EC-166/1"),
        (None, "facility:EC-166/1"),
    ]
    assert [c["case"] for c in queries.case_list(engine)] == ["facility:EC-166/1"]
    # its export imports into a new register, where the visits take the internal namespace
    other = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(other)
    exported = list(maintenance.export_lines(engine, law, OPERATOR, NOW))
    report = Register(other, law, clock).import_lines(exported, REGISTRAR)
    assert report.ok and report.stored == 3, messages(report)
    with other.connect() as conn:
        assert [e.stream for e in store.iter_events(conn)] == [
            "#facility:EC-166/1",
            "facility:EC-166/1",
            "#facility:EC-166/1",
        ]
    other.dispose()


def test_no_case_id_can_enter_the_internal_namespace():
    with pytest.raises(Refused) as refused:
        parse_event(opened(case="#facility:EC-166/1"))
    assert refused.value.problems[0].field == "case"
    assert stream_of("facility.visited", None, {"facility": "X"}).startswith("#")


# --- 8. --at and verify say what is wrong ---------------------------------------------------------------


def test_parse_time_hints_only_what_is_missing():
    def problem(value):
        found: list = []
        parse_time(value, "--at", found)
        return str(found[0]) if found else None

    assert (
        problem("2024-04-02+05:00") == "--at: '2024-04-02+05:00' has no time of day (write e.g. 2024-04-02T00:00+05:00)"
    )
    assert problem("2024-04-02") == "--at: '2024-04-02' has no UTC offset (write e.g. 2024-04-02T00:00+05:00)"
    assert (
        problem("2024-04-02T10:00") == "--at: '2024-04-02T10:00' has no UTC offset (write e.g. 2024-04-02T10:00+05:00)"
    )
    assert problem("9999-12-31T23:59:59-05:00") == "--at: must lie in the years 1900 to 2200"
    assert problem("2024-04-02T10:00+05:00") is None and problem("2200-12-31T23:59:59Z") is None


def test_alerts_at_an_impossible_time_is_refused(db_url):
    crash = _habeas("alerts", "--at", "9999-12-31T23:59:59-05:00", db=db_url)
    assert crash.returncode == 2 and "Traceback" not in crash.stderr
    assert "must lie in the years 1900 to 2200" in crash.stderr
    hint = _habeas("alerts", "--at", "2024-04-02+05:00", db=db_url)
    assert hint.returncode == 2 and "write e.g. 2024-04-02T00:00+05:00" in hint.stderr
    assert "+05:00+05:00" not in hint.stderr


def _forge_after_head(engine) -> None:
    """Append a row with a correct hash behind the register's back (chain_head left as it was)."""
    with engine.begin() as conn:
        head = store.read_head(conn)
        appender = store.Appender(conn, datetime(2026, 1, 1, tzinfo=UTC), None)
        appender.append(parse_event(party("P9", id="forged")), 99)
        conn.exec_driver_sql(appender._insert, appender._pending[0])  # the row, not the head
        store.write_head(conn, head)


def test_verify_names_the_first_wrong_position(register, engine):
    register.import_lines(one_case_lines(), REGISTRAR)
    _forge_after_head(engine)
    result = maintenance.verify(engine)
    assert result.bad_position == 20 and "past the chain head (19)" in result.reason

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE event_id = 'forged'"))
        conn.execute(text("DELETE FROM chain_head"))
    result = maintenance.verify(engine)
    assert (result.bad_position, result.reason) == (0, "the chain head is missing")

    with engine.begin() as conn:
        store.write_head(conn, store.Head(19, bytes(32)))
    assert maintenance.verify(engine).bad_position == 19
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE position >= 18"))
        store.write_head(conn, store.Head(19, bytes(32)))
    assert maintenance.verify(engine).bad_position == 18


def test_verify_in_the_cli_says_the_head_is_missing(db_url):
    engine = make_engine(db_url)
    Register(engine, _law()).import_lines(one_case_lines(), REGISTRAR)
    _forge_after_head(engine)
    forged = _habeas("verify", db=db_url)
    assert forged.returncode == 1 and forged.stdout.startswith("broken at position 20: ")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM chain_head"))
        conn.execute(text("DELETE FROM events WHERE event_id = 'forged'"))
    engine.dispose()
    headless = _habeas("verify", db=db_url)
    assert headless.returncode == 1 and headless.stdout.startswith("broken: the chain head is missing")
    assert "position 0" not in headless.stdout


def _law():
    from habeas.jurisdictions import load

    return load("kz")


def test_a_usual_line_is_decoded_without_the_exact_walk(monkeypatch):
    """The exact checks run only where a cheap scan of the text says a limit may be broken."""
    from habeas.domain import events

    walked: list = []
    monkeypatch.setattr(events, "value_problems", lambda value, numbers=False: walked.append(value) or [])
    for line in one_case_lines():
        assert decode_line(line) == json.loads(line)
    assert walked == []
    decode_line(json.dumps(opened() | {"data": {"channel": "x", "summary": "😀"}}))  # an escaped pair
    decode_line(json.dumps(with_data(DETAINED, place=deep(MAX_DEPTH - 2))))  # 17 brackets, 16 deep: allowed
    assert len(walked) == 2
