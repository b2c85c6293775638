"""The procedure rules engine: deadlines and findings from the facts and the law data.

Pure functions of (case state, law, time). The rules are data (`rules.yaml` of the
jurisdiction package); this package implements the few generic mechanisms they name,
one module per job:

- `schema`: the shape of `rules.yaml`, one model per mechanism;
- `loading`: validating it against the package (parameters, kinds, rules it refers to);
- `description`: a rule as `habeas law show` prints it;
- `facts`: the timeline as the rules read it;
- `conditions`: `when`, `choose` and `violation` conditions;
- `terms`: due times from dated parameters and the calendar;
- `mechanisms`: deadline, before, check, term_cap, order.

Which version of a parameter applies is decided by the `occurred_at` of the event that
starts the clock (its local date, in the offset it was recorded with).

`judge(state, law, at)` judges the facts that had occurred by `at` (an event whose
effective `occurred_at` is later is ignored). Corrections apply whenever they were
recorded: the facts are judged as they are now known to have happened. Facts are
never reordered or refused; an odd fact never raises, it gives a finding or none.
"""

from __future__ import annotations

from datetime import datetime

from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.law.findings import Finding
from habeas.law.package import Law
from habeas.law.rules.conditions import Context
from habeas.law.rules.description import describe
from habeas.law.rules.facts import Facts
from habeas.law.rules.loading import UnknownRule, get_rule, load_rules, parse_rules, rule_codes
from habeas.law.rules.mechanisms import Judge, base_of
from habeas.law.rules.schema import MECHANISMS, DeadlineRule, Rule, RulesDocument, TermCapRule
from habeas.law.rules.terms import apply_term


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time to judge at needs its UTC offset")
    return at


def evaluate(state: CaseState | None, law: Law, at: datetime | None = None) -> list[Finding]:
    """Every deadline and violation (met ones too) from the facts that occurred by `at`."""
    if state is None:
        return []
    facts = Facts.of(state, _aware(at) if at is not None else None)
    return Judge(law, facts, load_rules(law)).run()


def deadlines(state: CaseState | None, law: Law) -> list[Finding]:
    """Every deadline and violation from all the facts, whatever the time (met ones too)."""
    return evaluate(state, law, None)


def due(law: Law, code: str, state: CaseState, start: Event) -> datetime | None:
    """When the duty of rule `code` that `start` opens falls due, on the case's facts (None
    when `start` opens none: e.g. a national's detention, for the consular notice): for a
    driver that plans acts (the simulator) and must not copy the law. Before a pause or an
    extension moves it."""
    rule = get_rule(law, code)
    facts = Facts.of(state)
    event = next((ev for ev in facts.events if ev.id == start.id), None)
    if event is None or not isinstance(rule, DeadlineRule | TermCapRule):
        return None
    if isinstance(rule, TermCapRule):
        base = base_of(facts, rule.base, event) if rule.base else None
        ctx = Context(law, facts, event)
        applied = apply_term(rule.first or rule.total, ctx, rule.code, (base or event).occurred_at)
        return applied.due if applied else None
    # as the judge opens it: in force, its `when`, what excuses it, the event it counts from
    opened = Judge(law, facts, load_rules(law)).opened(rule, event)
    return opened[2].due if opened else None


def longest(law: Law, code: str, state: CaseState, order: Event) -> datetime | None:
    """The latest `until` a series of orders may reach under rule `code` (a term cap's total)."""
    rule = get_rule(law, code)
    facts = Facts.of(state)
    event = next((ev for ev in facts.events if ev.id == order.id), None)
    if event is None or not isinstance(rule, TermCapRule):
        return None
    base = base_of(facts, rule.base, event) if rule.base else None
    applied = apply_term(rule.total, Context(law, facts, event), rule.code, (base or event).occurred_at)
    return applied.due if applied else None


def finds(law: Law, code: str, state: CaseState) -> bool:
    """Whether rule `code` finds anything wrong in these facts (a violation, or a deadline missed)."""
    return any(
        f.code == code and (f.is_violation or (f.met_at is not None and f.due_at is not None and f.met_at > f.due_at))
        for f in evaluate(state, law)
    )


def judge(state: CaseState | None, law: Law, at: datetime) -> list[Finding]:
    """The open and breached findings as of `at`, most urgent first."""
    at = _aware(at)
    return outstanding(evaluate(state, law, at), at)


def outstanding(findings: list[Finding], at: datetime) -> list[Finding]:
    """Of a case's findings, those open or breached at `at`, most urgent first: `judge`, given
    findings already judged (`deadlines`, which equals `evaluate` at `at` when every fact had
    occurred by `at`)."""
    found = [f for f in findings if f.status_at(at) != "met"]
    return sorted(found, key=lambda f: f.urgency(at))


__all__ = [
    "MECHANISMS",
    "Facts",
    "Rule",
    "RulesDocument",
    "UnknownRule",
    "deadlines",
    "describe",
    "due",
    "finds",
    "longest",
    "evaluate",
    "outstanding",
    "get_rule",
    "judge",
    "load_rules",
    "parse_rules",
    "rule_codes",
]
