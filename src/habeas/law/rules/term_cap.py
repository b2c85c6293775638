"""The ``term_cap`` mechanism: the terms a series of orders sets stay within caps counted from
the series' base (its first order, or the detention before it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from habeas.domain.events import Event
from habeas.law.findings import VIOLATION
from habeas.law.rules.conditions import Context
from habeas.law.rules.facts import evidence, key_of, moment_of
from habeas.law.rules.schema import TermCapRule
from habeas.law.rules.terms import apply_term

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def judge_term_cap(judge: Judge, rule: TermCapRule) -> None:
    orders = judge.facts.of_kinds(rule.kinds)
    persons = list(dict.fromkeys(key_of(ev, rule.match) for ev in orders))
    end = next(iter(judge.facts.of_kinds(rule.until_kinds)), None)
    for who in persons:
        first: Event | None = None
        base: Event | None = None
        for ev in judge.facts.events:
            if end is not None and (ev is end or ev.occurred_at > end.occurred_at):
                break
            if key_of(ev, rule.match) != who:
                continue
            if ev.kind in rule.reset_kinds:
                first = None
                continue
            if ev.kind not in rule.kinds:
                continue
            until = moment_of((ev.data or {}).get(rule.field))
            if until is None:
                continue
            opens = first is None
            if opens:
                first = ev
                base = (judge._base(rule.base, ev) if rule.base else None) or ev
            if not judge._in_force(rule, first):
                continue
            ctx = Context(judge.law, judge.facts, ev, law_moment=first.occurred_at)
            caps = []
            if opens and rule.first and ev.kind in (rule.first_kinds or rule.kinds):
                caps.append(("first", rule.first))
            caps.append(("total", rule.total))
            for which, term in caps:
                applied = apply_term(term, ctx, rule.code, base.occurred_at)
                if applied is None:
                    continue
                allowed, _ = judge._paused(rule.pauses, ev, base.occurred_at, applied.due, until)
                allowed = allowed or until  # a file reading still open: outside the ladder
                if until <= allowed:
                    continue
                judge._finding(
                    rule,
                    kind=VIOLATION,
                    person=(ev.data or {}).get("person"),
                    started_at=base.occurred_at,
                    due_at=None,
                    met_at=None,
                    shown=evidence(base, first, ev),
                    applied=applied,
                    params={"cap": which, "until": until.isoformat(), "allowed_until": allowed.isoformat()},
                )
                break
