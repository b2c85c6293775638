"""The log on disk: append, read back, walk the chain.

All functions take an open SQLAlchemy connection; the caller owns the
transaction (the service appends and projects in one). Appends must run under
the append lock (`habeas.db.engine.writer` + `lock_for_append`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, select

from habeas.db.schema import chain_head
from habeas.domain.case import CaseHead
from habeas.domain.events import Actor, Event, from_utc, offset_text, utc_iso
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


@dataclass(slots=True)
class Head:
    position: int
    hash: bytes


def read_head(conn: Connection) -> Head:
    row = conn.execute(select(chain_head.c.position, chain_head.c.hash)).first()
    if row is None:
        return Head(0, GENESIS)
    return Head(row.position, bytes.fromhex(row.hash))


def write_head(conn: Connection, head: Head) -> None:
    updated = conn.execute(
        chain_head.update().where(chain_head.c.id == 1).values(position=head.position, hash=head.hash.hex())
    )
    if updated.rowcount == 0:
        conn.execute(chain_head.insert().values(id=1, position=head.position, hash=head.hash.hex()))


class Appender:
    """Turns decided events into chained rows and writes them in batches."""

    def __init__(self, conn: Connection, recorded_at: datetime, registrar: Actor | None):
        self.conn = conn
        self.head = read_head(conn)
        self.recorded_at = utc_iso(recorded_at)
        self.recorded_at_dt = recorded_at
        self.registrar = registrar
        self._registrar_json = canonical_json(registrar.to_dict()) if registrar else None
        self._pending: list[tuple] = []
        self._actors: dict[Actor, str] = {}  # canonical JSON per actor: few actors, many events
        marks = ", ".join(["?"] * 12) if conn.dialect.name == "sqlite" else ", ".join(["%s"] * 12)
        self._insert = f"INSERT INTO events ({', '.join(COLUMNS)}, hash) VALUES ({marks})"

    def append(self, event: Event, version: int) -> Event:
        """Chain one event at the next position with the stream `version` given."""
        position = self.head.position + 1
        occurred_at = utc_iso(event.occurred_at)
        offset = offset_text(event.occurred_at)
        actor = self._actors.get(event.actor)
        if actor is None:
            actor = self._actors[event.actor] = canonical_json(event.actor.to_dict())
        data = canonical_json(event.data)
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
        self._pending.append((*row, digest.hex()))
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
        """Write the pending rows and the new head; returns how many were written."""
        if not self._pending:
            return 0
        written = len(self._pending)
        self.conn.exec_driver_sql(self._insert, self._pending)
        self._pending = []
        write_head(self.conn, self.head)
        return written


def _marks(conn: Connection, count: int) -> str:
    return ", ".join(["?" if conn.dialect.name == "sqlite" else "%s"] * count)


def existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Which of these event ids are already stored."""
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 900):  # within every driver's parameter limit
        chunk = wanted[start : start + 900]
        sql = f"SELECT event_id FROM events WHERE event_id IN ({_marks(conn, len(chunk))})"
        found.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


@lru_cache(maxsize=4096)
def _actor(text: str) -> Actor:
    """Actors repeat across many rows: parse each stored spelling once."""
    return Actor.from_dict(json.loads(text))


@lru_cache(maxsize=4096)
def _recorded(text: str) -> datetime:
    return from_utc(text)


def row_to_event(row) -> Event:
    (position, event_id, stream, version, kind, occurred_at, offset, recorded_at, actor, registrar, data) = row[:11]
    return Event(
        id=event_id,
        kind=kind,
        case=None if stream.startswith("facility:") else stream,
        occurred_at=from_utc(occurred_at, offset),
        actor=_actor(actor),
        data=json.loads(data),
        position=position,
        version=version,
        recorded_at=_recorded(recorded_at),
        registrar=_actor(registrar) if registrar else None,
        hash=row[11] if len(row) > 11 else None,
    )


def _param(conn: Connection, name: str) -> str:
    return "?" if conn.dialect.name == "sqlite" else f"%({name})s"


def stream_events(conn: Connection, stream: str) -> list[Event]:
    """A stream's events in version order."""
    sql = f"{SELECT_ROWS} WHERE stream = {_param(conn, 's')} ORDER BY version"
    params = (stream,) if conn.dialect.name == "sqlite" else {"s": stream}
    return [row_to_event(r) for r in conn.exec_driver_sql(sql, params)]


def stream_heads(
    conn: Connection, streams: Iterable[str], stage_kinds: Iterable[str] = ()
) -> dict[str, CaseHead | None]:
    """Version of each stream (None for a stream with no events) and which of `stage_kinds`
    (the kinds that move a case between stages) it has seen, without reading its facts."""
    heads: dict[str, CaseHead | None] = dict.fromkeys(streams)
    wanted = list(heads)
    kinds = sorted(stage_kinds)
    seen = "".join(f", max(CASE WHEN kind = {_marks(conn, 1)} THEN 1 ELSE 0 END)" for _ in kinds)
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        sql = (
            f"SELECT stream, max(version){seen} FROM events"
            f" WHERE stream IN ({_marks(conn, len(chunk))}) GROUP BY stream"
        )
        for stream, version, *flags in conn.exec_driver_sql(sql, (*kinds, *chunk)):
            entered = frozenset(kind for kind, flag in zip(kinds, flags, strict=True) if flag)
            heads[stream] = CaseHead(stream, version, entered)
    return heads


def streams_events(conn: Connection, streams: Iterable[str]) -> dict[str, list[Event]]:
    """The events of several streams at once, each in version order."""
    found: dict[str, list[Event]] = {}
    wanted = list(streams)
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        sql = f"{SELECT_ROWS} WHERE stream IN ({_marks(conn, len(chunk))}) ORDER BY stream, version"
        for row in conn.exec_driver_sql(sql, tuple(chunk)):
            found.setdefault(row[2], []).append(row_to_event(row))
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
    """Walk the whole chain; the walker holds the head, the Break the first bad position."""
    walker = ChainWalker()
    for page in iter_pages(conn):
        if not walker.walk(page):
            return walker, walker.broken
        if progress is not None:
            progress(walker.count)
    stored = read_head(conn)
    if stored.position != walker.position or stored.hash != walker.head:
        if stored.position > walker.position:
            return walker, Break(
                walker.position + 1, f"the log ends at {walker.position} but its head says {stored.position}"
            )
        return walker, Break(stored.position, "the stored head does not match the chain")
    return walker, None
