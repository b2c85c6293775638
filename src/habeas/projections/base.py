"""What a projection is: a name, the tables it owns, what it reads and how it applies it.

A projection reads the log in one of two ways:

- `CaseProjection` reads whole cases: it is handed the folded state of every case an
  append touched (or every case, on a rebuild) and replaces those cases' rows;
- `EventProjection` reads raw events of some kinds, in log order, and adds what they say.

Each one's position in the log is kept in `projection_positions` under its name
(`projections.registry` moves it). Its tables can always be emptied and filled again
from the log (`habeas rebuild`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

from habeas.db import adapters
from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.law.findings import Finding
from habeas.law.package import Law
from habeas.law.rules import deadlines as judge_deadlines
from habeas.ledger import store


@dataclass(frozen=True)
class CaseProjection:
    name: str
    tables: tuple[Table, ...]
    # Replace the rows of these cases by what their states say now.
    apply: Callable[[Connection, Sequence[CaseState], Law], None]
    # Optionally the same in two halves, so that the pure half may run in another process
    # (`services.register` judges a large import in a pool): `rows(states, law, time)` is a
    # pure function of the cases (`time` spells a time for the database, `db_time`), and
    # `write(conn, cases, rows)` replaces those cases' rows by them.
    rows: Callable[[Sequence[CaseState], Law, Callable], list] | None = None
    write: Callable[[Connection, Sequence[str], list], None] | None = None


@dataclass(frozen=True)
class EventProjection:
    name: str
    tables: tuple[Table, ...]
    kinds: frozenset[str]
    # Add what these events (of `kinds`, in log order, not seen before) say.
    apply: Callable[[Connection, Sequence[Event], Law], None]


Projection = CaseProjection | EventProjection


def naive_utc(moment: datetime | None) -> datetime | None:
    """Times in projection columns: naive UTC, the one form both databases compare alike."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def db_time(conn: Connection) -> Callable[[datetime | None], Any]:
    """How a projection row spells a time for this database, from an aware datetime: its
    naive UTC time as SQLAlchemy's `DateTime` stores it (the adapter's `time_writer`: text
    on SQLite), so rows written as plain tuples compare and read back as Core-written ones."""
    return adapters.of(conn).time_writer()


def json_text(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """`encoder.encode` (no indent) with its C encoder built once, not once per call as
    `JSONEncoder.encode` does (a third of the cost of a small object): the same text."""
    if json.encoder.c_make_encoder is None or encoder.indent is not None:
        return encoder.encode
    string = json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring
    made = json.encoder.c_make_encoder(
        None,
        encoder.default,
        string,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return string(value)
        return "".join(made(value, 0))

    return encode


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Plain tuples, in `columns` order, without Core compilation (`store.insert_rows`)."""
    store.insert_rows(conn, table, columns, rows)


# The findings of the cases being projected, judged once for every projection that reads
# them (deadlines and episodes both do): keyed by the state's id, the state kept with them
# so that the id is not reused while cached; a state folded further is judged again.
_JUDGED: dict[int, tuple[CaseState, int, Law, list[Finding]]] = {}
_JUDGED_MAX = 4096  # a few chunks of cases


def findings_of(state: CaseState, law: Law) -> list[Finding]:
    """`law.rules.deadlines` of a case (do not change the list: it is shared)."""
    known = _JUDGED.get(id(state))
    if known is not None and known[0] is state and known[1] == state.version and known[2] is law:
        return known[3]
    found = judge_deadlines(state, law)
    if len(_JUDGED) >= _JUDGED_MAX:
        _JUDGED.clear()
    _JUDGED[id(state)] = (state, state.version, law, found)
    return found


def in_clause(conn: Connection, count: int) -> str:
    """Placeholders of a plain-SQL IN list (Core compiles an IN list anew for every length)."""
    return adapters.of(conn).marks(count)


def delete_cases(conn: Connection, table: str, cases: Sequence[str]) -> None:
    """Delete the rows of these cases from one of the projection tables."""
    for start in range(0, len(cases), 900):
        chunk = tuple(cases[start : start + 900])
        store.run(conn, f'DELETE FROM {table} WHERE "case" IN ({in_clause(conn, len(chunk))})', chunk)


# A write of at most this many cases (a submit, a group commit) first reads their stored rows
# and writes only what changed (`replace_cases`: the cases and episodes projections): most of
# a submit's cases keep their episodes, and a row left alone, or changed in place, is fewer
# pages for the commit to write than a deleted one and its copy at the table's end. An
# import's writes (thousands of cases, or cases with no rows yet) delete and insert without
# asking. Not for a table whose ids order what a reader is shown (the deadlines).
COMPARE_MAX = 32


def replace_cases(
    conn: Connection, table: str, columns: Sequence[str], case_ids: Sequence[str], found: list, key: str = "id"
) -> None:
    """Replace the rows of `case_ids` in `table` by `found` (rows in `columns` order, the case
    first; `found` may hold rows of other cases too, which had none), as deleting and
    inserting them all would leave them, in the same order within a case (by `key`, unique:
    `id`, or the case where a case has one row). For a few cases only what changed is
    written: where the n-th stored row of a case differs from its n-th new row, the columns
    that differ are updated in place (so an index over the others is not touched); the
    stored rows beyond the new ones are deleted, the new ones beyond the stored inserted."""
    if not case_ids or len(case_ids) > COMPARE_MAX:
        delete_cases(conn, table, case_ids)
        insert_rows(conn, table, columns, found)
        return
    stored = _stored_rows(conn, table, columns, case_ids, key)
    new: dict[str, list[tuple]] = {}
    for row in found:
        new.setdefault(row[0], []).append(tuple(row))
    gone: list = []
    added: list[tuple] = []
    mark = adapters.of(conn).mark
    for case in dict.fromkeys((*case_ids, *new)):
        old, rows = stored.get(case, []), new.get(case, [])
        for (at, *was), row in zip(old, rows, strict=False):
            differ = [n for n in range(1, len(columns)) if was[n] != row[n]]
            if differ:
                sets = ", ".join(f'"{columns[n]}" = {mark}' for n in differ)
                statement = f'UPDATE {table} SET {sets} WHERE "{key}" = {mark}'
                store.run(conn, statement, (*(row[n] for n in differ), at)).close()
        gone.extend(at for at, *_ in old[len(rows) :])
        added.extend(rows[len(old) :])
    if gone:
        statement = f'DELETE FROM {table} WHERE "{key}" IN ({in_clause(conn, len(gone))})'
        store.run(conn, statement, tuple(gone)).close()
    insert_rows(conn, table, columns, added)


def _stored_rows(conn: Connection, table: str, columns: Sequence[str], case_ids: Sequence[str], key: str) -> dict:
    """{case: [(key, *columns)]} of these cases, in `key` order."""
    names = ", ".join(f'"{c}"' for c in columns)
    among = in_clause(conn, len(case_ids))
    statement = f'SELECT "{key}", {names} FROM {table} WHERE "case" IN ({among}) ORDER BY "{key}"'
    stored: dict[str, list] = {}
    for row in store.run(conn, statement, tuple(case_ids)).fetchall():
        stored.setdefault(row[1], []).append(tuple(row))
    return stored
