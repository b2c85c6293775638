"""A read record names whose data it showed (`persons`), inside its chained bytes: the same
in every store, the records that name no one chained exactly as before the column, a
changed list caught by `verify`, and the exported log chained again by an outsider."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.ledger.chain import GENESIS, canonical_json, link
from habeas.ledger.memory import MemoryRecorder
from habeas.ledger.reads import ReadRecord, persons_of
from habeas.ledger.recorder import SqlRecorder
from habeas.services import maintenance
from tests.conftest import NOW, OPERATOR
from tests.ledger.test_storage_contract import READS_HEAD, reads_of

NAMED = [
    ReadRecord(NOW, "pr-1", "prosecutor", "pro-1", "KZ-1", "case_file", "review", persons=("V1", "P1", "P1")),
    ReadRecord(NOW, "pr-1", "prosecutor", "pro-1", "KZ-1", "case_list", "case list", persons=()),
]


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def recorder(request, sqlite_engine):
    if request.param == "memory":
        yield MemoryRecorder()
    elif request.param == "sqlite":
        yield SqlRecorder(sqlite_engine)
    else:
        from tests.conftest import _drop_postgres_database, _postgres_database

        url = _postgres_database()  # skips without HABEAS_TEST_POSTGRES_URL
        engine = make_engine(url)
        migrate(engine)
        yield SqlRecorder(engine)
        engine.dispose()
        _drop_postgres_database(url)


def test_records_naming_no_one_chain_as_before_and_named_ones_carry_their_persons(recorder):
    assert recorder.record_reads(reads_of(3)) == 3 and recorder.record_reads(reads_of(1)) == 4
    assert recorder.reads()[-1]["hash"] == READS_HEAD  # the pinned head of before `persons`
    assert "persons" not in recorder.reads()[0]
    assert recorder.record_reads(NAMED) == 6
    named, empty = recorder.reads()[4:]
    assert named["persons"] == ["P1", "V1"] and empty["persons"] == []  # each once, sorted; none is not "whole case"
    assert recorder.verify_reads() is None
    again, digest = [], bytes.fromhex(READS_HEAD)
    for record in (named, empty):  # the outsider's way: the exported record less its hash
        digest = link(digest, canonical_json({k: v for k, v in record.items() if k != "hash"}).encode())
        again.append(digest.hex())
    assert again == [named["hash"], empty["hash"]]


def test_the_persons_are_in_the_chained_bytes(sqlite_engine):
    recorder = SqlRecorder(sqlite_engine)
    recorder.record_reads(NAMED)
    for changed in ('["P1"]', '["P1","V1","X"]', "not a list", None):
        with sqlite_engine.begin() as conn:
            conn.execute(text("UPDATE reads SET persons = :p WHERE id = 1"), {"p": changed})
        checked = maintenance.verify(sqlite_engine).reads
        assert checked.broken is not None and checked.broken.position == 1, changed


def test_a_stored_value_that_is_no_list_is_given_back_as_it_stands():
    class Row:
        persons = '{"P1": 1}'

    assert persons_of(Row) == '{"P1": 1}'
    Row.persons = '["P1","V1"]'
    assert persons_of(Row) == ["P1", "V1"]
    Row.persons = ("V1", "P1")
    assert persons_of(Row) == ["P1", "V1"]


def test_the_exported_read_log_names_the_persons(recorded_engine, law):
    from habeas.services import queries

    queries.case_file(recorded_engine, law, "KZ-2024-000123", OPERATOR, "review", NOW, NOW)
    lines = [json.loads(x) for x in maintenance.export_lines(recorded_engine, law, OPERATOR, NOW, "log")]
    reads = [r for r in lines if r.get("log") == "reads"]
    assert reads[0]["what"] == "case_file" and reads[0]["persons"] == ["P1", "V1"]
    digest = GENESIS
    for record in reads:
        digest = link(digest, canonical_json({k: v for k, v in record.items() if k not in ("hash", "log")}).encode())
        assert digest.hex() == record["hash"]


@pytest.fixture
def recorded_engine(register, engine):
    from tests.conftest import REGISTRAR, one_case_lines

    assert register.import_lines(one_case_lines(), REGISTRAR).ok
    return engine
