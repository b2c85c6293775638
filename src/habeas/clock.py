"""The injected clock: the register's notion of "now" (recorded_at, default --at)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Real time, moved to start at `start` (the demo's register lives in its simulated period)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("a clock's time must carry a UTC offset")
        self._shift = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._shift


class FixedClock:
    """A clock that only moves when told to (tests, the simulator)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("a clock's time must carry a UTC offset")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
