"""Keeping the log honest and the projections true: verify, rebuild, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine

from habeas.db.engine import writer
from habeas.domain.case import CaseState, fold
from habeas.law.package import Law
from habeas.ledger import store
from habeas.projections import cases as case_projection


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
    """Drop every projection and fold it again from the log, stream by stream."""
    projected = 0
    with writer(engine).begin() as conn:
        head = store.read_head(conn).position
        case_projection.clear(conn)
        pending: list[CaseState] = []
        state: CaseState | None = None
        rows = conn.exec_driver_sql(
            f"{store.SELECT_ROWS} ORDER BY stream, version",
            execution_options={"stream_results": True, "yield_per": 5000},
        )
        for row in rows:
            event = store.row_to_event(row)
            if state is not None and state.case != event.stream:
                pending.append(state)
                state = None
            state = fold(state, event)
            projected += 1
            if len(pending) >= 500:
                case_projection.project(conn, pending, law, head)
                pending = []
            if progress and projected % 10_000 == 0:
                progress(projected)
        if state is not None:
            pending.append(state)
        case_projection.project(conn, pending, law, head)
    return projected


def export_lines(engine: Engine) -> Iterator[str]:
    """The log in the import format, one JSON object per line, in log order."""
    with engine.connect() as conn:
        for event in store.iter_events(conn):
            yield json.dumps(event.to_import_dict(), ensure_ascii=False)
