"""Competence: whether the law lets this actor record this kind of fact, now.

The register refuses only what the actor cannot legally do (design §1.3). Which
roles may do what is data (`competence.yaml`), never an `if` per country here.
"""

from __future__ import annotations

from habeas.domain.case import CaseHead, CaseState
from habeas.domain.events import Event, Problem
from habeas.law.package import Law
from habeas.law.stages import stage_of


def competence_problems(law: Law, event: Event, state: CaseHead | CaseState | None) -> list[Problem]:
    """Why `event.actor` may not record `event` on this case ([] when it may).

    A correction is judged against the whole case file (`CaseState`): who recorded the
    fact it corrects decides who may correct it.
    """
    rule = law.competence.of(event.kind)
    role = event.actor.role
    if rule is None:
        return [Problem("kind", f"no one may record {event.kind} under the {law.jurisdiction} law")]
    allowed = rule.roles
    if rule.by_stage:
        allowed = rule.by_stage.get(stage_of(law, state), allowed)
    if role not in allowed:
        cited = f" ({'; '.join(str(c) for c in rule.citations)})" if rule.citations else ""
        return [
            Problem(
                "actor.role",
                f"{_a(role)} {role} may not record {event.kind}: only {', '.join(allowed)}{cited}",
            )
        ]
    if event.kind == "record.corrected":
        return _correction_problems(law, event, state)
    return []


def _correction_problems(law: Law, event: Event, state: CaseState | None) -> list[Problem]:
    target_id = event.data["event"]
    target = state.event(target_id) if state is not None else None
    if target is None:
        return [Problem("data.event", f"no event {target_id!r} in case {event.case}")]
    if target.kind == "record.corrected":
        return [Problem("data.event", "a correction is corrected by a new correction of the original")]
    original_role = target.actor.role
    may = [original_role, *law.competence.supervisors.get(original_role, [])]
    if event.actor.role not in may:
        return [
            Problem(
                "actor.role",
                f"{target_id} was recorded by {_a(original_role)} {original_role}; "
                f"only {', '.join(may)} may correct it",
            )
        ]
    return []


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def roles_for(law: Law, kind: str, stage: str | None) -> list[str]:
    """The roles that may record `kind` at `stage` (any stage: None): what a form offers."""
    rule = law.competence.of(kind)
    if rule is None:
        return []
    if stage is not None and rule.by_stage:
        return list(rule.by_stage.get(stage, rule.roles))
    return list(rule.roles)


def kinds_for(law: Law, role: str, stage: str | None, kinds) -> list[str]:
    """Of `kinds` (in their order), those `role` may record at `stage` (any stage: None)."""
    return [kind for kind in kinds if role in roles_for(law, kind, stage)]
