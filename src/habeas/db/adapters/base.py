"""What every database adapter offers (`habeas.db.adapters`), and what they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def run(conn: Connection, statement: str, params: Sequence = ()):
    """Plain SQL straight to the driver's cursor, in the connection's transaction; returns the
    cursor. No SQLAlchemy execution context: an append runs a dozen small statements, and
    building a context for each cost more than the statement. The driver's errors are
    wrapped as SQLAlchemy wraps them (`DBAPIError`, the statement and parameters with them:
    the register logs them for the operator and shows only the error's class)."""
    cursor = conn.connection.driver_connection.cursor()
    error = conn.dialect.dbapi.Error
    try:
        cursor.execute(statement, params)
    except error as exc:
        cursor.close()
        raise DBAPIError.instance(statement, params, exc, error) from exc
    return cursor


class Stream:
    """Rows sent to the server as they are made (`Adapter.open_stream`); `end` waits for the
    server to have stored them all, `abort` ends the stream storing none."""

    def write_row(self, row: tuple) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError

    def abort(self, ended: bool = False) -> None:
        raise NotImplementedError


class Adapter:
    """One database's spelling of what the logs and projections need."""

    name: str
    # An import's rows may stream to the server while the next are decided (`open_stream`).
    streams = False
    # A bulk write may drop its tables' read indexes and build them after (readers keep
    # their snapshot with its indexes); where a DROP INDEX would lock readers out, not.
    drops_indexes_for_bulk = False
    # Rows sent to another process travel as a COPY's text (`streams_text`), not as objects.
    rows_as_text = False
    # A streaming replica of it may serve reads (`write_position`, `replayed`).
    replicated = False

    mark = "?"

    def marks(self, count: int) -> str:
        """`count` positional parameter marks, comma-separated."""
        return ", ".join([self.mark] * count)

    def sql(self, statement: str) -> str:
        """Plain SQL written with `?` marks, in the driver's own spelling."""
        return statement

    def among(self, column: str, values: list) -> Iterator[tuple[str, tuple]]:
        """(condition, parameters) that select the rows whose `column` is one of `values`."""
        raise NotImplementedError

    def insert_rows(self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert plain tuples (in `columns` order) without statement compilation by SQLAlchemy."""
        raise NotImplementedError

    def open_stream(self, conn: Connection, table: str, columns: Sequence[str]) -> Stream:
        raise NotImplementedError(f"{self.name} does not stream rows")

    def streams_text(self, conn: Connection, select_rows: str, streams: Sequence[str]) -> bytes:
        raise NotImplementedError(f"{self.name} does not send rows as text")

    def lock(self, conn: Connection, key: int, *, durable: bool = True) -> None:
        """Serialise writers of one log in this transaction (`key` names the log). Not
        `durable`: the commit may return before the disk has it (the read log)."""

    def relax_durability(self, conn: Connection) -> None:
        """Let this transaction's commit return before the disk has it (what it writes may be
        lost in a crash, never half of it)."""

    def write_position(self) -> str:
        """SQL for the position of the primary's log after the writes committed so far, as text."""
        raise NotImplementedError(f"{self.name} has no replicas")

    def replayed(self, conn: Connection, position: str) -> bool:
        """Whether this server (a replica) holds everything up to `position` of its primary."""
        raise NotImplementedError(f"{self.name} has no replicas")

    def snapshot(self, conn: Connection) -> None:
        """Make the connection's next transaction read one snapshot throughout."""

    def transaction_alive(self, conn: Connection) -> bool:
        """Whether the connection's transaction is still open in the database itself."""
        raise NotImplementedError

    def time_writer(self) -> Callable[[datetime | None], Any]:
        """How a plain-SQL row spells a naive UTC time for this database, as SQLAlchemy's
        `DateTime` stores it, so such rows compare and read back as Core-written ones."""
        raise NotImplementedError

    def read_log_head(self, conn: Connection, key: int) -> tuple[int, str | None]:
        """The read log's head (position, hash hex), locked for this transaction's append."""
        raise NotImplementedError

    def write_read_log(self, conn: Connection, columns: Sequence[str], rows: Sequence[tuple], start: int) -> None:
        """Insert read records (a tuple per record, in `columns` order, its hash last) and
        move the head to the last; `start` is the head's position before them."""
        raise NotImplementedError
