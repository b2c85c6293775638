"""Projection `deadlines`: every deadline and violation of every case, time-independent.

`habeas alerts --at T` is one query over these rows (`services.queries.alerts`): each
row carries when it stops being an alert (`settled_at`) and how urgent it is
(`urgent_at`), so the status at any T is computed in SQL (see migration 0003).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection

from habeas.db.schema import deadlines
from habeas.domain.case import CaseState
from habeas.law.findings import Finding
from habeas.law.package import Law
from habeas.law.rules import deadlines as judge_deadlines
from habeas.projections.base import CaseProjection, delete_cases, naive_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31)  # urgency of a duty with no due time: after every dated one


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if not states:
        return
    delete_cases(conn, "deadlines", [s.case for s in states])
    rows = [_row(s.case, f) for s in states for f in judge_deadlines(s, law)]
    if rows:
        conn.execute(deadlines.insert(), rows)


def _row(case: str, f: Finding) -> dict:
    """One finding, with when it stops being an alert and how urgent it is."""
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


def _record(finding: Finding) -> dict:
    """The finding without its status: status depends on the time asked about."""
    record = finding.to_dict(finding.started_at or finding.due_at or EPOCH)
    record.pop("status")
    return record


PROJECTION = CaseProjection(name="deadlines", tables=(deadlines,), apply=apply)
