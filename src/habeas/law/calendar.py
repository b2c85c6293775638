"""Calendar arithmetic for procedural terms: hours, days, months, years.

Pure. Every result is an aware datetime computed on the instant (UTC) and shown in
the offset of the moment it starts from, so a deadline reads in the agency's local
time. How a term is rounded is law (e.g. CPC art. 121: "a term in days ends at 24:00
of its last day"), so the rounding mode comes from the law data, never from here:

- ``exact``: the same clock time `amount` units later (hours always count exactly);
- ``end_of_day``: the day the term starts is not counted and the term ends at 24:00
  (the next day's 00:00) of its last local day;
- ``next_hour`` (hours only): the hour the term starts in is not counted, so it runs from
  the start of the next local hour (CPC art. 48 part 2).

Months are calendar months: the corresponding day of the last month, clamped to the
month's last day when it has no such day (31 January + 1 month -> 28/29 February).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import UTC, date, datetime, time, timedelta

UNITS = ("hours", "days", "months", "years")
ROUNDINGS = ("exact", "end_of_day", "next_hour")


class CalendarError(ValueError):
    """A term the calendar cannot count (unknown unit or rounding, naive time)."""


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` calendar months later, clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def add(moment: datetime, amount: int | float, unit: str, rounding: str = "exact") -> datetime:
    """`moment` + a term, in `moment`'s own offset (the instant is exact in UTC)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("a term is counted from an aware time (with its UTC offset)")
    if unit not in UNITS:
        raise CalendarError(f"unknown unit {unit!r}; one of {', '.join(UNITS)}")
    if rounding not in ROUNDINGS:
        raise CalendarError(f"unknown rounding {rounding!r}; one of {', '.join(ROUNDINGS)}")
    tz = moment.tzinfo
    if unit == "hours":
        if rounding == "next_hour":
            moment = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return (moment.astimezone(UTC) + _hours(amount)).astimezone(tz)
    if unit != "days" and int(amount) != amount:
        raise CalendarError(f"{unit} are counted in whole numbers, not {amount}")
    local_day = moment.date()
    if unit == "days":
        if rounding == "exact":
            return (moment.astimezone(UTC) + timedelta(days=amount)).astimezone(tz)
        last_day = local_day + timedelta(days=int(amount))
    elif unit == "months":
        last_day = add_months(local_day, int(amount))
    else:
        last_day = add_years(local_day, int(amount))
    if rounding == "exact":
        return datetime.combine(last_day, moment.timetz())
    return end_of(last_day, moment)


_ONE_DAY, _MIDNIGHT = timedelta(days=1), time(0)
_HOURS: dict[int | float, timedelta] = {}


def _hours(amount: int | float) -> timedelta:
    """`timedelta(hours=amount)`, made once per amount (building one costs ≈ 0.8 µs)."""
    found = _HOURS.get(amount)
    if found is None:
        found = timedelta(hours=amount)
        if len(_HOURS) < 1000:
            _HOURS[amount] = found
    return found


def end_of(day: date, like: datetime) -> datetime:
    """24:00 of `day` in the offset of `like` (written as the next day's 00:00)."""
    return datetime.combine(day + _ONE_DAY, _MIDNIGHT, tzinfo=like.tzinfo)


def age_on(birth: date, day: date) -> int:
    """Whole years of age on `day` (a 29 February birthday falls on 28 February)."""
    years = day.year - birth.year
    if add_years(birth, years) > day:
        years -= 1
    return years


def in_offset(moment: datetime, like: datetime) -> datetime:
    """The same instant shown in the offset `like` was recorded with."""
    return moment.astimezone(like.tzinfo)
