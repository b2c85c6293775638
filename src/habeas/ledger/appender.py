"""Appending to the log: decided events become chained rows, written in batches.

Runs in the caller's transaction, under the append lock (`habeas.db.engine.appender` +
`lock_for_append`); what the database does differently (a bulk insert, a streamed COPY,
whether the transaction is still alive) its adapter does (`habeas.db.adapters`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from habeas.db import adapters
from habeas.db.adapters.base import run
from habeas.domain.events import Actor, Event
from habeas.ledger.chain import GENESIS
from habeas.ledger.chaining import Chainer
from habeas.ledger.rows import COLUMNS, Head


class ConcurrencyConflict(Exception):
    """The stream moved on since it was read (optimistic concurrency)."""


class WriteFailed(Exception):
    """The database refused to write pending rows; `event_id` names the first row it refused.

    Carries the database's exception as `error` (its text may hold any pending row's data:
    log it, never show it)."""

    def __init__(self, event_id: str | None, error: BaseException):
        super().__init__(type(error).__name__)
        self.event_id = event_id
        self.error = error


def read_head(conn: Connection) -> Head:
    row = run(conn, "SELECT position, hash FROM chain_head").fetchone()
    if row is None:
        return Head(0, GENESIS)
    return Head(row[0], bytes.fromhex(row[1]))


def write_head(conn: Connection, head: Head) -> None:
    sql = adapters.of(conn).sql
    values = (head.position, head.hash.hex())
    updated = run(conn, sql("UPDATE chain_head SET position = ?, hash = ? WHERE id = 1"), values)
    if updated.rowcount == 0:
        run(conn, sql("INSERT INTO chain_head (id, position, hash) VALUES (1, ?, ?)"), values)


class Appender(Chainer):
    """Turns decided events into chained rows (`Chainer`) and writes them in batches.

    `streaming` (where the adapter `streams`: PostgreSQL; an import's batch): the rows are sent to the server as
    they are made, in a COPY that `flush` ends, so that the server stores and indexes them
    while this process decides the next ones (at `flush`, instead, it waited for the
    server's whole share of the chunk). While that COPY is open the connection runs
    nothing else: whoever queries it first calls `flush`."""

    def __init__(self, conn: Connection, recorded_at: datetime, registrar: Actor | None, streaming: bool = False):
        super().__init__(read_head(conn), recorded_at, registrar)
        self.conn = conn
        self.adapter = adapters.of(conn)
        self.streaming = streaming and self.adapter.streams
        self._stream = None  # the open `adapters.base.Stream` while rows are being streamed
        self._pending: list[tuple] = []
        self._insert = f"INSERT INTO events ({', '.join(COLUMNS)}, hash) VALUES ({self.adapter.marks(12)})"

    def append(self, event: Event, version: int) -> Event:
        """Chain one event at the next position with the stream `version` given."""
        stored = self.chain(event, version)
        self._pending.append(self.last_row)
        if self.streaming:
            self._send(self.last_row)
        return stored

    def flush(self) -> int:
        """Write the pending rows and the new head; returns how many were written.

        Raises `WriteFailed` naming the first row the database refused. Several rows are
        written inside a savepoint, so that only when the database refuses them are they
        tried again one by one to find which (a single row needs no search)."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, []
        if self._stream is not None:
            self._end_stream(pending)
        elif len(pending) == 1:
            try:
                run(self.conn, self._insert, pending[0])
            except DBAPIError as exc:
                raise WriteFailed(pending[0][1], exc) from exc
        else:
            savepoint = self.conn.begin_nested()
            try:
                self.adapter.insert_rows(self.conn, "events", (*COLUMNS, "hash"), pending)
            except DBAPIError as exc:
                if not self.adapter.transaction_alive(self.conn):  # nothing to search, nothing more to run
                    raise WriteFailed(None, exc) from exc
                savepoint.rollback()
                raise WriteFailed(self._first_refused(pending), exc) from exc
            savepoint.commit()
        write_head(self.conn, self.head)
        return len(pending)

    def _send(self, row: tuple) -> None:
        """Send one row into the open stream (opened by the first row after a flush)."""
        try:
            if self._stream is None:
                self._stream = self.adapter.open_stream(self.conn, "events", (*COLUMNS, "hash"))
            self._stream.write_row(row)
        except DBAPIError as exc:  # the connection failed under the stream (which it ended)
            self._stream = None
            pending, self._pending = self._pending, []
            raise WriteFailed(self._first_refused(pending), exc) from exc

    def _end_stream(self, pending: list[tuple]) -> None:
        stream, self._stream = self._stream, None
        try:
            stream.end()  # waits for the server to have stored every row sent
        except DBAPIError as exc:  # refused: the stream is over, nothing of it stored
            raise WriteFailed(self._first_refused(pending), exc) from exc

    def abort(self) -> None:
        """End an open stream without storing what it sent, so that the connection runs
        statements again (the caller's rollback among them)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()

    def _first_refused(self, rows: list[tuple]) -> str | None:
        """The first row the database refuses, tried one by one in savepoints; None when the
        database ended the transaction itself (SQLite does on a full disk): then nothing more
        may run in it, for SQLite would commit each row by itself, outside any transaction."""
        for row in rows:
            if not self.adapter.transaction_alive(self.conn):
                return None
            try:
                with self.conn.begin_nested():
                    self.conn.exec_driver_sql(self._insert, row)
            except DBAPIError:
                return row[1]
        return None
