"""Projection `episodes`: person-level episodes for the public statistics (issue 12).

One row per detention, custody, prison stay, custody petition, complaint, closure, verdict,
appeal and death, and one per case (`habeas.statistics.episodes`), with the findings the
indicators read judged by the law (`law.rules.deadlines`, the codes named by the package's
`reference/indicators.yaml`). A case projection: a case's rows are replaced whole. Like the
others it comes in two halves, `rows` (pure: may run in a judging process) and `write`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import attrgetter

from sqlalchemy import Connection

from habeas.db.schema import stat_episodes
from habeas.domain.case import CaseState
from habeas.jurisdictions import reference
from habeas.law.episodes import definitions
from habeas.law.offences import iccs_of
from habeas.law.package import Law
from habeas.projections.base import CaseProjection, db_time, findings_of, naive_utc, replace_cases
from habeas.statistics.episodes import COLUMNS, episodes_of

_TIMES = frozenset({"started_at", "ended_at", "held_until", "sentenced_at", "due_at"})
_VALUES = attrgetter(*COLUMNS)  # an episode's values in COLUMNS order, in one call
_TIME_PLACES = tuple(i for i, c in enumerate(COLUMNS) if c in _TIMES)


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if states:
        write(conn, [s.case for s in states], rows(states, law, db_time(conn)))


def rows(states: Sequence[CaseState], law: Law, time: Callable = naive_utc) -> list[tuple]:
    """Every episode of these cases as a row (COLUMNS order; times as `time` spells them)."""
    codes = reference.finding_codes(law.jurisdiction)
    defined = definitions(law)
    out = []
    for state in states:
        for episode in episodes_of(state, _findings(state, law, codes), codes, _iccs(state, law), defined=defined):
            values = _VALUES(episode)
            if any(values[i] is not None for i in _TIME_PLACES):
                spelt = list(values)
                for i in _TIME_PLACES:
                    spelt[i] = _spelt(spelt[i], time)
                values = tuple(spelt)
            out.append(values)
    return out


def write(conn: Connection, case_ids: Sequence[str], found: list[tuple]) -> None:
    replace_cases(conn, "stat_episodes", COLUMNS, case_ids, found)


def _spelt(moment: datetime | None, time: Callable):
    """Episodes keep naive UTC; the database's spelling is asked of the aware time."""
    return time(moment.replace(tzinfo=UTC)) if moment is not None else None


def _findings(state: CaseState, law: Law, codes: dict[str, str]):
    if not codes or not any(e.kind in _JUDGED for e in state.timeline):
        return []
    wanted = set(codes.values())
    return [f for f in findings_of(state, law) if f.code in wanted]


def _iccs(state: CaseState, law: Law) -> tuple[str, ...]:
    if state.article is None or state.registered_at is None:
        return ()
    return iccs_of(law, state.article, state.part, state.registered_at.date())


# The kinds whose presence can start a finding the statistics read: a case with none of
# them is not judged here (most of a caseload's cases have no detention or complaint).
_JUDGED = frozenset(
    {
        "person.detained",
        "custody.ordered",
        "custody.extended",
        "complaint.filed",
        "case.closed",
        "appeal.filed",
        "verdict.delivered",
    }
)

PROJECTION = CaseProjection(name="episodes", tables=(stat_episodes,), apply=apply, rows=rows, write=write)
