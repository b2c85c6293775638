"""The register's storage behind one interface: the event log, the read log, the account
log and the projections' positions. As pyeventsourcing's recorders: one abstract
`Recorder`, a version per store (`SqlRecorder` on SQLite and PostgreSQL, whose adapters
hold what the two databases do differently; `memory.MemoryRecorder`), and one contract
test case every version passes (tests/ledger/test_storage_contract.py). Every version
chains the same bytes, so a log's hashes do not depend on where it is kept.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine

from habeas.db.engine import appender, lock_for_append, writer
from habeas.domain.case import CaseHead
from habeas.domain.events import Actor, Event
from habeas.ledger import accounts, reads, store
from habeas.ledger.chain import Break
from habeas.ledger.positions import read_positions, write_positions
from habeas.ledger.rows import Head


class Writing(ABC):
    """One transaction on the event log, as the register writes it (`services.register.Batch`):
    events chained one by one after the head, read back as the transaction sees them, and
    kept all together when it ends, or none of them. `Recorder.writing` opens one."""

    # the SQL stores' connection, in which the projections are written and the users read
    # in the same transaction; None for a store without them (memory)
    conn: Connection | None = None
    # whether a bulk write drops its projections' read indexes (`db.adapters`: SQLite)
    drops_indexes_for_bulk: bool = False
    head: Head  # after the last event chained
    last_row: tuple | None  # the row chained last (`rows.SELECT_ROWS`)
    cancelled: bool = False

    @abstractmethod
    def append(self, event: Event, version: int) -> Event:
        """Chain one event at the next position with the stream `version` given; the stored event."""

    @abstractmethod
    def acting_for(self, registrar: Actor | None) -> None:
        """Who brings in the events chained next."""

    @abstractmethod
    def flush(self) -> int:
        """Write what is chained; how many. Raises `store.WriteFailed` naming the first refused."""

    @abstractmethod
    def abort(self) -> None:
        """Stop whatever write is under way, before the transaction is rolled back."""

    def cancel(self) -> None:
        """Keep nothing of this transaction when it ends (an import with a refused line)."""
        self.cancelled = True

    @abstractmethod
    def stored_contents(self, ids: Iterable[str]) -> dict[str, tuple]:
        """The `rows.content_of` each of these ids that is stored."""

    @abstractmethod
    def stream_heads(self, streams: Iterable[str], stage_kinds: Iterable[str] = ()) -> dict[str, CaseHead | None]:
        """Each stream's version and which `stage_kinds` it has seen (None: no events)."""

    @abstractmethod
    def streams_events_of_kinds(self, streams: Iterable[str], kinds: Iterable[str]) -> dict[str, list[Event]]:
        """The events of these kinds of several streams, each in version order."""

    @abstractmethod
    def stream(self, stream: str) -> list[Event]:
        """A stream's events in version order."""

    @abstractmethod
    def event(self, event_id: str) -> Event | None: ...


class Recorder(ABC):
    """Where the register keeps its logs. Appends are all or nothing and serialised."""

    # The event log: the register's facts.

    @abstractmethod
    def writing(
        self, recorded_at: datetime, registrar: Actor | None, streaming: bool = False
    ) -> AbstractContextManager[Writing]:
        """A transaction on the event log under the append lock: kept when the block ends,
        none of it when the block raises or cancels it. `streaming` (an import): the rows
        may be sent while the next are decided, where the store can."""

    @abstractmethod
    def append(
        self, events: Sequence[tuple[Event, int]], recorded_at: datetime, registrar: Actor | None
    ) -> list[Event]:
        """Chain these (event, stream version) after the head, all or none; the stored events.
        Raises `store.WriteFailed` naming the first event refused (an id or a stream's
        version already taken), storing nothing."""

    @abstractmethod
    def head(self) -> Head: ...

    @abstractmethod
    def stream(self, stream: str) -> list[Event]:
        """A stream's events in version order."""

    @abstractmethod
    def event(self, event_id: str) -> Event | None: ...

    @abstractmethod
    def rows(self, after: int = 0) -> list[tuple]:
        """The stored rows after `after`, in position order (`rows.SELECT_ROWS`)."""

    @abstractmethod
    def verify(self) -> Break | None:
        """The first place the chain is not what was appended (None: intact)."""

    # The read log: every read of personal data, and every refused attempt.

    @abstractmethod
    def record_reads(self, records: Iterable[reads.ReadRecord]) -> int:
        """Chain the records; the new head position."""

    @abstractmethod
    def reads(self) -> list[dict]:
        """Every record as it is chained (`reads.record_of`), with its `hash`."""

    @abstractmethod
    def verify_reads(self) -> Break | None: ...

    # The account log: every change to who may sign in.

    @abstractmethod
    def record_account(self, by: tuple[str, str], now: datetime, kind: str, login: str, detail: dict) -> int:
        """Chain one record; its position."""

    @abstractmethod
    def accounts(self) -> list[dict]:
        """Every record as it is chained (`accounts.record_of`), with its `hash`."""

    @abstractmethod
    def verify_accounts(self) -> Break | None:
        """The chain only (the SQL stores' `accounts.verify` also replays it over the users)."""

    # The projections: how far each has read the log, under which law.

    @abstractmethod
    def positions(self, names: Sequence[str], digest: str | None = None) -> dict[str, int]: ...

    @abstractmethod
    def set_positions(self, names: Sequence[str], head: int, digest: str) -> None: ...


class SqlRecorder(Recorder):
    """The logs in a database (SQLite or PostgreSQL: `habeas.db.adapters` tells them apart)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def writing(self, recorded_at, registrar, streaming=False) -> Iterator[Writing]:
        with appender(self.engine).connect() as conn:
            transaction = conn.begin()
            log = None
            try:
                lock_for_append(conn)
                log = SqlWriting(conn, recorded_at, registrar, streaming)
                yield log
                if log.cancelled:
                    transaction.rollback()
                else:
                    log.flush()
                    transaction.commit()
            except BaseException:
                try:
                    if log is not None:
                        log.abort()  # end the COPY it may have open, so the rollback runs
                finally:
                    transaction.rollback()
                raise

    def append(self, events, recorded_at, registrar):
        with self.writing(recorded_at, registrar) as log:
            return [log.append(event, version) for event, version in events]

    def head(self):
        with self.engine.connect() as conn:
            return store.read_head(conn)

    def stream(self, stream):
        with self.engine.connect() as conn:
            return store.stream_events(conn, stream)

    def event(self, event_id):
        with self.engine.connect() as conn:
            return store.stored_event(conn, event_id)

    def rows(self, after=0):
        with self.engine.connect() as conn:
            return [tuple(row) for row in store.iter_rows(conn, after=after)]

    def verify(self):
        with self.engine.connect() as conn:
            return store.verify(conn)[1]

    def record_reads(self, records):
        with writer(self.engine).begin() as conn:
            return reads.append(conn, records)

    def reads(self):
        with self.engine.connect() as conn:
            return [{**reads.record_of(row.id, row), "hash": row.hash} for row in reads.rows(conn)]

    def verify_reads(self):
        with self.engine.connect() as conn:
            return reads.verify(conn).broken

    def record_account(self, by, now, kind, login, detail):
        with writer(self.engine).begin() as conn:
            return accounts.append(conn, by, now, kind, login, detail)

    def accounts(self):
        with self.engine.connect() as conn:
            return [{**accounts.record_of(row), "hash": row.hash} for row in accounts.rows(conn)]

    def verify_accounts(self):
        with self.engine.connect() as conn:
            return accounts.verify(conn).broken

    def positions(self, names, digest=None):
        with self.engine.connect() as conn:
            return read_positions(conn, names, digest)

    def set_positions(self, names, head, digest):
        with writer(self.engine).begin() as conn:
            write_positions(conn, names, head, digest)


class SqlWriting(store.Appender, Writing):
    """A transaction on a database's log: the appender (`ledger.appender`) and the reads of
    `ledger.store` on its connection. A query waits for no streamed rows: call `flush` first."""

    def __init__(self, conn: Connection, recorded_at: datetime, registrar: Actor | None, streaming: bool = False):
        super().__init__(conn, recorded_at, registrar, streaming)
        self.drops_indexes_for_bulk = self.adapter.drops_indexes_for_bulk

    def stored_contents(self, ids):
        return store.stored_contents(self.conn, ids)

    def stream_heads(self, streams, stage_kinds=()):
        return store.stream_heads(self.conn, streams, stage_kinds)

    def streams_events_of_kinds(self, streams, kinds):
        return store.streams_events_of_kinds(self.conn, streams, kinds)

    def stream(self, stream):
        return store.stream_events(self.conn, stream)

    def event(self, event_id):
        return store.stored_event(self.conn, event_id)
