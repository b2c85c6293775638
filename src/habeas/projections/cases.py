"""Projection `cases`: one row per case, for the case list and the file's summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from habeas.db.schema import cases
from habeas.domain.case import CaseState
from habeas.law.package import Law
from habeas.law.stages import stage_of
from habeas.projections.base import CaseProjection, delete_cases, naive_utc


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if not states:
        return
    delete_cases(conn, "cases", [s.case for s in states])
    conn.execute(cases.insert(), [_row(s, law) for s in states])


def _row(state: CaseState, law: Law) -> dict:
    stage = stage_of(law, state)
    return {
        "case": state.case,
        "stage": stage,
        "region": state.region,
        "article": state.article,
        "part": state.part,
        "erdr_number": state.erdr_number,
        "reported_at": naive_utc(state.reported_at),
        "registered_at": naive_utc(state.registered_at),
        "version": state.version,
        "last_position": max((e.position or 0 for e in state.timeline), default=0),
        "summary": json.dumps({**state.summary(), "stage": stage}, sort_keys=True, ensure_ascii=False),
    }


PROJECTION = CaseProjection(name="cases", tables=(cases,), apply=apply)
