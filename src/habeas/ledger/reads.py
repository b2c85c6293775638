"""The read log: every read of personal data, and every refused attempt, hash-chained.

Its own chain, beside the event log's (docs/architecture.md, "Access"): a record's hash is
SHA-256(previous hash || canonical bytes), the first linking to 32 zero bytes, exactly as
for events (`ledger.chain`); `read_head` keeps the last position and hash so a cut tail
shows. Appends take their own lock (SQLite's write lock; a second advisory lock on
PostgreSQL), so reading never waits for an import's append lock and reads never enter
the event log, whose export is the register's facts.

A record names whose data it showed (`persons`: the party ids of its case), so a person
asking who looked at them is shown the reads that showed their data and not another's
(issue 23). A record that names none (`persons` None: a refused attempt, a record from
before they were named) is chained without the key, as it always was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from habeas.db import adapters, paging
from habeas.db.adapters.base import run
from habeas.db.schema import read_head, reads
from habeas.ledger.chain import GENESIS, Break, canonical_json, link

READS_LOCK_KEY = 0x6861626572  # "haber": the read log's advisory lock on PostgreSQL


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """One read, or one refused attempt: who (id, role, agency), when, what, why, the answer."""

    read_at: datetime  # aware or naive UTC
    actor_id: str
    actor_role: str
    actor_agency: str | None
    case: str | None
    what: str
    purpose: str | None
    action: str = "case:read"
    allowed: bool = True
    assigned: bool = False
    reason: str | None = None
    person: str | None = None  # the person a read asked about (a read of the reads of their data)
    persons: Iterable[str] | None = None  # whose data it showed (None: the case as a whole)


def spelt_persons(persons: Iterable[str] | None) -> str | None:
    """The stored `persons`: each id once, sorted, as a canonical JSON list."""
    return None if persons is None else canonical_json(sorted(set(persons)))


def names(person: str):
    """A condition on stored records: `persons` names `person` (its spelling in the list,
    quotes included, so `P1` is not found in `P10`; LIKE's wildcards escaped)."""
    spelt = canonical_json(person).replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return reads.c.persons.like(f"%{spelt}%", escape="!")


def persons_of(row) -> list[str] | str | None:
    """The persons a stored record names, as stored (`spelt_persons` spelt them sorted); of a
    record about to be stored, its ids sorted. A stored value that is not a list of ids is
    given back as it stands, so a changed record breaks the chain instead of the check."""
    value = row.persons
    if value is None or not isinstance(value, str):
        return None if value is None else sorted(set(value))
    try:
        found = json.loads(value)
    except ValueError:
        return value
    return found if isinstance(found, list) and all(isinstance(p, str) for p in found) else value


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def read_time(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(position: int, row) -> bytes:
    """The canonical bytes of a stored read record (its columns, by name)."""
    return canonical_json(record_of(position, row)).encode("utf-8")


def record_of(position: int, row) -> dict:
    """A stored read record as it is chained (and exported for an outsider to chain again):
    `persons` only when the record names them, so records that name no one chain as before."""
    record = {
        "action": row.action,
        "agency": row.actor_agency,
        "allowed": bool(row.allowed),
        "assigned": bool(row.assigned),
        "case": row.case,
        "person": row.person,
        "position": position,
        "purpose": row.purpose,
        "read_at": read_time(row.read_at),
        "reader": row.actor_id,
        "reason": row.reason,
        "role": row.actor_role,
        "what": row.what,
    }
    persons = persons_of(row)
    if persons is not None:
        record["persons"] = persons
    return record


def lock(conn: Connection) -> None:
    """The read log's own lock; on PostgreSQL the transaction's commit is also made
    asynchronous, the durability SQLite's WAL with synchronous=NORMAL gives every commit:
    a crash of the server may lose the last moment's records (never half of one, never a
    link: the records and the head commit together), and a read does not wait for a disk
    flush (docs/architecture.md, "Access")."""
    adapters.of(conn).lock(conn, READS_LOCK_KEY, durable=False)


COLUMNS = (
    "id",
    "read_at",
    "actor_id",
    "actor_role",
    "actor_agency",
    "case",
    "person",
    "persons",
    "what",
    "purpose",
    "action",
    "allowed",
    "assigned",
    "reason",
    "hash",
)


def head(conn: Connection) -> tuple[int, bytes]:
    row = run(conn, "SELECT position, hash FROM read_head WHERE id = 1").fetchone()
    return (0, GENESIS) if row is None else (row[0], bytes.fromhex(row[1]))


def append(conn: Connection, records: Iterable[ReadRecord]) -> int:
    """Chain the records after the read log's head, in the caller's transaction; returns
    the new head position. The caller's transaction must be a writer's (SQLite). Plain
    driver SQL (the adapter's: on PostgreSQL two round trips, the locked head, then records
    and head), so a read pays for its record and not for building statements or waiting
    on the network."""
    adapter = adapters.of(conn)
    position, spelt = adapter.read_log_head(conn, READS_LOCK_KEY)
    digest = GENESIS if spelt is None else bytes.fromhex(spelt)
    stored_time = adapter.time_writer()
    start = position
    rows = []
    for record in records:
        position += 1
        row = _Row(
            {
                "id": position,
                "read_at": _utc(record.read_at),
                "actor_id": record.actor_id,
                "actor_role": record.actor_role,
                "actor_agency": record.actor_agency,
                "case": record.case,
                "person": record.person,
                "persons": spelt_persons(record.persons),
                "what": record.what,
                "purpose": record.purpose,
                "action": record.action,
                "allowed": record.allowed,
                "assigned": record.assigned,
                "reason": record.reason,
            }
        )
        digest = link(digest, canonical(position, row))
        row.hash = digest.hex()
        values = [getattr(row, c) for c in COLUMNS]
        values[1] = stored_time(row.read_at)
        rows.append(tuple(values))
    if not rows:
        return position
    adapter.write_read_log(conn, COLUMNS, rows, start)
    return position


def adopt(conn: Connection) -> int:
    """Chain the reads stored before the read log had a chain (migration 0004 left them
    numbered in order, without hashes); returns how many. Nothing to do once chained."""
    if conn.execute(select(read_head.c.id)).first() is not None:
        return 0
    lock(conn)
    position, digest = 0, GENESIS
    for row in list(rows(conn)):
        position = row.id
        digest = link(digest, canonical(position, row))
        conn.execute(reads.update().where(reads.c.id == position).values(hash=digest.hex()))
    if position:
        _write_head(conn, position, digest)
    return position


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _write_head(conn: Connection, position: int, digest: bytes) -> None:
    values = {"position": position, "hash": digest.hex()}
    done = conn.execute(read_head.update().where(read_head.c.id == 1).values(**values))
    if done.rowcount == 0:
        conn.execute(read_head.insert().values(id=1, **values))


def rows(conn: Connection, after: int = 0, batch: int = 5_000) -> Iterator:
    return paging.by_id(conn, reads, after, batch)


@dataclass
class ReadChain:
    count: int
    position: int
    head: bytes
    broken: Break | None


def verify(conn: Connection) -> ReadChain:
    """Walk the read log; the first record whose bytes or place are not what was chained."""
    adapters.of(conn).snapshot(conn)
    stored = conn.execute(select(read_head.c.position, read_head.c.hash)).first()
    position, digest, count = 0, GENESIS, 0
    for row in rows(conn):
        if row.id != position + 1:
            return ReadChain(count, position, digest, Break(position + 1, f"read {position + 1} is missing"))
        following = link(digest, canonical(row.id, row))
        if following.hex() != row.hash:
            return ReadChain(count, position, digest, Break(row.id, "hash does not match the stored read record"))
        position, digest, count = row.id, following, count + 1
    if stored is None:
        broken = None if position == 0 else Break(0, "the read log's head is missing")
    elif stored.position > position:
        broken = Break(position + 1, f"the read log ends at {position} but its head says {stored.position}")
    elif stored.position < position:
        broken = Break(stored.position + 1, f"read {stored.position + 1} lies past the read log's head")
    elif stored.hash != digest.hex():
        broken = Break(stored.position, "the stored head does not match the read log")
    else:
        broken = None
    return ReadChain(count, position, digest, broken)
