"""What the law decides of a new fact, before it is stored: the case exists (or the fact
opens one), the actor's role may take the act at the case's stage, and a correction makes
a valid fact of the kind it corrects."""

from __future__ import annotations

import msgspec

from habeas.domain.case import CaseHead, CaseState
from habeas.domain.events import Event, Problem, parse_time, validate_data
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS
from habeas.law.competence import competence_problems
from habeas.law.package import Law


def decide(law: Law, event: Event, state: CaseHead | CaseState | None) -> list[Problem]:
    """Why the register must refuse this event ([] to store it)."""
    if state is None and event.kind not in CASE_CREATING_KINDS and event.kind not in CASELESS_KINDS:
        return [
            Problem(
                "case",
                f"unknown case {event.case!r}: a case starts with report.received or case.registered",
            )
        ]
    problems = competence_problems(law, event, state)
    if not problems and event.kind == "record.corrected":
        problems = correction_problems(event, state)
    return problems


def correction_problems(correction: Event, state: CaseState) -> list[Problem]:
    """The corrected fields must make a valid fact of the original kind.

    They pass the checks the original passed: the kind's schema (strict types, lengths,
    the accepted years), and for `occurred_at` the envelope's time rules; the limits of
    a line were checked with the correction's own line."""
    problems: list[Problem] = []
    _corrected_fields(correction, state, problems)
    return problems


def _corrected_fields(correction: Event, state: CaseState, problems: list[Problem]) -> dict | None:
    """The corrected fields as validated (what the original's own line would store), or None."""
    target = state.event(correction.data["event"])
    if target is None:
        problems.append(Problem("data.event", f"no event {correction.data['event']!r} in case {correction.case}"))
        return None
    changes = dict(correction.data["data"])
    fields: dict = {}
    if "occurred_at" in changes:
        moment = parse_time(changes.pop("occurred_at"), "data.data.occurred_at", problems)
        if moment is not None:
            fields["occurred_at"] = moment.isoformat()
    valid = validate_data(target.kind, {**target.data, **changes}, problems, prefix="data.data")
    if problems or valid is None:
        return None
    # An explicit null clears an optional field; the schema has checked that it may.
    fields.update({name: valid.get(name) for name in changes})
    return fields


def corrected_as_stored(correction: Event, state: CaseState) -> Event:
    """The correction with its fields as validated and typed, never as sent (decided already)."""
    fields = _corrected_fields(correction, state, [])
    return msgspec.structs.replace(correction, data={**correction.data, "data": fields})
