"""Projection `cases`: one row per case, for the case list and the file's summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from habeas.db.schema import cases
from habeas.domain.case import CaseState
from habeas.law.episodes import measures
from habeas.law.package import Law
from habeas.law.stages import stage_of
from habeas.projections.base import CaseProjection, db_time, json_text, naive_utc, replace_cases


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if states:
        write(conn, [s.case for s in states], rows(states, law, db_time(conn)))


def rows(states: Sequence[CaseState], law: Law, time=naive_utc) -> list[tuple]:
    return [_row(s, law, time) for s in states]


def write(conn: Connection, case_ids: Sequence[str], found: list[tuple]) -> None:
    replace_cases(conn, "cases", COLUMNS, case_ids, found, key="case")  # one row a case: its key


COLUMNS = (
    "case",
    "stage",
    "region",
    "article",
    "part",
    "erdr_number",
    "reported_at",
    "registered_at",
    "version",
    "last_position",
    "summary",
)
_SUMMARY = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_summary_json = json_text(_SUMMARY)


def _row(state: CaseState, law: Law, time=naive_utc) -> tuple:
    """The case's row, in COLUMNS order."""
    stage = stage_of(law, state)
    return (
        state.case,
        stage,
        state.region,
        state.article,
        state.part,
        state.erdr_number,
        time(state.reported_at),
        time(state.registered_at),
        state.version,
        max((e.position or 0 for e in state.timeline), default=0),
        _summary_json({**state.summary(), "measures": measures(law, state.timeline), "stage": stage}),
    )


PROJECTION = CaseProjection(name="cases", tables=(cases,), apply=apply, rows=rows, write=write)
