"""Whether a new fact can be true (issue 20): not dated after the register's clock (with its
tolerance), and no contradiction the law package refuses (`law.plausibility`) with what the
case holds (its marks). A correction obeys the checks of the fact as corrected."""

from __future__ import annotations

from datetime import datetime

from habeas.domain.case import CaseHead, CaseState, corrected
from habeas.domain.events import Event, Problem
from habeas.domain.vocabulary import CASELESS_KINDS
from habeas.law import plausibility


def implausible(
    checks: plausibility.Plausibility, latest: datetime, event: Event, head: CaseHead | None
) -> list[Problem]:
    """Why the fact cannot be true: dated after `latest`, or contradicting the case's marks."""
    problems = []
    if event.occurred_at > latest:
        problems.append(future(event.occurred_at, latest))
    if event.kind not in CASELESS_KINDS:
        problems += checks.problems(event, head.marks if head is not None else None)
    return problems


def corrected_problems(
    checks: plausibility.Plausibility, latest: datetime, correction: Event, state: CaseState
) -> tuple[list[Problem], plausibility.Marks]:
    """A correction obeys the checks of the fact it corrects: the fact as corrected, on the
    case without the fact as it stood. Returns the problems, and the case's marks after it."""
    target = state.event(correction.data["event"])
    fixed = corrected(target, correction)
    problems = [future(fixed.occurred_at, latest)] if fixed.occurred_at > latest else []
    others = [ev for ev in state.timeline if ev.id != target.id and ev.kind != "record.corrected"]
    marked = checks.marked
    problems += checks.problems(fixed, plausibility.Marks.of(others, marked))
    # named as the correction's own fields: what it changes is under data.data
    problems = [Problem(in_correction(p.field), p.reason) for p in problems]
    return problems, plausibility.Marks.of([*others, fixed], marked)


def in_correction(name: str) -> str:
    return "data.event" if name == "kind" else "data.data." + name.removeprefix("data.")


def future(moment: datetime, latest: datetime) -> Problem:
    return Problem(
        "occurred_at",
        f"{moment.isoformat()} is after the register's clock ({latest.isoformat()} with its tolerance):"
        " a fact is recorded once it has happened",
    )
