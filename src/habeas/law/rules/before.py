"""The ``before`` mechanism: a stop event must come before the first of some other events of
the episode (the medical examination before the detention protocol)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from habeas.law.findings import DEADLINE, VIOLATION
from habeas.law.rules.facts import evidence
from habeas.law.rules.schema import BeforeRule

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def judge_before(judge: Judge, rule: BeforeRule) -> None:
    for start in judge.facts.of_kinds(rule.start.kinds):
        if not rule.start.matches(start) or not judge._in_force(rule, start):
            continue
        person = (start.data or {}).get("person")
        later = judge._scoped(rule, start, set(rule.stop.kinds) | set(rule.due_kinds))
        stop = next((ev for ev in later if rule.stop.matches(ev)), None)
        due = next((ev for ev in later if ev.kind in rule.due_kinds), None)
        cancels = judge._scoped(rule, start, rule.cancel_kinds)
        cancel = cancels[0] if cancels else None
        if stop is not None and (due is None or stop.occurred_at <= due.occurred_at):
            judge._finding(
                rule,
                kind=DEADLINE,
                person=person,
                started_at=start.occurred_at,
                due_at=due.occurred_at if due else None,
                met_at=stop.occurred_at,
                shown=evidence(start, stop),
            )
        elif due is not None and (cancel is None or due.occurred_at <= cancel.occurred_at):
            judge._finding(
                rule,
                kind=VIOLATION,
                person=person,
                started_at=start.occurred_at,
                due_at=None,
                met_at=stop.occurred_at if stop else None,
                shown=evidence(start, due, stop),
                params={"at": due.occurred_at.isoformat(), "event_kind": due.kind},
            )
        elif cancel is None:
            judge._finding(
                rule,
                kind=DEADLINE,
                person=person,
                started_at=start.occurred_at,
                due_at=None,
                met_at=None,
                shown=evidence(start),
                params={"due_before": rule.due_kinds},
            )
