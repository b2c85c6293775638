"""Acts checked like rights (issue 23 item 1): may this principal record this fact here?

`case:record` on the case says *on which cases* one records; an act can also change who
may act on the case, and then it is judged like the right it amounts to:

- an official records their own acts, under their own agency (naming another actor is
  `case:record_for_others`, a registrar's);
- an act the policy names in `acts` (policy.yaml) needs the right it names — an
  assignment is `case:assign` (the head of the unit, the chair of the court), a
  registration naming another region is `case:transfer` — or, for the roles listed,
  names only the actor themselves (a lawyer admits only themselves; a court's staff
  start a trial only at their own court);
- a grant limited to a section records only the kinds of that section;
- a person's user acts only in their own name: every `person` the fact names is theirs.

Pure: the facts of the case are given (`access.facts.case_facts`, as the case stands
before the act, or as it would stand with the fact that opens it).
"""

from __future__ import annotations

from collections.abc import Callable

from habeas.access.facts import CaseFacts, Principal
from habeas.access.policy import Decision, Policy
from habeas.domain.events import Event

RECORD, FOR_OTHERS = "case:record", "case:record_for_others"


def judge(
    policy: Policy, principal: Principal, event: Event, case: CaseFacts | None, region_of: Callable[[str], str] = str
) -> Decision:
    """Allowed (the `case:record` decision) or refused, naming what was missing. `region_of`
    spells a region as the facts do (`case_facts`)."""
    if not _own_act(principal, event) and not policy.decide(principal, FOR_OTHERS).allowed:
        return Decision(
            False,
            RECORD,
            f"refused: you record your own acts (actor {principal.role}:{principal.id}"
            f"{'@' + principal.agency if principal.agency else ''}); recording another's, or under"
            f" another agency, needs {FOR_OTHERS} (a registrar)",
        )
    decision = policy.decide(principal, RECORD, case if event.case is not None else None)
    if not decision.allowed:
        return decision
    for why in (
        _outside_section(policy, decision, event),
        _not_in_own_name(principal, event),
        act_rule(policy, principal, event, case, region_of),
    ):
        if why is not None:
            return Decision(False, RECORD, why, assigned=decision.assigned)
    return decision


def _own_act(principal: Principal, event: Event) -> bool:
    actor = event.actor
    own = principal.actor
    return (actor.id, actor.role, actor.agency) == (own.id, own.role, own.agency)


def _outside_section(policy: Policy, decision: Decision, event: Event) -> str | None:
    if decision.section is None or event.case is None or event.kind in policy.section_kinds(decision.section):
        return None
    if event.kind == "record.corrected":  # judged as the act it leaves (services.acts)
        return None
    return f"refused: {event.kind} is outside the {decision.section} section you record in"


def _not_in_own_name(principal: Principal, event: Event) -> str | None:
    """A person's user names no other party: their complaint, appeal or request is their own."""
    if principal.person is None:
        return None
    named = event.data.get("person")
    if named is None or named == principal.person[1]:
        return None
    return f"refused: you act in your own name only (person {principal.person[1]}), not for {named}"


def act_rule(
    policy: Policy,
    principal: Principal,
    event: Event,
    case: CaseFacts | None,
    region_of: Callable[[str], str],
) -> str | None:
    """Why the act its policy names (`acts`) is not the principal's, or None."""
    rule = policy.document.acts.get(event.kind)
    if rule is None:
        return None
    if rule.needs is not None and (rule.field is None or _moves(rule.field, event, case, region_of)):
        needed = policy.decide(principal, rule.needs, case)
        if not needed.allowed:
            return f"refused: {event.kind} {rule.what}needs {rule.needs} ({needed.reason.removeprefix('refused: ')})"
    if rule.names_self is not None and principal.role in rule.names_self.roles:
        value = event.data.get(rule.names_self.field)
        own = principal.id if rule.names_self.as_ == "id" else principal.agency
        if value is not None and value != own:
            return (
                f"refused: a {principal.role} names only themselves in {event.kind}"
                f" ({rule.names_self.field} {own!r}, not {value!r})"
            )
    return None


def _moves(field: str, event: Event, case: CaseFacts | None, region_of: Callable[[str], str]) -> bool:
    """Whether the act changes the case's `field` (its region): a first registration does not."""
    if case is None or field != "region":
        return False
    recorded = event.data.get(field)
    return case.region is not None and recorded is not None and region_of(recorded) != case.region
