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
from habeas.law.findings import Finding
from habeas.law.package import Law
from habeas.law.rules.description import describe
from habeas.law.rules.facts import Facts
from habeas.law.rules.loading import UnknownRule, get_rule, load_rules, parse_rules, rule_codes
from habeas.law.rules.mechanisms import Judge
from habeas.law.rules.schema import MECHANISMS, Rule, RulesDocument


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


def judge(state: CaseState | None, law: Law, at: datetime) -> list[Finding]:
    """The open and breached findings as of `at`, most urgent first."""
    at = _aware(at)
    found = [f for f in evaluate(state, law, at) if f.status_at(at) != "met"]
    return sorted(found, key=lambda f: f.urgency(at))


__all__ = [
    "MECHANISMS",
    "Facts",
    "Rule",
    "RulesDocument",
    "UnknownRule",
    "deadlines",
    "describe",
    "evaluate",
    "get_rule",
    "judge",
    "load_rules",
    "parse_rules",
    "rule_codes",
]
