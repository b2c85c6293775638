"""The register's storage behind one interface: the event log, the read log, the account
log and the projections' positions. As pyeventsourcing's recorders: one abstract
`Recorder`, a version per store (`SqlRecorder` on SQLite and PostgreSQL, whose adapters
hold what the two databases do differently; `memory.MemoryRecorder`), and one contract
test case every version passes (tests/ledger/test_storage_contract.py). Every version
chains the same bytes, so a log's hashes do not depend on where it is kept.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from habeas.db.engine import appender, lock_for_append, writer
from habeas.domain.events import Actor, Event
from habeas.ledger import accounts, reads, store
from habeas.ledger.chain import Break
from habeas.ledger.positions import read_positions, write_positions
from habeas.ledger.rows import Head


class Recorder(ABC):
    """Where the register keeps its logs. Appends are all or nothing and serialised."""

    # The event log: the register's facts.

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

    def append(self, events, recorded_at, registrar):
        with appender(self.engine).begin() as conn:
            lock_for_append(conn)
            adding = store.Appender(conn, recorded_at, registrar)
            stored = [adding.append(event, version) for event, version in events]
            adding.flush()
        return stored

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
