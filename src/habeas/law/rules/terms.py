"""Terms: when a duty falls due, from the dated parameter in force and the calendar rules.

A term in hours runs from the next hour, or to the minute where the calendar counts its first
hour (detention, custody); in days or months it ends at 24:00 of its last day
(as the package's calendar says), and when that last day is a non-working day it ends on
the next working day, unless the rule is one the calendar lists as not moved (CPC art.
48 part 4: detention, custody, house arrest). A year the table of non-working days does
not cover is counted with weekends only, and the finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from habeas.law import calendar
from habeas.law.package import MissingLaw, Version
from habeas.law.rules.conditions import Context, holds
from habeas.law.rules.facts import moment_of
from habeas.law.rules.loading import counting, get_rule
from habeas.law.rules.schema import DeadlineRule, Term
from habeas.law.workdays import WorkingCalendar


@dataclass
class Applied:
    due: datetime
    version: Version | None = None
    parameter: str | None = None
    notes: dict[str, object] = field(default_factory=dict)


_ONE_DAY = timedelta(days=1)


def apply_term(term: Term, ctx: Context, rule_code: str, base: datetime | None = None) -> Applied | None:
    """The due time of a term counted from `base` (default: the event's time), or None
    when no term applies (no choice matched, no version in force, no time to read)."""
    base = base or ctx.event.occurred_at
    if term.field:
        due = moment_of((ctx.event.data or {}).get(term.field))
        return Applied(due) if due else None
    if term.from_rule:
        return _from_rule(term, ctx, base)
    key = term.parameter
    unknown: dict | None = None  # a choice passed over for want of the offence's gravity
    otherwise: str | None = None  # the term that choice would have given
    if term.choose:
        key = None
        for choice in term.choose:
            if choice.when is None or holds(choice.when, ctx)[0]:
                key = choice.parameter
                break
            if unknown is None and ctx.gravity_unknown is not None and choice.parameter:
                # never a default gravity: the term is chosen without it (no ground shown), and
                # the finding says so, with the term the unknown gravity might have given
                unknown, otherwise = ctx.gravity_unknown, choice.parameter
        if key is None:
            return None
    try:
        version = ctx.law.version(key, ctx.moment)
    except MissingLaw:
        return None
    unit = version.unit or "hours"
    counted = counting(ctx.law)
    rounding = counted.rounding.get(unit, "exact")
    if rounding == "next_hour" and rule_code in counted.start_day_counted:
        rounding = "exact"  # its first hour counts: from the minute (CPC art. 48 part 5)
    try:
        due = calendar.add(base, version.value, unit, rounding)
    except (calendar.CalendarError, TypeError, ValueError, OverflowError):
        return None
    applied = Applied(due, version, key)
    if unknown is not None:
        applied.notes["gravity_unknown"] = unknown
        alternative = _otherwise(ctx, otherwise, base, unit, rounding)
        if alternative is not None:
            applied.notes["due_at_otherwise"] = alternative.isoformat()
    if unit in ("days", "months", "years") and rounding == "end_of_day":
        if rule_code in counted.start_day_counted:
            applied.due -= _ONE_DAY
        if counted.moves and counted.table is not None and rule_code not in counted.not_moved:
            _move_off_non_working_day(applied, counted.table)
    return applied


def _otherwise(ctx: Context, key: str | None, base: datetime, unit: str, rounding: str) -> datetime | None:
    """The due time the term `key` would give (the choice the unknown gravity might have made)."""
    try:
        version = ctx.law.version(key, ctx.moment)
        if version.unit and version.unit != unit:
            unit = version.unit
            rounding = counting(ctx.law).rounding.get(unit, "exact")
        return calendar.add(base, version.value, unit, rounding)
    except (MissingLaw, calendar.CalendarError, TypeError, ValueError, OverflowError):
        return None


def _from_rule(term: Term, ctx: Context, base: datetime) -> Applied | None:
    other = get_rule(ctx.law, term.from_rule)
    if not isinstance(other, DeadlineRule):
        return None
    applied = apply_term(other.term, ctx, other.code, base)
    if applied is None or not term.minus:
        return applied
    try:
        lead = ctx.law.version(term.minus, ctx.moment)
    except MissingLaw:
        return None
    try:  # a lead in its own unit: an overlay of "1 day" takes a day off, not an hour
        due = calendar.add(applied.due, -lead.value, lead.unit or "hours", "exact")
    except (calendar.CalendarError, TypeError, ValueError, OverflowError):
        return None
    return Applied(due, lead, term.minus, {"limit_due_at": applied.due.isoformat(), "limit": applied.version.value})


def _move_off_non_working_day(applied: Applied, table: WorkingCalendar) -> None:
    last_day = (applied.due - _ONE_DAY).date()  # the term ends at 24:00 of this day
    working, assumed = table.next_working_day(last_day)
    if working != last_day:
        applied.notes["moved_from"] = last_day.isoformat()
        applied.due = calendar.end_of(working, applied.due)
    if assumed:
        applied.notes["calendar_unknown_years"] = assumed
