"""The log on disk, read back: a stream, many streams, every row in order, the chain walked.

All functions take an open SQLAlchemy connection; the caller owns the transaction (the
service appends and projects in one). Appending is `ledger.appender`; the stored row's
shape is `ledger.rows`; what the databases do differently, their adapters
(`habeas.db.adapters`). The names of all three are kept here too, where callers find them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import Connection, select

from habeas.db import adapters
from habeas.db.adapters.base import run
from habeas.db.schema import chain_head
from habeas.domain.case import CaseHead
from habeas.domain.events import Event, case_of
from habeas.ledger.appender import Appender, ConcurrencyConflict, WriteFailed, read_head, write_head
from habeas.ledger.chain import GENESIS, Break, ChainWalker
from habeas.ledger.rows import COLUMNS, SELECT_ROWS, Head, content_of, load_json, row_to_event, rows_of_text

__all__ = [
    "COLUMNS",
    "SELECT_ROWS",
    "Appender",
    "ConcurrencyConflict",
    "Head",
    "WriteFailed",
    "content_of",
    "load_json",
    "read_head",
    "row_to_event",
    "rows_of_text",
    "run",
    "write_head",
]


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert plain tuples (in `columns` order) without statement compilation by SQLAlchemy:
    one executemany on SQLite, a binary COPY on PostgreSQL (the adapter's)."""
    adapters.of(conn).insert_rows(conn, table, columns, rows)


def sql(conn: Connection, statement: str) -> str:
    """Plain SQL written with `?` marks, in the driver's own spelling (`%s` for psycopg).
    Plain SQL skips SQLAlchemy's statement compilation: a single append runs a dozen."""
    return adapters.of(conn).sql(statement)


def existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of these event ids are already stored."""
    return set(stored_contents(conn, ids))


def stored_contents(conn: Connection, ids: Iterable[str]) -> dict[str, tuple]:
    """The `content_of` each of these event ids that is stored, read from its columns (no JSON parsed)."""
    found: dict[str, tuple] = {}
    for condition, params in adapters.of(conn).among("event_id", list(ids)):
        sql = f"SELECT event_id, kind, stream, occurred_at, utc_offset, actor, data FROM events WHERE {condition}"
        for event_id, kind, stream, occurred_at, offset, actor, data in run(conn, sql, params).fetchall():
            found[event_id] = (kind, case_of(kind, stream), occurred_at, offset, actor, data)
    return found


def stored_event(conn: Connection, event_id: str) -> Event | None:
    """The event stored under this id, with its position and hash (None if there is none)."""
    row = run(conn, f"{SELECT_ROWS} WHERE event_id = {adapters.of(conn).mark}", (event_id,)).fetchone()
    return row_to_event(row) if row is not None else None


def stream_events(conn: Connection, stream: str) -> list[Event]:
    """A stream's events in version order."""
    sql = f"{SELECT_ROWS} WHERE stream = {adapters.of(conn).mark} ORDER BY version"
    return [row_to_event(r) for r in run(conn, sql, (stream,)).fetchall()]


def stream_heads(
    conn: Connection, streams: Iterable[str], stage_kinds: Iterable[str] = ()
) -> dict[str, CaseHead | None]:
    """Version of each stream (None for a stream with no events) and which of `stage_kinds`
    (the kinds that move a case between stages) it has seen, without reading its facts."""
    adapter = adapters.of(conn)
    heads: dict[str, CaseHead | None] = dict.fromkeys(streams)
    wanted = list(heads)
    kinds = sorted(stage_kinds)
    seen = "".join(f", max(CASE WHEN kind = {adapter.mark} THEN 1 ELSE 0 END)" for _ in kinds)
    for condition, params in adapter.among("stream", wanted):
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
    adapter = adapters.of(conn)
    wanted = sorted(kinds)
    found: dict[str, list[Event]] = {}
    if not wanted:
        return found
    among = f"kind IN ({adapter.marks(len(wanted))})"
    for condition, params in adapter.among("stream", list(streams)):
        sql = f"{SELECT_ROWS} WHERE {condition} AND {among} ORDER BY stream, version"
        for row in run(conn, sql, (*params, *wanted)).fetchall():
            found.setdefault(row[2], []).append(row_to_event(tuple(row)))
    return found


def streams_rows(conn: Connection, streams: Iterable[str]) -> dict[str, list[tuple]]:
    """The stored rows of several streams at once (`row_to_event` reads one), each in version order."""
    found: dict[str, list[tuple]] = {}
    for condition, params in adapters.of(conn).among("stream", list(streams)):
        sql = f"{SELECT_ROWS} WHERE {condition} ORDER BY stream, version"
        for row in run(conn, sql, params).fetchall():
            found.setdefault(row[2], []).append(tuple(row))
    return found


def streams_text(conn: Connection, streams: Sequence[str]) -> bytes:
    """Where the adapter sends rows as text (`rows_as_text`: PostgreSQL): the stored rows of
    these streams, in stream and version order, as the text of a COPY (`rows_of_text` reads
    it). For rows that go on to another process (an import's judging pool): one block of
    bytes instead of a Python object per column, which the driver would build and the pool
    pickle (~10 us a row in all)."""
    return adapters.of(conn).streams_text(conn, SELECT_ROWS, streams)


def iter_rows(conn: Connection, batch: int = 10_000, after: int = 0) -> Iterator[tuple]:
    """Every stored row in position order, streamed in keyset pages (flat memory)."""
    for page in iter_pages(conn, batch, after):
        yield from page


def iter_pages(conn: Connection, batch: int = 10_000, after: int = 0) -> Iterator[list[tuple]]:
    """The stored rows in position order, a page at a time."""
    sql = f"{SELECT_ROWS} WHERE position > {adapters.of(conn).mark} ORDER BY position LIMIT {batch}"
    last = after
    while True:
        rows = conn.exec_driver_sql(sql, (last,)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def iter_events(conn: Connection, after: int = 0) -> Iterator[Event]:
    for row in iter_rows(conn, after=after):
        yield row_to_event(row)


def verify(conn: Connection, progress=None) -> tuple[ChainWalker, Break | None]:
    """Walk the whole chain; the walker holds the head, the Break the first bad position.

    The head record is read first and the rows after it, in one snapshot (the adapter's
    `snapshot`), so an append committed
    meanwhile is neither half seen nor taken for a forgery. Where the head and the rows
    disagree, the Break names the first position that is wrong: a row past the head
    (appended outside the register), the first missing row of a cut tail; position 0
    when the head record itself is missing."""
    adapters.of(conn).snapshot(conn)
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
