"""The ``check`` mechanism: a violation at an event when a condition holds; undecided (never a
breach) when the condition turns on an offence the catalogue does not hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from habeas.law.findings import UNDECIDED, VIOLATION
from habeas.law.package import MissingLaw
from habeas.law.rules.conditions import Context, holds
from habeas.law.rules.facts import evidence
from habeas.law.rules.qualified import NOT_IN_CATALOGUE
from habeas.law.rules.schema import CheckRule

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def judge_check(judge: Judge, rule: CheckRule) -> None:
    for ev in judge.facts.of_kinds(rule.at.kinds):
        if not rule.at.matches(ev) or not judge._in_force(rule, ev):
            continue
        person = (ev.data or {}).get("person")
        party = judge.facts.parties.get(person or "")
        if rule.roles is not None and party and party.get("role") not in rule.roles:
            continue
        ctx = Context(judge.law, judge.facts, ev)
        if rule.enabled_by:
            try:
                if not judge.law.value(rule.enabled_by, ev.occurred_at):
                    continue
            except MissingLaw:
                continue
        ok, shown, reasons = holds(rule.violation, ctx)
        if not ok:
            unknown = ctx.gravity_unknown
            if unknown is not None and unknown.get("reason") == NOT_IN_CATALOGUE:
                # it might be a violation, were the offence's gravity known: say it is
                # undecided and why, never decide it as if the offence were minor or grave
                judge._finding(
                    rule,
                    kind=UNDECIDED,
                    person=person,
                    started_at=ev.occurred_at,
                    due_at=None,
                    met_at=None,
                    shown=evidence(ev, judge.facts.events_by_id(unknown.get("event"))),
                    cite=None if rule.citations else (rule.violation.parameters() or [None])[0],
                    at=ev.occurred_at,
                    params={"at": ev.occurred_at.isoformat(), "gravity_unknown": unknown},
                )
            continue
        cite = None
        if not rule.citations:
            cite = rule.enabled_by or (rule.violation.parameters() or [None])[0]
        params: dict[str, Any] = {"at": ev.occurred_at.isoformat(), "reasons": reasons}
        if "gravity" in reasons:
            params["gravity"] = ctx.gravity()
        if "offence" in reasons:  # the offence itself is what is found (KZ-OFFENCE-UNKNOWN)
            params.update(ctx.offence().unknown() or {})
        judge._finding(
            rule,
            kind=VIOLATION,
            person=person,
            started_at=ev.occurred_at,
            due_at=None,
            met_at=None,
            shown=evidence(ev, *shown),
            cite=cite,
            at=ev.occurred_at,
            params=params,
        )
