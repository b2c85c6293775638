"""What the law has done before an act it checks: the due items of `check` rules.

A `check` rule finds a violation only once its act is done (a suspect questioned without
counsel). Where the rule names the act that makes it lawful (`ensured_by`: counsel
admitted), that act is due for every person for whom the rule's condition already holds
(they asked for counsel; defence is mandatory) and for whom it is not yet recorded: the
condition is tested as if the checked act were done now, by the rule's own `violation`.
These are suggestions for what to do next, never findings: nothing is breached yet.
"""

from __future__ import annotations

from datetime import datetime

from habeas.domain.case import CaseState
from habeas.domain.events import Actor, Event
from habeas.law.package import Law, MissingLaw
from habeas.law.rules.conditions import Context, holds
from habeas.law.rules.facts import Facts
from habeas.law.rules.loading import load_rules
from habeas.law.rules.schema import CheckRule

_NOBODY = Actor("-", "-", None)  # the actor of the act imagined: no condition reads it


def due_acts(state: CaseState | None, law: Law, at: datetime) -> list[dict]:
    """{code, person, kinds, before}: for each check rule with `ensured_by`, each person for whom the
    rule would find a violation were its act done at `at`, and no ensuring act is recorded."""
    if state is None:
        return []
    facts = Facts.of(state, at)
    persons = list(dict.fromkeys(p for ev in facts.events if (p := (ev.data or {}).get("person"))))
    out: list[dict] = []
    for rule in load_rules(law).rules:
        if not isinstance(rule, CheckRule) or rule.ensured_by is None or not rule.in_force_on(at.date()):
            continue
        if rule.enabled_by and not _enabled(law, rule.enabled_by, at):
            continue
        ensured = {(ev.data or {}).get("person") for ev in facts.events if rule.ensured_by.matches(ev)}
        for person in persons:
            party = facts.parties.get(person)
            if person in ensured or (rule.roles is not None and party and party.get("role") not in rule.roles):
                continue
            act = _imagined(rule, state.case, person, at)
            if holds(rule.violation, Context(law, facts, act))[0]:
                out.append(
                    {"code": rule.code, "person": person, "kinds": list(rule.ensured_by.kinds), "before": act.kind}
                )
    return out


def _imagined(rule: CheckRule, case: str | None, person: str, at: datetime) -> Event:
    """The checked act, as the rule checks it, done now for `person`."""
    data = {"person": person, **{name: values[0] for name, values in rule.at.fields.items()}}
    return Event(id="-", kind=rule.at.kinds[0], case=case, occurred_at=at, actor=_NOBODY, data=data)


def _enabled(law: Law, flag: str, at: datetime) -> bool:
    try:
        return bool(law.value(flag, at))
    except MissingLaw:
        return False
