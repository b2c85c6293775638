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
from habeas.law.findings import Finding, spelt_times
from habeas.law.package import Law
from habeas.ledger import store
from habeas.projections.base import (
    CaseProjection,
    db_time,
    delete_cases,
    findings_of,
    insert_rows,
    json_text,
    naive_utc,
)

PROJECTION_NAME = "deadlines"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31)  # urgency of a duty with no due time: after every dated one


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if states:
        write(conn, [s.case for s in states], rows(states, law, db_time(conn)))


def rows(states: Sequence[CaseState], law: Law, time=naive_utc) -> list[tuple]:
    """Every finding of these cases as a row (judged by `law.rules.deadlines`)."""
    end = time(END_OF_TIME.replace(tzinfo=UTC))
    return [_row(s.case, f, time, end) for s in states for f in findings_of(s, law)]


def write(conn: Connection, case_ids: Sequence[str], found: list[tuple]) -> None:
    """Every row of these cases deleted and inserted anew, even those unchanged: the alert
    list orders alerts due at the same moment by `id` (`services.lists`), so a case's rows
    take new ids each time it is touched (not `replace_cases`, which keeps them)."""
    delete_cases(conn, "deadlines", case_ids)
    insert_rows(conn, "deadlines", COLUMNS, found)


COLUMNS = ("case", "code", "person", "started_at", "due_at", "met_at", "kind", "settled_at", "urgent_at", "finding")
_FINDING = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _row(case: str, f: Finding, time=naive_utc, end: object = END_OF_TIME) -> tuple:
    """One finding, with when it stops being an alert and how urgent it is (COLUMNS order)."""
    violation = f.kind == "violation"
    settled = not violation and f.met_at is not None and (f.due_at is None or f.met_at <= f.due_at)
    met_at = time(f.met_at)
    urgent = f.started_at if violation else f.due_at
    return (
        case,
        f.code,
        f.person,
        time(f.started_at),
        time(f.due_at),
        met_at,
        f.kind,
        met_at if settled else None,
        time(urgent) if urgent is not None else end,
        _finding_json(f),
    )


def stored(conn: Connection, case: str, read_by: int, law: Law) -> list[Finding] | None:
    """The case's findings as this projection judged them (all, met ones too: what
    `law.rules.deadlines` gives for the case's facts), if the projection has read the log
    up to position `read_by` and judged under `law`; else None. One statement: a case file
    asks this on every read."""
    query = store.sql(
        conn,
        "SELECT p.position, p.law, d.finding FROM projection_positions p"
        ' LEFT JOIN deadlines d ON d."case" = ? WHERE p.name = ?',
    )
    found = store.run(conn, query, (case, PROJECTION_NAME)).fetchall()
    if not found or found[0][0] < read_by or found[0][1] != law.digest:
        return None
    return [Finding.from_record(store.load_json(text)) for _, _, text in found if text is not None]


def _record(finding: Finding) -> dict:
    """The finding without its status: status depends on the time asked about."""
    record = finding.to_dict(finding.started_at or finding.due_at or EPOCH)
    record.pop("status")
    return record


# `_FINDING.encode(_record(f))` spelt piece by piece, the same text: the keys in sorted
# order, the parts a rule's findings share (code, citations, certainty...) encoded once.
_str = json.encoder.encode_basestring  # what `_FINDING` spells a string with (ensure_ascii=False)
_params = json_text(_FINDING)
_SHARED: dict[tuple, tuple[str, str, str, str]] = {}


def _finding_json(f: Finding) -> str:
    key = (f.code, f.certainty, f.citation, f.citations, f.kind, f.message, f.parameter, f.valid_from)
    shared = _SHARED.get(key)
    if shared is None:
        if len(_SHARED) > 10_000:
            _SHARED.clear()
        e = _FINDING.encode
        shared = _SHARED[key] = (
            f'{{"certainty": {e(f.certainty)}, "citation": {e(f.citation)}, "citations": {e(list(f.citations))}, '
            f'"code": {e(f.code)}, "due_at": ',
            f', "kind": {e(f.kind)}, "message": {e(f.message)}, "met_at": ',
            f', "parameter": {e(f.parameter)}, "params": ',
            f', "valid_from": {e(f.valid_from.isoformat() if f.valid_from else None)}}}',
        )
    params = f.params if f.params.__class__ is dict else dict(f.params)
    started, due, met = spelt_times(f)
    try:
        evidence = "[" + ", ".join(map(_str, f.evidence)) + "]"
    except TypeError:  # not all strings
        evidence = _FINDING.encode(list(f.evidence))
    return "".join(
        (
            shared[0],
            _when(due),
            ', "evidence": ',
            evidence,
            shared[1],
            _when(met),
            shared[2],
            _params(params),
            ', "person": ',
            _str(f.person) if f.person.__class__ is str else _FINDING.encode(f.person),
            ', "started_at": ',
            _when(started),
            shared[3],
        )
    )


def _when(spelt: str | None) -> str:
    return '"' + spelt + '"' if spelt is not None else "null"  # an ISO time needs no escape


PROJECTION = CaseProjection(name=PROJECTION_NAME, tables=(deadlines,), apply=apply, rows=rows, write=write)
