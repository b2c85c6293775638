"""The log on disk: append, read back, walk the chain.

All functions take an open SQLAlchemy connection; the caller owns the
transaction (the service appends and projects in one). Appends must run under
the append lock (`habeas.db.engine.writer` + `lock_for_append`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import msgspec
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from habeas.db.engine import transaction_alive
from habeas.db.schema import chain_head
from habeas.domain.case import CaseHead
from habeas.domain.events import Actor, Event, case_of, from_utc, offset_text, utc_iso
from habeas.domain.vocabulary import KINDS_WITHOUT_FLOATS
from habeas.ledger.chain import GENESIS, Break, ChainWalker, canonical_json, canonical_row, link

COLUMNS = (
    "position",
    "event_id",
    "stream",
    "version",
    "kind",
    "occurred_at",
    "utc_offset",
    "recorded_at",
    "actor",
    "registrar",
    "data",
)
SELECT_ROWS = f"SELECT {', '.join(COLUMNS)}, hash FROM events"


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


@dataclass(slots=True)
class Head:
    position: int
    hash: bytes


def run(conn: Connection, statement: str, params: Sequence = ()):
    """Plain SQL straight to the driver's cursor, in the connection's transaction; returns the
    cursor. No SQLAlchemy execution context: an append runs a dozen small statements, and
    building a context for each cost more than the statement. The driver's errors are
    wrapped as SQLAlchemy wraps them (`DBAPIError`, the statement and parameters with them:
    the register logs them for the operator and shows only the error's class)."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(statement, params)
    except conn.dialect.dbapi.Error as exc:
        cursor.close()
        raise DBAPIError.instance(statement, params, exc, conn.dialect.dbapi.Error) from exc
    return cursor


def read_head(conn: Connection) -> Head:
    row = run(conn, "SELECT position, hash FROM chain_head").fetchone()
    if row is None:
        return Head(0, GENESIS)
    return Head(row[0], bytes.fromhex(row[1]))


def write_head(conn: Connection, head: Head) -> None:
    values = (head.position, head.hash.hex())
    updated = run(conn, sql(conn, "UPDATE chain_head SET position = ?, hash = ? WHERE id = 1"), values)
    if updated.rowcount == 0:
        run(conn, sql(conn, "INSERT INTO chain_head (id, position, hash) VALUES (1, ?, ?)"), values)


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert plain tuples (in `columns` order) without statement compilation by SQLAlchemy:
    one executemany on SQLite; COPY on PostgreSQL (psycopg's executemany sends one statement
    per row, which the server runs one by one: several times slower)."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "sqlite":
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(statement, rows)
        except conn.dialect.dbapi.Error as exc:
            raise DBAPIError.instance(statement, list(rows), exc, conn.dialect.dbapi.Error) from exc
        finally:
            cursor.close()
        return
    statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    error = conn.dialect.dbapi.Error
    try:
        types = copy_types(conn, table, columns)
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except error as exc:  # wrapped as SQLAlchemy wraps what the driver raises: callers see one kind
        raise DBAPIError.instance(statement, None, exc, error) from exc


def copy_types(conn: Connection, table: str, columns: Sequence[str]) -> list[int]:
    """The type of each column as the server has it (PostgreSQL), for a binary COPY: the
    server then reads timestamps and integers as they are sent instead of parsing their
    text, and the driver dumps them ~5x faster. Asked once per table and connection."""
    known = conn.connection.info.setdefault("habeas_copy_types", {})
    found = known.get(table)
    if found is None:
        query = "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        found = known[table] = dict(run(conn, query, (table,)).fetchall())
    return [found[column] for column in columns]


def sql(conn: Connection, statement: str) -> str:
    """Plain SQL written with `?` marks, in the driver's own spelling (`%s` for psycopg).
    Plain SQL skips SQLAlchemy's statement compilation: a single append runs a dozen."""
    return statement if conn.dialect.name == "sqlite" else statement.replace("?", "%s")


class Appender:
    """Turns decided events into chained rows and writes them in batches.

    `streaming` (PostgreSQL only; an import's batch): the rows are sent to the server as
    they are made, in a COPY that `flush` ends, so that the server stores and indexes them
    while this process decides the next ones (at `flush`, instead, it waited for the
    server's whole share of the chunk). While that COPY is open the connection runs
    nothing else: whoever queries it first calls `flush`."""

    def __init__(self, conn: Connection, recorded_at: datetime, registrar: Actor | None, streaming: bool = False):
        self.conn = conn
        self.streaming = streaming and conn.dialect.name == "postgresql"
        self._copy = None  # (savepoint, cursor, COPY context, COPY) while rows are being streamed
        self.head = read_head(conn)
        self.recorded_at = utc_iso(recorded_at)
        self.recorded_at_dt = recorded_at
        self.registrar = registrar
        self._registrar_json = canonical_json(registrar.to_dict()) if registrar else None
        self._pending: list[tuple] = []
        self.last_row: tuple | None = None  # the row `append` made last, as `SELECT_ROWS` reads it
        self._actors: dict[Actor, str] = {}  # canonical JSON per actor: few actors, many events
        marks = ", ".join(["?"] * 12) if conn.dialect.name == "sqlite" else ", ".join(["%s"] * 12)
        self._insert = f"INSERT INTO events ({', '.join(COLUMNS)}, hash) VALUES ({marks})"

    def acting_for(self, registrar: Actor | None) -> None:
        """The registrar of the events appended from now on (a group commit mixes them)."""
        if registrar != self.registrar:
            self.registrar = registrar
            self._registrar_json = canonical_json(registrar.to_dict()) if registrar else None

    def append(self, event: Event, version: int) -> Event:
        """Chain one event at the next position with the stream `version` given."""
        position = self.head.position + 1
        occurred_at = utc_iso(event.occurred_at)
        offset = offset_text(event.occurred_at)
        actor = self._actors.get(event.actor)
        if actor is None:
            actor = self._actors[event.actor] = canonical_json(event.actor.to_dict())
        data = canonical_json(event.data, floats=event.kind not in KINDS_WITHOUT_FLOATS)
        stream = event.stream
        row = (
            position,
            event.id,
            stream,
            version,
            event.kind,
            occurred_at,
            offset,
            self.recorded_at,
            actor,
            self._registrar_json,
            data,
        )
        digest = link(self.head.hash, canonical_row(*row))
        self.head = Head(position, digest)
        self.last_row = (*row, digest.hex())
        self._pending.append(self.last_row)
        if self.streaming:
            self._stream(self.last_row)
        return Event(
            id=event.id,
            kind=event.kind,
            case=event.case,
            occurred_at=event.occurred_at,
            actor=event.actor,
            data=event.data,
            position=position,
            version=version,
            recorded_at=self.recorded_at_dt,
            registrar=self.registrar,
            hash=digest.hex(),
        )

    def flush(self) -> int:
        """Write the pending rows and the new head; returns how many were written.

        Raises `WriteFailed` naming the first row the database refused. Several rows are
        written inside a savepoint, so that only when the database refuses them are they
        tried again one by one to find which (a single row needs no search)."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, []
        if self._copy is not None:
            self._end_copy(pending)
        elif len(pending) == 1:
            try:
                run(self.conn, self._insert, pending[0])
            except DBAPIError as exc:
                raise WriteFailed(pending[0][1], exc) from exc
        else:
            savepoint = self.conn.begin_nested()
            try:
                insert_rows(self.conn, "events", (*COLUMNS, "hash"), pending)
            except DBAPIError as exc:
                if not transaction_alive(self.conn):  # nothing to search, nothing more to run
                    raise WriteFailed(None, exc) from exc
                savepoint.rollback()
                raise WriteFailed(self._first_refused(pending), exc) from exc
            savepoint.commit()
        write_head(self.conn, self.head)
        return len(pending)

    def _stream(self, row: tuple) -> None:
        """Send one row into the open COPY (opened, in a savepoint, by the first row after a flush)."""
        error = self.conn.dialect.dbapi.Error
        try:
            if self._copy is None:
                # text, not binary: the columns are text and integers, and binary measured no faster
                savepoint = self.conn.begin_nested()
                cursor = self.conn.connection.driver_connection.cursor()
                copying = cursor.copy(f"COPY events ({', '.join(COLUMNS)}, hash) FROM STDIN")
                self._copy = (savepoint, cursor, copying, copying.__enter__())
            self._copy[3].write_row(row)
        except error as exc:  # the connection failed under the stream
            pending, self._pending = self._pending, []
            self.abort()
            raise WriteFailed(self._first_refused(pending), _wrapped(exc, error)) from exc

    def _end_copy(self, pending: list[tuple]) -> None:
        savepoint, cursor, copying, _ = self._copy
        error = self.conn.dialect.dbapi.Error
        try:
            copying.__exit__(None, None, None)  # waits for the server to have stored every row sent
        except error as exc:  # refused: the COPY is over, its savepoint rolled back
            self.abort(ended=True)
            raise WriteFailed(self._first_refused(pending), _wrapped(exc, error)) from exc
        self._copy = None
        cursor.close()
        savepoint.commit()

    def abort(self, ended: bool = False) -> None:
        """End an open COPY without storing what it sent (its savepoint rolled back), so that
        the connection runs statements again (the caller's rollback among them)."""
        if self._copy is None:
            return
        savepoint, cursor, copying, _ = self._copy
        self._copy = None
        try:
            if not ended:
                # the server is told why in these words (and may log them), never a row's data
                stopped = RuntimeError("import stopped")
                copying.__exit__(RuntimeError, stopped, None)
        finally:
            cursor.close()
            savepoint.rollback()

    def _first_refused(self, rows: list[tuple]) -> str | None:
        """The first row the database refuses, tried one by one in savepoints; None when the
        database ended the transaction itself (SQLite does on a full disk): then nothing more
        may run in it, for SQLite would commit each row by itself, outside any transaction."""
        for row in rows:
            if not transaction_alive(self.conn):
                return None
            try:
                with self.conn.begin_nested():
                    self.conn.exec_driver_sql(self._insert, row)
            except DBAPIError:
                return row[1]
        return None


def _wrapped(exc: BaseException, error: type) -> DBAPIError:
    """The driver's error as SQLAlchemy wraps it (as `run` does): callers see one kind."""
    return DBAPIError.instance("COPY events", None, exc, error)


def _marks(conn: Connection, count: int) -> str:
    return ", ".join(["?" if conn.dialect.name == "sqlite" else "%s"] * count)


_SEPARATOR = "\x1f"  # chr(31), the unit separator: no id or stream has one


def _among(conn: Connection, column: str, values: list) -> Iterator[tuple[str, tuple]]:
    """(condition, parameters) that select the rows whose `column` is one of `values`: on
    SQLite `IN (?, …)` a chunk at a time, within the driver's parameter limit; on PostgreSQL
    one `= ANY(%s)` with an array (a long IN list cost the server more to parse and plan
    than to run)."""
    if conn.dialect.name == "sqlite":
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            yield f"{column} IN ({_marks(conn, len(chunk))})", tuple(chunk)
    elif values:
        joined = _SEPARATOR.join(values)
        if joined and joined.count(_SEPARATOR) == len(values) - 1:  # no value holds it ('' splits to none)
            # one text split by the server: the driver dumps a list of 2,000 texts in Python
            # (~30 us per 1,000), a single text at once
            yield f"{column} = ANY(string_to_array(%s, chr(31)))", (joined,)
        else:
            yield f"{column} = ANY(%s)", (values,)


def existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of these event ids are already stored."""
    return set(stored_contents(conn, ids))


def content_of(event: Event) -> tuple:
    """What makes two sendings of an event the same fact: kind, case, the instant and the
    offset it occurred at, actor and data, in their stored spellings (`stored_contents`).
    Not the position, version, recorded_at or registrar: those say when and by whom it
    was brought in, not what happened."""
    return (
        event.kind,
        event.case,
        utc_iso(event.occurred_at),
        offset_text(event.occurred_at),
        canonical_json(event.actor.to_dict()),
        canonical_json(event.data),
    )


def stored_contents(conn: Connection, ids: Iterable[str]) -> dict[str, tuple]:
    """The `content_of` each of these event ids that is stored, read from its columns (no JSON parsed)."""
    found: dict[str, tuple] = {}
    for condition, params in _among(conn, "event_id", list(ids)):
        sql = f"SELECT event_id, kind, stream, occurred_at, utc_offset, actor, data FROM events WHERE {condition}"
        for event_id, kind, stream, occurred_at, offset, actor, data in run(conn, sql, params).fetchall():
            found[event_id] = (kind, case_of(kind, stream), occurred_at, offset, actor, data)
    return found


@lru_cache(maxsize=4096)
def _actor(text: str) -> Actor:
    """Actors repeat across many rows: parse each stored spelling once."""
    return Actor.from_dict(json.loads(text))


@lru_cache(maxsize=4096)
def _recorded(text: str) -> datetime:
    return from_utc(text)


_msgspec_decode = msgspec.json.Decoder().decode


def load_json(text: str):
    """A stored JSON text (an event's data, a projected finding) as `json.loads` reads it,
    by msgspec: five times faster on the small objects a case is made of. Anything msgspec
    reads otherwise than json, or not at all (NaN, a lone surrogate, a float beyond range:
    never written by habeas), falls back to json."""
    try:
        return _msgspec_decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def row_to_event(row) -> Event:
    (position, event_id, stream, version, kind, occurred_at, offset, recorded_at, actor, registrar, data) = row[:11]
    return Event(
        id=event_id,
        kind=kind,
        case=case_of(kind, stream),
        occurred_at=from_utc(occurred_at, offset),
        actor=_actor(actor),
        data=load_json(data),
        position=position,
        version=version,
        recorded_at=_recorded(recorded_at),
        registrar=_actor(registrar) if registrar else None,
        hash=row[11] if len(row) > 11 else None,
        stored_stream=stream,
    )


def stored_event(conn: Connection, event_id: str) -> Event | None:
    """The event stored under this id, with its position and hash (None if there is none)."""
    sql = f"{SELECT_ROWS} WHERE event_id = {_param(conn, 'i')}"
    row = conn.exec_driver_sql(sql, (event_id,) if conn.dialect.name == "sqlite" else {"i": event_id}).first()
    return row_to_event(row) if row is not None else None


def _param(conn: Connection, name: str) -> str:
    return "?" if conn.dialect.name == "sqlite" else f"%({name})s"


def stream_events(conn: Connection, stream: str) -> list[Event]:
    """A stream's events in version order."""
    sql = f"{SELECT_ROWS} WHERE stream = {_param(conn, 's')} ORDER BY version"
    params = (stream,) if conn.dialect.name == "sqlite" else {"s": stream}
    return [row_to_event(r) for r in run(conn, sql, params).fetchall()]


def stream_heads(
    conn: Connection, streams: Iterable[str], stage_kinds: Iterable[str] = ()
) -> dict[str, CaseHead | None]:
    """Version of each stream (None for a stream with no events) and which of `stage_kinds`
    (the kinds that move a case between stages) it has seen, without reading its facts."""
    heads: dict[str, CaseHead | None] = dict.fromkeys(streams)
    wanted = list(heads)
    kinds = sorted(stage_kinds)
    seen = "".join(f", max(CASE WHEN kind = {_marks(conn, 1)} THEN 1 ELSE 0 END)" for _ in kinds)
    for condition, params in _among(conn, "stream", wanted):
        sql = f"SELECT stream, max(version){seen} FROM events WHERE {condition} GROUP BY stream"
        for stream, version, *flags in run(conn, sql, (*kinds, *params)).fetchall():
            entered = frozenset(kind for kind, flag in zip(kinds, flags, strict=True) if flag)
            heads[stream] = CaseHead(stream, version, entered)
    return heads


def streams_events(conn: Connection, streams: Iterable[str]) -> dict[str, list[Event]]:
    """The events of several streams at once, each in version order."""
    return {stream: [row_to_event(row) for row in rows] for stream, rows in streams_rows(conn, streams).items()}


def streams_events_of_kinds(conn: Connection, streams: Iterable[str], kinds: Iterable[str]) -> dict[str, list[Event]]:
    """The events of these kinds of several streams at once, each in version order (what a
    batch keeps of a case beyond its head: its parties, and the facts the refusals read)."""
    wanted = sorted(kinds)
    found: dict[str, list[Event]] = {}
    if not wanted:
        return found
    among = f"kind IN ({_marks(conn, len(wanted))})"
    for condition, params in _among(conn, "stream", list(streams)):
        sql = f"{SELECT_ROWS} WHERE {condition} AND {among} ORDER BY stream, version"
        for row in run(conn, sql, (*params, *wanted)).fetchall():
            found.setdefault(row[2], []).append(row_to_event(tuple(row)))
    return found


def streams_rows(conn: Connection, streams: Iterable[str]) -> dict[str, list[tuple]]:
    """The stored rows of several streams at once (`row_to_event` reads one), each in version order."""
    found: dict[str, list[tuple]] = {}
    for condition, params in _among(conn, "stream", list(streams)):
        sql = f"{SELECT_ROWS} WHERE {condition} ORDER BY stream, version"
        for row in run(conn, sql, params).fetchall():
            found.setdefault(row[2], []).append(tuple(row))
    return found


def streams_text(conn: Connection, streams: Sequence[str]) -> bytes:
    """PostgreSQL: the stored rows of these streams, in stream and version order, as the
    text of a COPY (`rows_of_text` reads it). For rows that go on to another process (an
    import's judging pool): one block of bytes instead of a Python object per column,
    which the driver would build and the pool pickle (~10 us a row in all)."""
    if not streams:
        return b""
    ((condition, params),) = _among(conn, "stream", list(streams))
    statement = f"COPY ({SELECT_ROWS} WHERE {condition} ORDER BY stream, version) TO STDOUT"
    error = conn.dialect.dbapi.Error
    try:
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            return b"".join(copy)
    except error as exc:
        raise DBAPIError.instance(statement, None, exc, error) from exc


# The escapes of a COPY text field as PostgreSQL writes them (the others it reads only)
_UNESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPED = re.compile(r"\\(.)")


def _field(text: str) -> str | None:
    if text == "\\N":
        return None
    return _ESCAPED.sub(lambda m: _UNESCAPES[m.group(1)], text)


def rows_of_text(data: bytes) -> dict[str, list[tuple]]:
    """`streams_rows` of the text `streams_text` read: each stream's rows, as `SELECT_ROWS`."""
    found: dict[str, list[tuple]] = {}
    if not data:
        return found
    for line in data.decode("utf-8").split("\n")[:-1]:  # a newline inside a field is escaped
        fields = line.split("\t")
        if "\\" in line:  # an escape or a NULL (\N) somewhere: most rows have neither
            fields = [_field(f) for f in fields]
        p, i, s, v, k, o, u, r, a, g, d, h = fields
        found.setdefault(s, []).append((int(p), i, s, int(v), k, o, u, r, a, g, d, h))
    return found


def iter_rows(conn: Connection, batch: int = 10_000, after: int = 0) -> Iterator[tuple]:
    """Every stored row in position order, streamed in keyset pages (flat memory)."""
    for page in iter_pages(conn, batch, after):
        yield from page


def iter_pages(conn: Connection, batch: int = 10_000, after: int = 0) -> Iterator[list[tuple]]:
    """The stored rows in position order, a page at a time."""
    sql = f"{SELECT_ROWS} WHERE position > {_param(conn, 'p')} ORDER BY position LIMIT {batch}"
    last = after
    while True:
        params = (last,) if conn.dialect.name == "sqlite" else {"p": last}
        rows = conn.exec_driver_sql(sql, params).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def iter_events(conn: Connection, after: int = 0) -> Iterator[Event]:
    for row in iter_rows(conn, after=after):
        yield row_to_event(row)


def verify(conn: Connection, progress=None) -> tuple[ChainWalker, Break | None]:
    """Walk the whole chain; the walker holds the head, the Break the first bad position.

    The head record is read first and the rows after it, in one snapshot (PostgreSQL:
    REPEATABLE READ; SQLite's read transaction already is one), so an append committed
    meanwhile is neither half seen nor taken for a forgery. Where the head and the rows
    disagree, the Break names the first position that is wrong: a row past the head
    (appended outside the register), the first missing row of a cut tail; position 0
    when the head record itself is missing."""
    if conn.dialect.name == "postgresql" and not conn.in_transaction():
        conn.execution_options(isolation_level="REPEATABLE READ")
    row = conn.execute(select(chain_head.c.position, chain_head.c.hash)).first()
    stored = Head(row.position, bytes.fromhex(row.hash)) if row is not None else None
    mark = stored.position if stored is not None else -1
    at_mark = GENESIS if mark == 0 else None  # the chain's hash at the head's position, once walked
    walker = ChainWalker()
    for page in iter_pages(conn):
        if at_mark is None and page[-1][0] >= mark >= page[0][0]:
            cut = next(i for i, r in enumerate(page) if r[0] >= mark) + 1
            if not walker.walk(page[:cut]):
                return walker, walker.broken
            if walker.position == mark:
                at_mark = walker.head
            page = page[cut:]
        if not walker.walk(page):
            return walker, walker.broken
        if progress is not None:
            progress(walker.count)
    if stored is None:
        if walker.position == 0:
            return walker, None  # a fresh register: no rows, no head yet
        return walker, Break(0, "the chain head is missing")
    if stored.position > walker.position:
        return walker, Break(
            walker.position + 1, f"the log ends at {walker.position} but its head says {stored.position}"
        )
    if at_mark != stored.hash:
        return walker, Break(stored.position, f"the stored head does not match the chain at position {stored.position}")
    if walker.position > stored.position:
        return walker, Break(
            stored.position + 1,
            f"position {stored.position + 1} lies past the chain head ({stored.position}): not appended by habeas",
        )
    return walker, None
