"""Keeping the log honest and the projections true: verify, rebuild, catch up, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine

from habeas.db.engine import lock_for_append, writer
from habeas.law.package import Law
from habeas.ledger import store
from habeas.projections import registry


@dataclass
class Verification:
    count: int
    head_position: int
    head_hash: str
    bad_position: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.bad_position is None


def verify(engine: Engine, progress: Callable[[int], None] | None = None) -> Verification:
    with engine.connect() as conn:
        walker, broken = store.verify(conn, progress)
    return Verification(
        count=walker.count,
        head_position=walker.position,
        head_hash=walker.head.hex(),
        bad_position=broken.position if broken else None,
        reason=broken.reason if broken else None,
    )


def rebuild(engine: Engine, law: Law, progress: Callable[[int], None] | None = None) -> int:
    """Empty every projection and read the whole log again; returns the events read."""
    with writer(engine).begin() as conn:
        lock_for_append(conn)
        return registry.rebuild(conn, law, registry.ALL, progress)


def behind(engine: Engine) -> dict[str, int]:
    """{name: position} of the projections that have not read the whole log (one query)."""
    with engine.connect() as conn:
        return registry.behind(conn)


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


def current(engine: Engine, law: Callable[[], Law]) -> dict[str, int]:
    """Before answering from the projections: catch up any that is behind, as `catch_up`
    ({name: position it was at}); `law` is only loaded then. One query when all are current."""
    return catch_up(engine, law()).was if behind(engine) else {}


def export_lines(engine: Engine) -> Iterator[str]:
    """The log in the import format, one JSON object per line, in log order."""
    with engine.connect() as conn:
        for event in store.iter_events(conn):
            yield json.dumps(event.to_import_dict(), ensure_ascii=False)
