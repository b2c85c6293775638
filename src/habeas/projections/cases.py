"""Projections of case state: the case list/file row and the case's deadlines.

Both are written in the same transaction as the events they come from and can
be dropped and rebuilt from the log at any time (`habeas rebuild`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Connection, delete

from habeas.db.schema import cases, deadlines, projection_positions
from habeas.domain.case import CaseState
from habeas.domain.vocabulary import CASELESS_KINDS
from habeas.law.package import Law
from habeas.law.rules import deadlines as judge_deadlines

NAME = "cases"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31)  # urgency of a duty with no due time: after every dated one


def naive_utc(moment: datetime | None) -> datetime | None:
    """Times in projection columns: naive UTC, the one form both databases compare alike."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def project(conn: Connection, states: Collection[CaseState], law: Law, position: int) -> None:
    """Replace the rows of these cases with their current state; move the tracking position.

    Streams that are not cases (a facility's visits) have no case rows and are passed over."""
    # A stream is a case when it holds a fact of a case: decided by kind, not by the stream's
    # name (a case may be called "facility:…"; older databases file visits under such names).
    states = [s for s in states if not all(e.kind in CASELESS_KINDS for e in s.timeline)]
    if states:
        names = [s.case for s in states]
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        for start in range(0, len(names), 900):  # plain SQL: an IN list compiles anew each time in Core
            chunk = tuple(names[start : start + 900])
            marks = ", ".join([mark] * len(chunk))
            conn.exec_driver_sql(f'DELETE FROM cases WHERE "case" IN ({marks})', chunk)
            conn.exec_driver_sql(f'DELETE FROM deadlines WHERE "case" IN ({marks})', chunk)
        conn.execute(cases.insert(), [_case_row(s) for s in states])
        rows = [row for s in states for row in _deadline_rows(s, law)]
        if rows:
            conn.execute(deadlines.insert(), rows)
    set_position(conn, NAME, position)


def set_position(conn: Connection, name: str, position: int) -> None:
    updated = conn.execute(
        projection_positions.update().where(projection_positions.c.name == name).values(position=position)
    )
    if updated.rowcount == 0:
        conn.execute(projection_positions.insert().values(name=name, position=position))


def _case_row(state: CaseState) -> dict:
    return {
        "case": state.case,
        "stage": state.stage,
        "region": state.region,
        "article": state.article,
        "part": state.part,
        "erdr_number": state.erdr_number,
        "reported_at": naive_utc(state.reported_at),
        "registered_at": naive_utc(state.registered_at),
        "version": state.version,
        "last_position": max((e.position or 0 for e in state.timeline), default=0),
        "summary": json.dumps(state.summary(), sort_keys=True, ensure_ascii=False),
    }


def _deadline_rows(state: CaseState, law: Law) -> list[dict]:
    return [_deadline_row(state.case, f) for f in judge_deadlines(state, law)]


def _deadline_row(case: str, f) -> dict:
    """One finding, with when it stops being an alert and how urgent it is (see migration 0003)."""
    violation = f.kind == "violation"
    settled = not violation and f.met_at is not None and (f.due_at is None or f.met_at <= f.due_at)
    return {
        "case": case,
        "code": f.code,
        "person": f.person,
        "started_at": naive_utc(f.started_at),
        "due_at": naive_utc(f.due_at),
        "met_at": naive_utc(f.met_at),
        "kind": f.kind,
        "settled_at": naive_utc(f.met_at) if settled else None,
        "urgent_at": naive_utc(f.started_at if violation else f.due_at) or END_OF_TIME,
        "finding": json.dumps(_record(f), sort_keys=True, ensure_ascii=False),
    }


def _record(finding) -> dict:
    """The finding without its status: status depends on the time asked about."""
    record = finding.to_dict(finding.started_at or finding.due_at or EPOCH)
    record.pop("status")
    return record


def clear(conn: Connection) -> None:
    conn.execute(delete(deadlines))
    conn.execute(delete(cases))
    conn.execute(delete(projection_positions).where(projection_positions.c.name == NAME))
