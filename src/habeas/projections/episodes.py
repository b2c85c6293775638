"""Projection `episodes`: person-level episodes for the public statistics (issue 12).

One row per detention, custody, prison stay, custody petition, complaint, closure, verdict,
appeal and death, and one per case (`habeas.statistics.episodes`), with the findings the
indicators read judged by the law (`law.rules.deadlines`, the codes named by the package's
`reference/indicators.yaml`). A case projection: a case's rows are replaced whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from habeas.db.schema import stat_episodes
from habeas.domain.case import CaseState
from habeas.jurisdictions import reference
from habeas.law.offences import iccs_of
from habeas.law.package import Law
from habeas.law.rules import deadlines as judge_deadlines
from habeas.projections.base import CaseProjection, delete_cases
from habeas.statistics.episodes import episodes_of


def apply(conn: Connection, states: Sequence[CaseState], law: Law) -> None:
    if not states:
        return
    delete_cases(conn, "stat_episodes", [s.case for s in states])
    codes = reference.finding_codes(law.jurisdiction)
    rows = [e.to_row() for s in states for e in episodes_of(s, _findings(s, law, codes), codes, _iccs(s, law))]
    if rows:
        conn.execute(stat_episodes.insert(), rows)


def _findings(state: CaseState, law: Law, codes: dict[str, str]):
    if not codes or not any(e.kind in _JUDGED for e in state.timeline):
        return []
    wanted = set(codes.values())
    return [f for f in judge_deadlines(state, law) if f.code in wanted]


def _iccs(state: CaseState, law: Law) -> tuple[str, ...]:
    if state.article is None or state.registered_at is None:
        return ()
    return iccs_of(law, state.article, state.part, state.registered_at.date())


# The kinds whose presence can start a finding the statistics read: a case with none of
# them is not judged here (most of a caseload's cases have no detention or complaint).
_JUDGED = frozenset(
    {"person.detained", "custody.ordered", "custody.extended", "complaint.filed", "case.closed", "appeal.filed",
     "verdict.delivered"}
)

PROJECTION = CaseProjection(name="episodes", tables=(stat_episodes,), apply=apply)
