"""The time formats of the canonical record: one spelling per instant, and the offset it
was recorded with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache


def utc_iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, microseconds only when present: one spelling per instant."""
    offset = moment.utcoffset()
    if offset is None:  # naive: astimezone reads it as local time
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    if offset.seconds % 60 or offset.microseconds:  # never recorded (whole minutes), but possible
        return (moment.replace(tzinfo=None) - offset).isoformat() + "Z"
    # the same instant as astimezone(UTC), without a tzinfo call: its text ends in the
    # offset's six characters (+HH:MM), cut for the Z
    return (moment - offset).isoformat()[:-6] + "Z"


def offset_text(moment: datetime) -> str:
    """The UTC offset an event was recorded with, as +HH:MM."""
    return _offset_text(moment.utcoffset() or timedelta(0))


@cache
def _offset_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def from_utc(text: str, offset: str = "+00:00") -> datetime:
    """Inverse of utc_iso/offset_text: the instant, shown in its recorded offset."""
    return datetime.fromisoformat(text).astimezone(_zone(offset))


@cache
def _zone(offset: str) -> timezone:
    sign = 1 if offset[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
