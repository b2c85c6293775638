"""The register on the in-memory recorder (`ledger.memory.MemoryRecorder`): it records,
refuses and reads a case through the same service as on a database, and chains the same
bytes, so the register runs on whichever store passes the storage contract
(test_storage_contract.py)."""

from __future__ import annotations

import json

import pytest

from habeas.db.engine import make_engine, migrate
from habeas.domain.events import Refused
from habeas.ledger.memory import MemoryRecorder
from habeas.ledger.recorder import SqlRecorder
from habeas.services.register import Register
from tests.conftest import REGISTRAR, event, lines, one_case_lines

CASE = "KZ-2024-000123"
AGENCY = "police-astana-almaty-district"


def witness(person: str, id: str | None = None) -> dict:
    raw = event(
        "party.added",
        {"person": person, "role": "witness", "name": "Witness"},
        case=CASE,
        at="2024-04-02T10:00:00+05:00",
        actor="inv-301",
        id=id,
    )
    raw["actor"]["agency"] = AGENCY
    return raw


@pytest.fixture
def recorder():
    return MemoryRecorder()


@pytest.fixture
def register(recorder, law, clock):
    return Register(recorder, law, clock)


def test_a_case_imported_and_submitted_in_memory_reads_back_through_the_register(register, recorder):
    report = register.import_lines(one_case_lines(), REGISTRAR)
    assert report.ok and report.stored == len(one_case_lines()) == report.head_position
    outcome = register.submit(witness("P-W1", id="ev-w1"), REGISTRAR)
    assert outcome.status == "stored" and outcome.event.position == report.head_position + 1

    case = register.case_file(CASE)
    assert case is not None and case.version == report.stored + 1
    assert {e.id for e in case.timeline} == {json.loads(line)["id"] for line in one_case_lines()} | {"ev-w1"}
    assert "P-W1" in case.parties and case.article == "188"
    assert register.case_file("KZ-2024-999999") is None
    assert recorder.verify() is None


def test_a_resent_event_is_skipped_and_answered_as_stored(register, recorder):
    assert register.import_lines(one_case_lines(), REGISTRAR).ok
    first = register.submit(witness("P-W1", id="ev-w1"), REGISTRAR)
    again = register.submit(witness("P-W1", id="ev-w1"), REGISTRAR)
    assert again.status == "skipped" and again.event.position == first.event.position
    assert again.event.hash == first.event.hash
    with pytest.raises(Refused) as refused:
        register.submit(witness("P-W2", id="ev-w1"), REGISTRAR)  # the id names another fact
    assert refused.value.code == "conflict"
    assert recorder.head().position == first.event.position


def test_a_refused_fact_or_import_stores_nothing_in_memory(register, recorder):
    with pytest.raises(Refused) as refused:
        register.submit(witness("P-W1"), REGISTRAR)  # no such case yet
    assert refused.value.problems[0].field == "case"
    bad = one_case_lines() + ['{"id": "x", "kind": "no.such.kind"}']
    report = register.import_lines(bad, REGISTRAR)
    assert not report.ok and report.stored == 0
    assert [e.line for e in report.errors] == [len(bad)]
    assert recorder.head().position == 0 and recorder.rows() == [] and recorder.stream(CASE) == []
    assert register.import_lines(one_case_lines(), REGISTRAR).ok  # the rolled-back transaction left the store usable
    assert recorder.head().position == len(one_case_lines()) and recorder.verify() is None


def test_the_register_chains_the_same_rows_in_memory_as_in_a_database(register, recorder, law, clock, sqlite_url):
    engine = make_engine(sqlite_url)
    migrate(engine)
    try:
        on_sqlite = Register(engine, law, clock)
        facts = one_case_lines() + lines(witness("P-W1", id="ev-w1"))
        for store in (register, on_sqlite):
            assert store.import_lines(facts[:10], REGISTRAR).ok
            assert store.import_lines(facts[10:], REGISTRAR).ok
        assert recorder.rows() == SqlRecorder(engine).rows()
        assert recorder.head() == SqlRecorder(engine).head()
        assert register.case_file(CASE) == on_sqlite.case_file(CASE)
    finally:
        engine.dispose()
