"""The ``deadline`` mechanism: one clock per start event, closed by the first matching stop
event at or after it; due after a dated parameter's term, at a time the start carries, or some
hours before another rule's due time; counted from the start or a base event; paused periods
are not counted; an extension moves the due time; a cancel ends the duty; `shows` adds dated
values of the law (the body competent on the day) to its findings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from habeas.domain.events import Event
from habeas.law.findings import DEADLINE
from habeas.law.package import MissingLaw
from habeas.law.rules.conditions import Context, holds, possible
from habeas.law.rules.facts import evidence, matches, moment_of
from habeas.law.rules.schema import DeadlineRule
from habeas.law.rules.terms import Applied, apply_term

if TYPE_CHECKING:
    from habeas.law.rules.mechanisms import Judge


def _starts(judge: Judge, rule: DeadlineRule) -> list[Event]:
    selector = rule.start
    starts = []
    for ev in judge.facts.of_kinds(selector.kinds):
        if selector.matches(ev):
            starts.append(ev)
    if rule.or_start:
        for ev in judge.facts.of_kinds(rule.or_start.kinds):
            if not any(matches(rule.match, ev, later) for later in judge.facts.after(ev, rule.or_start.unless)):
                starts.append(ev)
        starts.sort(key=lambda ev: judge.facts.rank[id(ev)])
    return starts


def opened(judge: Judge, rule: DeadlineRule, start: Event) -> tuple[Context, Event, Applied] | None:
    """What a start opens under a deadline rule: its context, the event its term counts
    from, and the term applied; None when the rule does not count this start (not in
    force, its `when` does not hold, preceded by what excuses it, no term)."""
    if not judge._in_force(rule, start):
        return None
    ctx = Context(judge.law, judge.facts, start)
    if rule.when is not None and not holds(rule.when, ctx)[0]:
        return None
    if rule.unless_preceded_by and any(
        matches(rule.match, start, ev) for ev in judge.facts.before(start, rule.unless_preceded_by)
    ):
        return None
    base_event = start
    if rule.base is not None and (rule.base.only_when is None or holds(rule.base.only_when, ctx)[0]):
        base_event = judge._base(rule.base, start) or start
    applied = apply_term(rule.term, ctx, rule.code, base_event.occurred_at)
    return None if applied is None else (ctx, base_event, applied)


def judge_deadline(judge: Judge, rule: DeadlineRule) -> None:
    if rule.when is not None and not possible(rule.when, judge.facts):
        return  # no start counts: its `when` needs an event the case lacks
    starts = _starts(judge, rule)
    for start in starts:
        opening = opened(judge, rule, start)
        if opening is None:
            continue
        _, base_event, applied = opening
        person = (start.data or {}).get("person")
        stops = judge._scoped(rule, start, rule.stop.kinds)
        if stops:
            stops = [ev for ev in stops if rule.stop.matches(ev)]
        if not stops and rule.or_stop:
            stops = judge._scoped(rule, start, rule.or_stop)
        if rule.report == "late":
            _late(judge, rule, start, starts, stops, applied, person, base_event)
            continue
        stop = stops[0] if stops else None
        if rule.cancel is not None and _cancelled(judge, rule, start, stop, applied.due):
            continue
        due: datetime | None = applied.due
        pause = None
        if rule.pauses:
            until = stop.occurred_at if stop else None
            due, pause = judge._paused(rule.pauses, start, base_event.occurred_at, due, until)
        extensions: list[Event] = []
        if rule.extend and due is not None:
            for ext in judge._scoped(rule, start, rule.extend.kinds):
                if stop is not None and ext.occurred_at > stop.occurred_at:
                    break
                until = moment_of((ext.data or {}).get(rule.extend.field))
                if until is None:
                    continue
                if ext.occurred_at > due:
                    break  # extended after the term had run out: the breach stands
                due = until
                applied = Applied(until, applied.version, applied.parameter, applied.notes)
                extensions.append(ext)
        params: dict[str, Any] = _shown(judge, rule, start) if rule.shows else {}
        if rule.extend:
            params["extended"] = len(extensions)
        if pause is not None and stop is None:
            continue  # the clock stands still: nothing is due while the term is interrupted
        if pause is not None:
            params["paused_since"] = pause.occurred_at.isoformat()
        judge._finding(
            rule,
            kind=DEADLINE,
            person=person,
            started_at=start.occurred_at,
            due_at=due,
            met_at=stop.occurred_at if stop else None,
            shown=evidence(start, *([base_event] if base_event is not start else []), *extensions, pause, stop),
            applied=applied,
            params=params,
        )


def _shown(judge: Judge, rule: DeadlineRule, start: Event) -> dict[str, Any]:
    """The dated values of the law the rule shows with its findings (`shows`)."""
    shown: dict[str, Any] = {}
    for spec in rule.shows:
        try:
            value = judge.law.value(spec.parameter, start.occurred_at)
        except MissingLaw:
            continue
        if spec.by is not None:
            value = value.get((start.data or {}).get(spec.by)) if isinstance(value, Mapping) else None
        if value is not None:
            shown[spec.name] = value
    return shown


def _cancelled(judge: Judge, rule: DeadlineRule, start: Event, stop: Event | None, due: datetime) -> bool:
    for ev in judge._scoped(rule, start, rule.cancel.kinds):
        if stop is not None and ev.occurred_at >= stop.occurred_at:
            return False
        return not rule.cancel.by_due or ev.occurred_at <= due
    return False


def _late(judge: Judge, rule, start, starts, stops, applied, person, base_event) -> None:
    """One finding per closing event (until the next start), never an open clock:
    the closing act is not an official's duty, only its lateness is a finding."""
    later = [s for s in starts[starts.index(start) + 1 :] if matches(rule.match, start, s)]
    end = later[0].occurred_at if later else None
    for stop in stops:
        if end is not None and stop.occurred_at >= end:
            break
        judge._finding(
            rule,
            kind=DEADLINE,
            person=person,
            started_at=start.occurred_at,
            due_at=applied.due,
            met_at=stop.occurred_at,
            shown=evidence(start, *([base_event] if base_event is not start else []), stop),
            applied=applied,
        )
