"""PostgreSQL: the production store (psycopg 3). Writers of each log are serialised by a
transaction-scoped advisory lock; bulk rows travel by COPY."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from habeas.db.adapters.base import Adapter, Stream, run

# The read log's columns that are not text, for the arrays `write_read_log` sends.
_READ_TYPES = {"id": "bigint", "read_at": "timestamp", "allowed": "boolean", "assigned": "boolean"}
READS_CHUNK = 2000  # read records per INSERT, within the driver's 65,535 parameters
_REPLAYED = text("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= CAST(:position AS pg_lsn)")
_SEPARATOR = "\x1f"  # chr(31), the unit separator: no id or stream has one


class PostgreSQL(Adapter):
    name = "postgresql"
    streams = True
    rows_as_text = True
    replicated = True
    mark = "%s"

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def among(self, column: str, values: list) -> Iterator[tuple[str, tuple]]:
        """One `= ANY(%s)` with an array (a long IN list cost the server more to parse and
        plan than to run)."""
        if not values:
            return
        joined = _SEPARATOR.join(values)
        if joined and joined.count(_SEPARATOR) == len(values) - 1:  # no value holds it ('' splits to none)
            # one text split by the server: the driver dumps a list of 2,000 texts in Python
            # (~30 us per 1,000), a single text at once
            yield f"{column} = ANY(string_to_array(%s, chr(31)))", (joined,)
        else:
            yield f"{column} = ANY(%s)", (values,)

    def insert_rows(self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """A binary COPY (psycopg's executemany sends one statement per row, which the server
        runs one by one: several times slower)."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
        error = conn.dialect.dbapi.Error
        try:
            types = _copy_types(conn, table, columns)
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except error as exc:  # wrapped as SQLAlchemy wraps what the driver raises: callers see one kind
            raise DBAPIError.instance(statement, None, exc, error) from exc

    def open_stream(self, conn: Connection, table: str, columns: Sequence[str]) -> Stream:
        return _CopyStream(conn, table, columns)

    def streams_text(self, conn: Connection, select_rows: str, streams: Sequence[str]) -> bytes:
        """The rows of `select_rows` of these streams, in stream and version order, as the
        text of a COPY (`ledger.rows_text.rows_of_text` reads it)."""
        if not streams:
            return b""
        ((condition, params),) = self.among("stream", list(streams))
        statement = f"COPY ({select_rows} WHERE {condition} ORDER BY stream, version) TO STDOUT"
        error = conn.dialect.dbapi.Error
        try:
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement, params) as copy:
                return b"".join(copy)
        except error as exc:
            raise DBAPIError.instance(statement, None, exc, error) from exc

    def lock(self, conn: Connection, key: int, *, durable: bool = True) -> None:
        if not durable:
            self.relax_durability(conn)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def relax_durability(self, conn: Connection) -> None:
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    def write_position(self) -> str:
        return "CAST(pg_current_wal_lsn() AS TEXT)"

    def replayed(self, conn: Connection, position: str) -> bool:
        """A server not in recovery (a promoted replica, or the primary itself) holds what it was sent."""
        return bool(conn.execute(_REPLAYED, {"position": position}).scalar())

    def snapshot(self, conn: Connection) -> None:
        if not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")

    def transaction_alive(self, conn: Connection) -> bool:
        """Open, or failed in a statement (INERROR: a rollback to its savepoint resumes it, as
        SQLite's transaction goes on after a refused statement); not when the server or the
        connection ended it."""
        from psycopg.pq import TransactionStatus  # the driver, only where it is used

        status = conn.connection.driver_connection.info.transaction_status
        return status in (TransactionStatus.INTRANS, TransactionStatus.ACTIVE, TransactionStatus.INERROR)

    def time_writer(self):
        return naive_utc_time

    def read_log_head(self, conn: Connection, key: int) -> tuple[int, str | None]:
        """The head row is the lock: FOR UPDATE waits for a concurrent read's commit and then
        reads the head it wrote (an advisory lock taken beside a plain read would not: a
        statement sees the rows committed when it began). Until the first read writes the
        head row there is nothing to lock, and the advisory lock serialises those. The
        commit is asynchronous (the durability SQLite's WAL with synchronous=NORMAL gives)."""
        found = conn.exec_driver_sql(
            "SELECT set_config('synchronous_commit', 'off', true), position, hash FROM read_head"
            " WHERE id = 1 FOR UPDATE"
        ).first()
        if found is None:
            conn.exec_driver_sql(
                "SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(%s)", (key,)
            )
            found = conn.exec_driver_sql("SELECT NULL, position, hash FROM read_head WHERE id = 1 FOR UPDATE").first()
        return (0, None) if found is None else (found[1], found[2])

    def write_read_log(self, conn: Connection, columns: Sequence[str], rows: Sequence[tuple], start: int) -> None:
        """A chunk at a time, the records and the head in one round trip. The records go as one
        array a column (`unnest`), so the statement's text is the same whatever their number:
        the driver parses it once (a VALUES list of a placeholder a value was parsed again at
        each read: a board's 100 records, 1,500 placeholders, took a fifth of its request)."""
        names = ", ".join(f'"{c}"' for c in columns)
        arrays = ", ".join(f"%s::{_READ_TYPES.get(c, 'text')}[]" for c in columns)
        statement = (
            f"WITH added AS (INSERT INTO reads ({names})"
            f" SELECT * FROM unnest({arrays}))"
            " INSERT INTO read_head (id, position, hash) VALUES (1, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position, hash = EXCLUDED.hash"
        )
        for first in range(0, len(rows), READS_CHUNK):
            chunk = rows[first : first + READS_CHUNK]
            last = chunk[-1]
            conn.exec_driver_sql(statement, (*(list(column) for column in zip(*chunk, strict=True)), last[0], last[-1]))


def _copy_types(conn: Connection, table: str, columns: Sequence[str]) -> list[int]:
    """The type of each column as the server has it, for a binary COPY: the server then
    reads timestamps and integers as they are sent instead of parsing their text, and the
    driver dumps them ~5x faster. Asked once per table and connection."""
    known = conn.connection.info.setdefault("habeas_copy_types", {})
    found = known.get(table)
    if found is None:
        query = "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        found = known[table] = dict(run(conn, query, (table,)).fetchall())
    return [found[column] for column in columns]


class _CopyStream(Stream):
    """Rows sent into a text COPY inside a savepoint, opened by the first row (text, not
    binary: the columns are text and integers, and binary measured no faster). While it is
    open the connection runs nothing else."""

    def __init__(self, conn: Connection, table: str, columns: Sequence[str]):
        self.conn = conn
        self.statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._open = None  # (savepoint, cursor, COPY context, COPY)

    def write_row(self, row: tuple) -> None:
        error = self.conn.dialect.dbapi.Error
        try:
            if self._open is None:
                savepoint = self.conn.begin_nested()
                cursor = self.conn.connection.driver_connection.cursor()
                copying = cursor.copy(self.statement)
                self._open = (savepoint, cursor, copying, copying.__enter__())
            self._open[3].write_row(row)
        except error as exc:  # the connection failed under the stream
            self.abort()
            raise self._wrapped(exc, error) from exc

    def end(self) -> None:
        if self._open is None:
            return
        savepoint, cursor, copying, _ = self._open
        error = self.conn.dialect.dbapi.Error
        try:
            copying.__exit__(None, None, None)  # waits for the server to have stored every row sent
        except error as exc:  # refused: the COPY is over, its savepoint rolled back
            self.abort(ended=True)
            raise self._wrapped(exc, error) from exc
        self._open = None
        cursor.close()
        savepoint.commit()

    def abort(self, ended: bool = False) -> None:
        if self._open is None:
            return
        savepoint, cursor, copying, _ = self._open
        self._open = None
        try:
            if not ended:
                # the server is told why in these words (and may log them), never a row's data
                stopped = RuntimeError("import stopped")
                copying.__exit__(RuntimeError, stopped, None)
        finally:
            cursor.close()
            savepoint.rollback()

    def _wrapped(self, exc: BaseException, error: type) -> DBAPIError:
        """The driver's error as SQLAlchemy wraps it (as `run` does): callers see one kind."""
        return DBAPIError.instance(self.statement.split(" (")[0], None, exc, error)


_NAIVE: dict[datetime, datetime] = {}
NAIVE_MAX = 200_000


def naive_utc_time(moment: datetime | None) -> datetime | None:
    """Naive UTC (a naive time is taken as UTC already), each moment converted once: a
    case's rows spell the same few moments again and again."""
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        return _NAIVE[moment]
    except KeyError:
        pass
    if len(_NAIVE) >= NAIVE_MAX:
        _NAIVE.clear()
    naive = _NAIVE[moment] = moment.astimezone(UTC).replace(tzinfo=None)
    return naive
