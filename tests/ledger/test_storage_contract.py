"""The storage contract: what every store does alike (as pyeventsourcing's recorder test
cases). `RecorderContract` holds the tests; each store is a subclass that gives its
`recorder` and how an intruder changes a stored event (`tamper`): SQLite, PostgreSQL and
memory. The hashes are pinned: the same appends chain the same bytes in every store."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.domain.events import Actor, Event
from habeas.ledger.chain import GENESIS, ChainWalker
from habeas.ledger.memory import MemoryRecorder
from habeas.ledger.reads import ReadRecord
from habeas.ledger.recorder import Recorder, SqlRecorder
from habeas.ledger.store import WriteFailed
from tests.conftest import _drop_postgres_database, _postgres_database

ALMATY = timezone(timedelta(hours=5))
RECORDED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
REGISTRAR = Actor("reg-1", "registrar", "ministry-records")
INVESTIGATOR = Actor("inv-1", "investigator", "police-almaty-bostandyk")
# the heads of the appends below, whichever store keeps them
EVENTS_HEAD = "ed0f7f3a5263c6effc334bd46aeb4117f6d9328f80b446e8afb1e55fd3a8ef25"
READS_HEAD = "7ab8a138ce80fed774192b99037c7a61a7f1748b48b55f67521244b0eb963b44"
ACCOUNTS_HEAD = "5202ba73a1ff2758b61257942dc6e44f4156a862a0482f5eb9f710f0283b0188"


def fact(number: int, case: str = "KZ-2024-000777", kind: str = "report.received", **data) -> Event:
    at = datetime(2024, 3, 1, 9, number, tzinfo=ALMATY)
    return Event(f"ev-{case}-{number}", kind, case, at, INVESTIGATOR, data or {"channel": "in_person", "n": number})


def three_facts() -> list[tuple[Event, int]]:
    party = {"person": "P1", "role": "suspect", "name": "Асан «Ә» \\ \t"}
    return [
        (fact(1), 1),
        (fact(2, "KZ-2024-000778"), 1),
        (fact(3, kind="party.added", **party), 2),
    ]


def reads_of(count: int) -> list[ReadRecord]:
    return [
        ReadRecord(RECORDED + timedelta(seconds=n), f"r-{n}", "prosecutor", "pro-1", "KZ-2024-000777", "case", "review")
        for n in range(count - 1)
    ] + [ReadRecord(RECORDED, "x", "investigator", None, "KZ-1", "case", None, allowed=False, reason="not assigned")]


class RecorderContract:
    """Every store passes these."""

    @pytest.fixture
    def recorder(self) -> Recorder:
        raise NotImplementedError

    def tamper(self, recorder: Recorder, position: int) -> None:
        """Change the data of the stored event at `position`, behind the recorder's back."""
        raise NotImplementedError

    def cut(self, recorder: Recorder, position: int) -> None:
        """Delete the stored events from `position` on, behind the recorder's back."""
        raise NotImplementedError

    def test_a_new_store_is_empty_and_intact(self, recorder):
        assert (recorder.head().position, recorder.head().hash) == (0, GENESIS)
        assert recorder.rows() == [] and recorder.reads() == [] and recorder.accounts() == []
        assert recorder.verify() is None and recorder.verify_reads() is None and recorder.verify_accounts() is None
        assert recorder.stream("KZ-2024-000777") == [] and recorder.event("ev-1") is None

    def test_appends_chain_the_same_bytes_in_every_store(self, recorder):
        stored = recorder.append(three_facts(), RECORDED, REGISTRAR)
        assert [(e.position, e.version) for e in stored] == [(1, 1), (2, 1), (3, 2)]
        rows = recorder.rows()
        walker = ChainWalker()
        assert walker.walk(rows) and walker.count == 3
        assert recorder.head().hash == walker.head and [e.hash for e in stored] == [r[11] for r in rows]
        assert recorder.head().hash.hex() == EVENTS_HEAD
        assert recorder.rows(after=2) == rows[2:]

    def test_events_read_back_as_they_were_appended(self, recorder):
        stored = recorder.append(three_facts(), RECORDED, REGISTRAR)
        case = recorder.stream("KZ-2024-000777")
        assert [e.id for e in case] == ["ev-KZ-2024-000777-1", "ev-KZ-2024-000777-3"]
        assert [e.version for e in case] == [1, 2]
        again = recorder.event("ev-KZ-2024-000777-3")
        same = ("id", "kind", "case", "data", "actor", "position", "version", "hash")
        assert [getattr(again, f) for f in same] == [getattr(stored[2], f) for f in same]
        assert again.data["name"] == "Асан «Ә» \\ \t"
        assert again.occurred_at == datetime(2024, 3, 1, 9, 3, tzinfo=ALMATY) and again.occurred_at.utcoffset()
        assert again.registrar == REGISTRAR and again.recorded_at == RECORDED

    @pytest.mark.parametrize("taken", ["id", "version"])
    def test_a_taken_id_or_version_refuses_the_whole_append(self, recorder, taken):
        recorder.append(three_facts()[:1], RECORDED, REGISTRAR)
        head, rows = recorder.head(), recorder.rows()
        again = fact(1) if taken == "id" else msgspec.structs.replace(fact(1), id="ev-other")
        with pytest.raises(WriteFailed) as refused:
            recorder.append([(fact(9, "KZ-2024-000779"), 1), (again, 1)], RECORDED, REGISTRAR)
        assert refused.value.event_id == again.id
        assert recorder.head() == head and recorder.rows() == rows and recorder.event("ev-KZ-2024-000779-9") is None

    def test_a_transaction_chains_the_same_bytes_and_reads_its_own_appends(self, recorder):
        with recorder.writing(RECORDED, REGISTRAR) as log:
            stored = [log.append(event, version) for event, version in three_facts()]
            assert log.flush() == 3 and log.head.position == 3
            case = "KZ-2024-000777"
            heads = log.stream_heads([case, "KZ-2024-000778", "KZ-2024-000779"], ["party.added", "case.registered"])
            assert (heads[case].version, heads[case].kinds_seen) == (2, frozenset({"party.added"}))
            assert heads["KZ-2024-000778"].version == 1 and heads["KZ-2024-000779"] is None
            found = log.streams_events_of_kinds([case, "KZ-2024-000778"], ["party.added"])
            assert {name: [e.id for e in events] for name, events in found.items()} == {case: [stored[2].id]}
            contents = log.stored_contents([stored[0].id, "ev-none"])
            assert list(contents) == [stored[0].id] and contents[stored[0].id][:2] == ("report.received", case)
            assert [e.id for e in log.stream(case)] == [stored[0].id, stored[2].id]
            assert log.event(stored[1].id).hash == stored[1].hash
        assert recorder.head().hash.hex() == EVENTS_HEAD and recorder.verify() is None

    @pytest.mark.parametrize("ending", ["raised", "cancelled", "taken"])
    def test_a_transaction_that_does_not_end_well_keeps_nothing(self, recorder, ending):
        recorder.append(three_facts()[:1], RECORDED, REGISTRAR)
        head, rows = recorder.head(), recorder.rows()
        expected = pytest.raises((RuntimeError, WriteFailed)) if ending != "cancelled" else nullcontext()
        with expected as refused, recorder.writing(RECORDED, REGISTRAR) as log:
            log.append(fact(9, "KZ-2024-000779"), 1)
            log.flush()
            assert log.stream("KZ-2024-000779") != []  # kept in the transaction, so far
            if ending == "taken":
                log.append(msgspec.structs.replace(fact(1), id="ev-again"), 1)  # KZ-...777's version 1 is taken
                log.flush()
            elif ending == "raised":
                raise RuntimeError("stopped")
            else:
                log.cancel()
        if ending == "taken":
            assert refused.value.event_id == "ev-again"
        assert recorder.head() == head and recorder.rows() == rows and recorder.stream("KZ-2024-000779") == []
        (next_one,) = recorder.append([(fact(9, "KZ-2024-000779"), 1)], RECORDED, REGISTRAR)
        assert next_one.position == 2 and recorder.verify() is None  # the store goes on from its head

    def test_appends_go_on_from_the_head(self, recorder):
        recorder.append(three_facts()[:2], RECORDED, None)
        (third,) = recorder.append(three_facts()[2:], RECORDED + timedelta(hours=1), REGISTRAR)
        assert third.position == 3 and recorder.verify() is None
        assert [r[9] for r in recorder.rows()] == [
            None,
            None,
            '{"agency":"ministry-records","id":"reg-1","role":"registrar"}',
        ]

    def test_concurrent_appends_keep_one_gapless_order(self, recorder):
        def add(worker: int) -> None:
            for n in range(5):
                recorder.append([(fact(n, f"KZ-2024-00{worker}000"), n + 1)], RECORDED, REGISTRAR)

        threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r[0] for r in recorder.rows()] == list(range(1, 21))
        assert recorder.verify() is None and recorder.head().position == 20

    def test_a_changed_event_is_found_where_it_was_changed(self, recorder):
        recorder.append(three_facts(), RECORDED, REGISTRAR)
        self.tamper(recorder, 2)
        broken = recorder.verify()
        assert broken is not None and broken.position == 2

    def test_a_cut_tail_is_found_at_the_first_missing_event(self, recorder):
        recorder.append(three_facts(), RECORDED, REGISTRAR)
        self.cut(recorder, 3)
        broken = recorder.verify()
        assert broken is not None and broken.position == 3 and recorder.head().position == 3

    def test_reads_are_chained_the_same_in_every_store(self, recorder):
        assert recorder.record_reads(reads_of(3)) == 3
        assert recorder.record_reads([]) == 3
        assert recorder.record_reads(reads_of(1)) == 4
        found = recorder.reads()
        assert [r["position"] for r in found] == [1, 2, 3, 4] and recorder.verify_reads() is None
        assert [r["allowed"] for r in found] == [True, True, False, False]
        assert found[0]["read_at"] == "2026-11-25T09:00:00.000000Z" and found[2]["reason"] == "not assigned"
        assert found[-1]["hash"] == READS_HEAD

    def test_account_changes_are_chained_the_same_in_every_store(self, recorder):
        by = ("operator", "admin")
        assert recorder.record_account(by, RECORDED, "user.added", "inv-1", {"role": "investigator", "n": 1}) == 1
        assert recorder.record_account(by, RECORDED, "user.disabled", "inv-1", {}) == 2
        found = recorder.accounts()
        assert [(r["position"], r["kind"], r["login"]) for r in found] == [
            (1, "user.added", "inv-1"),
            (2, "user.disabled", "inv-1"),
        ]
        assert found[0]["detail"] == {"n": 1, "role": "investigator"} and found[0]["by"] == {
            "id": "operator",
            "role": "admin",
        }
        assert recorder.verify_accounts() is None and found[-1]["hash"] == ACCOUNTS_HEAD

    def test_projection_positions_are_kept_under_their_law(self, recorder):
        assert recorder.positions(["cases", "deadlines"]) == {"cases": 0, "deadlines": 0}
        recorder.set_positions(["cases", "deadlines"], 7, "law-a")
        recorder.set_positions(["cases"], 9, "law-a")
        assert recorder.positions(["cases", "deadlines", "episodes"], "law-a") == {
            "cases": 9,
            "deadlines": 7,
            "episodes": 0,
        }
        assert recorder.positions(["cases"], "law-b") == {"cases": 0}  # judged under another law: rebuilt
        assert recorder.positions(["cases"]) == {"cases": 9}


class SqlContract(RecorderContract):
    def tamper(self, recorder, position):
        with recorder.engine.begin() as conn:
            conn.execute(text("UPDATE events SET data = :d WHERE position = :p"), {"d": '{"n":0}', "p": position})

    def cut(self, recorder, position):
        with recorder.engine.begin() as conn:
            conn.execute(text("DELETE FROM events WHERE position >= :p"), {"p": position})


class TestSQLite(SqlContract):
    @pytest.fixture
    def recorder(self, sqlite_engine):
        return SqlRecorder(sqlite_engine)


class TestPostgreSQL(SqlContract):
    @pytest.fixture
    def recorder(self):
        url = _postgres_database()
        engine = make_engine(url)
        migrate(engine)
        yield SqlRecorder(engine)
        engine.dispose()
        _drop_postgres_database(url)


class TestMemory(RecorderContract):
    @pytest.fixture
    def recorder(self):
        return MemoryRecorder()

    def tamper(self, recorder, position):
        row = recorder._rows[position - 1]
        recorder._rows[position - 1] = (*row[:10], '{"n":0}', row[11])

    def cut(self, recorder, position):
        del recorder._rows[position - 1 :]


def test_only_the_database_package_asks_which_database_it_speaks_to():
    """No dialect branch outside `habeas.db` (the adapters, the engine, the migrations):
    neither a connection's `.dialect` read nor a comparison with a database's name."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "src" / "habeas"
    names = {"sqlite", "postgresql"}
    found = set()
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "db":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            asks = isinstance(node, ast.Attribute) and node.attr == "dialect"
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                asks = any(isinstance(s, ast.Constant) and s.value in names for s in sides)
            if asks:
                found.add(f"{path.relative_to(package)}:{node.lineno}")
    assert sorted(found) == []
