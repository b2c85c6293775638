"""Keeping the log honest and the projections true: verify, rebuild, catch up, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from habeas.access.facts import Principal
from habeas.db.engine import lock_for_append, writer
from habeas.law.package import Law
from habeas.ledger import accounts, reads, store
from habeas.projections import registry
from habeas.services import guard


@dataclass
class Verification:
    count: int
    head_position: int
    head_hash: str
    bad_position: int | None
    reason: str | None
    reads: reads.ReadChain | None = None  # the read log's own chain
    accounts: accounts.AccountChain | None = None  # the account log, and users and sessions against it

    @property
    def intact(self) -> bool:
        return (
            self.bad_position is None
            and (self.reads is None or self.reads.broken is None)
            and (self.accounts is None or (self.accounts.broken is None and not self.accounts.differences))
        )


def verify(engine: Engine, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk both chains: the event log's and the read log's."""
    with engine.connect() as conn:
        walker, broken = store.verify(conn, progress)
    with engine.connect() as conn:
        read_chain = reads.verify(conn)
    with engine.connect() as conn:
        account_chain = accounts.verify(conn)
    return Verification(
        count=walker.count,
        head_position=walker.position,
        head_hash=walker.head.hex(),
        bad_position=broken.position if broken else None,
        reason=broken.reason if broken else None,
        reads=read_chain,
        accounts=account_chain,
    )


def heads(engine: Engine) -> dict:
    """The heads of both logs as stored (cheap: no walk; `verify` walks them)."""
    with engine.connect() as conn:
        events_head = store.read_head(conn)
        reads_position, reads_hash = reads.head(conn)
        accounts_position, accounts_hash = accounts.head(conn)
    return {
        "events": {"position": events_head.position, "hash": events_head.hash.hex()},
        "reads": {"position": reads_position, "hash": reads_hash.hex()},
        "accounts": {"position": accounts_position, "hash": accounts_hash.hex()},
    }


def rebuild(engine: Engine, law: Law, progress: Callable[[int], None] | None = None) -> int:
    """Empty every projection and read the whole log again; returns the events read."""
    with writer(engine).begin() as conn:
        lock_for_append(conn)
        return registry.rebuild(conn, law, registry.ALL, progress)


def behind(engine: Engine, digest: str | None = None) -> dict[str, int]:
    """{name: position} of the projections that have not read the whole log (one query);
    given a `digest` (`Law.digest`), those judged under another law count as never built (at 0)."""
    with engine.connect() as conn:
        return registry.behind(conn, registry.ALL, digest)


@dataclass
class CaughtUp:
    head: int  # the position every projection has now read to
    was: dict[str, int]  # {name: position} of those that were behind


def catch_up(engine: Engine, law: Law) -> CaughtUp:
    """Bring every projection up to the head of the log."""
    with writer(engine).begin() as conn:
        lock_for_append(conn)
        was = registry.catch_up(conn, law)
        return CaughtUp(store.read_head(conn).position, was)


def current(engine: Engine, law: Callable[[], Law], digest: Callable[[], str] | None = None) -> dict[str, int]:
    """Before answering from the projections: catch up any that is behind or was judged under
    another law, as `catch_up` ({name: position it was at}). `digest` gives the law's digest
    without loading it (`jurisdictions.digest`); `law` is only loaded to catch up. One query
    when all are current."""
    judged_under = digest() if digest is not None else law().digest
    return catch_up(engine, law()).was if behind(engine, judged_under) else {}


FORMATS = ("jsonl", "log")


def export_lines(
    engine: Engine, law: Law, reader: Principal, now: datetime, format: str = "jsonl", purpose: str = "export"
) -> Iterator[str]:
    """The log, one JSON object per line, in log order: `jsonl` in the import format (it
    round-trips), `log` as stored records (the canonical record of `ledger.chain` and its
    hash: what an outsider's verifier needs, `habeas.verify_export`). The whole log names
    everyone: `export:read`, recorded in the read log before the first line (raises
    `guard.Refused`, the refusal recorded, otherwise)."""
    with writer(engine).begin() as conn:
        decision = guard.decide(law, reader, "export:read")
        guard.record(conn, reader, decision, now, f"export:{format}", purpose)
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    return _stored(engine) if format == "log" else _events(engine)


def _events(engine: Engine) -> Iterator[str]:
    with engine.connect() as conn:
        for event in store.iter_events(conn):
            yield json.dumps(event.to_import_dict(), ensure_ascii=False)


def _stored(engine: Engine) -> Iterator[str]:
    """The event log's records, then the read log's and the account log's (each marked with
    its `log`), so that an outsider checks all three against one checkpoint."""
    with engine.connect() as conn:
        for row in store.iter_rows(conn):
            record = dict(zip(LOG_KEYS, row[:11], strict=True))
            for key in ("actor", "data", "registrar"):
                record[key] = None if record[key] is None else json.loads(record[key])
            record["hash"] = row[11]
            yield json.dumps(record, ensure_ascii=False, sort_keys=True)
        for row in reads.rows(conn):
            record = {**reads.record_of(row.id, row), "hash": row.hash, "log": "reads"}
            yield json.dumps(record, ensure_ascii=False, sort_keys=True)
        for row in accounts.rows(conn):
            record = {**accounts.record_of(row), "hash": row.hash, "log": "accounts"}
            yield json.dumps(record, ensure_ascii=False, sort_keys=True)


# The stored columns under the names of the canonical record (ledger.chain.canonical_row).
LOG_KEYS = (
    "position",
    "id",
    "stream",
    "version",
    "kind",
    "occurred_at",
    "offset",
    "recorded_at",
    "actor",
    "registrar",
    "data",
)
