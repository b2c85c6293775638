"""`habeas verify --deep`: the projections checked against a replay of the log.

The chains and checkpoints prove the logs; the tables read to answer (`cases`, `deadlines`,
`stat_episodes`) are derived, and a row deleted there (a case's alerts gone) or changed (a
statistic) would be believed. So cases are folded again from their events, judged under
the law, and every projection's rows for them must be what the stored rows are, as a
multiset (ids aside). Done for a random sample of cases by default (`SAMPLE`; drawn with
`secrets`, so a forger cannot tell which will be looked at), or for every case. Whole
tables are also checked for rows of a case the log does not hold.
"""

from __future__ import annotations

import secrets
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from habeas.db import adapters
from habeas.domain.case import fold_all
from habeas.law.package import Law
from habeas.ledger import store
from habeas.projections import registry
from habeas.projections.base import CaseProjection, naive_utc

SAMPLE = 200  # cases checked by default: every case of a small register
CHUNK = 500  # cases folded at a time


@dataclass
class ProjectionCheck:
    cases: int  # cases in the log
    checked: int  # cases replayed
    behind: dict[str, int] = field(default_factory=dict)  # projections not caught up: not checkable
    differences: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.behind and not self.differences


def check(engine: Engine, law: Law, sample: int | None = SAMPLE, shown: int = 10) -> ProjectionCheck:
    """Replay `sample` cases (None: all) and compare every case projection's rows with them."""
    projections = [p for p in registry.ALL if isinstance(p, CaseProjection) and p.rows]
    with engine.connect() as conn:
        adapters.of(conn).snapshot(conn)
        with conn.begin():
            behind = registry.behind(conn, projections, law.digest)
            streams = [s for (s,) in conn.exec_driver_sql("SELECT DISTINCT stream FROM events").fetchall()]
            result = ProjectionCheck(len(streams), 0, behind)
            if behind:
                return result
            known = set(streams)
            found: list[str] = []
            for projection in projections:
                for table in projection.tables:
                    rows = conn.execute(select(table.c.case).distinct()).fetchall()
                    stray = sorted(case for (case,) in rows if case not in known)
                    found += [f"{table.name}: rows of {case!r}, a case the log does not hold" for case in stray]
            chosen = streams if sample is None or sample >= len(streams) else _draw(streams, sample)
            for start in range(0, len(chosen), CHUNK):
                part = chosen[start : start + CHUNK]
                found += _compare(conn, law, projections, part)
            result.checked = len(chosen)
    result.differences = found[:shown] + ([f"... and {len(found) - shown} more"] if len(found) > shown else [])
    return result


def _draw(streams: Sequence[str], count: int) -> list[str]:
    pool = list(streams)
    picked = []
    for _ in range(count):
        picked.append(pool.pop(secrets.randbelow(len(pool))))
    return picked


def _compare(conn, law: Law, projections, streams: Sequence[str]) -> list[str]:
    rows_by_stream = store.streams_rows(conn, streams)
    states = [fold_all([store.row_to_event(r) for r in rows]) for rows in rows_by_stream.values()]
    states = [s for s in states if s is not None and any(e.case is not None for e in s.timeline)]
    cases = [s.case for s in states]
    found = []
    for projection in projections:
        table = projection.tables[0]
        columns = _columns(projection)
        wanted: dict[str, Counter] = {case: Counter() for case in cases}
        for row in projection.rows(states, law, naive_utc):
            wanted[row[0]][_normal(row)] += 1
        stored: dict[str, Counter] = {case: Counter() for case in cases}
        for start in range(0, len(cases), 900):
            chunk = cases[start : start + 900]
            query = select(*(table.c[c] for c in columns)).where(table.c.case.in_(chunk))
            for row in conn.execute(query):
                stored[row[0]][_normal(tuple(row))] += 1
        for case in cases:
            if stored[case] != wanted[case]:
                missing = sum((wanted[case] - stored[case]).values())
                extra = sum((stored[case] - wanted[case]).values())
                found.append(
                    f"{table.name} of {case!r}: {missing} row(s) the log implies are missing,"
                    f" {extra} row(s) are not what the log implies"
                )
    return found


def _columns(projection: CaseProjection) -> tuple[str, ...]:
    return sys.modules[projection.rows.__module__].COLUMNS


def _normal(row: tuple) -> tuple:
    """A row as both sides spell it: booleans as bools, times naive UTC to the microsecond."""
    return tuple(bool(v) if isinstance(v, bool) else v for v in row)
