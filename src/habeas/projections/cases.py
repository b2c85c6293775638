"""Projection `cases`: one row per case, for the case list and the file's summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from habeas.db import adapters
from habeas.db.schema import cases
from habeas.domain.case import CaseState
from habeas.law.episodes import measures
from habeas.law.package import Law
from habeas.law.stages import stage_of
from habeas.ledger import store
from habeas.projections.base import (
    COMPARE_MAX,
    CaseProjection,
    db_time,
    delete_cases,
    insert_rows,
    json_text,
    naive_utc,
)


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if states:
        write(conn, [s.case for s in states], rows(states, law, db_time(conn)))


def rows(states: Sequence[CaseState], law: Law, time=naive_utc) -> list[tuple]:
    return [_row(s, law, time) for s in states]


def write(conn: Connection, case_ids: Sequence[str], found: list[tuple]) -> None:
    """Replace the rows of `case_ids` by `found` (which may hold rows of cases that had none).
    A few cases (a submit's) are updated in place: the same row as deleting and inserting it,
    and fewer pages for the commit (neither the key's index nor the table's end is touched)."""
    if not case_ids or len(case_ids) > COMPARE_MAX:
        delete_cases(conn, "cases", case_ids)
        insert_rows(conn, "cases", COLUMNS, found)
        return
    mark = adapters.of(conn).mark
    statement = f'UPDATE cases SET {", ".join(f"{_q(c)} = {mark}" for c in COLUMNS[1:])} WHERE "case" = {mark}'
    replaced = set(case_ids)
    added = []
    for row in found:
        if row[0] in replaced:
            updated = store.run(conn, statement, (*row[1:], row[0]))
            count = updated.rowcount
            updated.close()
            if count == 1:
                replaced.discard(row[0])
                continue
        added.append(row)
    delete_cases(conn, "cases", [case for case in case_ids if case in replaced])  # no row now (none does)
    insert_rows(conn, "cases", COLUMNS, added)


def _q(column: str) -> str:
    return f'"{column}"'


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
